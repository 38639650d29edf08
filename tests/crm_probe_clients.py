"""Removal of the clients a test registered in the session's shared PromptCRM (over MCP or directly), so the
seeded data other tests compare with (R3 consistency, the generator's national IDs) is as the seed left it."""

from __future__ import annotations

from promptsales.config import Settings
from promptsales.db.connect import connect


def remove_clients(settings: Settings, client_ids: list[int]) -> None:
    """Delete ``client_ids`` and everything registered for them (leads with their history and scores,
    interactions, sales, campaign links, their own data keys); the checksummed log rows stay."""
    if not client_ids:
        return
    with connect("crm", "owner", settings=settings) as conn:
        leads = "SELECT lead_id FROM crm.leads WHERE client_id = ANY(%(c)s)"
        for table in ("crm.lead_stage_history", "crm.lead_scores"):
            conn.execute(f"DELETE FROM {table} WHERE lead_id IN ({leads})", {"c": client_ids})
        for table in ("crm.interactions", "crm.sales", "crm.leads", "crm.client_campaigns", "crm.subject_keys"):
            conn.execute(f"DELETE FROM {table} WHERE client_id = ANY(%(c)s)", {"c": client_ids})
        conn.execute("DELETE FROM crm.clients WHERE client_id = ANY(%(c)s)", {"c": client_ids})
        conn.commit()

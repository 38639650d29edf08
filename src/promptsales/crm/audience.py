"""Exports of client data to third parties (issue 23): the one gate every such export goes through.

A client may leave PromptCRM for a third party (an ad platform's customer-match audience, a partner) only when
they consented to it (``consent_third_party``), did not opt out of sale and sharing (CCPA ``do_not_sell``) and
were not erased — :data:`SHAREABLE`. The export itself carries no clear identifier: each e-mail is sent as the
SHA-256 of its trimmed, lower-cased form, as customer-match APIs expect.

The other outbound integrations (PromptContent's ``spotify-web-api``, ``x-api``, ``openai-compatible-llm``)
carry no client data: campaign descriptions, hashtags and audiences only (docs/security.md, record of processing).
"""

from __future__ import annotations

import hashlib

import psycopg

from promptsales.db.fetch import lookup

#: The condition on ``crm.clients c`` under which a client's data may go to a third party.
SHAREABLE = "c.consent_third_party AND NOT c.do_not_sell AND c.erased_at IS NULL"


def hashed_email(email: str) -> str:
    """SHA-256 (hex) of a trimmed, lower-cased e-mail: the form ad platforms match audiences on."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def third_party_audience(conn: psycopg.Connection, campaign_id: int) -> dict:
    """The campaign's clients that may be shared with a third party, as hashed e-mails, and how many were held
    back (no consent, opted out or erased). An unknown campaign is a UserError."""
    lookup(
        conn,
        "SELECT 1 FROM crm.leads WHERE campaign_id = %s LIMIT 1",
        (campaign_id,),
        f"Campaign {campaign_id} has no leads in PromptCRM.",
    )
    rows = conn.execute(
        "SELECT c.email, " + SHAREABLE + " AS shareable FROM crm.clients c"
        " WHERE c.client_id IN (SELECT client_id FROM crm.leads WHERE campaign_id = %s) ORDER BY c.client_id",
        (campaign_id,),
    ).fetchall()
    shared = [hashed_email(email) for email, shareable in rows if shareable]
    return {
        "campaign_id": campaign_id,
        "hashed_emails": shared,
        "shared": len(shared),
        "held_back": len(rows) - len(shared),
    }

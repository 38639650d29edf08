"""Rows of PromptCRM's checksummed log (``crm.logs``), always written through ``crm.crmsp_write_log`` (SPEC R10)."""

from __future__ import annotations

import psycopg

from promptsales.db.fetch import scalar


def write_log(
    conn: psycopg.Connection,
    kind: str,
    source: str,
    description: str,
    reference_id1: int | None = None,
    reference_id2: int | None = None,
    value1: str | None = None,
    value2: str | None = None,
) -> int:
    """Write one ``info`` row of type ``kind`` (e.g. ``audit``, ``security``) from ``source`` (e.g. ``mcp``);
    returns its ``log_id``. The caller commits."""
    return int(
        scalar(
            conn,
            "CALL crm.crmsp_write_log(%s, %s, 'info', %s, %s, %s, %s, %s, NULL)",
            (kind, source, description, reference_id1, reference_id2, value1, value2),
        )
    )

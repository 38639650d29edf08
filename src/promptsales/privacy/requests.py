"""The record of data-subject requests (``crm.privacy_requests``): kind, regime, keyed subject reference, received,
deadline (GDPR 30 days, CCPA 45 days), completed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from promptsales.db.fetch import scalar

Kind = Literal["export", "erase", "opt_out"]
Regime = Literal["gdpr", "ccpa"]
#: Days a controller has to answer (GDPR art. 12(3): one month; CCPA §1798.130(a)(2): 45 days).
DEADLINE_DAYS: dict[str, int] = {"gdpr": 30, "ccpa": 45}


def open_request(
    conn: psycopg.Connection, kind: Kind, regime: Regime, subject_ref: str, client_ids: list[int], actor: str
) -> int:
    """Record a request received now, due in the regime's days; returns its id. The caller commits."""
    received = datetime.now(UTC)
    return int(
        scalar(
            conn,
            "INSERT INTO crm.privacy_requests (kind, regime, subject_ref, client_ids, received_at, due_at, requested_by)"
            " VALUES (%s, %s, %s, %s::integer[], %s, %s, %s) RETURNING request_id",
            (kind, regime, subject_ref, client_ids, received, received + timedelta(days=DEADLINE_DAYS[regime]), actor),
        )
    )


def complete_request(
    conn: psycopg.Connection, request_id: int, outcome: str, detail: dict[str, Any], client_ids: list[int]
) -> None:
    """Mark a request answered (``completed``, ``no_data`` or ``failed``) with what was done. The caller commits."""
    conn.execute(
        "UPDATE crm.privacy_requests SET completed_at = now(), outcome = %s, detail = %s, client_ids = %s::integer[]"
        " WHERE request_id = %s",
        (outcome, Jsonb(detail), client_ids, request_id),
    )


def list_requests(conn: psycopg.Connection, open_only: bool = False) -> list[dict[str, Any]]:
    """Every request (or the open ones), newest first, each with ``overdue``: open after its deadline."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT request_id, kind, regime, subject_ref, client_ids, received_at, due_at, completed_at, outcome,"
            " requested_by, (completed_at IS NULL AND due_at < now()) AS overdue FROM crm.privacy_requests"
            " WHERE NOT %s OR completed_at IS NULL ORDER BY received_at DESC, request_id DESC",
            (open_only,),
        ).fetchall()
    return rows

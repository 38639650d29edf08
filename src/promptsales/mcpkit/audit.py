"""The audit trail (SPEC N4): one record per MCP call or privileged operation, written centrally to
``portal.audit_log`` in the PromptSales database (daily partitions, 90 days) through :func:`record`.

Audit must never break (or slow) the audited operation: rows are written by a background writer
(:data:`promptsales.db.logwriter.LOG_WRITER`); when the database is unreachable the record goes to stderr (the server
log) with the reason, and the call proceeds.
"""

from __future__ import annotations

import json
import logging
from datetime import date

from promptsales.config import Settings, get_settings
from promptsales.db.logwriter import LOG_WRITER

log = logging.getLogger("promptsales.audit")


_partitions_checked: dict[tuple[int, date], Settings] = {}


def _ensure_partition(settings: Settings) -> None:
    key = (id(settings), date.today())  # by object (kept alive here): ``data_path`` would hit the file system
    if _partitions_checked.get(key) is not settings:
        LOG_WRITER.execute(settings, "SELECT portal.audit_ensure_partitions(current_date, 2)", ())
        _partitions_checked[key] = settings


def record(
    actor: str,
    service: str,
    action: str,
    outcome: str,
    latency_ms: float,
    detail: dict | None = None,
    settings: Settings | None = None,
) -> bool:
    """Queue one audit row (who, which service, what, outcome ok/error/denied, latency) for the writer."""
    settings = settings or get_settings()
    try:
        _ensure_partition(settings)
        LOG_WRITER.execute(
            settings,
            "INSERT INTO portal.audit_log (actor, service, action, outcome, latency_ms, detail) VALUES (%s, %s, %s, %s, %s, %s)",
            (actor, service, action, outcome, round(latency_ms, 3), json.dumps(detail or {}, default=str)),
        )
        return True
    except Exception as error:  # audit must not break the call; the log keeps the record
        log.warning(
            "audit record not stored (%s): actor=%s service=%s action=%s outcome=%s latency_ms=%.1f",
            error,
            actor,
            service,
            action,
            outcome,
            latency_ms,
        )
        return False

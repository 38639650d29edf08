"""Writing the audit (SPEC N4): one row per MCP call or privileged operation, to ``portal.audit_log`` in the
PromptSales database (daily partitions, hash-chained per partition by the database, kept 90 days).

Audit must never break (or slow) the audited operation: :func:`record` stamps the event's time and queues the row
for the background writer (:data:`promptsales.db.logwriter.LOG_WRITER`, batched); when the database is unreachable
the record goes to stderr (the server log) with the reason, and the operation proceeds.
"""

from __future__ import annotations

import getpass
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, Literal

from promptsales.caller import ANONYMOUS, current_caller
from promptsales.config import Settings, get_settings
from promptsales.db.logwriter import LOG_WRITER

log = logging.getLogger("promptsales.audit")

#: What kind of event a row records (the table's CHECK constraint lists the same names).
Category = Literal["mcp", "pii", "admin", "keystore", "backup", "grant", "privacy", "auth", "audit"]
CATEGORIES: tuple[str, ...] = ("mcp", "pii", "admin", "keystore", "backup", "grant", "privacy", "auth", "audit")
#: How an audited operation ended.
OUTCOMES: tuple[str, ...] = ("ok", "error", "denied")

INSERT = (
    "INSERT INTO portal.audit_log (occurred_at, actor, service, action, outcome, latency_ms, detail, category, scope) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)

_partitions_checked: dict[tuple[int, date], Settings] = {}


def _ensure_partition(settings: Settings, day: date) -> None:
    """Queue the creation of ``day``'s and the next day's partitions, once per process, Settings and UTC day."""
    key = (id(settings), day)  # by object (kept alive here): ``data_path`` would hit the file system
    if _partitions_checked.get(key) is not settings:
        LOG_WRITER.execute(settings, "SELECT portal.audit_ensure_partitions(%s, 2)", (day,))
        _partitions_checked[key] = settings


def current_actor() -> str:
    """Who is acting now: the caller in context (an OAuth client, a stdio user, a job acting as itself), else the
    operating-system user of this process (``local:<user>``)."""
    caller = current_caller()
    if caller is not ANONYMOUS:
        return caller.actor
    try:
        return f"local:{getpass.getuser()}"
    except Exception:  # pragma: no cover - no passwd entry
        return "local:unknown"


def record(
    actor: str,
    service: str,
    action: str,
    outcome: str,
    latency_ms: float,
    detail: dict | None = None,
    settings: Settings | None = None,
    *,
    category: Category = "mcp",
    scope: str | None = None,
) -> bool:
    """Queue one audit row: who (``actor``), which service, what (``action``), outcome ok/error/denied, latency,
    the kind of event (``category``) and the OAuth scope used (``scope``). The event's time is taken now, not when
    the writer stores the row. Returns False (and logs the record) when it could not even be queued."""
    try:
        settings = settings or get_settings()
        now = datetime.now(UTC)
        _ensure_partition(settings, now.date())
        LOG_WRITER.execute(
            settings,
            INSERT,
            (
                now,
                actor,
                service,
                action,
                outcome,
                round(latency_ms, 3),
                json.dumps(detail or {}, default=str),
                category,
                scope,
            ),
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


@contextmanager
def audited(
    service: str,
    action: str,
    *,
    category: Category,
    settings: Settings | None = None,
    detail: dict[str, Any] | None = None,
) -> Iterator[dict[str, Any]]:
    """Record the block as one operation of the current actor: outcome ``ok`` when it returns, ``error`` (with the
    error's class) when it raises, and its duration. The block may add to the yielded ``detail``."""
    started = time.perf_counter()
    detail = dict(detail or {})
    outcome = "error"
    try:
        yield detail
        outcome = "ok"
    except BaseException as error:
        detail["error"] = type(error).__name__
        raise
    finally:
        record(
            current_actor(),
            service,
            action,
            outcome,
            (time.perf_counter() - started) * 1000,
            detail,
            settings,
            category=category,
        )

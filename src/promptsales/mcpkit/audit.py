"""The audit trail (SPEC N4): one record per MCP call or privileged operation, written centrally to
``portal.audit_log`` in the PromptSales database (daily partitions, 90 days) through :func:`record`.

Audit must never break the audited operation: when the database is unreachable the record goes to
stderr (the server log) with the reason, and the call proceeds.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date

import psycopg

from promptsales.config import Settings, get_settings

log = logging.getLogger("promptsales.audit")


class SalesLogConnection:
    """One lazily opened, autocommit ``promptsales_app`` connection per process, shared by the loggers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._conn: psycopg.Connection | None = None
        self._key: tuple | None = None

    def execute(self, settings: Settings, query: str, params: tuple) -> None:
        """Run one statement, reconnecting once if the connection was lost."""
        from promptsales.db.connect import connect

        key = (str(settings.data_path), settings.sales_database_url)
        with self._lock:
            for attempt in (1, 2):
                if self._conn is None or self._conn.closed or self._key != key:
                    self._conn = connect("sales", "app", settings=settings, autocommit=True)
                    self._key = key
                try:
                    self._conn.execute(query, params)
                    return
                except psycopg.OperationalError:
                    self._conn = None
                    if attempt == 2:
                        raise


LOG_CONNECTION = SalesLogConnection()
_partitions_checked: set[tuple[str, date]] = set()


def _ensure_partition(settings: Settings) -> None:
    key = (str(settings.data_path), date.today())
    if key not in _partitions_checked:
        LOG_CONNECTION.execute(settings, "SELECT portal.audit_ensure_partitions(current_date, 2)", ())
        _partitions_checked.add(key)


def record(
    actor: str,
    service: str,
    action: str,
    outcome: str,
    latency_ms: float,
    detail: dict | None = None,
    settings: Settings | None = None,
) -> bool:
    """Write one audit row (who, which service, what, outcome ok/error/denied, latency); False if it failed."""
    settings = settings or get_settings()
    try:
        _ensure_partition(settings)
        LOG_CONNECTION.execute(
            settings,
            "INSERT INTO portal.audit_log (actor, service, action, outcome, latency_ms, detail) VALUES (%s, %s, %s, %s, %s, %s)",
            (actor, service, action, outcome, round(latency_ms, 3), json.dumps(detail or {}, default=str)),
        )
        return True
    except Exception as error:  # audit must not break the call; the log keeps the record
        log.warning("audit record not stored (%s): actor=%s service=%s action=%s outcome=%s latency_ms=%.1f", error, actor, service, action, outcome, latency_ms)
        return False

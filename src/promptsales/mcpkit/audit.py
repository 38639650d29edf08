"""The audit trail (SPEC N4): one record per MCP call or privileged operation, written centrally to
``portal.audit_log`` in the PromptSales database (daily partitions, 90 days) through :func:`record`.

Audit must never break (or slow) the audited operation: rows are written by a background writer
(:class:`SalesLogConnection`); when the database is unreachable the record goes to stderr (the server
log) with the reason, and the call proceeds.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from datetime import date

from promptsales.config import Settings, get_settings

log = logging.getLogger("promptsales.audit")


class SalesLogConnection:
    """Writes log rows to the PromptSales database from a background thread.

    Callers never wait for the database (tool latency is unaffected); the writer opens one
    ``promptsales_app`` connection while there is work and closes it after ``idle_seconds`` without
    any, so no session lingers on the database (``CREATE DATABASE … TEMPLATE`` of it keeps working).
    :meth:`flush` waits until everything queued is stored.
    """

    def __init__(self, idle_seconds: float = 0.5) -> None:
        self.idle_seconds = idle_seconds
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures = 0

    def execute(self, settings: Settings, query: str, params: tuple) -> None:
        """Queue one statement (run in order by the writer thread)."""
        with self._lock:
            self._queue.put((settings, query, params))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="promptsales-log-writer", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        from promptsales.db.connect import connect

        conn = None
        key = None
        try:
            while True:
                try:
                    settings, query, params = self._queue.get(timeout=self.idle_seconds)
                except queue.Empty:
                    with self._lock:
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                try:
                    wanted = (str(settings.data_path), settings.sales_database_url)
                    if conn is None or conn.closed or key != wanted:
                        if conn is not None:
                            conn.close()
                        conn = connect("sales", "app", settings=settings, autocommit=True)
                        key = wanted
                    conn.execute(query, params)
                except Exception as error:  # logging must never break the caller; stderr keeps it
                    self.failures += 1
                    log.warning("log row not stored (%s): %s %s", error, query.split("(")[0], params[:4])
                    if conn is not None and conn.broken:
                        conn = None
                finally:
                    self._queue.task_done()
        finally:
            if conn is not None:
                conn.close()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row is written and the connection is closed; False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.02)
        while self._thread is not None and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self._queue.unfinished_tasks and self._thread is None


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
    """Queue one audit row (who, which service, what, outcome ok/error/denied, latency) for the writer."""
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

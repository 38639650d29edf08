"""The batched log writer: rows of the PromptSales logs (audit trail, AI-usage log) written in the background.

One process-wide :data:`LOG_WRITER` serves every log table, so the MCP kit's audit records and the AI modules'
usage rows share one connection and one writer thread.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
import time
from collections import deque

from promptsales.config import Settings
from promptsales.db.connect import connect

log = logging.getLogger("promptsales.logwriter")

#: ``INSERT … VALUES (%s, …, %s)`` — a statement whose rows the writer can send as one multi-row INSERT.
_SINGLE_ROW_INSERT = re.compile(r"^(INSERT INTO .+ VALUES )(\((?:%s, )*%s\))$", re.S)
#: Rows per multi-row INSERT (PostgreSQL takes at most 65,535 parameters per statement).
MAX_ROWS_PER_STATEMENT = 500


def multi_row(query: str, rows: list[tuple]) -> tuple[str, tuple] | None:
    """``query`` (one row's ``INSERT … VALUES (%s, …)``) for all of ``rows`` at once, with their parameters
    flattened; None when ``query`` has another shape (then the rows go one statement each)."""
    match = _SINGLE_ROW_INSERT.match(query)
    if match is None:
        return None
    return match.group(1) + ", ".join([match.group(2)] * len(rows)), tuple(value for row in rows for value in row)


class SalesLogWriter:
    """Writes log rows to the PromptSales database from a background thread, in batches.

    Callers never wait for the database (tool latency is unaffected) and do not even wake the writer: a
    row is appended to an in-memory queue (a deque append, no lock), and the writer drains it every
    ``batch_seconds`` — consecutive rows of one statement go in one transaction, as one multi-row ``INSERT`` (up
    to :data:`MAX_ROWS_PER_STATEMENT` rows; other statements in one ``executemany``); a failing batch is retried
    row by row so one bad row loses only itself. The writer opens one ``promptsales_log`` connection (a role that
    may only append to the logs) while there is work and closes it after ``idle_seconds`` without any, so no
    session lingers on the database (``CREATE DATABASE … TEMPLATE`` of it keeps working).
    :meth:`flush` writes everything queued now and waits for it; it also runs at interpreter exit, so a
    clean shutdown (``promptsales down``: SIGTERM → uvicorn stops → exit) loses no audit row.
    """

    def __init__(self, idle_seconds: float = 0.5, batch_seconds: float = 0.05) -> None:
        self.idle_seconds = idle_seconds
        self.batch_seconds = batch_seconds
        self._pending: deque = deque()
        self._busy = 0  # rows taken from the queue and not yet stored
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._hurry = threading.Event()
        self.failures = 0

    def execute(self, settings: Settings, query: str, params: tuple) -> None:
        """Queue one statement (run in order by the writer thread)."""
        self._pending.append((settings, query, params))
        if self._thread is None:
            self._start()

    def _start(self) -> None:
        """Start a writer thread unless one runs."""
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="promptsales-log-writer", daemon=True)
                self._thread.start()

    def _take(self) -> list[tuple]:
        batch = []
        with self._lock:
            while self._pending:
                batch.append(self._pending.popleft())
            self._busy = len(batch)
        return batch

    def _run(self) -> None:
        conn = None
        key = None
        idle = 0.0
        try:
            while True:
                hurried = self._hurry.wait(self.batch_seconds)
                if hurried:
                    self._hurry.clear()
                batch = self._take()
                if not batch:
                    idle += self.batch_seconds
                    with self._lock:
                        ending = not self._pending and (idle >= self.idle_seconds or hurried)
                        if ending:
                            self._thread = None
                    if ending:
                        # A row queued between the check above and ``_thread = None`` was queued by a caller that
                        # still saw this thread running, so it started none (``execute`` appends without the lock):
                        # without this second look it waited for the next row or the exit flush (issue 20).
                        if self._pending:
                            self._start()
                        return
                    continue
                idle = 0.0
                while batch:
                    settings, query = batch[0][0], batch[0][1]
                    count = 1
                    while count < len(batch) and batch[count][1] == query and batch[count][0] is settings:
                        count += 1
                    group, batch = batch[:count], batch[count:]
                    conn, key = self._write(conn, key, settings, query, [row[2] for row in group])
                    with self._lock:
                        self._busy -= len(group)
        finally:
            if conn is not None:
                conn.close()

    def _write(self, conn, key, settings: Settings, query: str, rows: list[tuple]):
        try:
            wanted = (str(settings.data_path), settings.sales_database_url)
            if conn is None or conn.closed or key != wanted:
                if conn is not None:
                    conn.close()
                conn = connect("sales", "log", settings=settings, autocommit=True)
                key = wanted
            if len(rows) == 1:
                conn.execute(query, rows[0])
            else:
                with conn.transaction(), conn.cursor() as cursor:
                    for start in range(0, len(rows), MAX_ROWS_PER_STATEMENT):
                        chunk = rows[start : start + MAX_ROWS_PER_STATEMENT]
                        combined = multi_row(query, chunk)
                        if combined is None:
                            cursor.executemany(query, chunk)
                        else:
                            cursor.execute(*combined)
        except Exception as error:  # logging must never break the caller; stderr keeps it
            if conn is not None and conn.broken:
                conn = None
            if len(rows) > 1 and conn is not None:  # one bad row must not lose the others
                for row in rows:
                    conn, key = self._write(conn, key, settings, query, [row])
                return conn, key
            self.failures += 1
            log.warning("log row not stored (%s): %s %s", error, query.split("(")[0], rows[0][:4])
        return conn, key

    def wait_stored(self, timeout: float = 10.0) -> bool:
        """Wait until every row queued now is stored, leaving the writer (and its connection) running — what a
        steady load sees; :meth:`flush` also ends the writer. False on timeout."""
        deadline = time.monotonic() + timeout
        while (self._pending or self._busy) and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._pending and not self._busy

    def flush(self, timeout: float = 10.0) -> bool:
        """Write everything queued now, wait until it is stored and the connection is closed; False on timeout."""
        deadline = time.monotonic() + timeout
        self._hurry.set()
        while (self._pending or self._busy or self._thread is not None) and time.monotonic() < deadline:
            if self._thread is not None:
                self._hurry.set()
            time.sleep(0.01)
        self._hurry.clear()
        return not self._pending and not self._busy and self._thread is None


LOG_WRITER = SalesLogWriter()
atexit.register(LOG_WRITER.flush, 5.0)  # a clean shutdown loses no queued audit or AI-usage row

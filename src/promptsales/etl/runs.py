"""``etl.runs``: one row per pass (start, end, status, rows read/written per source), written outside
the load transaction so that failed passes are recorded too."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

from promptsales.db.fetch import one, scalar
from promptsales.errors import UserError

RUN_LOCK = 0x45544D  # session advisory lock held for a whole pass: one pass at a time


class AlreadyRunning(UserError):
    """Another pass holds the run lock: this launch did nothing and is not recorded (the CLI exits 2)."""

    def __init__(self) -> None:
        super().__init__("An ETL pass is already running; try again when it has finished (`promptsales etl status`).")


def start_run(warehouse: psycopg.Connection, trigger: str) -> int:
    """Insert a ``running`` row and return its id (``warehouse`` is autocommit)."""
    return scalar(warehouse, "INSERT INTO etl.runs (trigger) VALUES (%s) RETURNING id", (trigger,))


def finish_run(warehouse: psycopg.Connection, run_id: int, status: str, report: dict, error: str | None = None) -> None:
    """Record the outcome of a pass."""
    warehouse.execute(
        "UPDATE etl.runs SET finished_at = clock_timestamp(), status = %s, full_load = %s, changes_read = %s, "
        "rows_read = %s, rows_written = %s, campaigns = %s, horizons = %s, duration_ms = %s, error = %s WHERE id = %s",
        (
            status,
            report.get("full_load", False),
            json.dumps(report.get("changes_read", {})),
            json.dumps(report.get("rows_read", {})),
            json.dumps(report.get("rows_written", {})),
            report.get("campaigns", 0),
            json.dumps(report.get("horizons", {}), default=str),
            report.get("duration_ms"),
            error,
            run_id,
        ),
    )


def try_run_lock(warehouse: psycopg.Connection) -> bool:
    """Take the pass lock on this (autocommit) session; False when another pass holds it."""
    return scalar(warehouse, "SELECT pg_try_advisory_lock(%s)", (RUN_LOCK,))


def release_run_lock(warehouse: psycopg.Connection) -> None:
    """Release the pass lock."""
    warehouse.execute("SELECT pg_advisory_unlock(%s)", (RUN_LOCK,))


@contextmanager
def run_lock(control: psycopg.Connection, wait: float = 0.0) -> Iterator[psycopg.Connection]:
    """Hold the pass lock on ``control`` (an autocommit session) for the block; :class:`AlreadyRunning` if
    another pass still holds it after ``wait`` seconds.

    A pass takes it before it reads any horizon, so two launches never capture the same window: the
    second one stops at once (or, with ``wait``, runs after the first). A process killed mid-pass loses its
    session, and with it the lock.
    """
    deadline = time.monotonic() + wait
    while not try_run_lock(control):
        if time.monotonic() >= deadline:
            raise AlreadyRunning()
        time.sleep(0.2)
    try:
        yield control
    finally:
        if not (control.closed or control.broken):
            release_run_lock(control)


def recent_runs(warehouse: psycopg.Connection, limit: int = 10) -> list[dict]:
    """The latest runs, newest first; a ``running`` run nobody holds the lock for is shown as abandoned."""
    with warehouse.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT id, started_at, finished_at, status, trigger, full_load, changes_read, rows_read, rows_written, "
            "campaigns, duration_ms, error FROM etl.runs ORDER BY id DESC LIMIT %s",
            (limit,),
        ).fetchall()
        held = one(
            cur,
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (RUN_LOCK,),
        )["n"]
    for row in rows:
        if row["status"] == "running" and not held:
            row["status"] = "abandoned"
    return rows


def horizons(warehouse: psycopg.Connection) -> list[dict]:
    """The committed horizon of each source."""
    with warehouse.cursor(row_factory=dict_row) as cur:
        return cur.execute(
            "SELECT source, xid_horizon::text AS xid_horizon, ts_horizon, run_id, updated_at FROM etl.horizons ORDER BY source"
        ).fetchall()

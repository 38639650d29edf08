"""One ETL pass: capture the changes of every source, recompute the changed campaigns, commit with the
new horizons. Used by ``promptsales etl run`` and, step by step, by the Dagster assets."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg

from promptsales.errors import UserError
from promptsales.etl import runs
from promptsales.etl.capture import (
    ChangeSet,
    ContentHorizon,
    XidHorizon,
    capture_content,
    capture_pg,
    capture_portal,
    read_horizons,
)
from promptsales.etl.load import (
    LOAD_LOCK,
    ConcurrentRunError,
    InjectedFailure,
    LoadReport,
    create_staging,
    extract,
    extract_to_memory,
    fill_keys,
    load_buffers,
    load_content,
    sync_summaries,
)
from promptsales.etl.sources import PG_SOURCES, Sources

SOURCE_NAMES: tuple[str, ...] = (*PG_SOURCES, "content", "portal")


@dataclass
class RunReport:
    """What one pass did (printed by ``etl run --json``, stored in ``etl.runs``)."""

    run_id: int
    status: str = "running"
    full_load: bool = False
    changes_read: dict[str, int] = field(default_factory=dict)
    rows_read: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    campaigns: int = 0
    horizons: dict[str, XidHorizon | ContentHorizon | None] = field(default_factory=dict)
    duration_ms: float = 0.0
    error: str | None = None

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return {
            "run_id": self.run_id,
            "status": self.status,
            "full_load": self.full_load,
            "changes_read": self.changes_read,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "campaigns": self.campaigns,
            "horizons": {k: (None if v is None else str(v)) for k, v in self.horizons.items()},
            "duration_ms": round(self.duration_ms, 1),
            "error": self.error,
        }


def capture_pg_source(
    sources: Sources, name: str, previous: XidHorizon | None, full: bool = False, timeline: str | None = None
) -> ChangeSet:
    """The change window of a PostgreSQL source (needs only a source connection); ``timeline``: the history
    ``previous`` was read on."""
    with sources.source(name) as source:
        changes = capture_pg(source, name, previous, timeline)
        source.rollback()
    changes.full = changes.full or full
    return changes


def capture_content_source(sources: Sources, previous: ContentHorizon | None, full: bool = False) -> ChangeSet:
    """The PromptContent window, with its own warehouse connection (to compare with the stored links)."""
    with sources.warehouse() as warehouse:
        changes = capture_content(sources, warehouse, previous, full)
        warehouse.rollback()
    return changes


def capture_source(
    sources: Sources, name: str, full: bool = False, warehouse: psycopg.Connection | None = None
) -> ChangeSet:
    """Read one source's change window in its own snapshot (``ads``, ``crm``, ``content`` or ``portal``)."""
    if name not in SOURCE_NAMES:
        raise UserError(f"Unknown ETL source {name!r}; expected one of {', '.join(SOURCE_NAMES)}.")
    if warehouse is None:
        with sources.warehouse() as own:
            return capture_source(sources, name, full, own)
    previous = read_horizons(warehouse)
    if name in PG_SOURCES:
        changes = capture_pg_source(sources, name, previous.xids.get(name), full, previous.timelines.get(name))
    elif name == "content":
        changes = capture_content(sources, warehouse, previous.content, full)
    else:
        changes = capture_portal(warehouse)
    warehouse.rollback()
    return changes


def capture_all(sources: Sources, full: bool = False) -> dict[str, ChangeSet]:
    """Read every source's change window; nothing is written.

    The horizons are read once; each source is then read in its own thread, so the round trips overlap.
    """
    with sources.warehouse() as warehouse:
        previous = read_horizons(warehouse)
        warehouse.rollback()
        with ThreadPoolExecutor(max_workers=3) as pool:
            futures = {
                name: pool.submit(
                    capture_pg_source, sources, name, previous.xids.get(name), full, previous.timelines.get(name)
                )
                for name in PG_SOURCES
            }
            futures["content"] = pool.submit(capture_content_source, sources, previous.content, full)
            changesets = {"portal": capture_portal(warehouse)}
            warehouse.rollback()
            changesets.update({name: future.result() for name, future in futures.items()})
    return {name: changesets[name] for name in SOURCE_NAMES}


def _check_horizons(warehouse: psycopg.Connection, changesets: dict[str, ChangeSet]) -> None:
    warehouse.execute("SELECT pg_advisory_xact_lock(%s)", (LOAD_LOCK,))
    warehouse.execute("SELECT 1 FROM etl.horizons FOR UPDATE").fetchall()
    stored = read_horizons(warehouse)
    for name, changes in changesets.items():
        if name == "portal":
            continue
        if stored.get(name) != changes.previous:
            raise ConcurrentRunError(
                f"horizon of {name} moved from {changes.previous} to {stored.get(name)} during this pass; "
                "another pass loaded first — run again"
            )


def _store_horizons(warehouse: psycopg.Connection, changesets: dict[str, ChangeSet], run_id: int) -> None:
    for name in PG_SOURCES:
        horizon = changesets[name].horizon
        if not isinstance(horizon, XidHorizon):
            raise TypeError(f"{name}: a PostgreSQL source's horizon is a snapshot, not {horizon!r}")
        warehouse.execute(
            "INSERT INTO etl.horizons (source, xid_snapshot, xid_horizon, source_timeline, run_id) "
            "VALUES (%(source)s, %(snapshot)s::pg_snapshot, pg_snapshot_xmin(%(snapshot)s::pg_snapshot), "
            "        %(timeline)s, %(run)s) "
            "ON CONFLICT (source) DO UPDATE SET xid_snapshot = excluded.xid_snapshot, "
            "xid_horizon = excluded.xid_horizon, source_timeline = excluded.source_timeline, "
            "run_id = excluded.run_id, updated_at = clock_timestamp() "
            "WHERE (etl.horizons.xid_snapshot::text, etl.horizons.source_timeline) "
            "IS DISTINCT FROM (excluded.xid_snapshot::text, excluded.source_timeline)",
            {"source": name, "snapshot": str(horizon), "timeline": changesets[name].timeline, "run": run_id},
        )
    content = changesets.get("content")
    if content is not None and isinstance(content.horizon, ContentHorizon):
        warehouse.execute(
            "INSERT INTO etl.horizons (source, ts_horizon, content_id, run_id) VALUES ('content', %s, %s, %s) "
            "ON CONFLICT (source) DO UPDATE SET ts_horizon = excluded.ts_horizon, content_id = excluded.content_id, "
            "run_id = excluded.run_id, updated_at = clock_timestamp() "
            "WHERE (etl.horizons.ts_horizon, etl.horizons.content_id) "
            "IS DISTINCT FROM (excluded.ts_horizon, excluded.content_id)",
            (content.horizon.updated_at, content.horizon.asset_id, run_id),
        )


def _read_source(sources: Sources, company: str, ids: list[int] | None) -> list[tuple[str, bytes, int]]:
    with sources.source(company) as source:
        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        buffers = extract_to_memory(company, source, ids)
        source.rollback()
    return buffers


def load_changes(
    sources: Sources, changesets: dict[str, ChangeSet], run_id: int, fail_at: str | None = None
) -> LoadReport:
    """Recompute the changed campaigns from fresh source snapshots and commit them with the new horizons.

    The source snapshots taken here are at least as new as the capture snapshots, so recomputing from
    them is correct: any change they already show but the capture window did not include is read (and
    recomputed again, to the same values) by the next pass.
    """
    report = LoadReport()
    full = any(changesets[c].full for c in PG_SOURCES)
    ids: list[int] | None = None if full else sorted(set().union(*(c.campaign_ids for c in changesets.values())))
    content = changesets.get("content") or ChangeSet("content", None, None)
    with sources.warehouse() as warehouse:
        try:
            _check_horizons(warehouse, changesets)
            if full or ids or content.content_assets:
                create_staging(warehouse)
                report.rows_written["wh.campaign_content"] = load_content(
                    warehouse, content.content_assets, content.documents
                )
                report.rows_read["content"] = content.documents_read
                # PromptCRM is read into memory in a second thread while PromptAds streams into staging.
                with ThreadPoolExecutor(max_workers=1) as pool:
                    crm_buffers = pool.submit(_read_source, sources, "crm", ids)
                    with sources.source("ads") as source:
                        source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                        report.rows_read["ads"] = extract("ads", source, warehouse, ids)
                        source.rollback()
                    report.rows_read["crm"] = load_buffers(warehouse, crm_buffers.result())
                report.campaigns = fill_keys(warehouse, ids)
                report.rows_written.update(sync_summaries(warehouse, run_id, fail_at))
            else:
                report.rows_read = {company: 0 for company in (*PG_SOURCES, "content")}
                report.rows_read["content"] = content.documents_read
            report.rows_read["portal"] = changesets["portal"].changes_read if "portal" in changesets else 0
            if fail_at == "before_commit":
                raise InjectedFailure("failure injected just before the commit")
            _store_horizons(warehouse, changesets, run_id)
            warehouse.commit()
        except BaseException:
            warehouse.rollback()
            raise
    return report


def purge_changes(sources: Sources, changesets: dict[str, ChangeSet]) -> None:
    """Delete change records below the committed horizons (best effort; they will never be read again)."""
    for company in PG_SOURCES:
        if not changesets[company].changes_read:
            continue  # nothing was read, so nothing below the horizon is left to delete
        horizon = changesets[company].horizon
        if not isinstance(horizon, XidHorizon):
            continue
        try:
            with sources.connect(company, "etl", autocommit=True) as source:
                source.execute("SELECT cdc.purge(%s::text::xid8)", (horizon.xmin,))
        except psycopg.Error:
            pass


def record_pass(
    sources: Sources,
    changesets: dict[str, ChangeSet],
    *,
    trigger: str,
    fail_at: str | None = None,
    started: float | None = None,
) -> RunReport:
    """Load changes captured beforehand as one recorded pass (Dagster's warehouse step, tests).

    Takes the run lock (:class:`~promptsales.etl.runs.AlreadyRunning` if another pass holds it); if a
    pass committed between this capture and now, the windows are captured again under the lock.
    """
    started = started if started is not None else time.perf_counter()
    with sources.warehouse(autocommit=True) as control, runs.run_lock(control):
        if _outdated(control, changesets):
            changesets = capture_all(sources, full=any(c.full for c in changesets.values()))
        report = _load_recorded(sources, control, changesets, trigger, fail_at, started)
    return _announce(sources, report)


def run_pass(
    sources: Sources, *, trigger: str = "cli", full: bool = False, fail_at: str | None = None, wait: float = 0.0
) -> RunReport:
    """Run one complete pass and record it in ``etl.runs``: run lock, capture every source, load.

    The lock is taken before anything is read, so a second launch stops with
    :class:`~promptsales.etl.runs.AlreadyRunning` and leaves no run record — or, with ``wait`` seconds,
    first waits for the running pass to finish.
    """
    started = time.perf_counter()
    with sources.warehouse(autocommit=True) as control, runs.run_lock(control, wait):
        report = _load_recorded(sources, control, capture_all(sources, full), trigger, fail_at, started)
    return _announce(sources, report)


def _outdated(control: psycopg.Connection, changesets: dict[str, ChangeSet]) -> bool:
    """True when a committed horizon differs from the one these changes were captured after."""
    stored = read_horizons(control)
    return any(stored.get(name) != changes.previous for name, changes in changesets.items() if name != "portal")


def _load_recorded(
    sources: Sources,
    control: psycopg.Connection,
    changesets: dict[str, ChangeSet],
    trigger: str,
    fail_at: str | None,
    started: float,
) -> RunReport:
    """Load under the run lock held on ``control``, with a row in ``etl.runs``.

    A failed load is recorded with status ``failed`` and its error; nothing it wrote is kept.
    """
    report = RunReport(runs.start_run(control, trigger))
    report.full_load = any(changesets[c].full for c in PG_SOURCES)
    report.changes_read = {name: c.changes_read for name, c in changesets.items()}
    report.horizons = {name: c.horizon for name, c in changesets.items() if name != "portal"}
    try:
        loaded = load_changes(sources, changesets, report.run_id, fail_at)
        report.rows_read, report.rows_written = loaded.rows_read, loaded.rows_written
        report.campaigns = loaded.campaigns
        report.status = "succeeded"
        purge_changes(sources, changesets)
    except Exception as error:  # noqa: BLE001 - recorded in etl.runs and returned to the caller
        report.status, report.error = "failed", f"{type(error).__name__}: {error}"
    report.duration_ms = (time.perf_counter() - started) * 1000
    runs.finish_run(control, report.run_id, report.status, report.as_dict(), report.error)
    return report


def _announce(sources: Sources, report: RunReport) -> RunReport:
    from promptsales.cache.temporary import after_etl_pass  # issue 10: cached warehouse answers are stale now

    after_etl_pass(sources.settings, report.as_dict())
    return report

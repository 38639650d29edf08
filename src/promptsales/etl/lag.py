"""How far behind the warehouse is, per source, and what holds it back (``etl status``, the sensor, ``status``).

Per PostgreSQL source: the committed change rows no pass has read yet (``cdc.changes`` rows whose
transaction the stored horizon snapshot did not see), the age of the oldest (its ``recorded_at``, the
writing transaction's start), and the oldest open or prepared transaction of that server that has written
something (it has a transaction id): its own changes reach the warehouse only after it commits. Per
PromptContent: the documents after the stored ``(updated_at, _id)``; per portal: the sales goals that
differ from the warehouse. A warning is raised when an age passes ``EtlSettings.lag_warn_seconds``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import psycopg

from promptsales.db.fetch import one
from promptsales.etl.capture import CONTENT_COLLECTION, XidHorizon, capture_portal, read_horizons
from promptsales.etl.settings import EtlSettings
from promptsales.etl.sources import PG_SOURCES, Sources
from promptsales.runtime.service import ServiceStatus, StatusLine

#: The oldest transaction of the server that holds a transaction id: open (possibly idle) or prepared.
OLDEST_TRANSACTION = """
SELECT pid, database, usename, state, age_seconds, xid, prepared, query FROM (
    SELECT pid, datname AS database, usename, state,
           extract(epoch FROM clock_timestamp() - xact_start)::float8 AS age_seconds,
           backend_xid::text AS xid, false AS prepared, left(query, 120) AS query, age(backend_xid) AS xid_age
    FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()
    UNION ALL
    SELECT NULL, database, owner, 'prepared ' || gid,
           extract(epoch FROM clock_timestamp() - prepared)::float8, transaction::text, true, NULL, age(transaction)
    FROM pg_prepared_xacts
) open_transactions ORDER BY xid_age DESC LIMIT 1
"""

#: Committed change rows the stored snapshot did not see (all of them when the source was never loaded).
UNREAD_CHANGES = """
SELECT count(*), extract(epoch FROM clock_timestamp() - min(recorded_at))::float8 FROM cdc.changes
WHERE %(snapshot)s::text IS NULL
   OR (xid >= pg_snapshot_xmin(%(snapshot)s::text::pg_snapshot)
       AND NOT pg_visible_in_snapshot(xid, %(snapshot)s::text::pg_snapshot))
"""


@dataclass
class OpenTransaction:
    """A transaction with an id that has not ended (``pid`` None for a prepared one)."""

    pid: int | None
    database: str
    user: str
    state: str | None
    age_seconds: float | None  # None when the role may not read its start (no pg_read_all_stats)
    xid: str
    prepared: bool
    query: str | None


@dataclass
class SourceLag:
    """The lag of one source."""

    source: str
    unread: int = 0  # changes (PostgreSQL), documents (content) or goals (portal) not in the warehouse yet
    oldest_unread_seconds: float | None = None
    oldest_transaction: OpenTransaction | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)

    def summary(self) -> str:
        """One short phrase: ``ads 3 unread, oldest 12 s``."""
        if self.error:
            return f"{self.source} unknown ({self.error})"
        text = f"{self.source} {self.unread} unread"
        if self.oldest_unread_seconds is not None:
            text += f", oldest {self.oldest_unread_seconds:.0f} s"
        return text


def _pg_lag(sources: Sources, name: str, horizon: XidHorizon | None, warn_after: float) -> SourceLag:
    lag = SourceLag(name)
    with sources.source(name) as source:
        count, age = one(source, UNREAD_CHANGES, {"snapshot": None if horizon is None else str(horizon)})
        lag.unread, lag.oldest_unread_seconds = count, age
        row = source.execute(OLDEST_TRANSACTION).fetchone()
        source.rollback()
    if row is not None:
        lag.oldest_transaction = OpenTransaction(*row)
    if age is not None and age > warn_after:
        lag.warnings.append(f"{name}: the oldest unread change is {age:.0f} s old (threshold {warn_after:.0f} s)")
    held = lag.oldest_transaction
    if held and held.age_seconds is not None and held.age_seconds > warn_after:
        who = f"prepared transaction {held.state}" if held.prepared else f"pid {held.pid} ({held.state})"
        lag.warnings.append(
            f"{name}: {who} in {held.database} as {held.user} has been open {held.age_seconds:.0f} s; "
            "its changes wait until it ends"
        )
    return lag


def _content_lag(sources: Sources, warehouse: psycopg.Connection, warn_after: float) -> SourceLag:
    lag = SourceLag("content")
    database = sources.content_database()
    if database is None:
        return lag
    horizon = read_horizons(warehouse).content
    query = {} if horizon is None else horizon.query()
    collection = database[CONTENT_COLLECTION]
    lag.unread = collection.count_documents(query)
    oldest = next(iter(collection.find(query, {"updated_at": 1}).sort("updated_at", 1).limit(1)), None)
    if oldest and isinstance(oldest.get("updated_at"), datetime):
        lag.oldest_unread_seconds = max(0.0, (datetime.now(UTC) - oldest["updated_at"]).total_seconds())
        if lag.oldest_unread_seconds > warn_after:
            lag.warnings.append(
                f"content: the oldest unread document is {lag.oldest_unread_seconds:.0f} s old "
                f"(threshold {warn_after:.0f} s)"
            )
    return lag


def source_lags(sources: Sources, settings: EtlSettings | None = None) -> list[SourceLag]:
    """The lag of every source; a source that cannot be read is reported with its error."""
    warn_after = (settings or EtlSettings()).lag_warn_seconds
    lags: list[SourceLag] = []
    with sources.warehouse() as warehouse:
        horizons = read_horizons(warehouse)
        warehouse.rollback()
        for name in PG_SOURCES:
            try:
                lags.append(_pg_lag(sources, name, horizons.xids.get(name), warn_after))
            except psycopg.Error as error:
                lags.append(SourceLag(name, error=str(error).strip().splitlines()[0]))
        try:
            lags.append(_content_lag(sources, warehouse, warn_after))
        except Exception as error:  # noqa: BLE001 - MongoDB errors of any kind are reported, not raised
            lags.append(SourceLag("content", error=str(error).splitlines()[0]))
        lags.append(SourceLag("portal", unread=capture_portal(warehouse).changes_read))
        warehouse.rollback()
    return lags


def lag_line(lags: list[SourceLag]) -> str:
    """Every source in one line, warnings first (the sensor's skip reason and ``status``'s note)."""
    warnings = [warning for lag in lags for warning in lag.warnings]
    summary = "; ".join(lag.summary() for lag in lags)
    return ("WARNING " + " | ".join(warnings) + " — " if warnings else "") + summary


class EtlLagService(StatusLine):
    """The ETL's line in ``promptsales status``: nothing to start or stop, healthy while the lag can be read."""

    name = "etl-lag"

    def status(self) -> ServiceStatus:
        """The lag of every source; a warning is shown in the note (it does not make the line unhealthy)."""
        try:
            lags = source_lags(Sources(self.settings))
        except psycopg.Error as error:
            return ServiceStatus(self.name, "", None, False, detail=str(error).strip().splitlines()[0])
        return ServiceStatus(self.name, "", None, True, detail=lag_line(lags))

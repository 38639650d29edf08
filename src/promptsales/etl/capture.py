"""Change capture: what changed in each source since the last committed horizon (docs/architecture.md §4).

PostgreSQL sources (promptads, promptcrm): triggers write ``cdc.changes`` rows stamped with the writing
transaction's id. A pass opens a REPEATABLE READ snapshot of the source and reads the change rows it can
see whose transaction the *previous* pass's snapshot could not see: ids at or above that snapshot's
``xmax`` and ids in its in-progress list (``pg_snapshot_xip``). The pass's own snapshot is the new
horizon, stored with the load in the same warehouse transaction. A transaction still running (or
prepared) is in the new snapshot's in-progress list and is read by the first pass after it commits;
nothing waits for transactions that wrote nothing here. Each change is read exactly once (docs/etl.md).

PromptContent (MongoDB): documents strictly after the last ``(updated_at, _id)`` read; only documents
that differ from what the warehouse holds count as changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import psycopg

from promptsales.db.fetch import one, scalar
from promptsales.etl.sources import CHANGE_KEYS, Sources

#: MongoDB collection of PromptContent media assets.
CONTENT_COLLECTION = "media_assets"


@dataclass(frozen=True)
class XidHorizon:
    """How far a PostgreSQL source has been read: the snapshot of the last pass that read it.

    Every transaction that snapshot saw as committed has been read. The ones it could not see — ids at or
    above ``xmax`` and the ids in ``in_progress`` — are read by the first pass that sees them committed.
    ``xmin`` (the oldest of them) bounds what can still be read: change rows below it may be purged.
    """

    xmin: int
    xmax: int
    in_progress: tuple[int, ...] = ()

    @classmethod
    def parse(cls, text: str) -> XidHorizon:
        """From PostgreSQL's ``pg_snapshot`` text form ``xmin:xmax:xip,xip,…``."""
        xmin, xmax, xip = text.split(":")
        return cls(int(xmin), int(xmax), tuple(int(x) for x in xip.split(",") if x))

    def sees(self, xid: int) -> bool:
        """True when a transaction ``xid`` had finished when this snapshot was taken (it has been read)."""
        return xid < self.xmax and xid not in self.in_progress

    def __str__(self) -> str:
        return f"{self.xmin}:{self.xmax}:{','.join(map(str, self.in_progress))}"


@dataclass(frozen=True)
class ContentHorizon:
    """How far PromptContent has been read: the last ``(updated_at, _id)`` read.

    ``asset_id`` None (a horizon stored before ids were kept) means "documents at ``updated_at`` may
    not all have been read", so they are read again once.
    """

    updated_at: datetime
    asset_id: str | None = None

    def query(self) -> dict:
        """The MongoDB filter of the documents strictly after this horizon."""
        if self.asset_id is None:
            return {"updated_at": {"$gte": self.updated_at}}
        return {
            "$or": [
                {"updated_at": {"$gt": self.updated_at}},
                {"updated_at": self.updated_at, "_id": {"$gt": self.asset_id}},
            ]
        }

    def __str__(self) -> str:
        return f"{self.updated_at.isoformat()} {self.asset_id or ''}".rstrip()


@dataclass
class ChangeSet:
    """The changes of one source for one pass."""

    source: str
    previous: XidHorizon | ContentHorizon | None  # horizon of the last committed pass (None: never loaded)
    horizon: XidHorizon | ContentHorizon | None  # horizon this pass commits
    changes_read: int = 0  # change records (or changed documents) read
    campaign_ids: set[int] = field(default_factory=set)
    full: bool = False  # everything must be recomputed (first run, TRUNCATE)
    documents: list[tuple] = field(default_factory=list)  # content: (asset_id, campaign_id, media_type, updated_at)
    documents_read: int = 0
    content_assets: set[str] = field(default_factory=set)  # content: asset ids whose links must be replaced
    timeline: str | None = None  # PostgreSQL sources: the history this pass's snapshot was taken on
    rebased: bool = False  # the source changed history since the previous pass: read in full, horizon re-based

    def as_dict(self) -> dict:
        """JSON-friendly summary (for run records and Dagster metadata)."""
        return {
            "source": self.source,
            "previous": _jsonable(self.previous),
            "horizon": _jsonable(self.horizon),
            "changes_read": self.changes_read,
            "campaigns": len(self.campaign_ids),
            "full": self.full,
            "rebased": self.rebased,
        }


def _jsonable(value: XidHorizon | ContentHorizon | None) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True)
class Horizons:
    """The committed horizon of every source: a snapshot per PostgreSQL source, a document position for content,
    and the history (``<system identifier>/<timeline>``) each snapshot was taken on."""

    xids: dict[str, XidHorizon]
    content: ContentHorizon | None
    timelines: dict[str, str] = field(default_factory=dict)

    def get(self, source: str) -> XidHorizon | ContentHorizon | None:
        """The horizon of any source (None: never loaded)."""
        return self.content if source == "content" else self.xids.get(source)


def read_horizons(warehouse: psycopg.Connection) -> Horizons:
    """The committed horizon of every source."""
    rows = warehouse.execute(
        "SELECT source, xid_snapshot::text, ts_horizon, content_id, source_timeline FROM etl.horizons"
    ).fetchall()
    return Horizons(
        xids={source: XidHorizon.parse(snapshot) for source, snapshot, _, _, _ in rows if snapshot is not None},
        content=next(
            (ContentHorizon(ts, asset_id) for source, _, ts, asset_id, _ in rows if source == "content" and ts), None
        ),
        timelines={source: timeline for source, _, _, _, timeline in rows if timeline},
    )


def source_timeline(source: psycopg.Connection) -> str:
    """``<system identifier>/<timeline id>`` of the server ``source`` is connected to (a primary).

    Transaction ids are comparable only on one history of one server: a promotion starts a new timeline, a
    restore elsewhere another system (docs/ha.md "ETL across a failover").
    """
    system, wal_file = one(
        source,
        "SELECT system_identifier::text, pg_walfile_name(pg_current_wal_lsn()) FROM pg_control_system()",
    )
    return f"{system}/{int(wal_file[:8], 16)}"


def open_snapshot(source: psycopg.Connection) -> XidHorizon:
    """Open a REPEATABLE READ, READ ONLY transaction on ``source`` and return its snapshot."""
    if source.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        source.rollback()
    source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    return XidHorizon.parse(scalar(source, "SELECT pg_current_snapshot()::text"))


def capture_pg(
    source_conn: psycopg.Connection, source: str, previous: XidHorizon | None, previous_timeline: str | None = None
) -> ChangeSet:
    """Read the changes committed since the ``previous`` snapshot of a PostgreSQL source; map them to campaigns.

    Reads the change rows this pass's snapshot sees whose transaction ``previous`` did not see (at or above
    its xmax, or in its in-progress list). Leaves the REPEATABLE READ transaction open (the caller may
    extract from the same snapshot).

    ``previous_timeline`` is the history ``previous`` was taken on. When the source now runs another one (a
    failover promoted a replica, or it was restored elsewhere), the xids of ``previous`` say nothing about the
    new history — the new leader may hand out again xids the old one had handed out — and the source's WAL
    that the warehouse had read may be gone: the pass re-reads everything (``full``) and its snapshot becomes
    the re-based horizon.
    """
    horizon = open_snapshot(source_conn)
    changes = ChangeSet(source, previous, horizon, timeline=source_timeline(source_conn))
    if previous is None:
        changes.full = True
        return changes
    if previous_timeline is not None and previous_timeline != changes.timeline:
        changes.full = changes.rebased = True
        return changes
    rows = source_conn.execute(
        "SELECT key_name, array_agg(DISTINCT key_value) FILTER (WHERE key_value IS NOT NULL), "
        "       count(*), bool_or(operation = 'T') "
        "FROM cdc.changes WHERE xid >= pg_snapshot_xmax(%(previous)s::pg_snapshot) "
        "   OR xid IN (SELECT pg_snapshot_xip(%(previous)s::pg_snapshot)) GROUP BY key_name",
        {"previous": str(previous)},
    ).fetchall()
    mapping = CHANGE_KEYS[source]
    for key_name, keys, count, truncated in rows:
        changes.changes_read += count
        if truncated:
            changes.full = True
        if not keys:
            continue
        if key_name not in mapping:
            raise RuntimeError(f"{source}: cdc key {key_name!r} has no mapping to campaigns (CHANGE_KEYS)")
        to_campaigns = mapping[key_name]
        if to_campaigns is None:
            changes.campaign_ids.update(keys)
        else:
            changes.campaign_ids.update(r[0] for r in source_conn.execute(to_campaigns, {"keys": keys}))
    return changes


def capture_portal(warehouse: psycopg.Connection) -> ChangeSet:
    """Campaigns whose sales goal in the portal differs from the goal their summary was computed with."""
    rows = warehouse.execute(
        "SELECT c.campaign_id FROM wh.campaigns c "
        "LEFT JOIN portal.sales_goals g ON g.campaign_id = c.campaign_id "
        "WHERE c.goal_amount IS DISTINCT FROM g.target_amount"
    ).fetchall()
    changes = ChangeSet("portal", None, None, changes_read=len(rows))
    changes.campaign_ids = {r[0] for r in rows}
    return changes


def _campaign_refs(doc: dict) -> list[int]:
    refs = doc.get("campaign_ids")
    if refs is None:
        refs = doc.get("campaigns")
    if refs is None:
        single = doc.get("campaign_id")
        refs = [] if single is None else [single]
    out = []
    for ref in refs:
        ref = ref.get("campaign_id") if isinstance(ref, dict) else ref
        if ref is None:
            continue
        try:
            out.append(int(ref))
        except (TypeError, ValueError):
            continue
    return out


def capture_content(
    sources: Sources, warehouse: psycopg.Connection, previous: ContentHorizon | None, full: bool = False
) -> ChangeSet:
    """Media assets strictly after the ``previous`` (updated_at, _id), keeping only those that really changed.

    ``full`` (or a first run) reads every document and also drops warehouse links of assets that no longer
    exist — the only way deletions in MongoDB reach the warehouse.
    """
    changes = ChangeSet("content", previous, previous, full=full or previous is None)
    database = sources.content_database()
    if database is None:
        return changes
    query = {} if changes.full or previous is None else previous.query()
    projection = {
        "_id": 1,
        "updated_at": 1,
        "media_type": 1,
        "type": 1,
        "campaign_ids": 1,
        "campaigns": 1,
        "campaign_id": 1,
    }
    documents: list[tuple] = []
    newest = previous
    for doc in database[CONTENT_COLLECTION].find(query, projection):
        changes.documents_read += 1
        updated = doc.get("updated_at")
        if not isinstance(updated, datetime):
            continue
        asset_id = str(doc["_id"])
        if newest is None or (updated, asset_id) > (newest.updated_at, newest.asset_id or ""):
            newest = ContentHorizon(updated, asset_id)
        media_type = str(doc.get("media_type") or doc.get("type") or "unknown")
        refs = _campaign_refs(doc)
        documents.append((asset_id, refs, media_type, updated))
    changes.horizon = newest
    if changes.full:
        seen = {d[0] for d in documents}
        for asset_id, campaign_id in warehouse.execute("SELECT asset_id, campaign_id FROM wh.campaign_content"):
            if asset_id not in seen:
                changes.content_assets.add(asset_id)
                changes.campaign_ids.add(campaign_id)
        changes.changes_read += len(changes.content_assets)
    if not documents:
        return changes
    # Keep only documents whose links differ from what the warehouse already holds (idempotent re-reads).
    stored: dict[str, set[tuple]] = {}
    for asset_id, campaign_id, media_type, updated in warehouse.execute(
        "SELECT asset_id, campaign_id, media_type, updated_at FROM wh.campaign_content WHERE asset_id = ANY(%s)",
        ([d[0] for d in documents],),
    ):
        stored.setdefault(asset_id, set()).add((campaign_id, media_type, updated))
    for asset_id, refs, media_type, updated in documents:
        wanted = {(ref, media_type, updated) for ref in refs}
        have = stored.get(asset_id, set())
        if wanted == have:
            continue
        changes.changes_read += 1
        changes.content_assets.add(asset_id)
        changes.campaign_ids.update(ref for ref, _, _ in wanted | have)
        changes.documents.extend((asset_id, ref, media_type, updated) for ref in refs)
    return changes

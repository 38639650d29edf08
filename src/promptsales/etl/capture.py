"""Change capture: what changed in each source since the last committed horizon (docs/architecture.md §4).

PostgreSQL sources (promptads, promptcrm): triggers write ``cdc.changes`` rows stamped with the writing
transaction's id. A pass takes a REPEATABLE READ snapshot of the source and reads the changes with
``previous horizon <= xid < xmin(snapshot)``. Every transaction below the snapshot's xmin has finished
(committed or aborted), so a transaction still running — even one that wrote before the pass started —
is left for the next pass, whose window starts exactly where this one ends: no change lost, none read
twice. The new horizon (this snapshot's xmin) is stored with the load, in the same warehouse transaction.

PromptContent (MongoDB): documents whose ``updated_at`` is at or after the stored horizon minus an
overlap are re-read and upserted idempotently; only documents that differ from what the warehouse holds
count as changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg

from promptsales.db.fetch import scalar
from promptsales.etl.sources import CHANGE_KEYS, Sources

#: MongoDB collection of PromptContent media assets, and how far back each pass re-reads.
CONTENT_COLLECTION = "media_assets"
CONTENT_OVERLAP = timedelta(minutes=5)


@dataclass
class ChangeSet:
    """The changes of one source for one pass."""

    source: str
    previous: int | datetime | None  # horizon of the last committed pass (None: never loaded)
    horizon: int | datetime | None  # horizon this pass commits
    changes_read: int = 0  # change records (or changed documents) read
    campaign_ids: set[int] = field(default_factory=set)
    full: bool = False  # everything must be recomputed (first run, TRUNCATE)
    documents: list[tuple] = field(default_factory=list)  # content: (asset_id, campaign_id, media_type, updated_at)
    documents_read: int = 0
    content_assets: set[str] = field(default_factory=set)  # content: asset ids whose links must be replaced

    def as_dict(self) -> dict:
        """JSON-friendly summary (for run records and Dagster metadata)."""
        return {
            "source": self.source,
            "previous": _jsonable(self.previous),
            "horizon": _jsonable(self.horizon),
            "changes_read": self.changes_read,
            "campaigns": len(self.campaign_ids),
            "full": self.full,
        }


def _jsonable(value):
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class Horizons:
    """The committed horizon of every source: a transaction id per PostgreSQL source, a timestamp for content."""

    xids: dict[str, int]
    content: datetime | None

    def get(self, source: str) -> int | datetime | None:
        """The horizon of any source (None: never loaded)."""
        return self.content if source == "content" else self.xids.get(source)


def read_horizons(warehouse: psycopg.Connection) -> Horizons:
    """The committed horizon of every source."""
    rows = warehouse.execute("SELECT source, xid_horizon::text::bigint, ts_horizon FROM etl.horizons").fetchall()
    return Horizons(
        xids={source: xid for source, xid, _ in rows if xid is not None},
        content=next((ts for source, _, ts in rows if source == "content"), None),
    )


def snapshot_xmin(source: psycopg.Connection) -> int:
    """Open a REPEATABLE READ, READ ONLY transaction on ``source`` and return its snapshot's xmin."""
    if source.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        source.rollback()
    source.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
    return int(scalar(source, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"))


def capture_pg(source_conn: psycopg.Connection, source: str, previous: int | None) -> ChangeSet:
    """Read the change window ``[previous, xmin)`` of a PostgreSQL source and map it to campaign ids.

    Leaves the REPEATABLE READ transaction open (the caller may extract from the same snapshot).
    """
    horizon = snapshot_xmin(source_conn)
    changes = ChangeSet(source, previous, horizon)
    if previous is None:
        changes.full = True
        return changes
    rows = source_conn.execute(
        "SELECT key_name, array_agg(DISTINCT key_value) FILTER (WHERE key_value IS NOT NULL), "
        "       count(*), bool_or(operation = 'T') "
        "FROM cdc.changes WHERE xid >= %s::text::xid8 AND xid < %s::text::xid8 GROUP BY key_name",
        (previous, horizon),
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
    sources: Sources, warehouse: psycopg.Connection, previous: datetime | None, full: bool = False
) -> ChangeSet:
    """Media assets updated since ``previous - CONTENT_OVERLAP``, keeping only those that really changed.

    ``full`` (or a first run) reads every document and also drops warehouse links of assets that no longer
    exist — the only way deletions in MongoDB reach the warehouse.
    """
    changes = ChangeSet("content", previous, previous, full=full or previous is None)
    database = sources.content_database()
    if database is None:
        return changes
    query = {} if changes.full or previous is None else {"updated_at": {"$gte": previous - CONTENT_OVERLAP}}
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
        newest = updated if newest is None or updated > newest else newest
        media_type = str(doc.get("media_type") or doc.get("type") or "unknown")
        asset_id = str(doc["_id"])
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

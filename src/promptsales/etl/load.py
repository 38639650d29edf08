"""The load: stage the recomputed facts of the changed campaigns and sync the warehouse, set-based.

Everything below runs in ONE warehouse transaction that also stores the new horizons, so a failure at
any point leaves the warehouse and the horizons exactly as they were (docs/architecture.md §4).

Each warehouse table is synchronised with :func:`sync_table`: the fresh rows of the campaigns in scope
are materialised in a temporary table, rows that no longer exist are deleted, and the rest are upserted
with ``ON CONFLICT … DO UPDATE … WHERE (old) IS DISTINCT FROM (new)`` — a row whose values did not change
is not rewritten, so a pass without source changes leaves every warehouse tuple untouched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import psycopg
from psycopg import sql

SQL_DIR = resources.files("promptsales.etl") / "sql"
LOAD_LOCK = 0x45544C  # pg_advisory_xact_lock key: one load at a time per warehouse


class ConcurrentRunError(RuntimeError):
    """Another pass committed horizons after this pass read them; this pass's load is abandoned."""


class InjectedFailure(RuntimeError):
    """Raised on purpose by tests (``fail_at``) to prove the load is atomic."""


def read_sql(name: str) -> str:
    """The text of ``promptsales/etl/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text()


#: Staging tables: name → column definitions (filled by COPY from the sources).
STAGING: dict[str, str] = {
    "stg_ads_facts": "campaign_id int, channel_id int, market_id int, month date, reach bigint, impressions bigint, "
    "reactions bigint, interactions bigint, clicks bigint, exposure_hours numeric, spend numeric, revenue numeric",
    "stg_campaigns": "campaign_id int PRIMARY KEY, campaign_name text, brand_id int, brand_name text, status text, "
    "start_date date, end_date date, budget numeric, channels int, markets int",
    "stg_channels": "channel_id int PRIMARY KEY, name text",
    "stg_markets": "market_id int PRIMARY KEY, name text",
    "stg_crm_facts": "campaign_id int, channel_id int, market_id int, month date, leads bigint, sales_count bigint, "
    "sales_amount numeric",
    "stg_crm_campaigns": "campaign_id int PRIMARY KEY, clients bigint",
    "stg_keys": "campaign_id int PRIMARY KEY",
}

#: Which source query fills which staging table.
EXTRACTS: dict[str, list[tuple[str, str]]] = {
    "ads": [
        ("ads_facts", "stg_ads_facts"),
        ("ads_campaigns", "stg_campaigns"),
        ("ads_channels", "stg_channels"),
        ("ads_markets", "stg_markets"),
    ],
    "crm": [("crm_facts", "stg_crm_facts"), ("crm_campaigns", "stg_crm_campaigns")],
}


@dataclass
class LoadReport:
    """What one load wrote."""

    rows_read: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    campaigns: int = 0


def create_staging(warehouse: psycopg.Connection) -> None:
    """Temporary staging tables, dropped at commit or rollback."""
    for name, columns in STAGING.items():
        warehouse.execute(
            sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), sql.SQL(columns))
        )


def copy_between(
    source: psycopg.Connection, query: str, params: dict, warehouse: psycopg.Connection, table: str
) -> int:
    """Stream the rows of ``query`` (run in the source's open snapshot) into a staging table; returns rows."""
    rows = 0
    copy_out = sql.SQL("COPY ({}) TO STDOUT").format(sql.SQL(query.strip().rstrip(";")))
    copy_in = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
    with source.cursor().copy(copy_out, params) as out, warehouse.cursor().copy(copy_in) as into:
        for block in out:
            rows += bytes(block).count(b"\n")
            into.write(block)
    return rows


def extract(company: str, source: psycopg.Connection, warehouse: psycopg.Connection, ids: list[int] | None) -> int:
    """Copy the facts and attributes of ``ids`` (None: every campaign) from a source into staging."""
    params = {"all": ids is None, "ids": ids or []}
    return sum(copy_between(source, read_sql(query), params, warehouse, table) for query, table in EXTRACTS[company])


def extract_to_memory(company: str, source: psycopg.Connection, ids: list[int] | None) -> list[tuple[str, bytes, int]]:
    """Run a source's extracts into COPY-format buffers (so two sources can be read at the same time)."""
    params = {"all": ids is None, "ids": ids or []}
    buffers = []
    for query, table in EXTRACTS[company]:
        data = bytearray()
        copy_out = sql.SQL("COPY ({}) TO STDOUT").format(sql.SQL(read_sql(query).strip().rstrip(";")))
        with source.cursor().copy(copy_out, params) as out:
            for block in out:
                data += bytes(block)
        buffers.append((table, bytes(data), data.count(b"\n")))
    return buffers


def load_buffers(warehouse: psycopg.Connection, buffers: list[tuple[str, bytes, int]]) -> int:
    """COPY buffers made by :func:`extract_to_memory` into their staging tables; returns rows."""
    for table, data, _ in buffers:
        with warehouse.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))) as into:
            into.write(data)
    return sum(rows for _, _, rows in buffers)


def sync_table(
    warehouse: psycopg.Connection, table: str, keys: list[str], columns: list[str], fresh: str, run_id: int
) -> int:
    """Make ``table``'s rows of the campaigns in ``stg_keys`` equal the rows of the query ``fresh``.

    ``fresh`` returns ``keys + columns`` in that order. Returns rows inserted, updated or deleted.
    """
    target = sql.Identifier(*table.split("."))
    fresh_name = sql.Identifier("fresh_" + table.split(".")[-1])
    key_ids = [sql.Identifier(k) for k in keys]
    col_ids = [sql.Identifier(c) for c in columns]
    warehouse.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS {}").format(fresh_name, sql.SQL(fresh)))
    key_match = sql.SQL(" AND ").join(sql.SQL("f.{k} = t.{k}").format(k=k) for k in key_ids)
    deleted = warehouse.execute(
        sql.SQL(
            "DELETE FROM {target} t WHERE t.campaign_id IN (SELECT campaign_id FROM stg_keys) "
            "AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {match})"
        ).format(target=target, fresh=fresh_name, match=key_match)
    ).rowcount
    all_cols = sql.SQL(", ").join(key_ids + col_ids)
    changed = warehouse.execute(
        sql.SQL(
            "INSERT INTO {target} ({cols}, updated_run) SELECT {cols}, %s FROM {fresh} "
            "ON CONFLICT ({keys}) DO UPDATE SET {sets}, updated_run = excluded.updated_run "
            "WHERE ({old}) IS DISTINCT FROM ({new})"
        ).format(
            target=target,
            cols=all_cols,
            fresh=fresh_name,
            keys=sql.SQL(", ").join(key_ids),
            sets=sql.SQL(", ").join(sql.SQL("{c} = excluded.{c}").format(c=c) for c in col_ids),
            old=sql.SQL(", ").join(sql.SQL("{t}.{c}").format(t=target, c=c) for c in col_ids),
            new=sql.SQL(", ").join(sql.SQL("excluded.{c}").format(c=c) for c in col_ids),
        ),
        (run_id,),
    ).rowcount
    return deleted + changed


MEASURES = [
    "spend",
    "revenue",
    "roi",
    "reach",
    "impressions",
    "reactions",
    "interactions",
    "clicks",
    "leads",
    "sales_count",
    "sales_amount",
    "conversion_rate",
]

_SUMS = """sum(f.spend) AS spend, sum(f.revenue) AS revenue,
    round((sum(f.sales_amount) - sum(f.spend)) / nullif(sum(f.spend), 0), 6) AS roi,
    sum(f.reach) AS reach, sum(f.impressions) AS impressions, sum(f.reactions) AS reactions,
    sum(f.interactions) AS interactions, sum(f.clicks) AS clicks, sum(f.leads) AS leads,
    sum(f.sales_count) AS sales_count, sum(f.sales_amount) AS sales_amount,
    round(sum(f.sales_count)::numeric / nullif(sum(f.leads), 0), 6) AS conversion_rate"""

_IN_SCOPE = (
    "f.campaign_id IN (SELECT campaign_id FROM stg_keys) AND f.campaign_id IN (SELECT campaign_id FROM stg_campaigns)"
)

FACT_COLUMNS = [
    "reach",
    "impressions",
    "reactions",
    "interactions",
    "clicks",
    "exposure_hours",
    "spend",
    "revenue",
    "leads",
    "sales_count",
    "sales_amount",
]

FRESH_FACTS = """
SELECT coalesce(a.campaign_id, c.campaign_id) AS campaign_id, coalesce(a.channel_id, c.channel_id) AS channel_id,
       coalesce(a.market_id, c.market_id) AS market_id, coalesce(a.month, c.month) AS month,
       coalesce(a.reach, 0) AS reach, coalesce(a.impressions, 0) AS impressions, coalesce(a.reactions, 0) AS reactions,
       coalesce(a.interactions, 0) AS interactions, coalesce(a.clicks, 0) AS clicks,
       coalesce(a.exposure_hours, 0) AS exposure_hours, coalesce(a.spend, 0) AS spend, coalesce(a.revenue, 0) AS revenue,
       coalesce(c.leads, 0) AS leads, coalesce(c.sales_count, 0) AS sales_count, coalesce(c.sales_amount, 0) AS sales_amount
FROM stg_ads_facts a
FULL JOIN stg_crm_facts c USING (campaign_id, channel_id, market_id, month)
"""

FRESH_CAMPAIGNS = f"""
SELECT s.campaign_id, s.campaign_name, s.brand_id, s.brand_name, s.status, s.start_date, s.end_date, s.budget,
       coalesce(f.spend, 0) AS spend, coalesce(f.revenue, 0) AS revenue, f.roi,
       coalesce(f.reach, 0) AS reach, coalesce(f.impressions, 0) AS impressions, coalesce(f.reactions, 0) AS reactions,
       coalesce(f.interactions, 0) AS interactions, coalesce(f.clicks, 0) AS clicks,
       coalesce(f.exposure_hours, 0) AS exposure_hours, coalesce(f.leads, 0) AS leads,
       coalesce(k.clients, 0) AS clients, coalesce(f.sales_count, 0) AS sales_count,
       coalesce(f.sales_amount, 0) AS sales_amount, f.conversion_rate, g.target_amount AS goal_amount,
       round(coalesce(f.sales_amount, 0) / nullif(g.target_amount, 0), 6) AS success_rate,
       s.channels, s.markets, coalesce(ct.items, 0) AS content_items
FROM stg_campaigns s
LEFT JOIN (SELECT f.campaign_id, {_SUMS}, sum(f.exposure_hours) AS exposure_hours
           FROM wh.campaign_facts f WHERE {_IN_SCOPE} GROUP BY f.campaign_id) f ON f.campaign_id = s.campaign_id
LEFT JOIN stg_crm_campaigns k ON k.campaign_id = s.campaign_id
LEFT JOIN portal.sales_goals g ON g.campaign_id = s.campaign_id
LEFT JOIN (SELECT campaign_id, count(*)::int AS items FROM wh.campaign_content
           WHERE campaign_id IN (SELECT campaign_id FROM stg_keys) GROUP BY campaign_id) ct ON ct.campaign_id = s.campaign_id
WHERE s.campaign_id IN (SELECT campaign_id FROM stg_keys)
"""

CAMPAIGN_COLUMNS = [
    "campaign_name",
    "brand_id",
    "brand_name",
    "status",
    "start_date",
    "end_date",
    "budget",
    "spend",
    "revenue",
    "roi",
    "reach",
    "impressions",
    "reactions",
    "interactions",
    "clicks",
    "exposure_hours",
    "leads",
    "clients",
    "sales_count",
    "sales_amount",
    "conversion_rate",
    "goal_amount",
    "success_rate",
    "channels",
    "markets",
    "content_items",
]

FRESH_CHANNELS = f"""
SELECT f.campaign_id, f.channel_id, coalesce(ch.name, 'channel ' || f.channel_id) AS channel_name, {_SUMS}
FROM wh.campaign_facts f LEFT JOIN stg_channels ch ON ch.channel_id = f.channel_id
WHERE {_IN_SCOPE} GROUP BY f.campaign_id, f.channel_id, ch.name
"""

FRESH_MARKETS = f"""
SELECT f.campaign_id, f.market_id, coalesce(m.name, 'market ' || f.market_id) AS market_name, {_SUMS}
FROM wh.campaign_facts f LEFT JOIN stg_markets m ON m.market_id = f.market_id
WHERE {_IN_SCOPE} GROUP BY f.campaign_id, f.market_id, m.name
"""

FRESH_MONTHS = f"""
SELECT f.campaign_id, f.month, {_SUMS}
FROM wh.campaign_facts f WHERE {_IN_SCOPE} GROUP BY f.campaign_id, f.month
"""


def fill_keys(warehouse: psycopg.Connection, ids: list[int] | None) -> int:
    """Put the campaigns in scope into ``stg_keys`` (None: every campaign known anywhere)."""
    if ids is None:
        warehouse.execute(
            "INSERT INTO stg_keys SELECT campaign_id FROM stg_campaigns UNION SELECT campaign_id FROM stg_crm_facts "
            "UNION SELECT campaign_id FROM stg_ads_facts UNION SELECT campaign_id FROM wh.campaign_facts "
            "UNION SELECT campaign_id FROM wh.campaigns UNION SELECT campaign_id FROM wh.campaign_content"
        )
    else:
        warehouse.execute("INSERT INTO stg_keys SELECT DISTINCT unnest(%s::int[])", (ids,))
    return warehouse.execute("SELECT count(*) FROM stg_keys").fetchone()[0]


def load_content(warehouse: psycopg.Connection, assets: set[str], documents: list[tuple]) -> int:
    """Replace the campaign links of the changed content assets (idempotent); returns rows written."""
    if not assets:
        return 0
    deleted = warehouse.execute("DELETE FROM wh.campaign_content WHERE asset_id = ANY(%s)", (sorted(assets),)).rowcount
    inserted = 0
    if documents:
        with warehouse.cursor().copy(
            "COPY wh.campaign_content (asset_id, campaign_id, media_type, updated_at) FROM STDIN"
        ) as cp:
            for row in sorted(set(documents)):
                cp.write_row(row)
                inserted += 1
    return deleted + inserted


def sync_summaries(warehouse: psycopg.Connection, run_id: int, fail_at: str | None = None) -> dict[str, int]:
    """Recompute facts and every summary of the campaigns in ``stg_keys``; rows written per table."""
    written = {
        "wh.campaign_facts": sync_table(
            warehouse,
            "wh.campaign_facts",
            ["campaign_id", "channel_id", "market_id", "month"],
            FACT_COLUMNS,
            FRESH_FACTS + " WHERE coalesce(a.campaign_id, c.campaign_id) IN (SELECT campaign_id FROM stg_keys)",
            run_id,
        )
    }
    if fail_at == "after_facts":
        raise InjectedFailure("failure injected after the facts were written")
    written["wh.campaigns"] = sync_table(
        warehouse, "wh.campaigns", ["campaign_id"], CAMPAIGN_COLUMNS, FRESH_CAMPAIGNS, run_id
    )
    written["wh.campaign_channels"] = sync_table(
        warehouse,
        "wh.campaign_channels",
        ["campaign_id", "channel_id"],
        ["channel_name", *MEASURES],
        FRESH_CHANNELS,
        run_id,
    )
    written["wh.campaign_markets"] = sync_table(
        warehouse,
        "wh.campaign_markets",
        ["campaign_id", "market_id"],
        ["market_name", *MEASURES],
        FRESH_MARKETS,
        run_id,
    )
    written["wh.campaign_months"] = sync_table(
        warehouse, "wh.campaign_months", ["campaign_id", "month"], MEASURES, FRESH_MONTHS, run_id
    )
    if fail_at == "after_summaries":
        raise InjectedFailure("failure injected after the summaries were written")
    return written

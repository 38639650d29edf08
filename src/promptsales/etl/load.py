"""The load: stage the recomputed facts of the changed campaigns and sync the warehouse, set-based.

Everything below runs in ONE warehouse transaction that also stores the new horizons, so a failure at
any point leaves the warehouse and the horizons exactly as they were (docs/architecture.md §4).

Each warehouse table is synchronised with :func:`sync_table`: the fresh rows of the campaigns in scope
are materialised in a temporary table, rows that no longer exist are deleted, and the rest are upserted
with ``ON CONFLICT … DO UPDATE … WHERE (old) IS DISTINCT FROM (new)`` — a row whose values did not change
is not rewritten, so a pass without source changes leaves every warehouse tuple untouched.

The measures — staging columns, the aggregates of the fact extracts, the columns of every table and how
the summaries derive them — come from the measure registry (:mod:`promptsales.warehouse.measures`); only
the keys, the campaign attributes and the joins are written here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources

import psycopg
from psycopg import sql

from promptsales.db.fetch import scalar
from promptsales.warehouse import measures
from promptsales.warehouse.measures import (
    CAMPAIGN_TABLE,
    DAY_TABLE,
    FACT_TABLE,
    FACTS,
    KEY_TABLES,
    SCHEMA,
    SUMMARIES,
    TABLE_KEYS,
    Measure,
    aggregate,
    from_extract,
    stored_in,
)

SQL_DIR = resources.files("promptsales.etl") / "sql"
LOAD_LOCK = 0x45544C  # pg_advisory_xact_lock key: one load at a time per warehouse


class ConcurrentRunError(RuntimeError):
    """Another pass committed horizons after this pass read them; this pass's load is abandoned."""


class InjectedFailure(RuntimeError):
    """Raised on purpose by tests (``fail_at``) to prove the load is atomic."""


def read_sql(name: str) -> str:
    """The text of ``promptsales/etl/sql/<name>.sql``."""
    return (SQL_DIR / f"{name}.sql").read_text()


#: Staging tables of the campaign attributes: name → column definitions (filled by COPY from the sources).
#: The staging tables of the facts are made from the measure registry (:func:`staging_tables`).
ATTRIBUTE_STAGING: dict[str, str] = {
    "stg_campaigns": "campaign_id int PRIMARY KEY, campaign_name text, brand_id int, brand_name text, status text, "
    "start_date date, end_date date, budget numeric, channels int, markets int, objective text, industry text",
    "stg_channels": "channel_id int PRIMARY KEY, name text",
    "stg_markets": "market_id int PRIMARY KEY, name text, country text, city text",
    "stg_campaign_channels": "campaign_id int, channel_id int, PRIMARY KEY (campaign_id, channel_id)",
    "stg_campaign_markets": "campaign_id int, market_id int, PRIMARY KEY (campaign_id, market_id)",
    "stg_keys": "campaign_id int PRIMARY KEY",
}
#: The staging table of each fact extract (registry ``Extract``): its fact keys, then its measures.
FACT_STAGING: dict[str, str] = {extract: f"stg_{extract}" for extract in measures.EXTRACTS}
FACT_KEYS: tuple[str, ...] = TABLE_KEYS[FACT_TABLE]
_FACT_KEY_TYPES = {"campaign_id": "int", "channel_id": "int", "market_id": "int", "month": "date"}
#: The daily extract of each fact extract (``sql/<extract>_days.sql``, per campaign × channel × market × day, the
#: same measures) and its staging table: they make ``wh.campaign_days`` (D163, D171).
DAY_EXTRACTS: dict[str, str] = {extract: f"{extract}_days" for extract in measures.EXTRACTS}
DAY_STAGING: dict[str, str] = {extract: f"stg_{extract}_days" for extract in measures.EXTRACTS}
#: The fact extract whose measures each daily extract computes.
_DAILY_OF: dict[str, str] = {day: extract for extract, day in DAY_EXTRACTS.items()}
#: The staging table of each key table (registry ``KEY_TABLES``): the fact keys and the distinct key.
KEY_STAGING: dict[str, str] = {table: f"stg_{extract}" for table, (_, extract) in KEY_TABLES.items()}

#: Which source query (``sql/<name>.sql``) fills which staging table, per source database.
EXTRACTS: dict[str, list[tuple[str, str]]] = {
    "ads": [
        ("ads_results", FACT_STAGING["ads_results"]),
        ("ads_campaigns", "stg_campaigns"),
        ("ads_channels", "stg_channels"),
        ("ads_markets", "stg_markets"),
        ("ads_campaign_channels", "stg_campaign_channels"),
        ("ads_campaign_markets", "stg_campaign_markets"),
        ("ads_ads", KEY_STAGING["campaign_ads"]),
        (DAY_EXTRACTS["ads_results"], DAY_STAGING["ads_results"]),
    ],
    "crm": [
        ("crm_leads", FACT_STAGING["crm_leads"]),
        ("crm_sales", FACT_STAGING["crm_sales"]),
        ("crm_buyers", KEY_STAGING["campaign_buyers"]),
        (DAY_EXTRACTS["crm_leads"], DAY_STAGING["crm_leads"]),
        (DAY_EXTRACTS["crm_sales"], DAY_STAGING["crm_sales"]),
    ],
}


def staging_tables() -> dict[str, sql.Composable]:
    """Every staging table with its column definitions; a fact extract's columns come from the registry."""
    tables: dict[str, sql.Composable] = {name: sql.SQL(columns) for name, columns in ATTRIBUTE_STAGING.items()}
    for extract, table in FACT_STAGING.items():
        keys = [sql.SQL("{} {}").format(sql.Identifier(k), sql.SQL(_FACT_KEY_TYPES[k])) for k in FACT_KEYS]
        values = [
            sql.SQL("{} {}").format(sql.Identifier(m.name), sql.SQL(m.column_type or "numeric"))
            for m in from_extract(extract)
        ]
        tables[table] = sql.SQL(", ").join(keys + values)
        day_keys = sql.SQL("campaign_id int, channel_id int, market_id int, day date")
        tables[DAY_STAGING[extract]] = sql.SQL(", ").join([day_keys, *values])
    for key_table, table in KEY_STAGING.items():
        columns = [sql.SQL("{} {}").format(sql.Identifier(k), sql.SQL(_FACT_KEY_TYPES[k])) for k in FACT_KEYS]
        columns.append(sql.SQL("{} int").format(sql.Identifier(KEY_TABLES[key_table][0])))
        tables[table] = sql.SQL(", ").join(columns)
    return tables


def extract_query(name: str) -> sql.Composable:
    """The source query ``sql/<name>.sql``; a fact extract's ``{measures}`` are the registry's aggregates."""
    text = read_sql(name).strip().rstrip(";")
    if name not in FACT_STAGING and name not in _DAILY_OF:
        return sql.SQL(text)
    measures = sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(sql.SQL(m.expression or ""), sql.Identifier(m.name))
        for m in from_extract(_DAILY_OF.get(name, name))
    )
    return sql.SQL(text).format(measures=measures)


@dataclass
class LoadReport:
    """What one load wrote."""

    rows_read: dict[str, int] = field(default_factory=dict)
    rows_written: dict[str, int] = field(default_factory=dict)
    campaigns: int = 0


def create_staging(warehouse: psycopg.Connection) -> None:
    """Temporary staging tables, dropped at commit or rollback."""
    for name, columns in staging_tables().items():
        warehouse.execute(sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), columns))


def copy_between(
    source: psycopg.Connection, query: sql.Composable, params: dict, warehouse: psycopg.Connection, table: str
) -> int:
    """Stream the rows of ``query`` (run in the source's open snapshot) into a staging table; returns rows."""
    rows = 0
    copy_out = sql.SQL("COPY ({}) TO STDOUT").format(query)
    copy_in = sql.SQL("COPY {} FROM STDIN").format(sql.Identifier(table))
    with source.cursor().copy(copy_out, params) as out, warehouse.cursor().copy(copy_in) as into:
        for block in out:
            rows += bytes(block).count(b"\n")
            into.write(block)
    return rows


def extract(company: str, source: psycopg.Connection, warehouse: psycopg.Connection, ids: list[int] | None) -> int:
    """Copy the facts and attributes of ``ids`` (None: every campaign) from a source into staging."""
    params = {"all": ids is None, "ids": ids or []}
    return sum(
        copy_between(source, extract_query(query), params, warehouse, table) for query, table in EXTRACTS[company]
    )


def extract_to_memory(company: str, source: psycopg.Connection, ids: list[int] | None) -> list[tuple[str, bytes, int]]:
    """Run a source's extracts into COPY-format buffers (so two sources can be read at the same time)."""
    params = {"all": ids is None, "ids": ids or []}
    buffers = []
    for query, table in EXTRACTS[company]:
        data = bytearray()
        copy_out = sql.SQL("COPY ({}) TO STDOUT").format(extract_query(query))
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


@dataclass(frozen=True)
class TableSync:
    """One warehouse table the load synchronises: its non-measure columns and the query of its fresh rows.

    Its keys and measures come from the registry; ``fresh`` returns keys, attributes and measures by name.
    """

    table: str  # in schema wh
    attributes: tuple[str, ...]
    fresh: sql.Composable

    @property
    def keys(self) -> tuple[str, ...]:
        """The table's key columns."""
        return TABLE_KEYS[self.table]

    @property
    def columns(self) -> list[str]:
        """The columns written besides the keys (and ``updated_run``): attributes, then measures."""
        return [*self.attributes, *(measure.name for measure in stored_in(self.table))]


def sync_table(warehouse: psycopg.Connection, spec: TableSync, run_id: int) -> int:
    """Make ``spec.table``'s rows of the campaigns in ``stg_keys`` equal the rows of ``spec.fresh``.

    Returns rows inserted, updated or deleted.
    """
    target = sql.Identifier(SCHEMA, spec.table)
    fresh_name = sql.Identifier("fresh_" + spec.table)
    key_ids = [sql.Identifier(k) for k in spec.keys]
    col_ids = [sql.Identifier(c) for c in spec.columns]
    warehouse.execute(sql.SQL("CREATE TEMP TABLE {} ON COMMIT DROP AS {}").format(fresh_name, spec.fresh))
    key_match = sql.SQL(" AND ").join(sql.SQL("f.{k} = t.{k}").format(k=k) for k in key_ids)
    deleted = warehouse.execute(
        sql.SQL(
            "DELETE FROM {target} t WHERE t.campaign_id IN (SELECT campaign_id FROM stg_keys) "
            "AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {match})"
        ).format(target=target, fresh=fresh_name, match=key_match)
    ).rowcount
    all_cols = sql.SQL(", ").join(key_ids + col_ids)
    if not col_ids:  # a key table: a row is its key, so a row that exists is already right
        return (
            deleted
            + warehouse.execute(
                sql.SQL(
                    "INSERT INTO {target} ({cols}, updated_run) SELECT {cols}, %s FROM {fresh} ON CONFLICT DO NOTHING"
                ).format(target=target, cols=all_cols, fresh=fresh_name),
                (run_id,),
            ).rowcount
        )
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


def _fact_column(name: str) -> sql.Composable:
    return sql.Identifier("f", name)


def summed(table: str) -> sql.Composable:
    """``<aggregate> AS <measure>`` over the facts (alias ``f``) for every measure of ``table`` that is
    derived from the facts (FACTS and SUMMARIES measures), the same aggregates a question uses."""
    return sql.SQL(", ").join(
        sql.SQL("{} AS {}").format(aggregate(measure, _fact_column), sql.Identifier(measure.name))
        for measure in stored_in(table)
        if measure.stored in (FACTS, SUMMARIES)
    )


def _summary_value(measure: Measure) -> sql.Composable:
    """A measure of a fresh summary row read from the grouped facts ``f`` (LEFT JOINed): a sum is 0 where the
    row has no results yet, a ratio stays NULL; a measure of ``wh.campaigns`` itself is its registry expression
    (the ``CAMPAIGN_INPUTS`` aliases of :data:`FRESH_CAMPAIGNS`)."""
    if measure.stored == FACTS:
        value: sql.Composable = sql.SQL("coalesce({}, 0)").format(_fact_column(measure.name))
    elif measure.stored == SUMMARIES:
        value = _fact_column(measure.name)
    else:
        value = sql.SQL(measure.expression or "NULL")
    return sql.SQL("{} AS {}").format(value, sql.Identifier(measure.name))


_IN_SCOPE = sql.SQL(
    "f.campaign_id IN (SELECT campaign_id FROM stg_keys) AND f.campaign_id IN (SELECT campaign_id FROM stg_campaigns)"
)


def joined_extracts(staging: dict[str, str], keys: tuple[str, ...], table: str) -> sql.Composable:
    """``SELECT <keys>, <measures of wh.<table>>`` over the extracts' staging tables (extract → table) joined on
    ``keys``: a figure an extract has no row for is 0."""
    key_list = sql.SQL(", ").join(map(sql.Identifier, keys))
    joined = sql.SQL(" FULL JOIN ").join(
        sql.Identifier(name) if index == 0 else sql.SQL("{} USING ({})").format(sql.Identifier(name), key_list)
        for index, name in enumerate(staging.values())
    )
    values = sql.SQL(", ").join(
        sql.SQL("coalesce({}, 0) AS {}").format(
            sql.Identifier(staging[measure.extract or ""], measure.name), sql.Identifier(measure.name)
        )
        for measure in stored_in(table)
    )
    return sql.SQL("SELECT {keys}, {values} FROM {joined}").format(keys=key_list, values=values, joined=joined)


def fresh_facts() -> sql.Composable:
    """The ``wh.campaign_facts`` rows of the campaigns in scope: the fact staging tables joined on the keys."""
    return sql.SQL("{} WHERE campaign_id IN (SELECT campaign_id FROM stg_keys)").format(
        joined_extracts(FACT_STAGING, FACT_KEYS, FACT_TABLE)
    )


#: A campaign's objective and its brand's industry, copied as they are (questions group and filter by them).
CAMPAIGN_CLASSES = ("objective", "industry")

FRESH_CAMPAIGNS = sql.SQL("""
SELECT s.campaign_id, s.campaign_name, s.brand_id, s.brand_name, s.status, s.start_date, s.end_date,
       coalesce(s.objective, '') AS objective, coalesce(s.industry, '') AS industry, {values}
FROM stg_campaigns s
LEFT JOIN (SELECT f.campaign_id, {sums}
           FROM wh.campaign_facts f WHERE {in_scope} GROUP BY f.campaign_id) f ON f.campaign_id = s.campaign_id
LEFT JOIN (SELECT campaign_id, count(DISTINCT client_id) AS clients FROM {buyers} GROUP BY campaign_id) k
       ON k.campaign_id = s.campaign_id
LEFT JOIN portal.sales_goals g ON g.campaign_id = s.campaign_id
LEFT JOIN (SELECT campaign_id, count(*)::int AS items FROM wh.campaign_content
           WHERE campaign_id IN (SELECT campaign_id FROM stg_keys) GROUP BY campaign_id) ct ON ct.campaign_id = s.campaign_id
WHERE s.campaign_id IN (SELECT campaign_id FROM stg_keys)
""").format(
    values=sql.SQL(", ").join(map(_summary_value, stored_in(CAMPAIGN_TABLE))),
    sums=summed(CAMPAIGN_TABLE),
    in_scope=_IN_SCOPE,
    buyers=sql.Identifier(KEY_STAGING["campaign_buyers"]),
)


def fresh_assigned_summary(noun: str, attributes: tuple[str, ...] = ()) -> sql.Composable:
    """The rows of ``wh.campaign_<noun>s`` (one per campaign × channel or market) of the campaigns in scope.

    A campaign has a row for every ``noun`` it is assigned to in PromptAds (``stg_campaign_<noun>s``) and every
    one it has results on, so "campaigns per channel" counts a campaign that has not spent yet, as the source
    does. The facts are grouped once and give both the keys with results and the measures. ``attributes``
    are more columns of the catalogue copied as they are (a market's country and city).
    """
    table, key = f"campaign_{noun}s", f"{noun}_id"
    return sql.SQL("""
WITH f AS (SELECT f.campaign_id, f.{key}, {sums}
           FROM wh.campaign_facts f WHERE {in_scope} GROUP BY f.campaign_id, f.{key}),
     k AS (SELECT campaign_id, {key} FROM f
           UNION
           SELECT a.campaign_id, a.{key} FROM {assignments} a
           WHERE a.campaign_id IN (SELECT campaign_id FROM stg_keys)
             AND a.campaign_id IN (SELECT campaign_id FROM stg_campaigns))
SELECT k.campaign_id, k.{key}, coalesce(c.name, {label} || k.{key}) AS {name}, {copied}{values}
FROM k
LEFT JOIN f ON f.campaign_id = k.campaign_id AND f.{key} = k.{key}
LEFT JOIN {catalogue} c ON c.{key} = k.{key}
""").format(
        key=sql.Identifier(key),
        sums=summed(table),
        in_scope=_IN_SCOPE,
        assignments=sql.Identifier(f"stg_{table}"),
        label=sql.Literal(noun + " "),
        name=sql.Identifier(f"{noun}_name"),
        copied=sql.SQL("").join(
            sql.SQL("coalesce(c.{a}, '') AS {a}, ").format(a=sql.Identifier(a)) for a in attributes
        ),
        values=sql.SQL(", ").join(map(_summary_value, (m for m in stored_in(table) if m.stored in (FACTS, SUMMARIES)))),
        catalogue=sql.Identifier(f"stg_{noun}s"),
    )


FRESH_CHANNELS = fresh_assigned_summary("channel")
MARKET_PLACES = ("country", "city")
FRESH_MARKETS = fresh_assigned_summary("market", MARKET_PLACES)

FRESH_MONTHS = sql.SQL("""
SELECT f.campaign_id, f.month, {sums}
FROM wh.campaign_facts f WHERE {in_scope} GROUP BY f.campaign_id, f.month
""").format(sums=summed("campaign_months"), in_scope=_IN_SCOPE)


def fresh_days() -> sql.Composable:
    """The ``wh.campaign_days`` rows of the campaigns in scope: the daily staging tables joined on campaign and
    day, of the same campaigns as ``wh.campaign_months`` (known to PromptAds)."""
    return sql.SQL("SELECT * FROM ({}) f WHERE {}").format(
        joined_extracts(DAY_STAGING, TABLE_KEYS[DAY_TABLE], DAY_TABLE), _IN_SCOPE
    )


def fresh_keys(table: str) -> sql.Composable:
    """The rows of key table ``wh.<table>`` of the campaigns in scope: its staging table as extracted."""
    columns = sql.SQL(", ").join(map(sql.Identifier, TABLE_KEYS[table]))
    return sql.SQL("SELECT DISTINCT {} FROM {} WHERE campaign_id IN (SELECT campaign_id FROM stg_keys)").format(
        columns, sql.Identifier(KEY_STAGING[table])
    )


#: The tables the load synchronises, in order: the facts first, then the summaries derived from them, then
#: the key tables.
TABLE_SYNCS: tuple[TableSync, ...] = (
    TableSync(FACT_TABLE, (), fresh_facts()),
    TableSync(
        CAMPAIGN_TABLE,
        ("campaign_name", "brand_id", "brand_name", "status", "start_date", "end_date", *CAMPAIGN_CLASSES),
        FRESH_CAMPAIGNS,
    ),
    TableSync("campaign_channels", ("channel_name",), FRESH_CHANNELS),
    TableSync("campaign_markets", ("market_name", *MARKET_PLACES), FRESH_MARKETS),
    TableSync("campaign_months", (), FRESH_MONTHS),
    TableSync(DAY_TABLE, (), fresh_days()),
    *(TableSync(table, (), fresh_keys(table)) for table in KEY_TABLES),
)


def fill_keys(warehouse: psycopg.Connection, ids: list[int] | None) -> int:
    """Put the campaigns in scope into ``stg_keys`` (None: every campaign known anywhere)."""
    if ids is None:
        known = [sql.Identifier("stg_campaigns"), *map(sql.Identifier, FACT_STAGING.values())]
        known += map(sql.Identifier, KEY_STAGING.values())
        known += [sql.Identifier(SCHEMA, table) for table in (FACT_TABLE, CAMPAIGN_TABLE, "campaign_content")]
        known += [sql.Identifier(SCHEMA, table) for table in KEY_TABLES]
        warehouse.execute(
            sql.SQL("INSERT INTO stg_keys {}").format(
                sql.SQL(" UNION ").join(sql.SQL("SELECT campaign_id FROM {}").format(table) for table in known)
            )
        )
    else:
        warehouse.execute("INSERT INTO stg_keys SELECT DISTINCT unnest(%s::int[])", (ids,))
    return scalar(warehouse, "SELECT count(*) FROM stg_keys")


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
    facts, *summaries = TABLE_SYNCS
    written = {f"{SCHEMA}.{facts.table}": sync_table(warehouse, facts, run_id)}
    if fail_at == "after_facts":
        raise InjectedFailure("failure injected after the facts were written")
    for spec in summaries:
        written[f"{SCHEMA}.{spec.table}"] = sync_table(warehouse, spec, run_id)
    if fail_at == "after_summaries":
        raise InjectedFailure("failure injected after the summaries were written")
    return written

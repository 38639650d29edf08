"""The question catalog loaded from the warehouse, with a ``pg_trgm`` fuzzy campaign matcher.

Names change only when the ETL runs, so a loaded catalog is kept in memory until ``etl.runs`` shows a newer
successful run (one indexed lookup per question).
"""

from __future__ import annotations

import copy
import threading
import time
from datetime import date

import psycopg
from psycopg import sql

from promptsales.db.fetch import scalar
from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.catalog import Catalog, Named
from promptsales.sales.nlq.model import Dimension
from promptsales.sales.nlq.text import normalize_name

CATALOG_TTL = 60.0
_ACCENTS_FROM = "áéíóúüñàèìòùâêîôûç"
_ACCENTS_TO = "aeiouunaeiouaeiouc"
_cache: dict[tuple[str, int | None], tuple[float, Catalog]] = {}
_lock = threading.Lock()


def _names(conn: psycopg.Connection, table: str, key: str, name: str) -> list[Named]:
    query = sql.SQL("SELECT DISTINCT ON ({k}) {k}, {n} FROM {s}.{t} ORDER BY {k}, {n}").format(
        k=sql.Identifier(key), n=sql.Identifier(name), s=sql.Identifier(wh.SCHEMA), t=sql.Identifier(table)
    )
    return [Named(row[0], row[1]) for row in conn.execute(query)]


def _markets(conn: psycopg.Connection) -> list[Named]:
    """The markets with their city (a market is also named by its city)."""
    table, key, name = wh.LABEL_SOURCES[Dimension.market]
    query = sql.SQL("SELECT DISTINCT ON ({k}) {k}, {n}, {c} FROM {s}.{t} ORDER BY {k}, {n}").format(
        k=sql.Identifier(key),
        n=sql.Identifier(name),
        c=sql.Identifier(wh.MARKET_CITY),
        s=sql.Identifier(wh.SCHEMA),
        t=sql.Identifier(table),
    )
    return [Named(row[0], row[1], city=row[2]) for row in conn.execute(query)]


def _classes(conn: psycopg.Connection, dimension: Dimension) -> list[Named]:
    """The objectives (industries) the warehouse's campaigns have: each value is its own key and name."""
    query = sql.SQL("SELECT DISTINCT {c} FROM {s}.{t} WHERE {c} <> '' ORDER BY 1").format(
        c=sql.Identifier(wh.CAMPAIGN_CLASSES[dimension]),
        s=sql.Identifier(wh.SCHEMA),
        t=sql.Identifier(wh.CAMPAIGN_TABLE),
    )
    return [Named(row[0], row[0]) for row in conn.execute(query)]


def _last_load(conn: psycopg.Connection) -> int | None:
    """Id of the latest successful ETL run (names change only when the warehouse is loaded)."""
    try:
        with conn.transaction():
            return scalar(conn, "SELECT max(id) FROM etl.runs WHERE status = 'succeeded'")
    except psycopg.Error:
        return None


def load_catalog(conn: psycopg.Connection, *, use_cache: bool = True) -> Catalog:
    """Campaign, brand, channel and market names of the warehouse, cached per database until the next ETL
    run (or for :data:`CATALOG_TTL` seconds when the run log cannot be read)."""
    loaded_by = _last_load(conn)
    cache_key = (conn.info.dbname, loaded_by)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(cache_key)
        if use_cache and hit and (loaded_by is not None or now - hit[0] < CATALOG_TTL):
            return hit[1]
    cc = wh.CAMPAIGN_COLUMNS
    catalog = Catalog(
        campaigns=_names(conn, wh.CAMPAIGN_TABLE, cc["key"], cc["name"]),
        brands=_names(conn, wh.CAMPAIGN_TABLE, cc["brand_key"], cc["brand_name"]),
        channels=_names(conn, *wh.LABEL_SOURCES[Dimension.channel]),
        markets=_markets(conn),
        objectives=_classes(conn, Dimension.objective),
        industries=_classes(conn, Dimension.industry),
    )
    with _lock:
        for key in [k for k in _cache if k[0] == cache_key[0]]:
            del _cache[key]
        _cache[cache_key] = (now, catalog)
    return catalog


def invalidate_catalog() -> None:
    """Forget every cached catalog (after an ETL run or a new campaign)."""
    with _lock:
        _cache.clear()


def trigram_matcher(conn: psycopg.Connection):
    """A campaign matcher that ranks warehouse campaign names by ``pg_trgm`` similarity to a fragment."""
    cc = wh.CAMPAIGN_COLUMNS
    query = sql.SQL(
        "SELECT {k}, {n}, greatest(similarity(x.name, %(q)s), word_similarity(%(q)s, x.name)) AS score "
        "FROM {s}.{t}, LATERAL (SELECT translate(lower({n}), %(af)s, %(at)s) AS name) AS x "
        "ORDER BY score DESC, {n} LIMIT 5"
    ).format(
        k=sql.Identifier(cc["key"]),
        n=sql.Identifier(cc["name"]),
        s=sql.Identifier(wh.SCHEMA),
        t=sql.Identifier(wh.CAMPAIGN_TABLE),
    )

    def match(fragment: str) -> list[tuple[int | str, str, float]]:
        rows = conn.execute(query, {"q": normalize_name(fragment), "af": _ACCENTS_FROM, "at": _ACCENTS_TO})
        return [(row[0], row[1], float(row[2])) for row in rows]

    return match


def catalog_for(conn: psycopg.Connection) -> Catalog:
    """The cached catalog bound to a fuzzy matcher over ``conn``: a shallow copy, so the names and their index
    are shared, not rebuilt (``dataclasses.replace`` ran ``__post_init__`` again: ≈ 10 ms per call)."""
    bound = copy.copy(load_catalog(conn))
    bound.campaign_matcher = trigram_matcher(conn)
    return bound


def data_as_of(conn: psycopg.Connection, today: date | None = None) -> date:
    """Default as-of date: today, or the last day of the latest month with results if that is earlier."""
    today = today or date.today()
    latest = scalar(
        conn,
        sql.SQL("SELECT max({m}) FROM {s}.{t}").format(
            m=sql.Identifier(wh.MONTH_COLUMN), s=sql.Identifier(wh.SCHEMA), t=sql.Identifier("campaign_months")
        ),
    )
    if latest is None:
        return today
    from datetime import timedelta

    from promptsales.sales.nlq.periods import add_months

    end_of_latest = add_months(latest, 1) - timedelta(days=1)
    return min(today, end_of_latest)

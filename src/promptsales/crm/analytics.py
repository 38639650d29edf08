"""Campaign-behaviour vs purchases analytics (SPEC R7–R9).

* :func:`refresh_views` creates the two materialized views of ``analytics_views.sql`` (after the linked
  server exists: they read PromptAds through it) and refreshes them CONCURRENTLY (unique indexes).
* :func:`run_query` runs the analytics query from the base tables (``sql/analytics_base.sql``) or from the
  views (``sql/analytics_optimized.sql``); both return the same rows.
* :func:`explain` returns the estimated plan (``EXPLAIN``) or the measured one (``EXPLAIN ANALYZE``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from importlib import resources
from typing import Any

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

VIEWS = ("crm.mv_ads_monthly", "crm.mv_crm_monthly_band")


def _read(name: str) -> str:
    return (resources.files("promptsales.crm") / name).read_text()


def views_sql() -> str:
    """SQL that creates the analytics materialized views and their indexes (idempotent)."""
    return _read("analytics_views.sql")


def query_sql(optimized: bool) -> str:
    """The analytics query, from the materialized views (``optimized``) or from the base tables."""
    return _read("sql/analytics_optimized.sql" if optimized else "sql/analytics_base.sql")


def refresh_views(settings: Settings, dbname: str | None = None, create: bool = False) -> list[str]:
    """Create the views when ``create`` (and missing), refresh the populated ones concurrently; returns actions."""
    actions = []
    with connect("crm", "owner", settings=settings, dbname=dbname, autocommit=True) as conn:
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT schemaname || '.' || matviewname FROM pg_matviews WHERE schemaname = 'crm'"
            ).fetchall()
        }
        if create and not set(VIEWS) <= existing:
            conn.execute(views_sql().encode())
            actions += [f"created {view}" for view in VIEWS if view not in existing]
        for view in VIEWS:
            if view in existing:
                conn.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}")  # names from VIEWS
                conn.execute(f"ANALYZE {view}")
                actions.append(f"refreshed {view}")
            elif create:
                conn.execute(f"ANALYZE {view}")
    return actions


@dataclass
class QueryRun:
    """Rows of one analytics run and how long it took."""

    columns: list[str]
    rows: list[tuple]
    milliseconds: float


def _params(year: int, country: str) -> dict[str, Any]:
    if not (2000 <= int(year) <= 2100):
        raise UserError(f"Year must be between 2000 and 2100, got {year}.")
    if not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
        raise UserError(f"Country must be a two-letter code such as US, got {country!r}.")
    return {"year": int(year), "country": country.upper()}


def run_query(settings: Settings, year: int, country: str, optimized: bool, dbname: str | None = None) -> QueryRun:
    """Run the analytics query (base tables or materialized views) for a year and a country."""
    params = _params(year, country)
    with connect("crm", "analyst", settings=settings, dbname=dbname) as conn:
        started = time.perf_counter()
        cur = conn.execute(query_sql(optimized), params)
        rows = cur.fetchall()
        elapsed = (time.perf_counter() - started) * 1000
        return QueryRun([c.name for c in cur.description or ()], rows, round(elapsed, 2))


def explain(
    settings: Settings, year: int, country: str, optimized: bool, analyze: bool = False, dbname: str | None = None
) -> str:
    """The plan of the analytics query: estimated (``EXPLAIN``) or measured (``EXPLAIN (ANALYZE, BUFFERS)``)."""
    params = _params(year, country)
    prefix = "EXPLAIN (ANALYZE, BUFFERS, COSTS) " if analyze else "EXPLAIN (COSTS) "
    with connect("crm", "analyst", settings=settings, dbname=dbname) as conn:
        rows = conn.execute(prefix + query_sql(optimized), params).fetchall()
    return "\n".join(row[0] for row in rows)

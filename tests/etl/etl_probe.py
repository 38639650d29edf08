"""Helpers of the ETL tests: snapshots of the warehouse and the same figures computed directly from the sources."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from psycopg import sql

from promptsales.db.connect import admin_conninfo
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``promptsales etl <args>`` in a child process (``env``: e.g. pointed at private copies)."""
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "etl", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=600,
        check=False,
    )


def cli_environment(sources: Sources) -> dict[str, str]:
    """The CLI's environment pointed at the databases of ``sources``."""
    env = dict(os.environ)
    for company, dbname in sources.dbnames.items():
        env[f"PROMPTSALES_{company.upper()}_DATABASE_URL"] = admin_conninfo(sources.settings, company, dbname)
    env["PROMPTSALES_CONTENT_MONGO_DATABASE"] = sources.mongo_database or ""
    return env


#: Warehouse tables and their keys.
TABLES: dict[str, list[str]] = {
    "wh.campaign_facts": ["campaign_id", "channel_id", "market_id", "month"],
    "wh.campaigns": ["campaign_id"],
    "wh.campaign_channels": ["campaign_id", "channel_id"],
    "wh.campaign_markets": ["campaign_id", "market_id"],
    "wh.campaign_months": ["campaign_id", "month"],
    "wh.campaign_days": ["campaign_id", "channel_id", "market_id", "day"],
    "wh.campaign_content": ["asset_id", "campaign_id"],
    "wh.campaign_buyers": ["campaign_id", "channel_id", "market_id", "month", "client_id"],
    "wh.campaign_ads": ["campaign_id", "channel_id", "market_id", "month", "ad_id"],
}


def row_set(conn, statement: str) -> set[tuple]:
    """The rows of ``statement`` as a set of tuples (order-free comparison of a warehouse and a source)."""
    return {tuple(row) for row in conn.execute(statement).fetchall()}


def snapshot(sources: Sources, with_tuples: bool = False) -> dict[str, dict[tuple, tuple]]:
    """Every warehouse row (without ``updated_run``) by table and key; ``with_tuples`` adds (ctid, xmin)."""
    out: dict[str, dict[tuple, tuple]] = {}
    with sources.warehouse() as conn:
        for table, keys in TABLES.items():
            schema, name = table.split(".")
            columns = [
                r[0]
                for r in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "AND column_name <> 'updated_run' ORDER BY ordinal_position",
                    (schema, name),
                )
            ]
            extra = sql.SQL(", ctid::text, xmin::text") if with_tuples else sql.SQL("")
            rows = conn.execute(
                sql.SQL("SELECT {}{} FROM {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, columns)), extra, sql.Identifier(schema, name)
                )
            ).fetchall()
            positions = [columns.index(k) for k in keys]
            out[table] = {tuple(r[p] for p in positions): tuple(r) for r in rows}
    return out


def changed_keys(before: dict, after: dict) -> dict[str, set[tuple]]:
    """Per table, the keys whose rows differ (added, removed or changed)."""
    diff: dict[str, set[tuple]] = {}
    for table in TABLES:
        b, a = before[table], after[table]
        keys = {k for k in b.keys() | a.keys() if b.get(k) != a.get(k)}
        if keys:
            diff[table] = keys
    return diff


def direct_campaign_figures(sources: Sources) -> dict[int, dict[str, object]]:
    """Per campaign, the summary figures computed straight from promptads and promptcrm (no warehouse)."""
    figures: dict[int, dict[str, object]] = {}
    with sources.source("ads") as ads:
        for cid, status, budget, spend, revenue, reach, views, likes, inter, clicks in ads.execute(
            "SELECT c.campaign_id, c.status, c.budget, coalesce(sum(r.cost), 0), coalesce(sum(r.revenue), 0), "
            "coalesce(sum(r.audience_reached), 0), coalesce(sum(r.views), 0), coalesce(sum(r.likes), 0), "
            "coalesce(sum(r.interactions), 0), coalesce(sum(r.clicks), 0) "
            "FROM ads.campaigns c LEFT JOIN ads.ad_results r ON r.campaign_id = c.campaign_id GROUP BY c.campaign_id"
        ):
            figures[cid] = {
                "status": status,
                "budget": budget,
                "spend": spend,
                "revenue": revenue,
                "reach": reach,
                "impressions": views,
                "reactions": likes,
                "interactions": inter,
                "clicks": clicks,
                "leads": 0,
                "sales_count": 0,
                "sales_amount": Decimal("0"),
                "clients": 0,
            }
    with sources.source("crm") as crm:
        for cid, leads in crm.execute("SELECT campaign_id, count(*) FROM crm.leads GROUP BY 1"):
            if cid in figures:
                figures[cid]["leads"] = leads
        for cid, count, amount, clients in crm.execute(
            "SELECT campaign_id, count(*), sum(amount), count(DISTINCT client_id) FROM crm.sales GROUP BY 1"
        ):
            if cid in figures:
                figures[cid].update(sales_count=count, sales_amount=amount, clients=clients)
    return figures


def warehouse_campaign_figures(sources: Sources) -> dict[int, dict[str, object]]:
    """The same figures as :func:`direct_campaign_figures`, read from wh.campaigns."""
    columns = [
        "status",
        "budget",
        "spend",
        "revenue",
        "reach",
        "impressions",
        "reactions",
        "interactions",
        "clicks",
        "leads",
        "sales_count",
        "sales_amount",
        "clients",
    ]
    with sources.warehouse() as conn:
        rows = conn.execute(
            sql.SQL("SELECT campaign_id, {} FROM wh.campaigns").format(sql.SQL(", ").join(map(sql.Identifier, columns)))
        ).fetchall()
    return {r[0]: dict(zip(columns, r[1:])) for r in rows}


def settle(sources: Sources) -> None:
    """Run passes until one reads no change (flushes what earlier tests left)."""
    for _ in range(3):
        report = run_pass(sources, trigger="test")
        assert report.status == "succeeded", report.error
        if not any(report.changes_read.values()):
            return
    raise AssertionError("the warehouse did not settle")

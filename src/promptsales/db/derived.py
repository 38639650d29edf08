"""Derived data kept inside a database: materialized views."""

from __future__ import annotations

import psycopg
from psycopg import sql


def refresh_materialized_views(conninfo: str) -> list[str]:
    """Refresh every populated materialized view of the database at ``conninfo``; returns their names."""
    refreshed = []
    with psycopg.connect(conninfo, autocommit=True) as conn:
        views = conn.execute(
            "SELECT schemaname, matviewname FROM pg_matviews WHERE ispopulated ORDER BY 1, 2"
        ).fetchall()
        for schema, view in views:
            conn.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(schema, view)))
            refreshed.append(f"{schema}.{view}")
    return refreshed

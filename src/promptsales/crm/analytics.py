"""Analytics materialized views (SPEC R8): created after the linked server exists, refreshed concurrently."""

from __future__ import annotations

from importlib import resources

from promptsales.config import Settings
from promptsales.db.connect import connect


def views_sql() -> str:
    """SQL that creates the analytics materialized views and their indexes (idempotent)."""
    return (resources.files("promptsales.crm") / "analytics_views.sql").read_text()


def refresh_views(settings: Settings, dbname: str | None = None, create: bool = False) -> None:
    """Create the views when ``create`` and missing, then refresh them (concurrently when already populated)."""
    with connect("crm", "owner", settings=settings, dbname=dbname, autocommit=True) as conn:
        if create:
            conn.execute(views_sql().encode())

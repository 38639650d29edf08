"""Shared helpers of the PromptAds benchmarks: a scratch copy of the ads database on the running installation."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg import sql

from promptsales.config import Settings, get_settings
from promptsales.db.connect import admin_conninfo
from promptsales.db.migrate import migrate_company


@contextmanager
def scratch_ads_database(settings: Settings | None = None) -> Iterator[tuple[Settings, str]]:
    """A new, migrated PromptAds database on the running cluster (`promptsales up`), dropped afterwards.

    Benchmarks never touch the real `promptads` data (PromptCRM is consistent with it).
    """
    settings = settings or get_settings()
    name = f"promptads_bench_{uuid.uuid4().hex[:8]}"
    admin = admin_conninfo(settings, "ads", "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        migrate_company(settings, "ads", dbname=name)
        yield settings, name
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

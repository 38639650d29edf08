"""Shared helpers of the ETL benchmarks: private copies of the seeded databases (the user's data is never touched)."""

from __future__ import annotations

import time
import uuid

import psycopg
from psycopg import sql

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import admin_conninfo, database_name


def copy_databases(settings: Settings, companies=("ads", "crm", "sales")) -> dict[str, str]:
    """Copies of the seeded company databases (CREATE DATABASE … TEMPLATE); returns company → name."""
    names = {}
    for company in companies:
        name = f"{DATABASE_NAMES[company]}_bench{uuid.uuid4().hex[:6]}"
        with psycopg.connect(admin_conninfo(settings, company, "postgres"), autocommit=True) as conn:
            for attempt in range(30):  # a template must have no other session: wait for short-lived ones
                try:
                    conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                        sql.Identifier(name), sql.Identifier(database_name(company))))
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 29:
                        raise
                    time.sleep(1)
        names[company] = name
    return names


def drop_databases(settings: Settings, names: dict[str, str]) -> None:
    """Drop the copies."""
    for company, name in names.items():
        with psycopg.connect(admin_conninfo(settings, company, "postgres"), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

"""Throw-away copies of company databases (tests, benchmarks): copy from a template, create empty, drop.

One place for ``CREATE DATABASE … TEMPLATE`` and ``DROP DATABASE … WITH (FORCE)`` on the admin
connection of the company's cluster, so the test fixtures and benchmark helpers share one behaviour.
"""

from __future__ import annotations

import time
import uuid

import psycopg
from psycopg import sql

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import admin_conninfo, database_name


def scratch_name(company: str, tag: str) -> str:
    """A fresh database name such as ``promptads_t3f9c2a1b7e``."""
    return f"{DATABASE_NAMES[company]}_{tag}{uuid.uuid4().hex[:10]}"


def copy_database(
    settings: Settings,
    company: str,
    name: str,
    template: str | None = None,
    *,
    close_idle_sessions: bool = False,
    attempts: int = 30,
) -> str:
    """Create ``name`` as a file copy of ``template`` (default: the company's database); returns ``name``.

    A template must have no other session. While it has one, the copy is retried up to ``attempts``
    times: after a one-second wait for short-lived sessions to end or, with ``close_idle_sessions``,
    after terminating the template's idle sessions (pools reconnect on their next use).
    """
    source = template or database_name(company)
    create = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
        sql.Identifier(name), sql.Identifier(source)
    )
    with psycopg.connect(admin_conninfo(settings, company, "postgres"), autocommit=True) as conn:
        for attempt in range(1, attempts + 1):
            try:
                conn.execute(create)
                break
            except psycopg.errors.ObjectInUse:
                if attempt == attempts:
                    raise
                if close_idle_sessions:
                    conn.execute(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = %s AND pid <> pg_backend_pid() AND state = 'idle'",
                        (source,),
                    )
                else:
                    time.sleep(1)
    return name


def create_empty_database(settings: Settings, company: str, name: str) -> str:
    """Create an empty database ``name`` on the company's cluster (migrate it next); returns ``name``."""
    with psycopg.connect(admin_conninfo(settings, company, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return name


def drop_database(settings: Settings, company: str, name: str) -> None:
    """Drop ``name`` if it exists, ending its sessions."""
    with psycopg.connect(admin_conninfo(settings, company, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

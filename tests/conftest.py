"""Test harness: real servers started once per test session through the runtime manager.

Isolation strategy: the session databases are migrated once; a test that writes gets its own copy of a
company database (``CREATE DATABASE … TEMPLATE``) from the :func:`clone_db` fixture, or works inside a
transaction it rolls back.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from psycopg import sql

from promptsales.config import DATABASE_NAMES, Settings, get_settings
from promptsales.db.connect import admin_conninfo, database_name
from promptsales.db.migrate import migrate_all
from promptsales.runtime import manager


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of a private data directory whose servers are up and migrated for the whole session."""
    for key in [k for k in os.environ if k.startswith("PROMPTSALES_")]:
        del os.environ[key]
    data_dir = tmp_path_factory.mktemp("promptsales")
    os.environ["PROMPTSALES_DATA_DIR"] = str(data_dir)
    get_settings.cache_clear()
    session_settings = get_settings()
    manager.start_databases(session_settings)
    migrate_all(session_settings)
    yield session_settings
    manager.stop_all(session_settings)
    get_settings.cache_clear()


class DatabaseCloner:
    """Creates throw-away copies of company databases and drops them afterwards."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.created: list[tuple[str, str]] = []

    def __call__(self, company: str, template: str | None = None) -> str:
        """A new database copied from ``template`` (default: the company's session database)."""
        name = f"{DATABASE_NAMES[company]}_t{uuid.uuid4().hex[:10]}"
        source = template or database_name(company)
        create = sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
            sql.Identifier(name), sql.Identifier(source)
        )
        with psycopg.connect(admin_conninfo(self.settings, company, "postgres"), autocommit=True) as conn:
            try:
                conn.execute(create)
            except psycopg.errors.ObjectInUse:
                # A template must have no sessions. Idle pooled connections left by earlier tests (in-process
                # MCP tool pools, servers' pools) are closed; their pools reconnect on next use.
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid() AND state = 'idle'",
                    (source,),
                )
                conn.execute(create)
        self.created.append((company, name))
        return name

    def drop_all(self) -> None:
        """Drop every database this cloner created."""
        for company, name in self.created:
            with psycopg.connect(admin_conninfo(self.settings, company, "postgres"), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        self.created.clear()


@pytest.fixture
def clone_db(settings: Settings) -> Iterator[DatabaseCloner]:
    """Call ``clone_db("ads")`` to get the name of a private copy of the PromptAds database."""
    cloner = DatabaseCloner(settings)
    yield cloner
    cloner.drop_all()


@pytest.fixture(scope="session")
def seeded(settings: Settings) -> Settings:
    """The session databases loaded once with official-scale data of every company (``promptsales seed``)."""
    from promptsales.seed import seed_all

    seed_all(settings, "official", if_empty=True)
    return settings


@pytest.fixture(scope="session")
def content_seeded(settings: Settings) -> Settings:
    """PromptAds then PromptContent at official scale (skipped when already there)."""
    from promptsales.seed import seed_all

    seed_all(settings, "official", companies=["ads", "content"], if_empty=True)
    return settings


@pytest.fixture(scope="module")
def content_https(content_seeded: Settings):
    """(settings, url) of the content MCP server over HTTPS; issuer and server stopped after the module
    (their log writers hold no idle database sessions, so other tests can still clone databases)."""
    from promptsales.mcpkit.testing import start_https_server

    issuer, server = start_https_server(content_seeded, "content")
    yield content_seeded, server.url
    server.stop()
    issuer.stop()


@pytest.fixture(scope="module")
def content_service(content_seeded: Settings):
    """The service over the session stores (closed, and its log rows flushed, after the module)."""
    from promptsales.content.service import ContentService
    from promptsales.mcpkit.audit import LOG_CONNECTION

    service = ContentService(content_seeded)
    yield service
    service.close()
    LOG_CONNECTION.flush()

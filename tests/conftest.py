"""Test harness: real servers started once per test session through the runtime manager.

Isolation strategy: the session databases are migrated once; a test that writes gets its own copy of a
company database (``CREATE DATABASE … TEMPLATE``) from the :func:`clone_db` fixture, or works inside a
transaction it rolls back.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from promptsales.config import Settings, get_settings
from promptsales.db.copies import copy_database, drop_database, scratch_name
from promptsales.db.migrate import migrate_all
from promptsales.runtime import manager


def pytest_report_header(config: pytest.Config) -> str:
    """Free disk where the test clusters live: a run needs a few GB (the official-scale cluster, its copies)."""
    where = Path(config.option.basetemp or tempfile.gettempdir()).resolve()
    existing = next(p for p in (where, *where.parents) if p.exists())
    return f"free disk for the test clusters ({existing}): {shutil.disk_usage(existing).free / 2**30:.1f} GiB"


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
        """A new database copied from ``template`` (default: the company's session database).

        Idle pooled connections left on the template by earlier tests (in-process MCP tool pools,
        servers' pools) are closed if they are in the way; their pools reconnect on next use.
        """
        name = copy_database(
            self.settings, company, scratch_name(company, "t"), template, close_idle_sessions=True, attempts=2
        )
        self.created.append((company, name))
        return name

    def drop_all(self) -> None:
        """Drop every database this cloner created."""
        for company, name in self.created:
            drop_database(self.settings, company, name)
        self.created.clear()


@pytest.fixture
def clone_db(settings: Settings) -> Iterator[DatabaseCloner]:
    """Call ``clone_db("ads")`` to get the name of a private copy of the PromptAds database."""
    cloner = DatabaseCloner(settings)
    yield cloner
    cloner.drop_all()


#: Name of the copy of PromptAds taken right after it was generated (see :func:`generated_ads`).
_GENERATED_ADS: list[str] = []


def _seed_official(settings: Settings, companies: list[str] | None = None) -> None:
    """Seed at official scale (skipped where the data is there); keep a copy of PromptAds as generated,
    before any test launches campaigns into the session database."""
    from promptsales.seed import seed_all

    loaded = seed_all(settings, "official", companies=companies, if_empty=True)
    if loaded.get("ads") and not _GENERATED_ADS:
        _GENERATED_ADS.append(
            copy_database(settings, "ads", scratch_name("ads", "generated"), close_idle_sessions=True)
        )


@pytest.fixture(scope="session")
def seeded(settings: Settings) -> Settings:
    """The session databases loaded once with official-scale data of every company (``promptsales seed``)."""
    _seed_official(settings)
    return settings


@pytest.fixture(scope="module")
def current_warehouse(seeded: Settings) -> Settings:
    """The seeded session with the warehouse brought up to the sources by one ETL pass at the start of the
    module (a delta pass once anything loaded it): a test that compares answers from the warehouse with SQL
    over the live sources reads the same data even when tests before it wrote to the shared sources."""
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    report = run_pass(Sources(seeded), trigger="test")
    assert report.status == "succeeded", report
    return seeded


@pytest.fixture(scope="session")
def content_seeded(settings: Settings) -> Settings:
    """PromptAds then PromptContent at official scale (skipped when already there)."""
    _seed_official(settings, ["ads", "content"])
    return settings


@pytest.fixture(scope="session")
def generated_ads(seeded: Settings) -> str:
    """The name of a copy of the session's PromptAds exactly as the generator loaded it: tests of the
    generated data read it, whatever campaigns other tests (portal launches over MCP) have added since."""
    return _GENERATED_ADS[0]


@pytest.fixture(scope="module")
def content_https(content_seeded: Settings):
    """(settings, url) of the content MCP server over HTTPS; the issuer and the server are stopped after the
    module if this fixture started them (their log writers hold no idle database sessions, so other tests
    can still clone databases; another package's fixture may be using an issuer that was already running)."""
    from promptsales.wiring import issuer_service, mcp_service

    issuer, server = issuer_service(content_seeded), mcp_service(content_seeded, "content")
    started_issuer = issuer.start()
    started_server = server.start()
    yield content_seeded, server.url
    if started_server:
        server.stop()
    if started_issuer:
        issuer.stop()


@pytest.fixture(scope="module")
def content_service(content_seeded: Settings):
    """The service over the session stores (closed, and its log rows flushed, after the module)."""
    from promptsales.content.service import ContentService
    from promptsales.db.logwriter import LOG_WRITER

    service = ContentService(content_seeded)
    yield service
    service.close()
    LOG_WRITER.flush()

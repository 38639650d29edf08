"""Fixtures of the ETL tests: private copies of the seeded databases and a loaded warehouse on them.

The ETL writes the warehouse and reads change logs, so every test works on copies (``CREATE DATABASE …
TEMPLATE``) of the official seeded promptads, promptcrm and promptsales, reached through a
:class:`~promptsales.etl.sources.Sources` object with the copies' names. The module-scoped ``loaded``
fixture does the (expensive) full load once per module; each test then measures its own change.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from promptsales.config import Settings
from promptsales.db.connect import admin_conninfo
from promptsales.db.copies import copy_database, drop_database, scratch_name
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources


@pytest.fixture(scope="module")
def etl_sources(seeded: Settings) -> Iterator[Sources]:
    """Sources pointing at private copies of the seeded ads, crm and sales databases (module scope)."""
    names = {
        company: copy_database(seeded, company, scratch_name(company, "etl"), close_idle_sessions=True)
        for company in ("ads", "crm", "sales")
    }
    mongo_db = f"etltest_{uuid.uuid4().hex[:8]}"
    sources = Sources(seeded, names, mongo_database=mongo_db)
    with sources.connect("sales", "owner") as conn:  # other tests may have loaded the session warehouse
        conn.execute(
            "TRUNCATE wh.campaign_facts, wh.campaigns, wh.campaign_channels, wh.campaign_markets, "
            "wh.campaign_months, wh.campaign_days, wh.campaign_content, wh.campaign_buyers, wh.campaign_ads, etl.horizons"
        )
    yield sources
    for company, name in names.items():
        drop_database(seeded, company, name)
    database = Sources(seeded, names, mongo_database=mongo_db).content_database()
    if database is not None:
        database.client.drop_database(mongo_db)


@pytest.fixture(scope="module")
def loaded(etl_sources: Sources) -> Sources:
    """The copies after a first (full) pass."""
    report = run_pass(etl_sources, trigger="test")
    assert report.status == "succeeded", report.error
    assert report.full_load
    return etl_sources


@pytest.fixture(scope="module")
def own_databases(etl_sources: Sources) -> dict[str, str]:
    """The CLI's environment pointed at the module's private copies (empty warehouse, no horizons), so its
    first `etl run` is a full load whatever other tests did to the session's warehouse."""
    env = dict(os.environ)
    for company, dbname in etl_sources.dbnames.items():
        env[f"PROMPTSALES_{company.upper()}_DATABASE_URL"] = admin_conninfo(etl_sources.settings, company, dbname)
    env["PROMPTSALES_CONTENT_MONGO_DATABASE"] = etl_sources.mongo_database or ""
    return env

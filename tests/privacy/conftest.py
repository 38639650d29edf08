"""Fixtures of the data-subject request tests (planting in :mod:`privacy_world`)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from privacy_world import World, plant_cache, plant_content, plant_crm, plant_sales

from promptsales.cache.instances import get_cache
from promptsales.config import Settings
from promptsales.content.store import mongo_database
from promptsales.db.connect import admin_conninfo
from promptsales.testing import scratch_company_database


@pytest.fixture(scope="session")
def bare_crm(settings: Settings) -> Iterator[str]:
    """A migrated PromptCRM database with no seeded people: the worlds are copied from it, so a world is small
    (its backup and restore take seconds) and the same whether or not the session was seeded before."""
    with scratch_company_database(settings, "crm", "bare") as name:
        yield name


@pytest.fixture
def world(settings: Settings, clone_db, bare_crm: str) -> Iterator[World]:
    """A person planted in every store of private copies (and a control person who must stay untouched)."""
    crm_db, sales_db = clone_db("crm", template=bare_crm), clone_db("sales")
    mongo_db = f"privacytest_{uuid.uuid4().hex[:8]}"
    own = settings.model_copy(
        update={
            "crm_database_url": admin_conninfo(settings, "crm", crm_db),
            "sales_database_url": admin_conninfo(settings, "sales", sales_db),
            "content_mongo_database": mongo_db,
        }
    )
    tag = uuid.uuid4().hex[:8]
    ids = plant_crm(own, 900_000 + int(tag[:4], 16))
    mongo_ids = plant_content(own)
    cache_keys = plant_cache(own, ids, tag)
    audit_ids, usage_ids = plant_sales(own, ids)
    yield World(
        own,
        ids["subject_client"],
        ids["control_client"],
        ids["subject_lead"],
        ids["control_lead"],
        ids["subject_sale"],
        mongo_ids,
        cache_keys,
        audit_ids,
        usage_ids,
        campaign_id=900_000 + int(tag[:4], 16),
        crm_db=crm_db,
        sales_db=sales_db,
    )
    from promptsales.db.logwriter import LOG_WRITER

    LOG_WRITER.flush()
    mongo_database(own).client.drop_database(mongo_db)
    get_cache(own).connection.run(lambda client: client.delete(*cache_keys.values()))

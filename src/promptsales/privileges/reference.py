"""A reference installation: what the grants of a freshly set-up platform are, independent of what tests or people
did to the running databases since — the four company databases created empty, migrated, and set up as ``up`` and
``seed`` set them up (PromptCRM's linked server to PromptAds and its analytics views), then dropped."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.crm.analytics import refresh_views
from promptsales.crm.link import ensure_link
from promptsales.db.copies import create_empty_database, drop_database, scratch_name
from promptsales.db.migrate import migrate_company


@contextmanager
def reference_installation(settings: Settings) -> Iterator[dict[str, str]]:
    """Company → the name of its reference database on the running cluster (dropped after the block)."""
    created: dict[str, str] = {}
    try:
        for company in DATABASE_NAMES:
            created[company] = create_empty_database(settings, company, scratch_name(company, "policy"))
            migrate_company(settings, company, dbname=created[company])
        ensure_link(settings, created["crm"], created["ads"])
        refresh_views(settings, created["crm"], create=True)
        yield created
    finally:
        for company, name in created.items():
            drop_database(settings, company, name)

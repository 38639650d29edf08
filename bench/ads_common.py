"""Shared helpers of the PromptAds benchmarks: a scratch copy of the ads database on the running installation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from promptsales.config import Settings, get_settings
from promptsales.db.copies import create_empty_database, drop_database, scratch_name
from promptsales.db.migrate import migrate_company


@contextmanager
def scratch_ads_database(settings: Settings | None = None) -> Iterator[tuple[Settings, str]]:
    """A new, migrated PromptAds database on the running cluster (`promptsales up`), dropped afterwards.

    Benchmarks never touch the real `promptads` data (PromptCRM is consistent with it).
    """
    settings = settings or get_settings()
    name = create_empty_database(settings, "ads", scratch_name("ads", "bench_"))
    try:
        migrate_company(settings, "ads", dbname=name)
        yield settings, name
    finally:
        drop_database(settings, "ads", name)

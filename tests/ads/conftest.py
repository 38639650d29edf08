"""Fixtures of the PromptAds tests: a private, small-scale seeded copy of the ads database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
import sqlparse

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.lab.registry import LabEntry
from promptsales.seed import seed_all
from promptsales.testing import scratch_company_database


@pytest.fixture(scope="module")
def ads_small_db(settings: Settings) -> Iterator[str]:
    """Name of a private copy of the PromptAds database loaded with ``--scale small`` data, one per test module.

    Module-scoped to keep the suite fast: tests of a module only add rows with unique names and compare
    counts before/after, so they do not disturb each other. The database is created empty and migrated
    (not copied from the session database, which other fixtures may hold connections to), then dropped.
    """
    with scratch_company_database(settings, "ads", "ads") as name:
        seed_all(settings, "small", companies=["ads"], dbname={"ads": name})
        yield name


@pytest.fixture
def ads_conn(settings: Settings, ads_small_db: str):
    """An autocommit app-role connection to the small private copy."""
    with connect("ads", "app", settings=settings, dbname=ads_small_db, autocommit=True) as conn:
        yield conn


def run_lab_statements(
    conn: psycopg.Connection, entry: LabEntry, raw_params: dict[str, str]
) -> list[tuple[list[str], list[tuple]]]:
    """Run a SQL lab entry's statements on ``conn`` exactly as the lab runner does; (columns, rows) per statement.

    The lab runner always connects to the session database; this lets a test run the same script on a
    private copy that holds a hand-built case.
    """
    values: dict[str, Any] = entry.bind(raw_params)
    results = []
    for statement in sqlparse.split(entry.source):
        if not sqlparse.format(statement, strip_comments=True).strip():
            continue
        cur = conn.execute(
            statement.encode() if "%(" not in statement else statement, values if "%(" in statement else None
        )
        if cur.description:
            results.append(([c.name for c in cur.description], cur.fetchall()))
    return results

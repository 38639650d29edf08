"""Fixture of the nlq evaluation: the session's seeded sources and the warehouse loaded from them."""

from __future__ import annotations

import pytest

from promptsales.config import Settings


@pytest.fixture(scope="session")
def nlq_warehouse(seeded: Settings) -> Settings:
    """The seeded session with the warehouse brought up to the sources right now by one ETL pass (a delta
    pass when another package's fixture already loaded it), so answers and expected rows read the same data."""
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    report = run_pass(Sources(seeded), trigger="test")
    assert report.status == "succeeded", report
    return seeded

"""Fixtures of the MCP-network tests: a loaded warehouse (official seed + one ETL pass)."""

from __future__ import annotations

import pytest

from promptsales.config import Settings


@pytest.fixture(scope="session")
def warehouse(seeded: Settings) -> Settings:
    """The official-scale sources loaded into the warehouse by one ``promptsales etl run`` pass."""
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    report = run_pass(Sources(seeded), trigger="test")
    assert report.status == "succeeded", report
    return seeded

"""Fixtures of the ETL tests: private copies of the seeded databases and a loaded warehouse on them.

The ETL writes the warehouse and reads change logs, so every test works on copies (``CREATE DATABASE …
TEMPLATE``) of the official seeded promptads, promptcrm and promptsales, reached through a
:class:`~promptsales.etl.sources.Sources` object with the copies' names. The package-scoped ``loaded``
fixture does the (expensive) copies and full load once for the whole package; each test first settles the
warehouse (``etl_probe.settle``: passes until one reads no change) and then measures its own change, so it
does not depend on what tests of other modules wrote before it. A test of the first (full) load itself empties
the warehouse first (``promptsales.testing.empty_warehouse``); its full load leaves it loaded again for the others.
Under the shuffled order other packages' modules run between these, and the package-scoped copies live on until
the session ends; nothing else sees them (the environment is never pointed at them).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from etl_probe import cli_environment

from promptsales.config import Settings
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.testing import empty_warehouse, private_sources


@pytest.fixture(scope="package")
def etl_sources(seeded: Settings) -> Iterator[Sources]:
    """Private copies shared by the package's tests (see the module docstring)."""
    with private_sources(seeded) as sources:
        yield sources


@pytest.fixture(scope="package")
def loaded(etl_sources: Sources) -> Sources:
    """The copies after a full pass (emptied first: a CLI test of the package may have loaded them already)."""
    empty_warehouse(etl_sources)
    report = run_pass(etl_sources, trigger="test")
    assert report.status == "succeeded", report.error
    assert report.full_load
    return etl_sources


@pytest.fixture(scope="package")
def own_databases(etl_sources: Sources) -> dict[str, str]:
    """The CLI's environment pointed at the package's private copies."""
    return cli_environment(etl_sources)

"""The hostile MCP and injection tests (issue 23) share one set of private copies of every store: making them
(four official-scale databases and a MongoDB database, a write probe in each) is the costly part of their setup,
and each test measures its own writes against the probe's marks, so what another test wrote does not matter.
The hostile CLI module makes copies of its own (its commands may re-link PromptCRM to PromptAds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile import private_stores

from promptsales.config import Settings


@pytest.fixture(scope="package")
def stores(seeded: Settings) -> Iterator[Settings]:
    """Private copies of every store for the package (valid calls may write there, never to the session's)."""
    with private_stores(seeded) as private:
        yield private

"""The hostile-input tests (issue 23): each module works on private copies of every store of its own (four
official-scale databases and a MongoDB database, a write probe in each).

Module scope, not package scope: the copies are reached by switching the process's PROMPTSALES_*_DATABASE_URL
variables for as long as the fixture lives, and a package-scoped fixture in a directory without ``__init__.py``
outlived the package — every later test then wrote to the copies (a full run failed in 15 tests of other
packages: audit rows, exports, the HA profile)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hostile import private_stores

from promptsales.config import Settings


@pytest.fixture(scope="module")
def stores(seeded: Settings) -> Iterator[Settings]:
    """Private copies of every store for the module (valid calls may write there, never to the session's)."""
    with private_stores(seeded) as private:
        yield private

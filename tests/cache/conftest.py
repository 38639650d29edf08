"""Fixtures of the cache tests: a fresh Cache on the session Valkey, and unique names per test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from promptsales.cache import Cache, CacheConnection
from promptsales.config import Settings
from promptsales.runtime.valkey import ValkeyServer


@pytest.fixture
def cache(settings: Settings) -> Iterator[Cache]:
    """A Cache on the session's real Valkey (its own connection pool and breaker)."""
    instance = Cache(CacheConnection(ValkeyServer(settings).url, settings=settings))
    yield instance
    instance.close()


@pytest.fixture
def unique() -> str:
    """A short unique suffix so that tests sharing the session Valkey never share keys."""
    return uuid.uuid4().hex[:10]

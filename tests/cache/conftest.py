"""Fixtures of the cache tests: a fresh Cache on the session Valkey, unique names per test, a manual clock."""

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
def own_valkey(tmp_path) -> Iterator[tuple[Settings, ValkeyServer]]:
    """(settings, server) of a Valkey of the test's own data dir: stopping or flushing it cannot disturb the
    session's cache."""
    own = Settings(data_dir=tmp_path / "own")
    server = ValkeyServer(own)
    server.start()
    yield own, server
    server.stop()


@pytest.fixture
def unique() -> str:
    """A short unique suffix so that tests sharing the session Valkey never share keys."""
    return uuid.uuid4().hex[:10]


class ManualClock:
    """Seconds that move only when the test says so (kept in whole milliseconds, as the rate limiter counts)."""

    def __init__(self, start_ms: int = 1_000_000) -> None:
        self.ms = start_ms

    def __call__(self) -> float:
        return self.ms / 1000

    def advance(self, ms: int) -> None:
        """Move the clock forward by ``ms`` milliseconds."""
        self.ms += ms


@pytest.fixture
def manual_clock() -> ManualClock:
    """A clock for the rate limiter or the circuit breaker that only the test moves."""
    return ManualClock()

"""``promptsales cache stats|flush|bump`` and the cache line of ``promptsales status``, run as a user would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from promptsales.cache import Cache, CacheConnection, CacheSpec, Scope
from promptsales.config import Settings


def run_cli(settings, *args):
    env = {**os.environ, "PROMPTSALES_DATA_DIR": str(settings.data_path)}
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


@pytest.fixture
def own_cache(own_valkey) -> Iterator[tuple[Settings, Cache]]:
    """(settings, cache) of a Valkey of the test's own: `cache flush` and `cache bump` run there, never on the
    session's cache that other tests rely on."""
    settings, server = own_valkey
    cache = Cache(CacheConnection(server.url, settings=settings))
    yield settings, cache
    cache.close()


def test_stats_flush_and_bump(own_cache, unique):
    settings, cache = own_cache
    spec = CacheSpec("sales", f"cli_{unique}", kind="report")
    cache.fetch(spec, {"q": 1}, lambda: {"answer": 1})
    cache.fetch(spec, {"q": 1}, lambda: {"answer": 1})

    stats = run_cli(settings, "cache", "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    figures = json.loads(stats.stdout)
    assert (figures["hits"], figures["misses"]) == (1, 1)  # a cache of its own: exactly this test's calls
    assert figures["per_tool"][f"sales.cli_{unique}"] == {"hits": 1, "misses": 1, "hit_ratio": 0.5}
    assert figures["memory"]["policy"] == "volatile-lru" and figures["memory"]["max_bytes"] == 512 * 2**20
    assert figures["keys"]["values"] == 1 and figures["keys"]["generations"] >= 0
    assert {"tokens_saved", "hit_ratio", "ai_semantic_hits"} <= figures.keys()

    table = run_cli(settings, "cache", "stats")
    assert table.returncode == 0 and "hit ratio" in table.stdout

    refused = run_cli(settings, "cache", "flush")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert cache.fetch(spec, {"q": 1}, lambda: None).outcome == "hit"  # nothing was flushed

    generation = int(cache.connection.client.get(Scope("sales").counter_key) or 0)
    flushed = run_cli(settings, "cache", "flush", "--yes")
    assert flushed.returncode == 0 and "Flushed" in flushed.stdout
    assert cache.fetch(spec, {"q": 1}, lambda: {"answer": 2}).value == {"answer": 2}
    assert int(cache.connection.client.get(Scope("sales").counter_key) or 0) == generation  # counters kept

    bumped = run_cli(settings, "cache", "bump", "sales")
    assert bumped.returncode == 0 and f"generation {generation + 1}" in bumped.stdout
    assert cache.fetch(spec, {"q": 1}, lambda: {"answer": 3}).value == {"answer": 3}
    bad = run_cli(settings, "cache", "bump", "payroll/x")
    assert bad.returncode == 2 and "Unknown company" in bad.stderr


def test_status_lists_the_cache(settings):
    result = run_cli(settings, "status", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["cache"]["healthy"] is True
    assert rows["cache"]["detail"].startswith("caching")

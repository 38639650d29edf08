"""Single-flight (issue 10 acceptance 2): 100 concurrent identical misses run the underlying query once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from promptsales.cache import CacheSpec, Scope
from promptsales.db.connect import connect


def test_hundred_concurrent_misses_query_the_database_once(settings, cache, unique):
    spec = CacheSpec("ads", f"herd_{unique}")
    executed = []
    guard = threading.Lock()
    start = threading.Barrier(100)

    def slow_query():
        with guard:
            executed.append(1)
        with connect("ads", "analyst", settings=settings) as conn:
            return conn.execute("SELECT 42 AS answer, pg_sleep(0.4) IS NULL AS slept").fetchone()[0]

    def caller(_):
        start.wait()
        return cache.fetch(spec, {"q": "answer"}, slow_query, depends=[Scope("ads", "campaign")])

    with ThreadPoolExecutor(max_workers=100) as pool:
        lookups = list(pool.map(caller, range(100)))

    assert len(executed) == 1
    assert [lookup.value for lookup in lookups] == [42] * 100
    outcomes = [lookup.outcome for lookup in lookups]
    assert outcomes.count("miss") == 1
    assert outcomes.count("coalesced") + outcomes.count("hit") == 99


def test_waiters_take_over_when_the_holder_fails(cache, unique):
    spec = CacheSpec("ads", f"takeover_{unique}")
    attempts = []
    start = threading.Barrier(10)

    def flaky():
        attempts.append(1)
        if len(attempts) == 1:
            raise ValueError("first computation fails")
        return "ok"

    def caller(_):
        start.wait()
        try:
            return cache.fetch(spec, {}, flaky).value
        except ValueError:
            return "failed"

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(caller, range(10)))

    assert results.count("failed") == 1
    assert results.count("ok") == 9
    assert len(attempts) == 2  # the failure released the lock; one waiter recomputed, the rest reused it

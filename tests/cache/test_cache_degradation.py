"""Degradation (issue 10 acceptance 5): with Valkey stopped mid-test every call still answers correctly
from the database, the condition is visible to ``promptsales status``; after a restart caching resumes
without restarting the process, and invalidations missed during the outage are replayed first."""

from __future__ import annotations

import os
import threading

import pytest
import redis

from promptsales.cache import Cache, CacheConnection, CacheSpec, Scope
from promptsales.cache.connection import BreakerState, CacheUnavailable, health_path, read_health, record_health
from promptsales.cache.status import CacheService
from promptsales.db.connect import connect


@pytest.fixture
def prices(settings, clone_db):
    dbname = clone_db("ads")
    with connect("ads", "owner", settings=settings, dbname=dbname) as conn:
        conn.execute("CREATE TABLE ads.cache_prices (campaign_id int PRIMARY KEY, price int NOT NULL)")
        conn.execute("INSERT INTO ads.cache_prices SELECT g, g * 10 FROM generate_series(1, 5) g")
        conn.commit()
    return dbname


def test_answers_from_the_database_while_valkey_is_down_and_resumes_after(settings, own_valkey, prices, manual_clock):
    own, server = own_valkey
    cache = Cache(CacheConnection(server.url, settings=own, retry_interval=0.3, clock=manual_clock))
    spec = CacheSpec("ads", "price")
    with connect("ads", "owner", settings=settings, dbname=prices, autocommit=True) as conn:

        def price(campaign_id):
            return lambda: conn.execute(
                "SELECT price FROM ads.cache_prices WHERE campaign_id = %s", (campaign_id,)
            ).fetchone()[0]

        def fetch(campaign_id):
            return cache.fetch(
                spec, {"id": campaign_id}, price(campaign_id), depends=[Scope("ads", "campaign", campaign_id)]
            )

        assert (fetch(1).outcome, fetch(1).outcome) == ("miss", "hit")
        assert CacheService(own).status().detail == "caching"

        server.stop()
        outcomes = [fetch(campaign_id) for campaign_id in (1, 2, 3, 1, 2, 3)]
        assert [lookup.value for lookup in outcomes] == [10, 20, 30, 10, 20, 30]
        assert {lookup.outcome for lookup in outcomes} == {"bypass"}
        # The breaker avoids waiting on the dead socket each call: until the retry interval has passed
        # (the clock has not moved), no operation is even attempted.
        attempted = []
        with pytest.raises(CacheUnavailable, match="retrying in 0.3s"):
            cache.connection.run(attempted.append)
        assert attempted == [] and cache.connection.breaker.is_open
        status = CacheService(own).status()
        assert not status.healthy and status.detail.startswith("degraded")
        assert any(entry["state"] == "open" for entry in read_health(own).values())

        # A committed write during the outage: its invalidation cannot reach Redis yet.
        conn.execute("UPDATE ads.cache_prices SET price = 11 WHERE campaign_id = 1")
        assert cache.bump(Scope("ads", "campaign", 1)) == {}

        assert server.start()  # same data (append-only file): the stale entry for campaign 1 is still there
        assert (fetch(1).outcome, fetch(1).value) == ("bypass", 11)  # the breaker waits for its interval …
        manual_clock.advance(300)  # … then the next call probes Redis again
        after = fetch(1)
        assert (after.outcome, after.value) == ("miss", 11)  # the missed bump was replayed first
        assert fetch(1).outcome == "hit"
        assert fetch(2).outcome == "miss" and fetch(2).outcome == "hit"
        assert not cache.connection.breaker.is_open
        assert CacheService(own).status().detail == "caching (past outages: 1)"
    cache.close()


def test_a_tripped_breaker_leaves_the_sockets_other_threads_are_using(own_valkey):
    """When one call finds Redis down, only idle pooled sockets are dropped: a socket another thread is
    reading from stays whole (closing it under the reader broke redis-py's parser — an internal error
    instead of a cache bypass, seen under load)."""
    own, server = own_valkey
    connection = CacheConnection(server.url, settings=own, retry_interval=30)
    in_use = connection.client.connection_pool.get_connection()
    try:
        in_use.send_command("PING")

        def down(_client):
            raise redis.ConnectionError("connection reset by peer")

        with pytest.raises(CacheUnavailable):
            connection.run(down)
        assert connection.breaker.is_open
        assert in_use.read_response() in (True, b"PONG", "PONG")  # the other thread's reply is still readable
    finally:
        connection.client.connection_pool.release(in_use)
        connection.close()


def test_breaker_states_recorded_by_many_threads_at_once_all_land(own_valkey):
    """Every thread of a worker may record the breaker's state at the same moment: no write fails, and the
    health file ends up whole with this process's entry."""
    own, _server = own_valkey
    failures: list[BaseException] = []

    def record(n: int) -> None:
        try:
            for i in range(25):
                record_health(own, BreakerState(state="open", last_error=f"thread {n} try {i}"))
        except BaseException as error:  # collected: a thread's exception would not fail the test by itself
            failures.append(error)

    threads = [threading.Thread(target=record, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    entry = read_health(own)[str(os.getpid())]
    assert entry["state"] == "open" and entry["last_error"].startswith("thread ")
    assert not list(health_path(own).parent.glob("*.tmp"))  # no temporary file left behind

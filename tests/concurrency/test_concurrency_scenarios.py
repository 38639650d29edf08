"""SPEC R11: every concurrency anomaly shows with the unsafe procedure and never with the safe one.

Each scenario runs REPETITIONS times per mode on real CRM tables (a private clone with a few rows), with
the final data checked every time, and nothing left locked or open afterwards (pg_stat_activity/pg_locks).
"""

from __future__ import annotations

import psycopg
import pytest

from promptsales.crm.concurrency import deadlock_cascade, dirty_read, incorrect_summary, lost_update
from promptsales.runtime.valkey import ValkeyServer

REPETITIONS = 20
FAST_DEADLOCK_MS = 50


def _run_many(run, dsn: str, safe: bool, **kwargs):
    results = [run(dsn, safe=safe, **kwargs) for _ in range(REPETITIONS)]
    for result in results:
        assert result.leaks == [], f"run {result.run_id} left {result.leaks}"
    return results


@pytest.mark.usefixtures("no_leaks")
def test_deadlock_cascade_unsafe_always_picks_one_victim(app_dsn):
    """R11 cascading deadlock: T1→T2→T3→T1 — exactly one 40P01 victim (PCC03) per run, the others commit."""
    for result in _run_many(deadlock_cascade.run, app_dsn, False, deadlock_timeout_ms=FAST_DEADLOCK_MS):
        assert result.anomaly
        assert len(result.facts["victims"]) == 1, result.timeline.rows()
        assert set(result.facts["errors"].values()) == {"PCC03"}
        assert len(result.facts["committed"]) == 2
        assert result.final_ok, result.checks  # the victim's transfer left no trace, the others are complete


@pytest.mark.usefixtures("no_leaks")
def test_deadlock_cascade_safe_commits_all_three(app_dsn):
    """R11 fix: one global lock order (+ retry) — all three transfers commit, first attempt, amounts exact."""
    for result in _run_many(deadlock_cascade.run, app_dsn, True, deadlock_timeout_ms=FAST_DEADLOCK_MS):
        assert not result.anomaly
        assert result.facts["committed"] == ["T1", "T2", "T3"]
        assert result.facts["attempts"] == {"T1": 1, "T2": 1, "T3": 1}
        assert result.final_ok, result.checks


@pytest.mark.usefixtures("no_leaks")
def test_lost_update_unsafe_loses_one_adjustment(app_dsn):
    """R11 lost update: both calls commit, the final score lacks one of the two deltas."""
    for result in _run_many(lost_update.run, app_dsn, False):
        assert result.anomaly
        before, after = result.facts["before"], result.facts["after"]
        assert after in (before + 5, before + 7)
        assert result.facts["committed"] == ["S1", "S2"]
        assert not result.final_ok


@pytest.mark.usefixtures("no_leaks")
def test_lost_update_safe_keeps_both_adjustments(app_dsn):
    """R11 fix (atomic UPDATE): the final score is the start + 5 + 7."""
    for result in _run_many(lost_update.run, app_dsn, True):
        assert not result.anomaly
        assert result.facts["after"] == result.facts["before"] + 12
        assert result.final_ok


@pytest.mark.usefixtures("no_leaks")
def test_incorrect_summary_unsafe_reports_a_total_that_never_existed(app_dsn):
    """R11 incorrect summary: the per-statement total misses the amount moved mid-way."""
    for result in _run_many(incorrect_summary.run, app_dsn, False):
        facts = result.facts
        assert facts["true_before"] == facts["true_after"]
        assert result.anomaly
        assert facts["true_before"] - facts["reported"] == incorrect_summary.TRANSFER
        assert result.final_ok  # the data itself is fine; only the report was wrong


@pytest.mark.usefixtures("no_leaks")
def test_incorrect_summary_safe_reports_the_true_total(app_dsn):
    """R11 fix (REPEATABLE READ): the total equals the true one although the transfer committed mid-way."""
    for result in _run_many(incorrect_summary.run, app_dsn, True):
        assert not result.anomaly
        assert result.facts["reported"] == result.facts["true_before"]
        assert result.facts["transfer_ok"]
        assert result.final_ok


@pytest.fixture
def redis_url(settings):
    url = ValkeyServer(settings).url
    assert url, "the session's Valkey must be running"
    return url


@pytest.mark.usefixtures("no_leaks")
def test_dirty_read_never_happens_in_postgresql_but_happens_through_the_cache(app_dsn, redis_url):
    """R11 dirty read: READ UNCOMMITTED in PostgreSQL returns the committed value (every run); the value
    published to Valkey before COMMIT is read, then rolled back in the database, and stays in the cache."""
    for result in _run_many(dirty_read.run, app_dsn, False, redis_url=redis_url):
        facts = result.facts
        assert facts["pg_isolation"] == "read uncommitted"
        assert facts["pg_read"] == facts["before"] != facts["uncommitted"]
        assert result.anomaly
        assert facts["cache_read"] == facts["uncommitted"]
        assert facts["rolled_back"] and facts["db_after"] == facts["before"]
        assert facts["cache_after"] == facts["uncommitted"]  # the phantom value outlives the rollback


@pytest.mark.usefixtures("no_leaks")
def test_dirty_read_safe_publishes_only_after_commit(app_dsn, redis_url):
    """R11 fix: publish after COMMIT — nothing uncommitted ever reaches readers or the cache."""
    for result in _run_many(dirty_read.run, app_dsn, True, redis_url=redis_url):
        facts = result.facts
        assert facts["pg_read"] == facts["before"]
        assert not result.anomaly
        assert facts["cache_read"] == facts["before"]
        assert facts["cache_after"] in (None, facts["before"])
        assert result.final_ok


def test_publish_after_commit_does_publish_a_committed_value(app_dsn, redis_url):
    """The safe publisher is not just silent: after a successful COMMIT the new value reaches the cache."""
    import redis

    from promptsales.crm.concurrency.cache_publish import PublishAfterCommit, read_through

    cache = redis.Redis.from_url(redis_url)
    key = "crm:lab:test:lead:committed:score"
    cache.delete(key)
    publisher = PublishAfterCommit(cache)
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        lead = conn.execute("SELECT min(lead_id) FROM crm.leads").fetchone()[0]
        with conn.transaction():
            new = conn.execute("CALL crm.crmsp_adjust_lead_score_safe(%s, 1, NULL, NULL)", (lead,)).fetchone()[0]
            publisher.publish(key, new)
            assert cache.get(key) is None  # not before the commit
        publisher.after_commit()
        assert read_through(cache, key, lambda: -1) == (new, "cache hit")
        conn.execute("UPDATE crm.leads SET score = score - 1 WHERE lead_id = %s", (lead,))
    cache.delete(key)
    cache.close()


@pytest.mark.usefixtures("no_leaks")
def test_labs_leave_the_data_as_they_found_it(app_dsn, redis_url):
    """Every scenario restores the amounts and scores it touched (only crm.logs keeps its evidence)."""
    fingerprint = (
        "SELECT (SELECT sum(sale_id * amount) FROM crm.sales), (SELECT sum(lead_id * score) FROM crm.leads), "
        "(SELECT sum(amount) FROM crm.sales)"
    )
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        before = conn.execute(fingerprint).fetchone()
        for safe in (False, True):
            deadlock_cascade.run(app_dsn, safe=safe, deadlock_timeout_ms=FAST_DEADLOCK_MS)
            lost_update.run(app_dsn, safe=safe)
            incorrect_summary.run(app_dsn, safe=safe)
            dirty_read.run(app_dsn, safe=safe, redis_url=redis_url)
        assert conn.execute(fingerprint).fetchone() == before

"""Cache-aside over a real PostgreSQL table and the real Valkey (SPEC D1, G2; issue 10 acceptance 1).

A repeated read is a hit; after a committed write (which bumps the scope after COMMIT) or an ETL-style
company bump, the next read returns the new answer. Values computed inside an open transaction are
published only after it commits — the "dirty read through the cache" of docs/architecture.md §2.
"""

from __future__ import annotations

import psycopg
import pytest

from promptsales.cache import CacheSpec, Scope, after_commit, cached
from promptsales.cache.temporary import etl_run_finished
from promptsales.db.connect import connect


@pytest.fixture
def budgets(settings, clone_db):
    """A private PromptAds copy with a small table of campaign budgets."""
    dbname = clone_db("ads")
    with connect("ads", "owner", settings=settings, dbname=dbname) as conn:
        conn.execute("CREATE TABLE ads.cache_probe (campaign_id int PRIMARY KEY, budget numeric NOT NULL)")
        conn.execute("INSERT INTO ads.cache_probe VALUES (1, 100), (2, 200)")
        conn.commit()
    return dbname


def test_repeat_hits_and_committed_write_invalidates(settings, cache, budgets, unique):
    calls = []

    def read_budget(conn, campaign_id):
        calls.append(campaign_id)
        return {
            "campaign_id": campaign_id,
            "budget": float(
                conn.execute("SELECT budget FROM ads.cache_probe WHERE campaign_id = %s", (campaign_id,)).fetchone()[0]
            ),
        }

    @cached(
        "ads", f"budget_{unique}", depends=lambda a: [Scope("ads", "campaign", a["campaign_id"])], cache=lambda: cache
    )
    def budget(conn, campaign_id: int) -> dict:
        return read_budget(conn, campaign_id)

    @cached("ads", f"total_{unique}", depends=lambda a: [Scope("ads", "campaign")], cache=lambda: cache)
    def total(conn) -> float:
        calls.append("total")
        return float(conn.execute("SELECT sum(budget) FROM ads.cache_probe").fetchone()[0])

    with connect("ads", "owner", settings=settings, dbname=budgets, autocommit=True) as conn:
        assert budget(conn, 1) == {"campaign_id": 1, "budget": 100.0}
        assert budget(conn, 1) == {"campaign_id": 1, "budget": 100.0}
        assert budget(conn, 2)["budget"] == 200.0
        assert total(conn) == 300.0 and total(conn) == 300.0
        assert calls == [1, 2, "total"]  # second calls were hits
        assert cache.local["hits"] == 2

    with connect("ads", "owner", settings=settings, dbname=budgets) as writer:
        with after_commit(writer) as pending:
            writer.execute("UPDATE ads.cache_probe SET budget = 150 WHERE campaign_id = 1")
            pending.add(lambda: cache.bump(Scope("ads", "campaign", 1)))

    with connect("ads", "owner", settings=settings, dbname=budgets, autocommit=True) as conn:
        assert budget(conn, 1)["budget"] == 150.0  # entity bumped
        assert budget(conn, 2)["budget"] == 200.0  # untouched campaign still cached
        assert total(conn) == 350.0  # the collection was bumped with its member
        assert calls == [1, 2, "total", 1, "total"]


def test_etl_run_bumps_the_company(settings, cache, budgets, unique):
    spec = CacheSpec("ads", f"report_{unique}", kind="report")
    with connect("ads", "owner", settings=settings, dbname=budgets, autocommit=True) as conn:

        def compute():
            return float(conn.execute("SELECT sum(budget) FROM ads.cache_probe").fetchone()[0])

        assert cache.fetch(spec, {}, compute).outcome == "miss"
        assert cache.fetch(spec, {}, compute).outcome == "hit"
        conn.execute("UPDATE ads.cache_probe SET budget = budget + 1")
        assert cache.fetch(spec, {}, compute).value == 300.0  # stale until the ETL says otherwise
        etl_run_finished(cache, {"run_id": f"r{unique}", "rows": 2}, companies=("ads",))
        fresh = cache.fetch(spec, {}, compute)
        assert (fresh.outcome, fresh.value) == ("miss", 302.0)


def test_value_computed_in_open_transaction_is_published_only_after_commit(settings, cache, budgets, unique):
    spec = CacheSpec("ads", f"pending_{unique}")
    with connect("ads", "owner", settings=settings, dbname=budgets) as conn:
        with after_commit(conn) as pending:
            conn.execute("UPDATE ads.cache_probe SET budget = 999 WHERE campaign_id = 2")
            lookup = cache.fetch(
                spec,
                {"id": 2},
                lambda: float(conn.execute("SELECT budget FROM ads.cache_probe WHERE campaign_id = 2").fetchone()[0]),
                pending=pending,
            )
            assert lookup.value == 999.0
            assert cache.connection.client.get(lookup.key) is None  # not visible while uncommitted
        assert cache.connection.client.get(lookup.key) == b"999.0"

    with connect("ads", "owner", settings=settings, dbname=budgets) as conn:
        with pytest.raises(RuntimeError, match="boom"):
            with after_commit(conn) as pending:
                conn.execute("UPDATE ads.cache_probe SET budget = 5 WHERE campaign_id = 1")
                lookup = cache.fetch(spec, {"id": 1}, lambda: 5.0, pending=pending)
                raise RuntimeError("boom")
        assert cache.connection.client.get(lookup.key) is None  # rolled back: never published
        assert cache.connection.client.exists("ps:lock:" + lookup.key[3:]) == 0  # lock released


def test_after_commit_refuses_a_nested_transaction(settings, budgets):
    with connect("ads", "owner", settings=settings, dbname=budgets) as conn:
        conn.execute("SELECT 1")  # opens an implicit transaction
        with pytest.raises(RuntimeError, match="outermost"):
            with after_commit(conn):
                pass


def test_errors_are_not_cached_and_release_the_lock(cache, unique):
    spec = CacheSpec("ads", f"fails_{unique}")
    with pytest.raises(psycopg.errors.DivisionByZero):
        cache.fetch(spec, {}, lambda: (_ for _ in ()).throw(psycopg.errors.DivisionByZero("x")))
    assert cache.fetch(spec, {}, lambda: 7).outcome == "miss"
    assert cache.fetch(spec, {}, lambda: 8).value == 7


def test_pydantic_results_round_trip(cache, unique):
    from pydantic import BaseModel

    class Result(BaseModel):
        name: str
        reach: int

    @cached("content", f"model_{unique}", cache=lambda: cache, result_type=Result)
    def lookup(name: str) -> Result:
        return Result(name=name, reach=len(name))

    first, second = lookup("winter"), lookup("winter")
    assert isinstance(second, Result) and second == first == Result(name="winter", reach=6)


def test_a_lost_generation_counter_never_resurrects_old_entries(cache, unique):
    """Counters are recreated at the server clock (µs): after expiry, eviction or deletion the new value
    is above every old one, so entries written under old generations stay unreachable."""
    spec = CacheSpec("content", f"lost_{unique}")
    scope = Scope("content", "media", unique)
    assert cache.fetch(spec, {}, lambda: "v1", depends=[scope]).outcome == "miss"
    before = int(cache.connection.client.get(scope.counter_key))
    cache.bump(scope)
    assert cache.fetch(spec, {}, lambda: "v2", depends=[scope]).value == "v2"
    cache.connection.client.delete(scope.counter_key)  # as if evicted or expired
    after = cache.fetch(spec, {}, lambda: "v3", depends=[scope])
    assert (after.outcome, after.value) == ("miss", "v3")
    assert int(cache.connection.client.get(scope.counter_key)) > before + 1
    assert 0 < cache.connection.client.pttl(scope.counter_key) <= 8 * 86400 * 1000


def test_an_answer_without_declared_dependencies_follows_every_write_of_its_company(cache, unique):
    calls = []

    @cached("content", f"undeclared_{unique}", cache=lambda: cache)
    def overview() -> int:
        calls.append(1)
        return len(calls)

    @cached(
        "content",
        f"declared_{unique}",
        depends=lambda a: [Scope("content", "media", a["media_id"])],
        cache=lambda: cache,
    )
    def media(media_id: str) -> str:
        calls.append(media_id)
        return media_id

    assert (overview(), overview(), media("m1"), media("m1")) == (1, 1, "m1", "m1")
    cache.bump(Scope("content", "media", f"other{unique}"))  # a write to another media item
    assert overview() == 3  # undeclared: recomputed after any write in PromptContent
    assert media("m1") == "m1" and calls == [1, "m1", 1]  # declared and untouched: still cached
    cache.bump(Scope("ads", "campaign", 1))
    assert overview() == 3  # writes elsewhere do not matter

"""Scenario ``crm.dirty-read``: where a dirty read really happens in this architecture.

Part 1 — PostgreSQL: W raises a lead's score inside an open transaction; R reads the lead at
``READ UNCOMMITTED`` and gets the committed value. PostgreSQL accepts READ UNCOMMITTED but runs it as
READ COMMITTED (MVCC: a snapshot never contains another transaction's uncommitted rows).

Part 2 — the cache: W's business operation "qualify a lead" raises the score
(crm.crmsp_adjust_lead_score_safe, inside W's transaction) and then moves the lead to the 'qualified'
funnel stage (crm.crmsp_advance_lead_stage). Unsafe: W publishes the new score to Redis right after the
first step; R reads it through the cache; the second step is refused (the lead is closed) and W rolls back.
R has seen — and the cache still serves — a score that was never committed. Safe: W publishes only after
its COMMIT succeeds; after the rollback nothing is published and R reads the committed score.
"""

from __future__ import annotations

from promptsales.crm.concurrency.cache_publish import PublishAfterCommit, PublishNow, read_through
from promptsales.crm.concurrency.harness import LabRun
from promptsales.crm.concurrency.result import ScenarioResult
from promptsales.crm.concurrency.rows import lead_score, pick_lead, restore_lead_score
from promptsales.runtime.valkey import redis_client

NAME = "dirty-read"
DELTA = 10


def cache_key(run_id: str, lead_id: int) -> str:
    """Cache key of a lead's score in the lab's namespace (``crm:lab:<run>:lead:<id>:score``)."""
    return f"crm:lab:{run_id}:lead:{lead_id}:score"


def run(
    conninfo: str,
    *,
    safe: bool,
    redis_url: str,
    lead_id: int | None = None,
    restore: bool = True,
    deadlock_timeout_ms: int | None = None,
) -> ScenarioResult:
    """Run part 1 (PostgreSQL) and part 2 (cache) once, with the unsafe or the safe publisher."""
    mode = "safe" if safe else "unsafe"
    cache = redis_client(redis_url, socket_timeout=5)
    with LabRun(conninfo, NAME, deadlock_timeout_ms) as lab:
        lead = lead_id or pick_lead(lab.coordinator, closed=True, max_score=100 - DELTA)
        before = lead_score(lab.coordinator, lead)
        key = cache_key(lab.run_id, lead)
        lab.note("rows", f"lead {lead} (closed funnel stage), committed score {before}; cache key {key}")
        writer, reader = lab.session("W"), lab.session("R")
        publisher = PublishAfterCommit(cache) if safe else PublishNow(cache)
        load = lambda: lead_score(reader.conn, lead)  # noqa: E731 - R's own database read

        writer.call("BEGIN (qualify lead)", "BEGIN")
        step1 = writer.call(
            f"crmsp_adjust_lead_score_safe(lead {lead}, {DELTA:+d}) inside W's transaction",
            "CALL crm.crmsp_adjust_lead_score_safe(%s, %s, NULL, NULL)",
            (lead, DELTA),
        )
        uncommitted = step1.returned()[0] if step1.ok else None

        # Part 1: PostgreSQL never shows it, even at READ UNCOMMITTED
        reader.call("BEGIN ISOLATION LEVEL READ UNCOMMITTED", "BEGIN ISOLATION LEVEL READ UNCOMMITTED")
        pg_read = reader.call(
            "read the score in the database",
            "SELECT score, current_setting('transaction_isolation') FROM crm.leads WHERE lead_id = %s",
            (lead,),
        )
        reader.call("COMMIT", "COMMIT")

        # Part 2: the cache
        writer.record("publish the new score to the cache", publisher.publish(key, uncommitted))
        cached_value, source = read_through(cache, key, load)
        reader.record("read the score through the cache", f"{cached_value} ({source})")
        step2 = writer.call(
            f"crmsp_advance_lead_stage(lead {lead}, 'qualified')",
            "CALL crm.crmsp_advance_lead_stage(%s, %s)",
            (lead, "qualified"),
        )
        if step2.ok:
            writer.call("COMMIT", "COMMIT")
            writer.record("after the commit", publisher.after_commit())
        else:
            writer.call("ROLLBACK (the business operation failed)", "ROLLBACK")
            writer.record("after the rollback", publisher.after_rollback())
        after = lead_score(lab.coordinator, lead)
        cached_after = cache.get(key)
        cache_after = int(cached_after) if cached_after is not None else None
        lab.note("final state", f"database score {after}; cache {cache_after}")

        result = ScenarioResult(NAME, mode, lab.run_id, lab.timeline)
        pg_value, pg_isolation = pg_read.returned() if pg_read.ok else (None, None)
        result.facts = {
            "lead": lead,
            "before": before,
            "uncommitted": uncommitted,
            "pg_read": pg_value,
            "pg_isolation": pg_isolation,
            "cache_read": cached_value,
            "cache_source": source,
            "rolled_back": not step2.ok,
            "db_after": after,
            "cache_after": cache_after,
            "second_step_error": step2.sqlstate,
        }
        result.check("PostgreSQL read at READ UNCOMMITTED = committed score", before, pg_value)
        result.check("score read through the cache = committed score", before, cached_value)
        result.check("database score after the rollback", before, after)
        result.check("cache after the run holds no uncommitted value", True, cache_after in (None, before))
        result.anomaly = cached_value != before
        result.final_ok = (
            (not step2.ok) and after == before and pg_value == before and (not safe or cache_after in (None, before))
        )
        if result.anomaly:
            result.outcome = (
                f"Dirty read through the cache: R read score {cached_value} from Redis while W's transaction "
                f"was open; W rolled back ({step2.sqlstate}), the database still says {after} and the cache "
                f"still serves {cache_after}. PostgreSQL itself, at {pg_isolation}, returned {pg_value}."
            )
        else:
            result.outcome = (
                f"No dirty read: PostgreSQL ({pg_isolation}) returned {pg_value}, the cache returned "
                f"{cached_value} ({source}); after W's rollback database = {after}, cache = {cache_after}."
            )
        cache.delete(key)
        if restore:
            restore_lead_score(lab.coordinator, lead, before)
    cache.close()
    result.leaks = lab.leaks
    return result

"""Temporary results shared through Redis: ETL run summaries, proposal progress and named locks.

These are not caches of database answers but short-lived working state: every key has a TTL, and the
database stays the record (``etl.runs``, the proposal's steps); Redis only makes them cheap to poll.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from promptsales.cache import serialise
from promptsales.cache.connection import CacheUnavailable
from promptsales.cache.core import Cache
from promptsales.cache.keys import PREFIX, Scope
from promptsales.errors import UserError

ETL_RUN_TTL = 7 * 86400
ETL_RUNS_KEPT = 50
PROPOSAL_TTL = 86400
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


class LockBusy(UserError):
    """Another process holds the named lock."""


@contextmanager
def named_lock(cache: Cache, name: str, ttl_ms: int = 60_000, wait: float = 0.0) -> Iterator[str]:
    """Hold ``ps:lock:named:{name}`` (``SET NX PX``) for the block; released only by its owner.

    Waits up to ``wait`` seconds for it, then raises :class:`LockBusy`. With Redis down the block runs
    unguarded (logged by the breaker): use a database advisory lock where exclusion is a correctness
    requirement rather than an optimisation.
    """
    key = f"{PREFIX}:lock:named:{name}"
    token = uuid.uuid4().hex
    deadline = time.monotonic() + wait
    held = False
    try:
        while True:
            try:
                held = bool(cache._redis(lambda client: client.set(key, token, nx=True, px=ttl_ms)))
            except CacheUnavailable:
                break
            if held:
                break
            if time.monotonic() >= deadline:
                raise LockBusy(f"Lock {name!r} is held by another process; try again later.")
            time.sleep(0.05)
        yield token
    finally:
        if held:
            try:
                cache._redis(lambda client: client.eval(_RELEASE, 1, key, token))
            except CacheUnavailable:
                pass


def etl_run_finished(
    cache: Cache,
    summary: Mapping[str, Any],
    changed: Mapping[str, Iterable[Any]] | None = None,
    companies: Iterable[str] = ("sales",),
) -> dict[str, int]:
    """What the ETL calls after each committed run: invalidate, then keep the run summary for 7 days.

    Without ``changed`` the whole company generation is bumped (O(1), every warehouse answer refreshes).
    With ``changed={"campaign": [ids...]}`` only those campaigns and the collection lists are bumped,
    so answers about untouched campaigns stay cached.
    """
    if changed:
        scopes = [
            Scope(company, collection, entity)
            for company in companies
            for collection, ids in changed.items()
            for entity in ids
        ]
        bumped = cache.bump(*scopes) if scopes else {}
    else:
        bumped = cache.bump(*(Scope(company) for company in companies))
    record = {**summary, "finished_at": summary.get("finished_at", time.time()), "bumped": len(bumped)}
    run_id = str(summary.get("run_id") or uuid.uuid4().hex[:12])
    payload = serialise.dumps(record)

    def store(client):
        pipe = client.pipeline(transaction=True)
        pipe.set(f"{PREFIX}:tmp:etl:run:{run_id}", payload, ex=ETL_RUN_TTL)
        pipe.lpush(f"{PREFIX}:tmp:etl:runs", run_id)
        pipe.ltrim(f"{PREFIX}:tmp:etl:runs", 0, ETL_RUNS_KEPT - 1)
        pipe.expire(f"{PREFIX}:tmp:etl:runs", ETL_RUN_TTL)
        return pipe.execute()

    try:
        cache._redis(store)
    except CacheUnavailable:
        pass
    return bumped


def recent_etl_runs(cache: Cache, limit: int = 10) -> list[dict[str, Any]]:
    """The latest ETL run summaries (newest first) still in Redis."""

    def read(client):
        ids = client.lrange(f"{PREFIX}:tmp:etl:runs", 0, limit - 1)
        if not ids:
            return []
        return client.mget([f"{PREFIX}:tmp:etl:run:{run_id.decode()}" for run_id in ids])

    try:
        return [serialise.loads(raw) for raw in cache._redis(read) if raw is not None]
    except CacheUnavailable:
        return []


def set_proposal_step(cache: Cache, proposal_id: str | int, step: str, status: str, detail: Any = None) -> None:
    """Record the progress of one step of an approval (polled by clients while the flow runs)."""
    key = f"{PREFIX}:tmp:proposal:{proposal_id}"
    value = json.dumps({"status": status, "detail": detail, "at": time.time()}, default=str)

    def store(client):
        pipe = client.pipeline(transaction=True)
        pipe.hset(key, step, value)
        pipe.expire(key, PROPOSAL_TTL)
        return pipe.execute()

    try:
        cache._redis(store)
    except CacheUnavailable:
        pass


def proposal_progress(cache: Cache, proposal_id: str | int) -> dict[str, dict]:
    """Every recorded step of a proposal's approval, by step name (empty when unknown or Redis is down)."""
    try:
        raw = cache._redis(lambda client: client.hgetall(f"{PREFIX}:tmp:proposal:{proposal_id}"))
    except CacheUnavailable:
        return {}
    return {step.decode(): json.loads(value) for step, value in raw.items()}


def after_etl_pass(settings: Any, report: Mapping[str, Any]) -> dict[str, int]:
    """The ETL's hook after a recorded pass that succeeded: bump the PromptSales generation when it wrote
    warehouse rows (every cached warehouse answer becomes a miss), and the generation of each operational
    source (``ads``, ``crm``) in which it captured committed changes — the change capture sees every write,
    including those made outside the MCP tools (SQL, labs, seeds), so cached PromptAds/PromptCRM answers
    (``client360``, ``campaignSales``…) never outlive such a write by more than one ETL cycle. Then keep the
    run summary. Never raises: a cache problem must not fail an ETL run (it is logged by the breaker)."""
    if report.get("status") != "succeeded":
        return {}
    changed_sources = [
        source for source in ("ads", "crm") if report.get("full_load") or (report.get("changes_read") or {}).get(source)
    ]
    companies = (["sales"] if sum((report.get("rows_written") or {}).values()) else []) + changed_sources
    if not companies:
        return {}
    try:
        from promptsales.cache.instances import get_cache

        return etl_run_finished(get_cache(settings), report, companies=companies)
    except Exception:  # noqa: BLE001
        import logging

        logging.getLogger("promptsales.cache").exception("cache: could not record the ETL pass")
        return {}

"""Cache-aside with single-flight, generation-counter invalidation and graceful degradation.

``Cache.get_or_compute`` serves a value from Redis when the current generations of its scopes match;
otherwise exactly one caller (the holder of a ``SET NX PX`` lock) computes it from the source while the
others poll for the published value. With Redis down every call computes from the source.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from promptsales.cache import keys, serialise
from promptsales.cache.commit import PendingActions
from promptsales.cache.connection import CacheConnection, CacheUnavailable
from promptsales.cache.keys import KINDS, Scope
from promptsales.config import Settings
from promptsales.errors import UserError

log = logging.getLogger("promptsales.cache")

#: Read a value and count the hit or miss in the same round trip.
_GET_AND_COUNT = """
local value = redis.call('GET', KEYS[1])
if value then
  redis.call('HINCRBY', KEYS[2], 'hits', 1)
  redis.call('HINCRBY', KEYS[2], 'hits:' .. ARGV[1], 1)
else
  redis.call('HINCRBY', KEYS[2], 'misses', 1)
  redis.call('HINCRBY', KEYS[2], 'misses:' .. ARGV[1], 1)
end
return value
"""

#: Publish a value and release the lock only if we still own it.
_PUBLISH_AND_RELEASE = """
redis.call('SET', KEYS[1], ARGV[1], 'EX', tonumber(ARGV[2]))
redis.call('HINCRBY', KEYS[3], 'computes', 1)
if redis.call('GET', KEYS[2]) == ARGV[3] then redis.call('DEL', KEYS[2]) end
return 1
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

#: Read generation counters, creating missing ones at the server clock in microseconds (see generations()).
_GENERATIONS = """
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2]))
local values = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then
    redis.call('SET', key, now, 'PX', tonumber(ARGV[1]))
    value = now
  end
  values[i] = value
end
return values
"""

#: A hit in one round trip: read the generation counters (creating missing ones as _GENERATIONS does),
#: build the entry key exactly as keys.entry_key does (counters in base 36, dot-separated), GET it and count
#: the hit (and, when ``count_misses``, the miss). Locals it expects: ``counter_count`` (the first KEYS),
#: ``stats_key``, ``counter_ttl``, ``head``, ``tail``, ``label``, ``count_misses``; it leaves ``key`` and ``value`` (nil on a miss). (The entry key is computed
#: here, not passed in KEYS: like the other scripts, this assumes one Redis/Valkey node, not a cluster.)
LOOKUP_STEP = """
local t = redis.call('TIME')
local now_us = t[1] .. string.format('%06d', tonumber(t[2]))
local digits = '0123456789abcdefghijklmnopqrstuvwxyz'
local parts = {}
for i = 1, counter_count do
  local counter = redis.call('GET', KEYS[i])
  if not counter then
    redis.call('SET', KEYS[i], now_us, 'PX', tonumber(counter_ttl))
    counter = now_us
  end
  local number = tonumber(counter)
  local text = ''
  repeat
    local remainder = number % 36
    text = string.sub(digits, remainder + 1, remainder + 1) .. text
    number = (number - remainder) / 36
  until number == 0
  parts[i] = text
end
local key = head .. ':v' .. table.concat(parts, '.') .. ':' .. tail
local value = redis.call('GET', key)
if value then
  redis.call('HINCRBY', stats_key, 'hits', 1)
  redis.call('HINCRBY', stats_key, 'hits:' .. label, 1)
elseif count_misses then
  redis.call('HINCRBY', stats_key, 'misses', 1)
  redis.call('HINCRBY', stats_key, 'misses:' .. label, 1)
end
"""

#: The lookup alone. KEYS: counter keys…, stats; ARGV: counter TTL, key head, key tail, stats label.
#: Returns {key, value or nil}.
_LOOKUP = (
    """
local counter_count = #KEYS - 1
local stats_key = KEYS[#KEYS]
local counter_ttl, head, tail, label = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local count_misses = true
"""
    + LOOKUP_STEP
    + "return {key, value}\n"
)

#: Increment generation counters (the last key is the stats hash), creating missing ones first.
_BUMP = """
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2]))
local values = {}
for i = 1, #KEYS - 1 do
  if redis.call('EXISTS', KEYS[i]) == 0 then redis.call('SET', KEYS[i], now) end
  values[i] = redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[1]))
end
redis.call('HINCRBY', KEYS[#KEYS], 'bumps', #KEYS - 1)
return values
"""

#: Counters outlive the longest entry TTL (7 days) so live entries rarely miss for a lost counter; a
#: counter that expires anyway is recreated above its old value (see generations()), so it is safe.
_COUNTER_TTL_MS = 8 * 86400 * 1000
_MAX_MISSED_SCOPES = 1000


@dataclass(frozen=True)
class CacheSpec:
    """How one tool's answers are cached: namespace, kind (TTL) and the scopes that change the answer."""

    company: str
    name: str
    kind: str = "tool"
    permission_scopes: tuple[str, ...] = ()
    ttl_seconds: int | None = None

    def __post_init__(self) -> None:
        if self.company not in keys.COMPANIES:
            raise UserError(f"Unknown company {self.company!r} in a cache spec.")
        if self.kind not in KINDS:
            raise UserError(f"Unknown cache kind {self.kind!r}; expected one of {', '.join(KINDS)}.")

    @property
    def ttl(self) -> int:
        """Seconds a value lives (the kind's TTL unless overridden)."""
        return self.ttl_seconds or KINDS[self.kind].ttl_seconds

    @property
    def label(self) -> str:
        """``company.name``, the per-tool field in the stats hash."""
        return f"{self.company}.{self.name}"


@dataclass
class Lookup:
    """A value and how it was obtained: ``hit``, ``miss`` (computed here), ``coalesced`` (computed by
    another caller while we waited) or ``bypass`` (Redis unavailable: computed from the source)."""

    value: Any
    outcome: str
    key: str | None = None


class Cache:
    """The shared cache: one instance per process (see :func:`promptsales.cache.get_cache`)."""

    def __init__(self, connection: CacheConnection, *, lock_ttl_ms: int = 15_000, wait_timeout: float = 15.0) -> None:
        self.connection = connection
        self.lock_ttl_ms = lock_ttl_ms
        self.wait_timeout = wait_timeout
        self.local: Counter[str] = Counter()  # this process's outcomes, including those Redis never saw
        self._missed_bumps: set[Scope] = set()
        self._missed_lock = threading.Lock()
        self._scripts: dict[str, Any] = {}

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> Cache:
        """A cache on the configured Redis (external URL or the embedded Valkey)."""
        from promptsales.cache.settings import CacheSettings
        from promptsales.runtime.profile import valkey_server

        tunables = CacheSettings()
        options.setdefault("lock_ttl_ms", tunables.lock_ttl_ms)
        options.setdefault("wait_timeout", tunables.lock_ttl_ms / 1000)
        connection = CacheConnection(
            valkey_server(settings).url if tunables.enabled else "",
            settings=settings,
            socket_timeout=tunables.socket_timeout,
            retry_interval=tunables.retry_interval,
        )
        return cls(connection, **options)

    # --- low level -----------------------------------------------------------------------------------
    def _script(self, source: str) -> Any:
        """The registered Lua script (used inside :meth:`CacheConnection.run`, where the client exists)."""
        if source not in self._scripts:
            client = self.connection.client
            if client is None:
                raise CacheUnavailable("no Redis URL configured (is `promptsales up` done?)")
            self._scripts[source] = client.register_script(source)
        return self._scripts[source]

    def _redis(self, operation: Callable[[Any], Any]) -> Any:
        """Run a Redis operation; replay invalidations missed during an outage first."""
        if self._missed_bumps:
            self._replay_missed_bumps()
        return self.connection.run(operation)

    @property
    def available(self) -> bool:
        """False while the breaker is open (Redis considered down)."""
        return self.connection.client is not None and not self.connection.breaker.is_open

    # --- generations and invalidation ----------------------------------------------------------------
    def generations(self, company: str, depends: Iterable[Scope] = ()) -> list[int]:
        """Current counters of the company and of each scope, in one round trip.

        A missing counter (never used, expired, evicted or flushed) is created at the server's clock in
        microseconds, so a recreated counter is always above any value it had before: entries keyed
        with an old value can never become reachable again.
        """
        counter_keys = [Scope(company).counter_key] + [scope.counter_key for scope in depends]
        values = self._redis(lambda client: self._script(_GENERATIONS)(keys=counter_keys, args=[_COUNTER_TTL_MS]))
        return [int(value) for value in values]

    def bump(self, *scopes: Scope) -> dict[str, int]:
        """Invalidate everything that depends on these scopes (an entity bumps its collection too).

        O(1) per scope: one INCR each, in one atomic script. When Redis is down the bump is remembered
        and replayed as soon as Redis answers again, before any value is read.
        """
        targets = {parent for scope in scopes for parent in scope.with_parents()}
        ordered = sorted(targets, key=lambda scope: scope.counter_key)
        try:
            values = self.connection.run(
                lambda client: self._script(_BUMP)(
                    keys=[scope.counter_key for scope in ordered] + [keys.STATS_KEY], args=[_COUNTER_TTL_MS]
                )
            )
        except CacheUnavailable:
            self._remember_missed(ordered)
            return {}
        self.local["bumps"] += len(ordered)
        return {str(scope): int(value) for scope, value in zip(ordered, values)}

    def bump_company(self, company: str) -> dict[str, int]:
        """Invalidate every cached answer of a company (what each ETL run does for the warehouse)."""
        return self.bump(Scope(company))

    def _remember_missed(self, scopes: list[Scope]) -> None:
        with self._missed_lock:
            self._missed_bumps.update(scopes)
            if len(self._missed_bumps) > _MAX_MISSED_SCOPES:  # too many to track: invalidate whole companies
                self._missed_bumps = {Scope(scope.company) for scope in self._missed_bumps}
        log.warning("cache: invalidation of %s deferred until Redis answers", ", ".join(map(str, scopes)))

    def _replay_missed_bumps(self) -> None:
        with self._missed_lock:
            missed, self._missed_bumps = self._missed_bumps, set()
        if not missed:
            return

        try:
            self.connection.run(
                lambda client: self._script(_BUMP)(
                    keys=[scope.counter_key for scope in missed] + [keys.STATS_KEY], args=[_COUNTER_TTL_MS]
                )
            )
            log.warning("cache: replayed %d invalidations missed during the outage", len(missed))
        except CacheUnavailable:
            with self._missed_lock:
                self._missed_bumps |= missed
            raise

    # --- cache-aside with single-flight --------------------------------------------------------------
    def key_for(
        self, spec: CacheSpec, args: Mapping[str, Any], depends: Iterable[Scope] = (), caller_scopes: Iterable[str] = ()
    ) -> str:
        """The key where ``spec``'s answer to ``args`` for this caller lives right now."""
        generations = self.generations(spec.company, depends)
        permission = keys.permission_level(caller_scopes, spec.permission_scopes)
        return keys.entry_key(spec.company, spec.kind, spec.name, generations, permission, keys.args_digest(args))

    def get_or_compute(
        self, spec: CacheSpec, args: Mapping[str, Any], compute: Callable[[], Any], **options: Any
    ) -> Any:
        """The cached answer, or ``compute()``'s (published for the next caller). See :meth:`fetch`."""
        return self.fetch(spec, args, compute, **options).value

    def fetch(
        self,
        spec: CacheSpec,
        args: Mapping[str, Any],
        compute: Callable[[], Any],
        *,
        depends: Iterable[Scope] = (),
        caller_scopes: Iterable[str] = (),
        pending: PendingActions | None = None,
    ) -> Lookup:
        """Cache-aside read with single-flight.

        ``depends``: scopes whose bump invalidates this answer (the company is always one).
        ``caller_scopes``: the caller's OAuth scopes; those in ``spec.permission_scopes`` go into the key.
        ``pending``: from :func:`~promptsales.cache.commit.after_commit` when ``compute`` runs inside a
        transaction that is still open; the value is then published only after COMMIT.
        """
        script_keys, script_args = self.lookup_arguments(spec, args, depends, caller_scopes)
        try:  # generations, key, GET and hit/miss count: one round trip (same key as key_for)
            key, raw = self._redis(lambda client: self._script(_LOOKUP)(keys=script_keys, args=script_args))
        except CacheUnavailable:
            return self._bypass(compute)
        key = key.decode() if isinstance(key, bytes) else key
        if raw is not None:
            self.local["hits"] += 1
            return Lookup(serialise.loads(raw), "hit", key)
        self.local["misses"] += 1
        return self._single_flight(spec, key, compute, pending)

    def lookup_arguments(
        self, spec: CacheSpec, args: Mapping[str, Any], depends: Iterable[Scope], caller_scopes: Iterable[str]
    ) -> tuple[list[str], list[Any]]:
        """KEYS (counters…, stats) and ARGV of :data:`LOOKUP_STEP` for ``spec``'s answer to ``args``."""
        counter_keys = [Scope(spec.company).counter_key] + [scope.counter_key for scope in depends]
        permission = keys.permission_level(caller_scopes, spec.permission_scopes)
        head = f"{keys.PREFIX}:{spec.company}:{spec.kind}:{spec.name}"
        tail = f"{permission}:{keys.args_digest(args)}"
        return [*counter_keys, keys.STATS_KEY], [_COUNTER_TTL_MS, head, tail, spec.label]

    def _bypass(self, compute: Callable[[], Any]) -> Lookup:
        self.local["bypass"] += 1
        self.local["computes"] += 1
        return Lookup(compute(), "bypass")

    def _single_flight(
        self, spec: CacheSpec, key: str, compute: Callable[[], Any], pending: PendingActions | None
    ) -> Lookup:
        lock = keys.lock_key(key)
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait_timeout
        pause = 0.002
        while True:
            try:
                acquired = self._redis(lambda client: client.set(lock, token, nx=True, px=self.lock_ttl_ms))
                if acquired:
                    raw = self._redis(lambda client: client.get(key))  # published while we asked for the lock?
                    if raw is not None:
                        self._release(lock, token)
                        return Lookup(serialise.loads(raw), "coalesced", key)
                    return self._compute_and_publish(spec, key, lock, token, compute, pending)
                pipe_result = self._redis(
                    lambda client: client.pipeline(transaction=False).get(key).exists(lock).execute()
                )
            except CacheUnavailable:
                return self._bypass(compute)
            raw, lock_held = pipe_result
            if raw is not None:
                self.local["coalesced"] += 1
                return Lookup(serialise.loads(raw), "coalesced", key)
            if not lock_held:
                continue  # the holder gave up without publishing: try to take the lock ourselves
            if time.monotonic() >= deadline:
                log.warning("cache: waited %.1fs for %s; computing it here", self.wait_timeout, key)
                self.local["computes"] += 1
                return Lookup(compute(), "miss", key)
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    def _compute_and_publish(self, spec, key, lock, token, compute, pending) -> Lookup:
        try:
            self.local["computes"] += 1
            value = compute()
            payload = serialise.dumps(value)
        except BaseException:
            self._release(lock, token)
            raise
        publish = lambda: self._publish(key, payload, spec.ttl, lock, token)  # noqa: E731
        if pending is not None:
            pending.add(publish, on_rollback=lambda: self._release(lock, token))
        else:
            publish()
        return Lookup(value, "miss", key)

    def _publish(self, key: str, payload: bytes, ttl: int, lock: str, token: str) -> None:
        try:
            self._redis(
                lambda client: self._script(_PUBLISH_AND_RELEASE)(
                    keys=[key, lock, keys.STATS_KEY], args=[payload, ttl, token]
                )
            )
        except CacheUnavailable:
            pass  # the answer was returned; it just is not cached

    def _release(self, lock: str, token: str) -> None:
        try:
            self._redis(lambda client: self._script(_RELEASE)(keys=[lock], args=[token]))
        except CacheUnavailable:
            pass

    # --- counters and housekeeping ---------------------------------------------------------------------
    def count(self, **amounts: int) -> None:
        """Add to the shared counters (``ps:stats``); silently skipped when Redis is down."""
        self.local.update(amounts)
        try:

            def incr(client):
                pipe = client.pipeline(transaction=False)
                for name, amount in amounts.items():
                    pipe.hincrby(keys.STATS_KEY, name, amount)
                return pipe.execute()

            self._redis(incr)
        except CacheUnavailable:
            pass

    def flush(self) -> int:
        """Delete every cached value, AI cache entry and the counters; keep generations, rate limits, locks."""

        def delete(client):
            removed = 0
            for pattern in keys.FLUSH_PATTERNS:
                batch = []
                for name in client.scan_iter(match=pattern, count=1000):
                    batch.append(name)
                    if len(batch) >= 1000:
                        removed += client.unlink(*batch)
                        batch = []
                if batch:
                    removed += client.unlink(*batch)
            return removed

        return self._redis(delete)

    def close(self) -> None:
        """Close the Redis connections."""
        self.connection.close()

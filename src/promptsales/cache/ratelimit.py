"""Rate limiting per OAuth client: a token bucket kept in Redis and updated atomically by a Lua script.

Each client has a bucket of ``burst`` tokens refilled at ``rate`` tokens per second (Redis server time,
so every process agrees). A call takes one token; with none left it is refused with the time until one
is back. Buckets of idle clients expire. With Redis down the limiter lets calls through (fail open) and
counts them: availability (SPEC N3) wins over throttling, which protects capacity but is not a security
control — authentication and scopes still apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from promptsales.cache.connection import CacheUnavailable
from promptsales.cache.core import LOOKUP_STEP, Cache, CacheSpec
from promptsales.cache.keys import PREFIX, STATS_KEY, Scope
from promptsales.errors import UserError

#: Take ``cost`` tokens from a bucket refilled at ``rate``/s up to ``burst`` (``now``: ms, nil for Redis time).
#: Locals it expects: ``bucket_key``, ``stats_key``, ``rate``, ``burst``, ``cost``, ``now``; it leaves
#: ``allowed`` (1 or 0), ``tokens`` and ``retry_ms``.
_BUCKET_STEP = """
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', bucket_key, 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then tokens = math.min(burst, tokens + (now - ts) * rate / 1000) end
local allowed = 0
local retry_ms = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry_ms = math.ceil((cost - tokens) * 1000 / rate)
end
redis.call('HSET', bucket_key, 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', bucket_key, math.ceil(burst * 1000 / rate) + 1000)
if allowed == 1 then redis.call('HINCRBY', stats_key, 'rate_allowed', 1) else redis.call('HINCRBY', stats_key, 'rate_limited', 1) end
"""

#: KEYS: bucket, stats; ARGV: rate, burst, cost[, now ms]. Returns {allowed, tokens left, retry ms}.
_TOKEN_BUCKET = (
    """
local bucket_key, stats_key = KEYS[1], KEYS[2]
local rate, burst, cost, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
"""
    + _BUCKET_STEP
    + "return {allowed, math.floor(tokens), retry_ms}\n"
)

#: The rate limit and, when the call is allowed, the cache lookup — one round trip for a cached read.
#: KEYS: counter keys…, stats, bucket; ARGV: counter TTL, key head, key tail, stats label, rate, burst, cost.
#: Returns {0, retry ms} when refused, else {1, key, value or nil}.
_LIMITED_LOOKUP = (
    """
local counter_count = #KEYS - 2
local stats_key, bucket_key = KEYS[#KEYS - 1], KEYS[#KEYS]
local counter_ttl, head, tail, label = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local rate, burst, cost, now = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), nil
local count_misses = false  -- a miss is looked up (and counted) again by the tool that computes the answer
"""
    + _BUCKET_STEP
    + "if allowed == 0 then return {0, retry_ms} end\n"
    + LOOKUP_STEP
    + "return {1, key, value}\n"
)

#: Set while a request's rate-limit token has already been taken (by :meth:`RateLimiter.check_and_lookup`), so
#: the tool's own limit check does not take a second one.
LIMIT_TAKEN: ContextVar[bool] = ContextVar("promptsales_rate_limit_taken", default=False)


@dataclass(frozen=True)
class RateDecision:
    """The outcome of one check: allowed or not, tokens left, seconds to wait before retrying."""

    allowed: bool
    remaining: int
    retry_after: float


class RateLimitExceeded(UserError):
    """A client made more calls than its limit; ``retry_after`` says when to try again (seconds)."""

    def __init__(self, client_id: str, retry_after: float) -> None:
        self.client_id = client_id
        self.retry_after = retry_after
        super().__init__(
            f"Rate limit exceeded for client {client_id!r}: retry after {retry_after:.2f} s "
            f"({math.ceil(retry_after)} s)."
        )


class RateLimiter:
    """Token buckets per client in Redis; ``rate`` tokens per second, at most ``burst`` saved up.

    ``clock`` (seconds) replaces Redis server time; only tests pass one, to control time exactly.
    """

    def __init__(
        self, cache: Cache, rate: float, burst: int, bucket: str = "mcp", clock: Callable[[], float] | None = None
    ) -> None:
        if rate <= 0 or burst < 1:
            raise UserError("A rate limit needs a positive rate and a burst of at least 1.")
        self.cache = cache
        self.rate = rate
        self.burst = burst
        self.bucket = bucket
        self.clock = clock

    def key(self, client_id: str) -> str:
        """The Redis key of a client's bucket."""
        return f"{PREFIX}:rl:{self.bucket}:{client_id}"

    def check(self, client_id: str, cost: int = 1) -> RateDecision:
        """Take ``cost`` tokens from the client's bucket if it has them (atomic)."""
        args = [self.rate, self.burst, cost]
        if self.clock is not None:
            args.append(round(self.clock() * 1000))
        try:
            allowed, remaining, retry_ms = self.cache._redis(
                lambda client: self.cache._script(_TOKEN_BUCKET)(keys=[self.key(client_id), STATS_KEY], args=args)
            )
        except CacheUnavailable:
            self.cache.local["rate_unchecked"] += 1
            return RateDecision(True, self.burst, 0.0)
        return RateDecision(bool(allowed), int(remaining), retry_ms / 1000)

    def enforce(self, client_id: str, cost: int = 1) -> RateDecision:
        """Like :meth:`check`, but raise :class:`RateLimitExceeded` (an ``isError`` for MCP) when refused."""
        decision = self.check(client_id, cost)
        if not decision.allowed:
            raise RateLimitExceeded(client_id, decision.retry_after)
        return decision

    def check_and_lookup(
        self,
        client_id: str,
        spec: CacheSpec,
        args: Mapping[str, Any],
        depends: Iterable[Scope],
        caller_scopes: Iterable[str],
    ) -> tuple[RateDecision, bytes | None] | None:
        """Take one token from the client's bucket and, if allowed, look ``spec``'s answer to ``args`` up — one
        round trip. (decision, the cached JSON or None on a miss); None when Redis is unavailable (the call is let
        through unchecked). After a miss, or Redis unavailable, :data:`LIMIT_TAKEN` is set, so the tool that computes
        the answer does not limit again."""
        script_keys, script_args = self.cache.lookup_arguments(spec, args, depends, caller_scopes)
        try:
            reply = self.cache._redis(
                lambda client: self.cache._script(_LIMITED_LOOKUP)(
                    keys=[*script_keys, self.key(client_id)], args=[*script_args, self.rate, self.burst, 1]
                )
            )
        except CacheUnavailable:
            # Fail open, once: the script may have run (a reply that timed out) and taken — and counted — the token,
            # so the tool must not take (and count) a second one for this call (issue 20, audit rows = calls).
            self.cache.local["rate_unchecked"] += 1
            LIMIT_TAKEN.set(True)
            return None
        if not reply[0]:
            return RateDecision(False, 0, reply[1] / 1000), None
        LIMIT_TAKEN.set(True)
        raw = reply[2] if len(reply) > 2 else None  # Lua drops a trailing nil: a miss
        if raw is not None:
            self.cache.local["hits"] += 1
        return RateDecision(True, 0, 0.0), raw

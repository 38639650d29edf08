"""Rate limiting per OAuth client: a token bucket kept in Redis and updated atomically by a Lua script.

Each client has a bucket of ``burst`` tokens refilled at ``rate`` tokens per second (Redis server time,
so every process agrees). A call takes one token; with none left it is refused with the time until one
is back. Buckets of idle clients expire. With Redis down the limiter lets calls through (fail open) and
counts them: availability (SPEC N3) wins over throttling, which protects capacity but is not a security
control — authentication and scopes still apply.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from promptsales.cache.connection import CacheUnavailable
from promptsales.cache.core import Cache
from promptsales.cache.keys import PREFIX
from promptsales.errors import UserError

_TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(math.max(now, ts)))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
if allowed == 1 then redis.call('HINCRBY', KEYS[2], 'rate_allowed', 1) else redis.call('HINCRBY', KEYS[2], 'rate_limited', 1) end
return {allowed, math.floor(tokens), retry_ms}
"""


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
                lambda client: self.cache._script(_TOKEN_BUCKET)(
                    keys=[self.key(client_id), f"{PREFIX}:stats"], args=args
                )
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

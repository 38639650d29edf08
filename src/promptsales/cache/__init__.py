"""The shared cache (SPEC D1, G2): cache-aside with single-flight, generation invalidation, the AI cache,
rate limits, temporary results and degradation when Redis is down. Design: docs/cache.md.

Typical use::

    from promptsales.cache import cached, Scope, get_cache

    @cached("ads", depends=lambda a: [Scope("ads", "campaign", a["campaign_id"])])
    def campaign_results(campaign_id: int) -> dict: ...

    get_cache().bump(Scope("ads", "campaign", 42))    # after the write commits
"""

from __future__ import annotations

from promptsales.cache.ai import AICache, AIResult
from promptsales.cache.commit import PendingActions, after_commit
from promptsales.cache.connection import CacheConnection, CacheUnavailable
from promptsales.cache.core import Cache, CacheSpec, Lookup
from promptsales.cache.decorator import cached
from promptsales.cache.instances import get_ai_cache, get_cache, get_rate_limiter
from promptsales.cache.keys import KINDS, Scope, parse_scope
from promptsales.cache.ratelimit import RateDecision, RateLimiter, RateLimitExceeded
from promptsales.cache.settings import CacheSettings
from promptsales.caller import Caller, acting_as, current_caller

__all__ = [
    "AICache",
    "AIResult",
    "Cache",
    "CacheConnection",
    "CacheSettings",
    "CacheSpec",
    "CacheUnavailable",
    "Caller",
    "KINDS",
    "Lookup",
    "PendingActions",
    "RateDecision",
    "RateLimitExceeded",
    "RateLimiter",
    "Scope",
    "acting_as",
    "after_commit",
    "cached",
    "current_caller",
    "get_ai_cache",
    "get_cache",
    "get_rate_limiter",
    "parse_scope",
]

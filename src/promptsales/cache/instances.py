"""The process's cache objects, one per data directory and Redis URL: the :class:`Cache`, the
:class:`AICache` and the MCP :class:`RateLimiter`. Everything that needs one asks here."""

from __future__ import annotations

import threading

from promptsales.cache.ai import AICache
from promptsales.cache.core import Cache
from promptsales.cache.ratelimit import RateLimiter
from promptsales.cache.settings import CacheSettings
from promptsales.config import Settings, get_settings

_instances: dict[tuple, object] = {}
_lock = threading.Lock()


_settings_ids: dict[int, tuple[Settings, tuple[str, str | None]]] = {}


def _settings_key(settings: Settings, what: str) -> tuple:
    # Memoised per Settings object: ``data_path`` resolves the path on the file system (syscalls), and this
    # runs several times per MCP call (cache, rate limiter).
    entry = _settings_ids.get(id(settings))
    if entry is None or entry[0] is not settings:
        entry = (settings, (str(settings.data_path), settings.redis_url))
        _settings_ids[id(settings)] = entry
    return (what, *entry[1])


def get_cache(settings: Settings | None = None) -> Cache:
    """The process's :class:`Cache` for these settings (created on first use, reused after)."""
    settings = settings or get_settings()
    key = _settings_key(settings, "cache")
    with _lock:
        cache = _instances.get(key)
        if cache is None or cache.connection.client is None:  # Valkey may have been started since
            cache = Cache.from_settings(settings)
            _instances[key] = cache
        return cache


def get_ai_cache(settings: Settings | None = None) -> AICache:
    """The process's :class:`AICache` (semantic threshold and capacity from :class:`CacheSettings`)."""
    settings = settings or get_settings()
    cache = get_cache(settings)
    key = _settings_key(settings, "ai")
    with _lock:
        ai_cache = _instances.get(key)
        if ai_cache is None or ai_cache.cache is not cache:
            tunables = CacheSettings()
            ai_cache = AICache(cache, threshold=tunables.semantic_threshold, capacity=tunables.semantic_capacity)
            _instances[key] = ai_cache
        return ai_cache


def get_rate_limiter(settings: Settings | None = None) -> RateLimiter:
    """The process's per-OAuth-client limiter for MCP calls (rate and burst from :class:`CacheSettings`)."""
    settings = settings or get_settings()
    cache = get_cache(settings)
    key = _settings_key(settings, "rate")
    with _lock:
        limiter = _instances.get(key)
        if limiter is None or limiter.cache is not cache:
            tunables = CacheSettings()
            limiter = RateLimiter(cache, tunables.rate_per_second, tunables.rate_burst)
            _instances[key] = limiter
        return limiter

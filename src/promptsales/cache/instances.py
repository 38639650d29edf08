"""The process's cache objects, one per data directory and Redis URL: the :class:`Cache`, the
:class:`AICache` and the MCP :class:`RateLimiter`. Everything that needs one asks here."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from promptsales.cache.ai import AICache
from promptsales.cache.core import Cache
from promptsales.cache.ratelimit import RateLimiter
from promptsales.cache.settings import CacheSettings
from promptsales.config import Settings, get_settings

T = TypeVar("T")

_instances: dict[tuple, Any] = {}
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


def _over_cache(settings: Settings | None, what: str, build: Callable[[Cache, CacheSettings], T]) -> T:
    """The process's object ``what`` built over the :class:`Cache` of ``settings`` (rebuilt when that changed)."""
    settings = settings or get_settings()
    cache = get_cache(settings)
    key = _settings_key(settings, what)
    with _lock:
        instance = _instances.get(key)
        if instance is None or instance.cache is not cache:
            instance = build(cache, CacheSettings())
            _instances[key] = instance
        return instance


def get_ai_cache(settings: Settings | None = None) -> AICache:
    """The process's :class:`AICache` (semantic threshold and capacity from :class:`CacheSettings`)."""
    return _over_cache(
        settings,
        "ai",
        lambda cache, tunables: AICache(
            cache, threshold=tunables.semantic_threshold, capacity=tunables.semantic_capacity
        ),
    )


def get_rate_limiter(settings: Settings | None = None) -> RateLimiter:
    """The process's per-OAuth-client limiter for MCP calls (rate and burst from :class:`CacheSettings`)."""
    return _over_cache(
        settings, "rate", lambda cache, tunables: RateLimiter(cache, tunables.rate_per_second, tunables.rate_burst)
    )

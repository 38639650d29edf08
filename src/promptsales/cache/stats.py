"""What the cache has done and holds: hits, misses, ratio, keys, memory, tokens saved."""

from __future__ import annotations

from collections import Counter
from typing import Any

from promptsales.cache import keys
from promptsales.cache.connection import CacheUnavailable
from promptsales.cache.core import Cache
from promptsales.errors import UserError

#: Second segment of a key → the class it is counted under.
_CLASSES = {
    "gen": "generations",
    "lock": "locks",
    "rl": "rate_limits",
    "tmp": "temporary",
    "ai": "ai",
    "stats": "stats",
}


def _ratio(hits: int, misses: int) -> float:
    return round(hits / (hits + misses), 4) if hits + misses else 0.0


def _counters(client: Any) -> dict[str, int]:
    return {name.decode(): int(value) for name, value in client.hgetall(keys.STATS_KEY).items()}


def stat_counters(cache: Cache) -> dict[str, int]:
    """The shared counters of ``ps:stats`` as they stand: ``hits``, ``misses``, ``hits:<server>.<tool>``,
    ``rate_allowed``, ``rate_limited``… (raises :class:`CacheUnavailable` when Valkey is unreachable)."""
    return cache._redis(_counters)


def cache_stats(cache: Cache) -> dict[str, Any]:
    """Counters from ``ps:stats``, key counts per class (one SCAN pass) and Valkey's memory figures."""

    def read(client: Any) -> tuple[dict[str, int], Any, Any, Counter[str], int]:
        counters = _counters(client)
        memory = client.info("memory")
        server_stats = client.info("stats")
        classes: Counter[str] = Counter()
        for name in client.scan_iter(match=f"{keys.PREFIX}:*", count=2000):
            segment = name.decode().split(":", 2)[1]
            classes[_CLASSES.get(segment, "values")] += 1
        return counters, memory, server_stats, classes, client.dbsize()

    try:
        counters, memory, server_stats, classes, dbsize = cache._redis(read)
    except CacheUnavailable as error:
        raise UserError(f"The cache at {cache.connection.display_url} is unreachable: {error}") from error
    hits, misses = counters.get("hits", 0), counters.get("misses", 0)
    per_tool: dict[str, dict[str, Any]] = {}
    for name, value in counters.items():
        if ":" in name:
            outcome, label = name.split(":", 1)
            per_tool.setdefault(label, {"hits": 0, "misses": 0})[outcome] = value
    for entry in per_tool.values():
        entry["hit_ratio"] = _ratio(entry["hits"], entry["misses"])
    ai_hits = counters.get("ai_exact_hits", 0) + counters.get("ai_semantic_hits", 0)
    return {
        "url": cache.connection.display_url,
        "hits": hits,
        "misses": misses,
        "hit_ratio": _ratio(hits, misses),
        "computes": counters.get("computes", 0),
        "bumps": counters.get("bumps", 0),
        "ai_exact_hits": counters.get("ai_exact_hits", 0),
        "ai_semantic_hits": counters.get("ai_semantic_hits", 0),
        "ai_misses": counters.get("ai_misses", 0),
        "ai_hit_ratio": _ratio(ai_hits, counters.get("ai_misses", 0)),
        "tokens_saved": counters.get("tokens_saved", 0),
        "rate_allowed": counters.get("rate_allowed", 0),
        "rate_limited": counters.get("rate_limited", 0),
        "keys": {"total": dbsize, **{name: classes.get(name, 0) for name in sorted({*_CLASSES.values(), "values"})}},
        "memory": {
            "used_bytes": int(memory.get("used_memory", 0)),
            "used_human": memory.get("used_memory_human", ""),
            "max_bytes": int(memory.get("maxmemory", 0)),
            "policy": memory.get("maxmemory_policy", ""),
            "evicted_keys": int(server_stats.get("evicted_keys", 0)),
            "expired_keys": int(server_stats.get("expired_keys", 0)),
        },
        "per_tool": dict(sorted(per_tool.items())),
    }

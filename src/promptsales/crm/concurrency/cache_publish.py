"""Publishing a database value to the shared Redis/Valkey cache: before the commit (wrong) or after it.

A cache write is not part of the database transaction: once written it is visible to every reader at
once, whatever the transaction does next. :class:`PublishNow` writes immediately — if the transaction
then rolls back, readers have seen (and the cache keeps) a value that never existed in the database: the
dirty read PostgreSQL itself never allows. :class:`PublishAfterCommit` queues the write and performs it
only once the commit has succeeded; a rollback discards it.
"""

from __future__ import annotations

import redis

#: Lab cache entries expire on their own even if a run is interrupted.
LAB_TTL_SECONDS = 300


class PublishNow:
    """Writes to the cache at once (inside the open transaction) — the unsafe way."""

    def __init__(self, cache: redis.Redis) -> None:
        self.cache = cache

    def publish(self, key: str, value: object) -> str:
        """Write now; returns what happened, for the timeline."""
        self.cache.set(key, str(value), ex=LAB_TTL_SECONDS)
        return f"SET {key} = {value} (visible to every reader now)"

    def after_commit(self) -> str:
        """Nothing left to do."""
        return "nothing queued"

    def after_rollback(self) -> str:
        """Too late: the value is already out."""
        return "nothing to undo — the cache already holds the uncommitted value"


class PublishAfterCommit:
    """Queues cache writes until the transaction has committed — the safe way."""

    def __init__(self, cache: redis.Redis) -> None:
        self.cache = cache
        self.pending: dict[str, str] = {}

    def publish(self, key: str, value: object) -> str:
        """Queue the write."""
        self.pending[key] = str(value)
        return f"queued {key} = {value} until the commit"

    def after_commit(self) -> str:
        """Perform the queued writes (call only after COMMIT succeeded)."""
        for key, value in self.pending.items():
            self.cache.set(key, value, ex=LAB_TTL_SECONDS)
        done = ", ".join(f"SET {k} = {v}" for k, v in self.pending.items()) or "nothing queued"
        self.pending.clear()
        return done

    def after_rollback(self) -> str:
        """Drop the queued writes: they describe data that does not exist."""
        dropped = len(self.pending)
        self.pending.clear()
        return f"discarded {dropped} queued write(s)"


def read_through(cache: redis.Redis, key: str, load) -> tuple[int, str]:
    """Cache-aside read: the cached value, or ``load()`` from the database (then cached)."""
    cached = cache.get(key)
    if cached is not None:
        return int(cached), "cache hit"
    value = load()
    cache.set(key, str(value), ex=LAB_TTL_SECONDS)
    return value, "cache miss → database"

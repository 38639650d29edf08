"""The Redis connection of the cache, guarded by a circuit breaker.

When Redis does not answer, the breaker opens: for ``retry_interval`` seconds every cache operation is
skipped (callers compute from the databases) instead of waiting on a dead socket. After the interval the
next operation probes Redis again; on success caching resumes, without a restart. Transitions are logged
and written to ``<data_dir>/cache/health.json`` so that ``promptsales status`` can show them.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TypeVar

import redis

from promptsales.config import Settings
from promptsales.runtime.service import redact
from promptsales.runtime.state import file_lock, write_atomic
from promptsales.runtime.valkey import redis_client

log = logging.getLogger("promptsales.cache")
T = TypeVar("T")

#: Errors that mean "Redis is not usable right now" (as opposed to a bug in our command).
REDIS_DOWN_ERRORS: tuple[type[BaseException], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.BusyLoadingError,
    redis.ReadOnlyError,
    redis.exceptions.OutOfMemoryError,  # maxmemory reached with nothing evictable: cache unusable, not fatal
    redis.AuthenticationError,
    OSError,
)


class CacheUnavailable(Exception):
    """Raised inside the cache layer when Redis is down or the breaker is open; callers fall back."""


@dataclass
class BreakerState:
    """What the breaker knows: closed (caching) or open (degraded), since when, and why."""

    state: str = "closed"
    since: float = field(default_factory=time.time)
    last_error: str = ""
    outages: int = 0
    degraded_calls: int = 0

    def as_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return asdict(self)


class CircuitBreaker:
    """Open after a connection failure, half-open after ``retry_interval``, closed after a success.

    ``clock`` measures the retry interval (monotonic seconds; tests pass a controllable one).
    """

    def __init__(
        self,
        retry_interval: float = 1.0,
        on_change: Callable[[BreakerState], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.retry_interval = retry_interval
        self.on_change = on_change
        self.clock = clock
        self.state = BreakerState()
        self._lock = threading.Lock()
        self._next_probe = 0.0

    @property
    def is_open(self) -> bool:
        """True while Redis is considered down."""
        return self.state.state == "open"

    def allow(self) -> bool:
        """May we talk to Redis now? Closed: yes. Open: only once the retry interval has passed."""
        if self.state.state == "closed":
            return True
        with self._lock:
            now = self.clock()
            if now >= self._next_probe:
                self._next_probe = now + self.retry_interval  # one probe per interval
                return True
            self.state.degraded_calls += 1
            return False

    def record_success(self) -> None:
        """A command worked: close the breaker if it was open."""
        if self.state.state == "closed":
            return
        with self._lock:
            if self.state.state == "closed":
                return
            self.state.state, self.state.since = "closed", time.time()
            log.warning("cache: Redis answers again, caching resumed")
        self._notify()

    def record_failure(self, error: BaseException) -> None:
        """A command failed for lack of Redis: open the breaker (or keep it open)."""
        with self._lock:
            self._next_probe = self.clock() + self.retry_interval
            self.state.last_error = f"{type(error).__name__}: {error}"[:300]
            self.state.degraded_calls += 1
            if self.state.state == "open":
                return
            self.state.state, self.state.since = "open", time.time()
            self.state.outages += 1
            log.warning("cache: Redis unreachable (%s); answering from the databases", self.state.last_error)
        self._notify()

    def _notify(self) -> None:
        if self.on_change:
            try:
                self.on_change(self.state)
            except Exception:  # reporting must never break a tool call
                log.exception("cache: could not record the breaker state")


def health_path(settings: Settings) -> Path:
    """Where processes record their cache breaker transitions for ``promptsales status``."""
    return settings.data_path / "cache" / "health.json"


def record_health(settings: Settings, state: BreakerState) -> None:
    """Write this process's breaker state into the shared health file (one entry per pid)."""
    path = health_path(settings)
    with file_lock(path.with_suffix(".lock")):  # one read-modify-write at a time: no process's entry is lost
        try:
            data = json.loads(path.read_text()) if path.exists() else {}
        except (OSError, ValueError):
            data = {}
        data[str(os.getpid())] = {**state.as_dict(), "recorded_at": time.time()}
        write_atomic(path, json.dumps(data, indent=2).encode())


def read_health(settings: Settings) -> dict[str, dict]:
    """Every process's last recorded breaker state, by pid."""
    path = health_path(settings)
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return {}


class CacheConnection:
    """A pooled Redis client with short timeouts and a circuit breaker around every command (``clock``: the
    breaker's, see :class:`CircuitBreaker`)."""

    def __init__(
        self,
        url: str,
        *,
        settings: Settings | None = None,
        socket_timeout: float = 0.5,
        retry_interval: float = 1.0,
        max_connections: int = 256,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.url = url
        self.settings = settings
        on_change = (lambda state: record_health(settings, state)) if settings is not None else None
        self.breaker = CircuitBreaker(retry_interval, on_change, clock)
        self.client: redis.Redis | None = None
        if url:
            # A redis+sentinel:// URL (HA profile) gives a client that asks the Sentinels for the primary on each
            # new connection; while none is known its commands fail, the breaker opens: degraded mode.
            self.client = redis_client(
                url, socket_timeout=socket_timeout, max_connections=max_connections, pool_timeout=socket_timeout * 4
            )

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        return redact(self.url) if self.url else "(not configured)"

    def run(self, operation: Callable[[redis.Redis], T]) -> T:
        """Run ``operation(client)`` through the breaker; raise :class:`CacheUnavailable` when Redis is down."""
        if self.client is None:
            raise CacheUnavailable("no Redis URL configured (is `promptsales up` done?)")
        if not self.breaker.allow():
            raise CacheUnavailable(f"Redis unreachable, retrying in {self.breaker.retry_interval:g}s")
        try:
            result = operation(self.client)
        except REDIS_DOWN_ERRORS as error:
            self.breaker.record_failure(error)
            try:  # drop the idle pooled sockets to the dead server; redis-py reconnects on next use. Sockets
                # in use by other threads are left to fail (or finish) on their own: closing them under a reader
                # broke its parser mid-read (AttributeError, an internal error instead of a cache bypass).
                self.client.connection_pool.disconnect(inuse_connections=False)
            except Exception:
                pass
            raise CacheUnavailable(str(error)) from error
        self.breaker.record_success()
        return result

    def close(self) -> None:
        """Close every pooled connection."""
        if self.client is not None:
            self.client.close()
            self.client.connection_pool.disconnect()

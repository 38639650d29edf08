"""Process-wide connection pools of the company databases (the MCP servers reuse connections across calls).

One small pool per (data directory, configured database URL, company, role), created on first use and
shared by every thread; :func:`close_pools` closes them so that no idle session is left on a database
(tests that copy a database with ``CREATE DATABASE … TEMPLATE`` need that).
"""

from __future__ import annotations

import threading

from psycopg_pool import ConnectionPool
from psycopg_pool.base import AttemptWithBackoff

from promptsales.config import Settings, get_settings
from promptsales.db.connect import Role, conninfo, served_role

MIN_SIZE = 1
MAX_SIZE = 4
CONNECT_TIMEOUT_SECONDS = 5

#: Longest wait between two attempts to replace a lost connection (seconds). psycopg_pool doubles the wait after
#: each failure (1, 2, 4, 8, 16 s…): after a 20-second failover the pool would sit out up to 16 s more with the new
#: leader already writable. Capped, a pool reconnects within a second of the leader's promotion (docs/ha.md).
MAX_RECONNECT_DELAY = 1.0

_pools: dict[tuple[str, str, str, str], ConnectionPool] = {}
_lock = threading.Lock()


class LeaderFollowingPool(ConnectionPool):
    """A :class:`ConnectionPool` whose reconnection back-off stops growing at :data:`MAX_RECONNECT_DELAY`."""

    def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        if attempt is not None and attempt.delay * attempt.DELAY_BACKOFF > MAX_RECONNECT_DELAY:
            attempt.delay = MAX_RECONNECT_DELAY / attempt.DELAY_BACKOFF  # the next failure waits the maximum
        super()._add_connection(attempt, growing)


def pool(company: str, role: Role, settings: Settings | None = None) -> ConnectionPool:
    """The pool of ``company``'s database for ``role`` (default settings: the process's), opened on first use;
    pools are per role really used, so a serving process's pools are its served role's
    (:func:`promptsales.db.connect.serve_as`)."""
    settings = settings or get_settings()
    served = served_role(company, role)
    key = (str(settings.data_path), settings.external_database_url(company) or "", company, served)
    with _lock:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = LeaderFollowingPool(
                conninfo(settings, company, role),
                min_size=MIN_SIZE,
                max_size=MAX_SIZE,
                open=True,
                kwargs={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
                # A pooled session may have been ended by the server (a restart, a failover, an idle session
                # closed so a database can be copied): check it before handing it out, reconnect if needed.
                check=ConnectionPool.check_connection,
            )
        return found


def close_pools(company: str | None = None) -> None:
    """Close the pools of ``company`` (default: every pool); the next :func:`pool` call opens a new one."""
    with _lock:
        keys = [key for key in _pools if company is None or key[2] == company]
        closing = [_pools.pop(key) for key in keys]
    for each in closing:
        each.close()

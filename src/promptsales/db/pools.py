"""Process-wide connection pools of the company databases (the MCP servers reuse connections across calls).

One small pool per (data directory, configured database URL, company, role), created on first use and
shared by every thread; :func:`close_pools` closes them so that no idle session is left on a database
(tests that copy a database with ``CREATE DATABASE … TEMPLATE`` need that).
"""

from __future__ import annotations

import threading

from psycopg_pool import ConnectionPool

from promptsales.config import Settings, get_settings
from promptsales.db.connect import Role, conninfo

MIN_SIZE = 1
MAX_SIZE = 4
CONNECT_TIMEOUT_SECONDS = 5

_pools: dict[tuple[str, str, str, str], ConnectionPool] = {}
_lock = threading.Lock()


def pool(company: str, role: Role, settings: Settings | None = None) -> ConnectionPool:
    """The pool of ``company``'s database for ``role`` (default settings: the process's), opened on first use."""
    settings = settings or get_settings()
    key = (str(settings.data_path), settings.external_database_url(company) or "", company, role)
    with _lock:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = ConnectionPool(
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

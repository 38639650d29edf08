"""Run cache actions only after the database transaction that justified them has committed.

Publishing a value (or bumping a generation) before COMMIT lets another reader see — and cache — data
that may still roll back or that other sessions cannot see yet: the "dirty read through the cache" of
docs/architecture.md §2. :func:`after_commit` owns the outermost transaction of a psycopg connection and runs
the queued callbacks only once COMMIT has succeeded; on rollback it runs the rollback callbacks instead
(e.g. releasing a single-flight lock) and drops the rest.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg
from psycopg.pq import TransactionStatus

log = logging.getLogger("promptsales.cache")


class PendingActions:
    """Callbacks waiting for the end of a transaction."""

    def __init__(self) -> None:
        self.on_commit: list[Callable[[], object]] = []
        self.on_rollback: list[Callable[[], object]] = []

    def add(self, callback: Callable[[], object], on_rollback: Callable[[], object] | None = None) -> None:
        """Run ``callback`` after COMMIT (and ``on_rollback``, if given, after a rollback)."""
        self.on_commit.append(callback)
        if on_rollback is not None:
            self.on_rollback.append(on_rollback)

    def run(self, committed: bool) -> None:
        """Run the commit (or rollback) callbacks once; a failing callback is logged, never raised."""
        callbacks = self.on_commit if committed else self.on_rollback
        self.on_commit, self.on_rollback = [], []
        for callback in callbacks:
            try:
                callback()
            except Exception:
                log.exception("cache: after-%s callback failed", "commit" if committed else "rollback")


@contextmanager
def after_commit(conn: psycopg.Connection) -> Iterator[PendingActions]:
    """Open the outermost transaction on ``conn``; queued callbacks run only if it commits.

    Usage::

        with after_commit(conn) as pending:
            conn.execute("UPDATE ads.campaigns SET ... WHERE campaign_id = %s", (42,))
            pending.add(lambda: cache.bump(Scope("ads", "campaign", 42)))
        # here the UPDATE is committed and the generation bumped, in that order
    """
    if conn.info.transaction_status != TransactionStatus.IDLE:
        raise RuntimeError(
            "after_commit must open the outermost transaction: the connection is already in one, "
            "so a commit here would only release a savepoint"
        )
    pending = PendingActions()
    try:
        with conn.transaction():
            yield pending
    except BaseException:
        pending.run(committed=False)
        raise
    pending.run(committed=True)

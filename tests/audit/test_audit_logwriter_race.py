"""The batched log writer does not strand a row queued while its thread is ending (issue 20, "audit rows = calls").

``execute`` appends without the lock and starts a writer only when it sees none; the writer decides to end (queue
empty, idle) under the lock and clears its slot. A row queued between that decision and the clearing found the
thread still set, so nobody wrote it until the next row or the exit flush. The test makes that interleaving happen
every time: the queue queues a row at the very moment the writer looks at it to decide whether to end."""

from __future__ import annotations

import sys
import threading
import uuid
from collections import deque

from promptsales.audit.trail import INSERT
from promptsales.db.connect import connect
from promptsales.db.logwriter import SalesLogWriter


class _QueuedWhileEnding(deque):
    """A queue that, the first time the writer thread finds it empty when deciding to end, has a row queued by a
    caller at that instant (the caller still sees the writer running)."""

    def __init__(self, writer: SalesLogWriter, late_row: tuple) -> None:
        super().__init__()
        self.writer = writer
        self.late_row = late_row
        self.fired = threading.Event()

    def __len__(self) -> int:
        size = super().__len__()
        if size == 0 and not self.fired.is_set() and sys._getframe(1).f_code.co_name == "_run":
            self.fired.set()
            assert self.writer._thread is not None  # the caller sees a writer: it starts none
            self.writer.execute(*self.late_row)
        return size


def _row(settings, actor: str) -> tuple:
    from datetime import UTC, datetime

    from promptsales.audit.trail import _ensure_partition

    now = datetime.now(UTC)
    _ensure_partition(settings, now.date())
    return settings, INSERT, (now, actor, "test", "logwriterRace", "ok", 0.0, "{}", "mcp", None)


def test_a_row_queued_while_the_writer_ends_is_written(settings):
    actor = f"race-{uuid.uuid4().hex[:8]}"
    writer = SalesLogWriter(idle_seconds=0.0, batch_seconds=0.01)
    writer._pending = _QueuedWhileEnding(writer, _row(settings, actor))
    writer.execute(*_row(settings, actor))
    assert writer._pending.fired.wait(timeout=30)  # the writer wrote the first row and decided to end
    # No flush (it would start a writer itself): a steady load's view — the queue must drain on its own.
    assert writer.wait_stored(timeout=10)
    with connect("sales", "analyst", settings=settings) as conn:
        count = conn.execute("SELECT count(*) FROM portal.audit_log WHERE actor = %s", (actor,)).fetchone()[0]
    assert count == 2
    writer.flush()

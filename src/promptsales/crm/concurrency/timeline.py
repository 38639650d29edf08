"""A thread-safe timeline of what each session of a scenario did and when."""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass

#: Column names of :meth:`Timeline.rows`, in the order the lab prints them.
TIMELINE_COLUMNS = ["session", "step", "time (ms)", "result"]


@dataclass(frozen=True)
class TimelineEvent:
    """One thing a session did or was observed doing; ``at`` is wall-clock seconds (epoch)."""

    session: str
    step: str
    at: float
    result: str = ""

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return asdict(self)


class Timeline:
    """Events recorded by every session thread and by the coordinator, in time order."""

    def __init__(self) -> None:
        self.started_at = time.time()
        self._events: list[TimelineEvent] = []
        self._lock = threading.Lock()

    def record(self, session: str, step: str, result: str = "") -> TimelineEvent:
        """Append an event stamped now."""
        event = TimelineEvent(session, step, time.time(), result)
        with self._lock:
            self._events.append(event)
        return event

    def extend(self, events: list[TimelineEvent]) -> None:
        """Add events recorded elsewhere (e.g. by another process), keeping time order."""
        with self._lock:
            self._events.extend(events)
            self.started_at = min([self.started_at, *(e.at for e in events)])

    @property
    def events(self) -> list[TimelineEvent]:
        """Every event, oldest first."""
        with self._lock:
            return sorted(self._events, key=lambda e: e.at)

    def rows(self) -> list[tuple[str, str, str, str]]:
        """(session, step, milliseconds since the start, result) per event, for a table."""
        return [(e.session, e.step, f"{(e.at - self.started_at) * 1000:9.1f}", e.result) for e in self.events]

    def sessions_with(self, needle: str) -> list[str]:
        """Sessions having at least one event whose result contains ``needle``."""
        return sorted({e.session for e in self.events if needle in e.result})

"""When to start a pass: a true 11-minute interval (SPEC S3, docs/architecture.md §4).

A cron ``*/11`` is not an 11-minute interval (it fires at :00, :11 … :55 and then :00 again, 5 minutes
later). The rule here: request a pass when 660 s have passed since the last pass *started* and no pass is
in progress. Missed ticks are not replayed: after a long pause the rule is true once, a pass starts, and
from then on the clock counts from that start — there is never a backlog.

The decision is a pure function of (now, last start, in progress) so it can be tested with a controlled
clock; :mod:`promptsales.etl.pipeline` feeds it from the Dagster instance.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERVAL_SECONDS = 660.0


@dataclass(frozen=True)
class Decision:
    """Whether to request a pass now, and why (shown in the Dagster UI as the tick's skip reason)."""

    request: bool
    reason: str


def decide(now: float, last_start: float | None, in_progress: bool, interval: float = INTERVAL_SECONDS) -> Decision:
    """Request a pass iff none is in progress and ``interval`` seconds have passed since the last start."""
    if in_progress:
        return Decision(False, "a pass is in progress")
    if last_start is None:
        return Decision(True, "no pass has run yet")
    waited = now - last_start
    if waited >= interval:
        return Decision(True, f"{waited:.0f} s since the last pass started (interval {interval:.0f} s)")
    return Decision(False, f"next pass in {interval - waited:.0f} s")


def latest(*timestamps: float | None) -> float | None:
    """The newest of the given timestamps, ignoring None."""
    present = [t for t in timestamps if t is not None]
    return max(present) if present else None

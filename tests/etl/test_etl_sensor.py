"""The 11-minute sensor (SPEC S3, S4): a true 660 s interval, never while running, no backlog."""

from __future__ import annotations

import uuid

from dagster import DagsterInstance, DagsterRun, DagsterRunStatus, RunRequest, SkipReason, build_sensor_context

from promptsales.etl import pipeline
from promptsales.etl.sensor import INTERVAL_SECONDS, decide


def simulate(ticks_until: float, run_seconds: float, pause: tuple[float, float] | None = None, tick: float = 30.0):
    """Evaluate the rule every ``tick`` s on a controlled clock; runs last ``run_seconds``; returns start times.

    During ``pause`` (start, end) the sensor is not evaluated at all (daemon down)."""
    starts: list[float] = []
    now = 0.0
    while now <= ticks_until:
        if pause and pause[0] <= now < pause[1]:
            now += tick
            continue
        last = starts[-1] if starts else None
        running = last is not None and now < last + run_seconds
        if decide(now, last, running).request:
            starts.append(now)
        now += tick
    return starts


def test_interval_is_660_seconds_after_the_last_start() -> None:
    """Runs start exactly every 660 s (a multiple of the 30 s tick), not on a */11 cron."""
    assert INTERVAL_SECONDS == 660
    starts = simulate(ticks_until=3 * 3600, run_seconds=40)
    gaps = {b - a for a, b in zip(starts, starts[1:])}
    assert gaps == {660.0}
    assert len(starts) == 3 * 3600 // 660 + 1


def test_never_while_a_run_is_in_progress() -> None:
    """A run longer than the interval delays the next one until it ends; never two at once."""
    starts = simulate(ticks_until=2 * 3600, run_seconds=1000)
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert all(gap >= 1000 for gap in gaps)
    assert decide(now=5000, last_start=0, in_progress=True).request is False


def test_long_pause_gives_one_run_not_a_backlog() -> None:
    """After 3 hours without evaluations, exactly one run is requested, then the 660 s rhythm resumes."""
    starts = simulate(ticks_until=5 * 3600, run_seconds=40, pause=(990, 990 + 3 * 3600))
    after = [s for s in starts if s >= 990 + 3 * 3600]
    assert after[0] == 990 + 3 * 3600  # one run at the first evaluation after the pause
    assert all(b - a == 660 for a, b in zip(after, after[1:]))
    assert decide(now=10**6, last_start=0, in_progress=False).request is True
    assert decide(now=659.9, last_start=0, in_progress=False).request is False


def _add_run(instance: DagsterInstance, status: DagsterRunStatus) -> None:
    instance.add_run(DagsterRun(job_name=pipeline.JOB_NAME, run_id=str(uuid.uuid4()), status=status))


def test_dagster_sensor_uses_instance_runs_and_cursor(tmp_path) -> None:
    """The real sensor: first tick requests a run; an in-progress run or a recent request skips; 660 s later runs."""
    with DagsterInstance.ephemeral(tempdir=str(tmp_path)) as instance:
        clock = [1_000_000.0]
        pipeline.clock = lambda: clock[0]
        try:
            context = build_sensor_context(instance=instance)
            first = pipeline.every_eleven_minutes(context)
            assert isinstance(first, RunRequest)
            cursor = context.cursor
            assert float(cursor) == clock[0]
            clock[0] += 300
            assert isinstance(
                pipeline.every_eleven_minutes(build_sensor_context(instance=instance, cursor=cursor)), SkipReason
            )
            clock[0] += 400  # 700 s after the last request
            _add_run(instance, DagsterRunStatus.STARTED)  # … but a run is in progress
            skipped = pipeline.every_eleven_minutes(build_sensor_context(instance=instance, cursor=cursor))
            assert isinstance(skipped, SkipReason) and "in progress" in skipped.skip_message
        finally:
            pipeline.clock = __import__("time").time

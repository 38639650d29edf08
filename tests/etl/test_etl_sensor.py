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


def _add_run(instance: DagsterInstance, status: DagsterRunStatus) -> DagsterRun:
    run = DagsterRun(job_name=pipeline.JOB_NAME, run_id=str(uuid.uuid4()), status=status)
    instance.add_run(run)
    return run


def test_dagster_sensor_uses_instance_runs_and_cursor(tmp_path) -> None:
    """The real sensor: first tick requests a run; a recent request skips until 660 s, then it runs; an
    in-progress run skips; 660 s after that run's start (once it is over) the next one is requested."""
    clock = [1_000_000.0]

    def tick(cursor: str | None):
        context = build_sensor_context(instance=instance, cursor=cursor)
        return pipeline.every_eleven_minutes(context), context.cursor

    with DagsterInstance.ephemeral(tempdir=str(tmp_path)) as instance:
        pipeline.clock = lambda: clock[0]
        try:
            first, cursor = tick(None)
            assert isinstance(first, RunRequest) and float(cursor) == clock[0]
            start = clock[0]
            for waited in (300, 659):
                clock[0] = start + waited
                skipped, _ = tick(cursor)
                assert isinstance(skipped, SkipReason) and "next pass in" in skipped.skip_message, waited
            clock[0] = start + 660
            second, cursor = tick(cursor)
            assert isinstance(second, RunRequest) and float(cursor) == start + 660

            run = _add_run(instance, DagsterRunStatus.STARTED)  # the requested run starts …
            created = instance.get_run_records()[0].create_timestamp.timestamp()
            clock[0] = created + 700  # … and is still going 700 s later
            skipped, _ = tick(cursor)
            assert isinstance(skipped, SkipReason) and "in progress" in skipped.skip_message

            instance.report_run_failed(run)  # over: the interval counts from that run's start
            clock[0] = created + 659
            assert isinstance(tick(cursor)[0], SkipReason)
            clock[0] = created + 660
            third, cursor = tick(cursor)
            assert isinstance(third, RunRequest) and float(cursor) == created + 660
        finally:
            pipeline.clock = __import__("time").time


def test_the_sensor_is_evaluated_every_30_s_or_every_interval_when_shorter(monkeypatch):
    """A short interval (tests, demos) is not held back by the 30 s tick; the 11-minute default keeps it."""
    from promptsales.etl.pipeline import every_eleven_minutes, sensor_tick_seconds

    assert every_eleven_minutes.minimum_interval_seconds == sensor_tick_seconds()
    monkeypatch.delenv("PROMPTSALES_ETL_INTERVAL_SECONDS", raising=False)
    assert sensor_tick_seconds() == 30
    monkeypatch.setenv("PROMPTSALES_ETL_INTERVAL_SECONDS", "5")
    assert sensor_tick_seconds() == 5
    monkeypatch.setenv("PROMPTSALES_ETL_INTERVAL_SECONDS", "0.2")
    assert sensor_tick_seconds() == 1

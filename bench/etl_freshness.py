"""Stress benchmark (issue 17): ETL freshness under concurrent writers, held and prepared transactions,
rollbacks, ETL launches every few seconds (some doubled, some killed with SIGKILL mid-pass).

Needs running, seeded servers on PROMPTSALES_DATA_DIR (`promptsales up`, `promptsales seed`); works on
private copies of promptads, promptcrm and promptsales. For ``--seconds`` (default 75):

* 4 writers (2 on PromptAds, 2 on PromptCRM) commit small transactions; some hold theirs open 2–8 s,
  some PREPARE and later COMMIT or ROLLBACK PREPARED, some roll back; sales move between campaigns and
  months. A fifth session holds a write transaction open in the warehouse database the whole time.
* every ``--interval`` seconds (default 3) an ETL pass is launched as its own process; 15 % of launches
  are doubled (the second must exit 2, "already running"), 15 % are killed with SIGKILL after 0.2–2 s.

At the end: passes until nothing is left, then a ``--full`` pass must write 0 rows (warehouse = what the
sources compute to) and every campaign's figures must equal those computed directly from the sources.
Reported: commit-to-warehouse time (commit returned → the committed horizon sees the transaction; polled
every 0.1 s) p50/p99/max, run durations, launch outcomes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests" / "etl"))
from etl_probe import direct_campaign_figures, warehouse_campaign_figures  # noqa: E402

from etl_common import copy_databases, drop_databases  # noqa: E402
from etl_pipeline import empty_warehouse  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.etl.capture import XidHorizon, read_horizons  # noqa: E402
from promptsales.etl.engine import run_pass  # noqa: E402
from promptsales.etl.runs import AlreadyRunning  # noqa: E402
from promptsales.etl.sources import Sources  # noqa: E402
from report import write_section  # noqa: E402

EMPTY_CONTENT = "bench_etl_freshness_none"  # a MongoDB database with no documents: content reads nothing


@dataclass
class Log:
    """What the writers and the launcher did (appended from several threads; list.append is atomic)."""

    commits: list[tuple[str, int, float]] = field(default_factory=list)  # (source, xid, monotonic commit time)
    kinds: dict[str, int] = field(default_factory=dict)
    launches: list[str] = field(default_factory=list)  # outcome of each ETL launch
    horizons: list[tuple[float, dict[str, XidHorizon]]] = field(default_factory=list)

    def count(self, kind: str) -> None:
        """Count one transaction of ``kind``."""
        self.kinds[kind] = self.kinds.get(kind, 0) + 1


def _write(conn, source: str, rng: random.Random, keys: dict[str, list]) -> None:
    if source == "crm":
        sale = rng.choice(keys["sales"])
        move = rng.random()
        if move < 0.2:  # to another campaign
            conn.execute(
                "UPDATE crm.sales SET campaign_id = %s WHERE sale_id = %s", (rng.choice(keys["campaigns"]), sale)
            )
        elif move < 0.4:  # to another month
            conn.execute("UPDATE crm.sales SET sold_at = sold_at + interval '35 days' WHERE sale_id = %s", (sale,))
        else:
            conn.execute("UPDATE crm.sales SET amount = amount + 1 WHERE sale_id = %s", (sale,))
    else:
        conn.execute(
            "UPDATE ads.ad_results SET cost = cost + 1, views = views + 1 "
            "WHERE (ad_id, channel_id, market_id, result_date) = (%s, %s, %s, %s)",
            rng.choice(keys["results"]),
        )


def writer(sources: Sources, source: str, seed: int, keys: dict[str, list], stop: float, log: Log) -> None:
    """Commit, hold, prepare and roll back transactions on ``source`` until ``stop``."""
    rng = random.Random(seed)
    with sources.connect(source, "app", autocommit=True) as conn:
        while time.monotonic() < stop:
            kind = rng.choices(["commit", "held", "prepared", "rollback"], [60, 15, 10, 15])[0]
            try:
                conn.execute("BEGIN")
                for _ in range(rng.randint(1, 3)):
                    _write(conn, source, rng, keys)
                xid = int(conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
                if kind == "held":
                    time.sleep(rng.uniform(2, 8))
                if kind == "prepared":
                    gid = sql.Literal(f"bench-{source}-{xid}")
                    conn.execute(sql.SQL("PREPARE TRANSACTION {}").format(gid))
                    time.sleep(rng.uniform(2, 8))
                    if rng.random() < 0.33:
                        conn.execute(sql.SQL("ROLLBACK PREPARED {}").format(gid))
                        log.count("prepared, rolled back")
                    else:
                        conn.execute(sql.SQL("COMMIT PREPARED {}").format(gid))
                        log.commits.append((source, xid, time.monotonic()))
                        log.count("prepared, committed")
                elif kind == "rollback":
                    conn.execute("ROLLBACK")
                    log.count("rolled back")
                else:
                    conn.execute("COMMIT")
                    log.commits.append((source, xid, time.monotonic()))
                    log.count("committed" if kind == "commit" else "held 2–8 s, committed")
            except Exception:  # noqa: BLE001 - a deadlock or lock timeout between writers: that transaction is gone
                if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    conn.execute("ROLLBACK")
                log.count("failed (deadlock), rolled back")
            time.sleep(rng.uniform(0.05, 0.4))


def poll_horizons(sources: Sources, stop: threading.Event, log: Log) -> None:
    """Record the committed horizons every 0.1 s (when a transaction reached the warehouse)."""
    with sources.warehouse(autocommit=True) as conn:
        while not stop.is_set():
            stored = read_horizons(conn)
            log.horizons.append((time.monotonic(), dict(stored.xids)))
            time.sleep(0.1)


def _launch(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--one-pass"],
        env={**env, "BENCH_LAUNCHED_AT": repr(time.time())},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def launcher(env: dict[str, str], interval: float, stop: float, seed: int, log: Log) -> None:
    """Launch an ETL pass every ``interval`` s; some doubled, some killed with SIGKILL mid-pass."""
    rng = random.Random(seed)
    running: list[tuple[subprocess.Popen, float | None]] = []
    outcomes = {0: "succeeded", 1: "failed", 2: "already running", -signal.SIGKILL: "killed (SIGKILL)"}
    next_launch = time.monotonic()
    launched = 0
    while time.monotonic() < stop or running:
        now = time.monotonic()
        if now >= next_launch and now < stop:
            launched += 1
            kill_at = now + rng.uniform(0.5, 3.0) if launched % 6 == 3 else None  # before, in or after its pass
            running.append((_launch(env), kill_at))
            if launched % 7 == 5:
                running.append((_launch(env), None))
            next_launch += interval
        for process, kill_at in list(running):
            if kill_at is not None and time.monotonic() >= kill_at and process.poll() is None:
                process.send_signal(signal.SIGKILL)
            code = process.poll()
            if code is not None:
                running.remove((process, kill_at))
                outcome = outcomes.get(code, f"exit {code}")
                log.launches.append("succeeded before its SIGKILL" if kill_at is not None and code == 0 else outcome)
                if code == 1:
                    print(process.stderr.read() if process.stderr else "", file=sys.stderr)
        time.sleep(0.05)


def latencies(log: Log) -> list[float]:
    """Seconds from each commit to the first committed horizon that sees it."""
    out = []
    for source, xid, committed in log.commits:
        seen = next((t for t, horizons in log.horizons if source in horizons and horizons[source].sees(xid)), None)
        if seen is None:
            raise SystemExit(f"{source} transaction {xid} never reached the warehouse")
        out.append(max(0.0, seen - committed))
    return out


def _keys(sources: Sources) -> dict[str, list]:
    with sources.source("crm") as crm:
        sales = [r[0] for r in crm.execute("SELECT sale_id FROM crm.sales TABLESAMPLE BERNOULLI (10) REPEATABLE (7)")]
    with sources.source("ads") as ads:
        campaigns = [r[0] for r in ads.execute("SELECT campaign_id FROM ads.campaigns")]
        results = ads.execute(
            "SELECT ad_id, channel_id, market_id, result_date FROM ads.ad_results TABLESAMPLE BERNOULLI (2) REPEATABLE (7)"
        ).fetchall()
    return {"sales": sales, "campaigns": campaigns, "results": results}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def stress(seconds: float, interval: float) -> list[str]:
    """Run the stress test on private copies and return the report lines."""
    settings = get_settings()
    names = copy_databases(settings)
    sources = Sources(settings, names, mongo_database=EMPTY_CONTENT)
    env = {**os.environ, "BENCH_ETL_DATABASES": json.dumps(names)}
    log = Log()
    held: psycopg.Connection | None = None
    try:
        empty_warehouse(sources)
        first = run_pass(sources, trigger="bench")
        assert first.status == "succeeded", first.error
        keys = _keys(sources)
        with sources.warehouse() as conn:
            runs_before = conn.execute("SELECT max(id) FROM etl.runs").fetchone()[0]
        held = sources.warehouse()  # an xid held in another database for the whole test
        held.execute("SELECT pg_current_xact_id()")
        stop_at = time.monotonic() + seconds
        polling = threading.Event()
        threads = [
            threading.Thread(target=writer, args=(sources, src, i, keys, stop_at, log))
            for i, src in enumerate(["ads", "ads", "crm", "crm"])
        ]
        threads.append(threading.Thread(target=launcher, args=(env, interval, stop_at, 99, log)))
        poller = threading.Thread(target=poll_horizons, args=(sources, polling, log))
        poller.start()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        settle = []
        for _ in range(5):  # what committed during the last passes (the held session stays open)
            settle.append(run_pass(sources, trigger="bench"))
            if not any(settle[-1].changes_read.values()):
                break
        time.sleep(0.3)
        polling.set()
        poller.join()
        full = run_pass(sources, trigger="bench", full=True)
        direct, stored = direct_campaign_figures(sources), warehouse_campaign_figures(sources)
        with sources.warehouse() as conn:
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM etl.runs WHERE id > %s AND trigger LIKE 'bench-stress%%' GROUP BY 1",
                    (runs_before,),
                ).fetchall()
            )
            passes = conn.execute(
                "SELECT split_part(trigger, ' ', 2)::float8, duration_ms / 1000.0 FROM etl.runs "
                "WHERE id > %s AND trigger LIKE 'bench-stress%%' AND status = 'succeeded'",
                (runs_before,),
            ).fetchall()
            empty_passes = conn.execute(
                "SELECT count(*) FROM etl.runs WHERE id > %s AND trigger LIKE 'bench-stress%%' AND status = 'succeeded' "
                "AND (changes_read->>'ads')::int + (changes_read->>'crm')::int = 0",
                (runs_before,),
            ).fetchone()[0]
    finally:
        if held is not None:
            held.close()
        drop_databases(settings, names)
    wait = latencies(log)
    equal = sum(full.rows_written.values()) == 0 and direct == stored
    start_ups = [float(start_up) for start_up, _ in passes]
    durations = [float(duration) for _, duration in passes]
    runs = [start_up + duration for start_up, duration in zip(start_ups, durations)]
    target = interval + _percentile(runs, 0.99)
    launches = {o: log.launches.count(o) for o in sorted(set(log.launches))}
    assert equal, f"warehouse differs from the sources: full pass wrote {full.rows_written}"
    assert "failed" not in statuses, f"failed runs recorded: {statuses}"
    return [
        f"{seconds:.0f} s on official-scale copies; 4 writers (2 PromptAds, 2 PromptCRM) and one warehouse-database "
        f"session holding an xid the whole time; an ETL pass launched every {interval:g} s as its own process.",
        "",
        "| | |",
        "|---|---|",
        "| writer transactions | " + ", ".join(f"{k}: {v}" for k, v in sorted(log.kinds.items())) + " |",
        "| ETL launches | " + ", ".join(f"{k}: {v}" for k, v in launches.items()) + " |",
        f"| runs recorded (etl.runs) | {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} "
        "(`running` = killed, shown as abandoned) |",
        f"| succeeded passes that read 0 PostgreSQL changes | {empty_passes} of {len(durations)} |",
        f"| pass duration p50 / p99 | {_percentile(durations, 0.5):.2f} s / {_percentile(durations, 0.99):.2f} s |",
        f"| process start (interpreter + imports) before a pass p50 / p99 | {_percentile(start_ups, 0.5):.2f} s / "
        f"{_percentile(start_ups, 0.99):.2f} s |",
        f"| run duration (launch → pass committed) p50 / p99 | {_percentile(runs, 0.5):.2f} s / "
        f"{_percentile(runs, 0.99):.2f} s |",
        f"| **commit → warehouse** ({len(wait)} committed transactions) p50 / p99 / max | "
        f"**{statistics.median(wait):.1f} s / {_percentile(wait, 0.99):.1f} s / {max(wait):.1f} s** "
        f"(target p99 ≤ interval + run duration p99 = {target:.1f} s: "
        f"{'met' if _percentile(wait, 0.99) <= target else 'missed'}) |",
        f"| at the end: settle passes, then `--full` | {len(settle)} pass(es); the full pass wrote "
        f"{sum(full.rows_written.values())} rows; campaign figures = direct computation: {direct == stored} |",
    ]


def one_pass() -> int:
    """One ETL pass on the copies named in BENCH_ETL_DATABASES (the launcher's child process)."""
    sources = Sources(get_settings(), json.loads(os.environ["BENCH_ETL_DATABASES"]), mongo_database=EMPTY_CONTENT)
    start_up = time.time() - float(os.environ["BENCH_LAUNCHED_AT"])  # interpreter and imports, recorded in the trigger
    try:
        report = run_pass(sources, trigger=f"bench-stress {start_up:.3f}")
    except AlreadyRunning:
        return 2
    return 0 if report.status == "succeeded" else 1


def main() -> None:
    """Parse options, run the stress test, write the figures into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=75.0)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--one-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_pass:
        raise SystemExit(one_pass())
    lines = stress(args.seconds, args.interval)
    write_section("ETL freshness under stress (issue 17)", "bench/etl_freshness.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

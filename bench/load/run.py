"""Load benchmark (issue 20, SPEC N1, N2): the case's agents against the real MCP servers, unattended, ≤ 10 minutes.

Needs a running installation with data (``promptsales up``, ``promptsales seed``, one ``promptsales etl run``;
``PROMPTSALES_DATA_DIR`` picks it). The script

1. restarts the four MCP servers with ``--workers`` worker processes each (``PROMPTSALES_MCP_WORKERS``);
2. registers one OAuth client per agent with the issuer and fetches each agent's token (``plan.py``);
3. runs Locust headless (``--processes``, CSV) stage after stage, reading the CPU time of every server process,
   PostgreSQL, Valkey and Locust itself from ``/proc`` around each stage:

   * ``cached`` — :class:`CachedReader` agents in a closed loop: server CPU per cached ``topCampaigns`` call;
   * ``sessions`` — 30 :class:`SessionOpener` agents at once: ``initialize`` latency;
   * ``warm-up`` — the mixed workload at a moderate pace (fills the cache as a working day would);
   * ``saturation`` — the mixed workload, every agent in a closed loop: the highest rate the box sustains (100 %);
   * ``50 %`` and ``80 %`` — the mixed workload paced at those fractions of the saturation rate;

4. checks that the audit holds one row per tool call of the agents (nothing lost), and
5. writes ``build/load/results.json`` and its section of ``docs/benchmarks.md``.

    python bench/load/run.py                      # 300 agents, 2 Locust processes, 2 workers per server
    python bench/load/run.py --stage-seconds 20   # a quicker run
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "bench"))
from plan import SERVERS, TOOLS, write_plan  # noqa: E402

from ai_common import process_tree_cpu  # noqa: E402
from promptsales.config import Settings, get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from promptsales.runtime.state import StateFile  # noqa: E402
from report import write_section  # noqa: E402

OUT = ROOT / "build" / "load"
#: Active campaigns from which a run measures N2's data size (SPEC N2: more than 5,000).
LARGE_ACTIVE_CAMPAIGNS = 5_000


@dataclass
class CpuMeter:
    """CPU seconds (user + system) of groups of processes, read from /proc: the MCP servers (each with its
    workers), PostgreSQL (live backends + reaped ones), Valkey and the load generator."""

    settings: Settings
    groups: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        state = StateFile(self.settings.data_path)
        for server in SERVERS:
            self.groups[f"mcp-{server}"] = [state.get(f"mcp-{server}")["pid"]]
        self.groups["valkey"] = [state.get("valkey")["pid"]]
        postmaster = self.settings.data_path / "postgres" / "data" / "postmaster.pid"
        self.groups["postgres"] = [int(postmaster.read_text().split()[0])] if postmaster.exists() else []

    def read(self, generator: int | None = None) -> dict[str, float]:
        """CPU seconds so far of every group (with children: workers, backends, Locust processes)."""
        groups = dict(self.groups)
        if generator:
            groups["generator"] = [generator]
        return {name: sum(_tree_cpu(pid) for pid in pids) for name, pids in groups.items()}


def _tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid``, its reaped children and its live descendants (0 once it is gone)."""
    try:
        return process_tree_cpu(pid)
    except psutil.NoSuchProcess:
        return 0.0


def restart_servers(settings: Settings, workers: int) -> None:
    """Restart the MCP servers with ``workers`` worker processes each."""
    from promptsales.wiring import mcp_service

    os.environ["PROMPTSALES_MCP_WORKERS"] = str(workers)
    for server in SERVERS:
        service = mcp_service(settings, server)
        service.stop()
        if not service.start():
            raise SystemExit(f"the {server} MCP server did not start; see {settings.data_path}/logs/mcp-{server}.log")


def audit_rows(settings: Settings, since: float) -> int:
    """MCP audit rows written since ``since`` (epoch seconds), by every caller (the agents, and PromptSales calling
    the other servers for a proposal)."""
    with connect("sales", "admin", settings=settings) as conn:
        return conn.execute(
            "SELECT count(*) FROM portal.audit_log WHERE occurred_at >= to_timestamp(%s) AND category = 'mcp'",
            (since,),
        ).fetchone()[0]


def served_calls(before: dict[str, int], after: dict[str, int]) -> int:
    """Tool calls the servers handled between two readings of the shared counters: every call of an OAuth client
    takes (or is refused) one rate-limit token, on the fast path and the SDK's alike, and has one audit row; a call let
    through while Valkey was unreachable (fail open) has a row and no counted token (docs/decisions.md D159)."""
    return sum(after.get(k, 0) - before.get(k, 0) for k in ("rate_allowed", "rate_limited"))


def settle(meter: CpuMeter, quiet: float = 0.2, longest: float = 60.0) -> float:
    """Wait until the servers have worked off the previous stage (MCP servers and PostgreSQL together under
    ``quiet`` CPU seconds in 2 s, at most ``longest`` s); the seconds waited. After the closed loop the servers
    still hold queued requests whose agents Locust has stopped: a paced stage started at once measured that
    backlog (the 50 % stage's p99 of 28–32 s)."""
    started = time.monotonic()
    previous = meter.read()
    while time.monotonic() - started < longest:
        time.sleep(2)
        current = meter.read()
        busy = sum(current[name] - previous[name] for name in current if name.startswith("mcp-") or name == "postgres")
        previous = current
        if busy < quiet:
            break
    return time.monotonic() - started


def cache_counters(settings: Settings) -> dict[str, int]:
    """The shared cache's counters (hits, misses, rate_allowed, rate_limited…)."""
    from promptsales.cache import get_cache
    from promptsales.cache.stats import stat_counters

    return stat_counters(get_cache(settings))


def run_stage(
    settings: Settings,
    meter: CpuMeter,
    name: str,
    user_class: str,
    users: int,
    seconds: int,
    processes: int,
    pace: float,
    plan_path: Path,
) -> dict[str, Any]:
    """One Locust run; its per-request statistics, failures and the CPU each process group spent."""
    prefix = OUT / name.replace(" ", "_").replace("%", "pct")
    env = dict(
        os.environ,
        PROMPTSALES_LOAD_PLAN=str(plan_path),
        PROMPTSALES_LOAD_PACE=str(pace),
        PROMPTSALES_LOAD_PROCESSES=str(processes),
    )
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(HERE / "locustfile.py"),
        user_class,
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(max(10, users // 5)),  # agents arrive over ≈5 s (not 1,200 TLS sessions in the same instant)
        "--run-time",
        f"{seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "30",
        "--exit-code-on-error",
        "0",
    ]
    if processes > 1:
        command += ["--processes", str(processes)]
    counters_before = cache_counters(settings)
    load_before = os.getloadavg()[0]
    with open(f"{prefix}.log", "w") as log:
        locust = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=HERE)
        before = meter.read(locust.pid)
        started = time.monotonic()
        peak = before
        while locust.poll() is None:
            time.sleep(0.5)
            if locust.poll() is None:
                peak = meter.read(locust.pid)  # the generator's last reading before its processes exit
        elapsed = time.monotonic() - started
    after = meter.read()
    after["generator"] = peak.get("generator", 0.0)
    counters_after = cache_counters(settings)
    cpu = {group: after[group] - before.get(group, 0.0) for group in after}
    stats = _read_stats(f"{prefix}_stats.csv")
    failures = _read_failures(f"{prefix}_failures.csv")
    counters = {k: counters_after.get(k, 0) - counters_before.get(k, 0) for k in ("hits", "misses", "rate_limited")}
    return {
        "name": name,
        "user_class": user_class,
        "users": users,
        "seconds": seconds,
        "elapsed": elapsed,
        "pace": pace,
        "stats": stats,
        "failures": failures,
        "cpu": cpu,
        "cache": counters,
        "load_average": [load_before, os.getloadavg()[0]],
    }


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:  # Locust writes N/A for a request that never completed
        return 0.0


def _read_stats(path: str) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    with open(path) as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "count": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "rate": _number(row["Requests/s"]),
                "p50": _number(row["50%"]),
                "p95": _number(row["95%"]),
                "p99": _number(row["99%"]),
                "max": _number(row["Max Response Time"]),
            }
    return rows


def _read_failures(path: str) -> list[dict[str, Any]]:
    if not Path(path).exists():
        return []
    with open(path) as handle:
        return [
            {"name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])} for r in csv.DictReader(handle)
        ]


def tool_calls(stage: dict[str, Any]) -> int:
    """Tool calls the agents made in a stage (answered or not)."""
    return sum(row["count"] for name, row in stage["stats"].items() if name in TOOLS)


def unintended_failures(stage: dict[str, Any]) -> int:
    """Failures other than the rate limiter's intended refusals."""
    return sum(f["count"] for f in stage["failures"] if "rate-limited" not in f["error"])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2, help="Locust processes")
    parser.add_argument("--workers", type=int, default=2, help="worker processes per MCP server")
    parser.add_argument("--stage-seconds", type=int, default=60)
    parser.add_argument("--no-write", action="store_true", help="do not rewrite docs/benchmarks.md")
    parser.add_argument("--report-only", action="store_true", help="rewrite the section from build/load/results.json")
    args = parser.parse_args(argv)
    if args.report_only:
        _report(json.loads((OUT / "results.json").read_text()), write=True)
        return
    settings = get_settings()
    OUT.mkdir(parents=True, exist_ok=True)
    restart_servers(settings, args.workers)
    began = time.time()
    counters_at_start = cache_counters(settings)
    plan_path = OUT / "plan.json"
    plan = write_plan(settings, args.agents, plan_path)
    meter = CpuMeter(settings)
    short = max(15, args.stage_seconds // 2)
    stages = [run_stage(settings, meter, "cached", "CachedReader", 20, short, args.processes, 0, plan_path)]
    stages.append(run_stage(settings, meter, "sessions", "SessionOpener", 30, 20, 1, 0, plan_path))
    stages.append(
        run_stage(settings, meter, "warm-up", "MarketingAgent", args.agents, short, args.processes, 0.5, plan_path)
    )
    settle(meter)
    saturation = run_stage(
        settings, meter, "saturation", "MarketingAgent", args.agents, args.stage_seconds, args.processes, 0, plan_path
    )
    stages.append(saturation)
    peak = tool_calls(saturation) / saturation["elapsed"]
    for share in (0.5, 0.8):
        pace = share * peak / args.agents
        settle(meter)
        stages.append(
            run_stage(
                settings,
                meter,
                f"{share:.0%}",
                "MarketingAgent",
                args.agents,
                args.stage_seconds,
                args.processes,
                pace,
                plan_path,
            )
        )
    counted = sum(tool_calls(stage) for stage in stages)
    expected = served_calls(counters_at_start, cache_counters(settings))
    deadline = time.monotonic() + 30
    stored = audit_rows(settings, began)
    while stored < expected and time.monotonic() < deadline:
        time.sleep(1)
        stored = audit_rows(settings, began)
    results = {
        "agents": args.agents,
        "processes": args.processes,
        "workers": args.workers,
        "cores": os.cpu_count(),
        "size": plan["size"],
        "stages": stages,
        "saturation_rate": peak,
        "audit": {"tool_calls": expected, "rows": stored, "locust_counted": counted},
        "minutes": (time.time() - began) / 60,
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    _report(results, write=not args.no_write)


def _report(results: dict[str, Any], write: bool) -> None:
    from report_load import section_lines  # noqa: PLC0415 - the report's formatting, kept apart

    lines = section_lines(results)
    if write:  # a run on the large data (N2: more than 5,000 active campaigns) keeps its own section
        large = results["size"]["active_campaigns"] >= LARGE_ACTIVE_CAMPAIGNS
        title = "Load — 300 agents over MCP" + (", large data" if large else "") + " (issue 20)"
        write_section(title, "bench/load/run.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

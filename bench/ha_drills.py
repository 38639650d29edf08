"""Benchmark (issue 21): the failover drills of the HA profile, several runs each, with two tunings.

A scratch data directory runs the whole HA ecosystem (``promptsales up --profile ha``: etcd ×3, Patroni ×2 —
each node in its own network namespace when run as root —, FerretDB on PostgreSQL, Valkey + replica + 3
Sentinels, the issuer, the four MCP servers, Dagster), seeded at small scale. Each drill runs ``--runs`` times
through the real CLI (``promptsales drill run NAME --runs N --json``) with the default settings, then
pg-failover again with the fast settings. The median and maximum of each figure go into docs/benchmarks.md and
docs/ha.md (between its ``drills`` markers).

    python bench/ha_drills.py [--runs 5] [--drills pg-failover,valkey-failover] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.runtime.ha import network  # noqa: E402
from report import machine_summary, write_section  # noqa: E402

HA_DOC = Path(__file__).resolve().parent.parent / "docs" / "ha.md"
DRILLS = ("pg-failover", "pg-partition", "valkey-failover", "content-failover")
#: The tunings measured: the profile's defaults, and the tests' (loop_wait 1 s, retry_timeout 3 s, Sentinel 1 s).
TUNINGS = {
    "default": {},
    "fast": {
        "PROMPTSALES_HA_LOOP_WAIT": "1",
        "PROMPTSALES_HA_RETRY_TIMEOUT": "3",
        "PROMPTSALES_HA_SENTINEL_DOWN_AFTER_MS": "1000",
    },
}
FIGURES = (
    ("new_leader_s", "new leader"),
    ("first_write_s", "first write"),
    ("first_mcp_s", "first MCP call"),
    ("rejoin_s", "old node rejoined"),
)


def _cli(env: dict[str, str], *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def _ecosystem(tuning: str, root: Path) -> dict[str, str]:
    """Start and seed a scratch HA ecosystem with ``tuning``; returns its environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
    env.update(
        PROMPTSALES_DATA_DIR=str(root / tuning),
        PROMPTSALES_PROFILE="ha",
        PROMPTSALES_HA_NETWORK="loopback" if network.unavailable_reason() else "netns",
        **TUNINGS[tuning],
    )
    for args in (("up", "--profile", "ha"), ("seed", "--scale", "small")):
        done = _cli(env, *args)
        if done.returncode != 0:
            raise SystemExit(f"promptsales {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return env


def _drill(env: dict[str, str], name: str, runs: int) -> dict:
    done = _cli(env, "drill", "run", name, "--runs", str(runs), "--json")
    if not done.stdout.strip().startswith("{"):
        raise SystemExit(f"drill {name} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def _rows(tuning: str, result: dict) -> list[str]:
    summary, runs = result["summary"], result["runs"]
    lost = sum(run["lost"] for run in runs)
    acknowledged = sum(run["acknowledged"] for run in runs)
    errors = sum(run["write_errors"] for run in runs), sum(run["mcp_errors"] for run in runs)
    cells = []
    for key, _ in FIGURES:
        figure = summary[key]
        cells.append("—" if figure["median"] is None else f"{figure['median']:.1f} / {figure['max']:.1f}")
    passed = sum(run["passed"] for run in runs)
    return [
        f"| {result['drill']} | {tuning} | {len(runs)} | "
        + " | ".join(cells)
        + f" | {lost} of {acknowledged} | {errors[0]} / {errors[1]} | {passed}/{len(runs)} |"
    ]


def _partition_rows(result: dict) -> list[str]:
    runs = result["runs"]
    after = [run["details"]["writes acknowledged by the old leader after the cut"] for run in runs]
    stopped = [run["details"]["old leader stopped acknowledging at (s)"] for run in runs]
    first_write = [run["first_write_s"] for run in runs]
    return [
        f"- pg-partition: writes the cut-off leader acknowledged after the cut: {sum(after)} in {len(runs)} runs; "
        f"it stopped acknowledging at {', '.join('—' if v is None else f'{v:.1f}' for v in stopped)} s, the new leader "
        f"took its first write at {', '.join('—' if v is None else f'{v:.1f}' for v in first_write)} s; "
        f"two writers at once: {sum(bool(run['details']['two_writers']) for run in runs)} runs."
    ]


#: Minutes of unavailability 99.9 % leaves in a month of 30.44 days.
BUDGET_MINUTES = 30.44 * 24 * 60 * 0.001


def _budget(results: dict[tuple[str, str], dict]) -> list[str]:
    """The 99.9 % error-budget arithmetic from the measured first-write and first-MCP-call times."""
    lines = [f"Error budget at 99.9 %: 30.44 d × 1,440 min × 0.1 % = {BUDGET_MINUTES:.1f} min/month."]
    for (name, tuning), result in sorted(results.items()):
        if name == "valkey-failover":
            errors = sum(run["mcp_errors"] for run in result["runs"])
            lines.append(
                f"- {name} ({tuning}): MCP calls failed during the failover: {errors} — tools answer from the "
                "databases while no primary is known, so a Valkey failover spends no budget."
            )
            continue
        cost = [
            max(value for value in (run["first_write_s"], run["first_mcp_s"]) if value is not None)
            for run in result["runs"]
            if run["first_write_s"] is not None
        ]
        if not cost:
            continue
        worst, typical = max(cost), sorted(cost)[len(cost) // 2]
        lines.append(
            f"- {name} ({tuning}): unavailable {typical:.0f} s (median), {worst:.0f} s (max) per failover → the "
            f"budget holds {BUDGET_MINUTES * 60 / worst:.0f} failovers a month at the max "
            f"({BUDGET_MINUTES * 60 / typical:.0f} at the median); one a week spends "
            f"{worst * 4.35 / 60:.1f} min ({worst * 4.35 / 60 / BUDGET_MINUTES:.1%} of it)."
        )
    return lines


def main() -> None:
    """Run the drills and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--drills", default=",".join(DRILLS))
    parser.add_argument("--keep", action="store_true", help="Leave the scratch ecosystems running.")
    options = parser.parse_args()
    drills = [name for name in options.drills.split(",") if name]
    root = Path(tempfile.mkdtemp(prefix="ps-ha-bench-"))
    table = [
        "| drill | tuning | runs | new leader (s) | first write (s) | first MCP call (s) | old node rejoined (s) "
        "| acknowledged writes lost | client errors (write / MCP) | passed |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    results: dict[tuple[str, str], dict] = {}
    started = time.monotonic()
    for tuning, names in (("default", drills), ("fast", [d for d in drills if d == "pg-failover"])):
        if not names:
            continue
        env = _ecosystem(tuning, root)
        try:
            for name in names:
                print(f"== {name} ({tuning}, {options.runs} runs)", flush=True)
                result = _drill(env, name, options.runs)
                results[(name, tuning)] = result
                table += _rows(tuning, result)
                if name == "pg-partition":
                    notes += _partition_rows(result)
        finally:
            if not options.keep:
                _cli(env, "down")
    if not options.keep:
        shutil.rmtree(root, ignore_errors=True)
    lines = [
        "Each cell: median / max over the runs, seconds after the fault (kill -9 of the leader's Patroni and "
        "postmaster; its namespace's link cut; kill -9 of the Valkey primary). Load during each run: a PostgreSQL "
        "(or MongoDB, or Valkey) writer every 50 ms and an MCP call every 0.25 s (PromptAds `createCampaign` with "
        "one idempotency key, `listChannels` for Valkey, PromptContent `getContent` for content).",
        "Tunings: default = ttl 20, loop_wait 5, retry_timeout 5, Sentinel down-after 1500 ms; fast = ttl 20, "
        "loop_wait 1, retry_timeout 3, down-after 1000 ms (docs/ha.md).",
        "",
        *table,
        "",
        *notes,
        f"Wall time of the benchmark: {(time.monotonic() - started) / 60:.0f} min.",
    ]
    budget = _budget(results)
    lines += ["", *budget]
    write_section("High availability drills (issue 21)", "bench/ha_drills.py", lines)
    if HA_DOC.exists():
        text = HA_DOC.read_text()
        block = (
            f"<!-- drills:begin -->\nMeasured on {machine_summary()}.\n\n" + "\n".join(lines) + "\n<!-- drills:end -->"
        )
        text = re.sub(r"<!-- drills:begin -->.*?<!-- drills:end -->", lambda _: block, text, flags=re.S)
        budget_block = "<!-- budget:begin -->\n" + "\n".join(budget) + "\n<!-- budget:end -->"
        HA_DOC.write_text(
            re.sub(r"<!-- budget:begin -->.*?<!-- budget:end -->", lambda _: budget_block, text, flags=re.S)
        )
    print("\n".join(lines))


if __name__ == "__main__":
    main()

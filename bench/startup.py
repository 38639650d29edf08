"""Benchmark (issue 2): how long `promptsales up` takes until every service is healthy.

cold = a fresh data directory (initdb, first start, migrations) with the FerretDB binary already built;
warm = `up` after `down` on the same data directory. The one-time FerretDB build is timed separately
when it is not cached yet. Figures are appended to docs/benchmarks.md by `bench/report.py`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report import machine_summary, write_section  # noqa: E402

from promptsales.runtime.ferretdb_build import build_ferretdb, cached_binary  # noqa: E402


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "promptsales.cli", *args], env=env, capture_output=True, text=True, check=False)


def _timed_up(env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = _cli(env, "up")
    if result.returncode != 0:
        raise SystemExit(result.stderr)
    status = json.loads(_cli(env, "status", "--json").stdout)
    assert all(row["healthy"] for row in status), status
    return time.perf_counter() - started


def main(repeats: int = 3) -> None:
    """Measure and record cold and warm start-up times."""
    build_seconds = None
    if not cached_binary().exists():
        started = time.perf_counter()
        build_ferretdb()
        build_seconds = time.perf_counter() - started
    cold, warm = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="ps-bench-") as data_dir:
            env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
            env["PROMPTSALES_DATA_DIR"] = data_dir
            cold.append(_timed_up(env))
            _cli(env, "down")
            warm.append(_timed_up(env))
            _cli(env, "reset", "--yes")
    lines = [
        "| measure | median (s) | runs (s) | target |",
        "|---|---|---|---|",
        f"| cold `up` (initdb, start, migrate) until healthy | {statistics.median(cold):.2f} | "
        + ", ".join(f"{x:.2f}" for x in cold) + " | < 15 s |",
        f"| warm `up` after `down` until healthy | {statistics.median(warm):.2f} | "
        + ", ".join(f"{x:.2f}" for x in warm) + " | < 5 s |",
        f"| one-time FerretDB build | {build_seconds:.1f} | | excluded |" if build_seconds else
        "| one-time FerretDB build | (cached; ≈75 s measured on first `up` of this machine) | | excluded |",
    ]
    write_section("Start-up (issue 2)", "bench/startup.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

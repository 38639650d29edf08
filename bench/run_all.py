"""Run every benchmark script in bench/ in turn (each rewrites its own section of docs/benchmarks.md).

Usage: ``python bench/run_all.py [NAME ...]`` — names without ``.py`` (default: all). Scripts need the
servers of ``promptsales up`` and, for most, the official-scale data of ``make up``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"run_all", "report", "client_screenshot"}  # client_screenshot: `make screenshot`


def scripts(names: list[str]) -> list[Path]:
    """The benchmark scripts to run, in name order."""
    found = sorted(p for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS and not p.stem.endswith("_common"))
    if not names:
        return found
    by_name = {p.stem: p for p in found}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        sys.exit(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(by_name)}")
    return [by_name[n] for n in names]


def main() -> int:
    """Run the selected scripts; returns the number that failed."""
    failed = 0
    for script in scripts(sys.argv[1:]):
        print(f"== {script.name}", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed += 1
            print(f"!! {script.name} failed", flush=True)
    return failed


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark (issue 3): PromptAds generation + COPY load at official scale (target < 30 s), rows/s.

Runs against the installation started by `promptsales up`, in a scratch database (the real data is not
touched). `python bench/ads_generation.py [--scale official|large] [--repeats N]`.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.ads.generate import timed_seed  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from promptsales.seed import DEFAULT_SEED, SeedContext  # noqa: E402
from promptsales.testing import scratch_company_database  # noqa: E402
from report import runs_row, write_section  # noqa: E402


def main() -> None:
    """Measure generation and load; write the figures into docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", default="official", choices=["small", "official", "large"])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    runs = []
    settings = get_settings()
    with scratch_company_database(settings, "ads", "bench_") as dbname:
        for _ in range(args.repeats):
            ctx = SeedContext(settings, args.scale, DEFAULT_SEED, dbname={"ads": dbname})
            loaded, generate_s, load_s = timed_seed(ctx)
            runs.append((loaded, generate_s, load_s))
            with connect("ads", "analyst", settings=settings, dbname=dbname) as conn:
                active = conn.execute("SELECT count(*) FILTER (WHERE status = 'active') FROM ads.campaigns").fetchone()[
                    0
                ]
            print(f"generate {generate_s:.2f} s, load {load_s:.2f} s, rows {sum(loaded.values()):,}")
    loaded = runs[0][0]
    rows = sum(loaded.values())
    totals = [gen + load for _, gen, load in runs]
    median_total = statistics.median(totals)
    target = "< 30 s" if args.scale == "official" else "—"
    lines = [
        f"Scale `{args.scale}`, seed {DEFAULT_SEED}, {args.repeats} runs into a scratch database "
        "(generation = numpy model; load = TRUNCATE + COPY of every table in one transaction, foreign keys and "
        "secondary indexes of the big tables re-created after the COPY, ANALYZE).",
        "",
        "| measure | median | runs | target |",
        "|---|---|---|---|",
        runs_row("generate (s)", [g for _, g, _ in runs]),
        runs_row("load with COPY (s)", [load for _, _, load in runs]),
        runs_row("total (s)", totals, target),
        f"| rows loaded | {rows:,} | | |",
        f"| campaigns / active on 2026-01-31 | {loaded['campaigns']:,} / {active:,} | | |",
        f"| rows/s (total) | {rows / median_total:,.0f} | | |",
        "",
        "Rows per table: " + ", ".join(f"{t} {n:,}" for t, n in loaded.items()) + ".",
    ]
    write_section(f"PromptAds generation + load ({args.scale})", "bench/ads_generation.py", lines)


if __name__ == "__main__":
    main()

"""Benchmark (issue 4, SPEC R9): the analytics query before (base tables + linked server) and after (two
indexed materialized views), median of several runs, with both plans; and the consistency check (R3).

Needs official-scale data in the configured data directory (``make up`` or ``bench/crm_seed.py``).
Target: the optimized query ≥ 10× faster, same rows.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.config import get_settings  # noqa: E402
from promptsales.crm import analytics  # noqa: E402
from promptsales.crm.service import check_consistency  # noqa: E402
from report import write_section  # noqa: E402

YEAR, COUNTRY = 2025, "US"


def main(repeats: int = 3) -> None:
    """Measure and record."""
    settings = get_settings()
    analytics.refresh_views(settings, create=True)
    base_runs, fast_runs, same = [], [], True
    for _ in range(repeats):
        base = analytics.run_query(settings, YEAR, COUNTRY, optimized=False)
        fast = analytics.run_query(settings, YEAR, COUNTRY, optimized=True)
        base_runs.append(base.milliseconds)
        fast_runs.append(fast.milliseconds)
        same = same and base.rows == fast.rows
    before, after = statistics.median(base_runs), statistics.median(fast_runs)
    started = time.perf_counter()
    analytics.refresh_views(settings)
    refresh_seconds = time.perf_counter() - started
    checks = [check_consistency(settings) for _ in range(repeats)]
    check_ms = statistics.median(c.duration_ms for c in checks)
    plan_before = analytics.explain(settings, YEAR, COUNTRY, optimized=False)
    plan_after = analytics.explain(settings, YEAR, COUNTRY, optimized=True)
    lines = [
        f"Query: campaign behaviour vs purchases, year {YEAR}, country {COUNTRY} ({len(fast.rows):,} rows; "
        f"identical results before/after: {same}).",
        "",
        "| measure | median (ms) | runs (ms) | target |",
        "|---|---|---|---|",
        f"| analytics BEFORE (base tables + linked server) | {before:,.0f} | {', '.join(f'{x:,.0f}' for x in base_runs)} | — |",
        f"| analytics AFTER (materialized views + indexes) | {after:,.1f} | {', '.join(f'{x:,.1f}' for x in fast_runs)} | ≥ 10× faster |",
        f"| speed-up | {before / after:,.0f}× | | ≥ 10× |",
        f"| REFRESH MATERIALIZED VIEW CONCURRENTLY (both views) | {refresh_seconds * 1000:,.0f} | | |",
        f"| `check consistency` SQL ({checks[0].groups_compared:,} campaign × channel × market groups, via the linked server) "
        f"| {check_ms:,.0f} | {', '.join(f'{c.duration_ms:,.0f}' for c in checks)} | — |",
        "",
        "Estimated plan BEFORE:",
        "",
        "```",
        plan_before,
        "```",
        "",
        "Estimated plan AFTER:",
        "",
        "```",
        plan_after,
        "```",
    ]
    write_section(
        "PromptCRM analytics before/after materialized views, consistency check", "bench/crm_analytics.py", lines
    )
    print("\n".join(lines))


if __name__ == "__main__":
    main()

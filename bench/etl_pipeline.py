"""Benchmark (issue 6): ETL full load, delta after 1,000 changed rows, empty run — at official scale.

Needs `promptsales up` and `promptsales seed --scale official` on PROMPTSALES_DATA_DIR. Works on private
copies of promptads/promptcrm/promptsales, so the user's warehouse is not touched. Targets: full load
under 60 s, delta after 1,000 changed rows under 2 s, empty run under 0.5 s.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from etl_common import copy_databases, drop_databases  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.etl.engine import run_pass  # noqa: E402
from promptsales.etl.sources import Sources  # noqa: E402
from report import runs_row, write_section  # noqa: E402


def _run(sources: Sources, **kwargs):
    report = run_pass(sources, trigger="bench", **kwargs)
    if report.status != "succeeded":
        raise SystemExit(f"ETL pass failed: {report.error}")
    return report


def _seconds(reports) -> list[float]:
    """The durations of ETL pass reports, in seconds."""
    return [report.duration_ms / 1000 for report in reports]


def change_rows(sources: Sources, n: int, round_no: int) -> None:
    """Change ``n`` source rows: half ad results' cost, half sales' amount, spread over random campaigns."""
    with sources.connect("ads", "app") as ads:
        ads.execute(
            "UPDATE ads.ad_results r SET cost = r.cost + 0.01 FROM (SELECT ad_id, channel_id, market_id, result_date "
            "FROM ads.ad_results TABLESAMPLE BERNOULLI (1) REPEATABLE (%s) LIMIT %s) s "
            "WHERE (r.ad_id, r.channel_id, r.market_id, r.result_date) = (s.ad_id, s.channel_id, s.market_id, s.result_date)",
            (round_no, n // 2),
        )
    with sources.connect("crm", "app") as crm:
        crm.execute(
            "UPDATE crm.sales SET amount = amount + 0.01 WHERE sale_id IN (SELECT sale_id FROM crm.sales "
            "TABLESAMPLE BERNOULLI (5) REPEATABLE (%s) LIMIT %s)",
            (round_no, n - n // 2),
        )


def empty_warehouse(sources: Sources) -> None:
    """Start a full load from nothing: empty the copy's warehouse and horizons."""
    with sources.connect("sales", "owner") as conn:
        conn.execute(
            "TRUNCATE wh.campaign_facts, wh.campaigns, wh.campaign_channels, wh.campaign_markets, "
            "wh.campaign_months, wh.campaign_content, etl.horizons"
        )


def main(repeats: int = 3) -> None:
    """Measure and record the three ETL timings."""
    settings = get_settings()
    names = copy_databases(settings)
    try:
        sources = Sources(settings, names)
        full = []
        for _ in range(repeats):
            empty_warehouse(sources)
            full.append(_run(sources))
        empty = [_run(sources) for _ in range(repeats + 2)]
        delta = []
        for round_no in range(repeats):
            change_rows(sources, 1000, round_no + 1)
            delta.append(_run(sources))
    finally:
        drop_databases(settings, names)
    f0, d0 = full[0], delta[0]
    lines = [
        f"Official-scale copies: {f0.campaigns:,} campaigns; full load reads {f0.rows_read.get('ads', 0):,} "
        f"aggregated PromptAds rows and {f0.rows_read.get('crm', 0):,} PromptCRM rows (facts are aggregated in the "
        f"sources, streamed with COPY) and writes {sum(f0.rows_written.values()):,} warehouse rows.",
        "",
        "| measure | median (s) | runs (s) | target |",
        "|---|---|---|---|",
        runs_row("full load into an empty warehouse (first run)", _seconds(full), "< 60 s"),
        runs_row(
            f"delta after 1,000 changed rows (500 ad results + 500 sales; ≈{d0.campaigns} campaigns recomputed, "
            f"{d0.changes_read.get('ads', 0)}+{d0.changes_read.get('crm', 0)} change records)",
            _seconds(delta),
            "< 2 s",
        ),
        runs_row("empty run (no source change)", _seconds(empty), "< 0.5 s", digits=3),
    ]
    write_section("ETL pipeline (issue 6)", "bench/etl_pipeline.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

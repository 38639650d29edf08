"""``promptsales stats``: data summaries per company (``stats ads``; other companies add their commands).

Each command prints a Rich table by default and JSON with ``--json``. Companies extend :data:`app`
with ``@app.command("<company>")``.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.db.connect import connect

app = typer.Typer(help="Data summaries: row counts and distributions per company.", no_args_is_help=True)
console = Console()


@app.command("ads")
def ads_stats(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """PromptAds: rows per table, active/finished split, campaigns per start month."""
    from promptsales.ads.service import stats

    with connect("ads", "analyst", settings=get_settings()) as conn:
        summary = stats(conn)
    if as_json:
        print(json.dumps(summary, indent=2, default=str))
        return
    rows = Table("table", "rows", title="PromptAds rows per table")
    for table, count in summary["rows"].items():
        rows.add_row(f"ads.{table}", f"{count:,}")
    console.print(rows)
    campaigns = summary["campaigns"]
    console.print(
        f"campaigns: {campaigns['total']:,} — {campaigns['by_status']} — active share {campaigns['active_share']:.1%} "
        f"as of {summary['as_of']}; starts {campaigns['first_start']} … {campaigns['last_start']}"
    )
    months = Table("start month", "campaigns", title="Campaigns per start month")
    for month, count in campaigns["per_start_month"].items():
        months.add_row(month, str(count))
    console.print(months)

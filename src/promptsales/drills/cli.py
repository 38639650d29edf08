"""``promptsales drill …``: run the failover drills of the HA profile (docs/ha.md)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.drills import DRILL_NAMES
from promptsales.drills.report import describe, summarise

app = typer.Typer(help="Failover drills of the HA profile: inject a fault under load, measure.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_drills() -> None:
    """The drills and the fault each injects."""
    from promptsales.drills.run import DRILLS  # the MCP client and the HA tooling: imported when a drill is asked

    for name, drill in DRILLS.items():
        console.print(f"[bold]{name}[/]: {(drill.__doc__ or '').strip().splitlines()[0]}")


@app.command()
def run(
    name: str = typer.Argument(..., help=f"One of: {', '.join(DRILL_NAMES)}."),
    runs: int = typer.Option(1, "--runs", min=1, max=20, help="Run it this many times (median and max printed)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Run a drill on the HA ecosystem of this data directory and print what the clients saw; exit 1 when an
    acknowledged write was lost or the service did not come back."""
    from promptsales.drills.run import run_drill

    settings = get_settings()
    reports = []
    for index in range(runs):
        report = run_drill(settings, name)
        reports.append(report)
        if not as_json:
            table = Table(title=f"drill {name}" + (f" — run {index + 1}/{runs}" if runs > 1 else ""))
            table.add_column("what")
            table.add_column("measured")
            for label, value in describe(report):
                table.add_row(label, value)
            console.print(table)
    summary = summarise(reports)
    if as_json:
        print(json.dumps({"drill": name, "runs": [r.as_dict() for r in reports], "summary": summary}, indent=2))
    elif runs > 1:
        console.print(json.dumps(summary, indent=2))
    if not all(report.passed for report in reports):
        raise typer.Exit(1)

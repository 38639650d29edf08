"""``promptsales etl``: run one pass, show the last runs and horizons, open the Dagster UI."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError
from promptsales.etl.sources import Sources

app = typer.Typer(help="The delta ETL into the PromptSales warehouse (S2–S4).", no_args_is_help=True)
console = Console()


@app.command("run")
def run_command(
    as_json: bool = typer.Option(False, "--json", help="Print the run report as JSON."),
    full: bool = typer.Option(False, "--full", help="Recompute every campaign (a full load)."),
) -> None:
    """Run one pass: read the changes since the last run, update the affected summaries."""
    from promptsales.etl.engine import run_pass

    report = run_pass(Sources(get_settings()), trigger="cli", full=full)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, default=str))
    else:
        _print_report(report.as_dict())
    if report.status != "succeeded":
        raise typer.Exit(1)


def _print_report(report: dict) -> None:
    kind = "full load" if report["full_load"] else "delta"
    console.print(
        f"run {report['run_id']} ({kind}): [bold]{report['status']}[/] in {report['duration_ms']:.0f} ms, "
        f"{report['campaigns']} campaigns recomputed"
    )
    table = Table("source", "changes read", "rows read")
    for source in sorted(set(report["changes_read"]) | set(report["rows_read"])):
        table.add_row(source, str(report["changes_read"].get(source, "")), str(report["rows_read"].get(source, "")))
    console.print(table)
    written = Table("warehouse table", "rows written")
    for name, rows in report["rows_written"].items():
        written.add_row(name, str(rows))
    console.print(written)
    if report.get("error"):
        console.print(f"[red]error:[/] {report['error']}")


@app.command("status")
def status_command(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    limit: int = typer.Option(10, help="How many recent runs to show."),
) -> None:
    """The latest runs (status, duration, rows per source) and the committed horizons."""
    from promptsales.etl import runs

    if limit < 1 or limit > 1000:
        raise UserError("--limit must be between 1 and 1000.")
    with Sources(get_settings()).warehouse() as warehouse:
        recent = runs.recent_runs(warehouse, limit)
        horizons = runs.horizons(warehouse)
    if as_json:
        print(json.dumps({"runs": recent, "horizons": horizons}, indent=2, default=str))
        return
    table = Table("run", "started", "status", "trigger", "full", "ms", "changes read", "rows written", title="ETL runs")
    for row in recent:
        table.add_row(
            str(row["id"]),
            row["started_at"].strftime("%Y-%m-%d %H:%M:%S"),
            row["status"],
            row["trigger"],
            "yes" if row["full_load"] else "",
            f"{row['duration_ms'] or 0:.0f}",
            ", ".join(f"{k}={v}" for k, v in (row["changes_read"] or {}).items()),
            str(sum((row["rows_written"] or {}).values())),
        )
    console.print(table)
    htable = Table("source", "xid horizon", "timestamp horizon", "run", title="Horizons")
    for row in horizons:
        htable.add_row(row["source"], row["xid_horizon"] or "", str(row["ts_horizon"] or ""), str(row["run_id"]))
    console.print(htable)


@app.command("ui")
def ui_command(
    port: int = typer.Option(0, help="Port of the Dagster UI (0: a free port)."),
    host: str = typer.Option("127.0.0.1", help="Interface to listen on (loopback by default)."),
) -> None:
    """Start the Dagster UI (asset graph, runs, the 11-minute sensor) on localhost; Ctrl-C stops it."""
    from promptsales.etl.dagster_home import dagster_environment
    from promptsales.runtime.ports import free_port

    if port < 0 or port > 65535:
        raise UserError("--port must be between 0 and 65535.")
    port = port or free_port()
    env = dagster_environment(get_settings())
    console.print(f"Dagster UI on http://{host}:{port} (DAGSTER_HOME={env['DAGSTER_HOME']}); Ctrl-C stops it.")
    command = [sys.executable, "-m", "dagster", "dev", "-m", "promptsales.definitions", "-h", host, "-p", str(port)]
    try:
        subprocess.run(command, env={**os.environ, **env}, check=False)
    except KeyboardInterrupt:
        pass

"""``promptsales etl``: run one pass, show the last runs, horizons and lag, point to the Dagster UI."""

from __future__ import annotations

import json

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
    wait: float = typer.Option(
        0.0, "--wait", min=0, help="Seconds to wait for a pass already running (the scheduler's) before giving up."
    ),
) -> None:
    """Run one pass: read the changes since the last run, update the affected summaries."""
    from promptsales.etl.engine import run_pass

    report = run_pass(Sources(get_settings()), trigger="cli", full=full, wait=wait)
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
    """The latest runs (status, duration, rows per source), the committed horizons and the lag per source."""
    from promptsales.etl import runs
    from promptsales.etl.lag import source_lags

    if limit < 1 or limit > 1000:
        raise UserError("--limit must be between 1 and 1000.")
    sources = Sources(get_settings())
    with sources.warehouse() as warehouse:
        recent = runs.recent_runs(warehouse, limit)
        horizons = runs.horizons(warehouse)
    lags = source_lags(sources)
    if as_json:
        lag = [entry.as_dict() for entry in lags]
        print(json.dumps({"runs": recent, "horizons": horizons, "lag": lag}, indent=2, default=str))
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
    _print_lag(lags)


def _print_lag(lags) -> None:
    table = Table("source", "unread", "oldest unread", "oldest open transaction holding changes", title="Lag")
    for lag in lags:
        held = lag.oldest_transaction
        holder = ""
        if held:
            age = "?" if held.age_seconds is None else f"{held.age_seconds:.0f} s"
            who = held.state if held.prepared else f"pid {held.pid} {held.state or ''}".strip()
            holder = f"{age}: {who}, {held.user}@{held.database}, xid {held.xid}"
        oldest = "" if lag.oldest_unread_seconds is None else f"{lag.oldest_unread_seconds:.0f} s"
        table.add_row(lag.source, lag.error or str(lag.unread), oldest, holder)
    console.print(table)
    for warning in (warning for lag in lags for warning in lag.warnings):
        console.print(f"[yellow]warning:[/] {warning}")


@app.command("ui")
def ui_command() -> None:
    """Print the URL of the Dagster UI that `promptsales up` runs on loopback (asset graph, runs, sensor)."""
    from promptsales.etl.scheduler import WEBSERVER, webserver_probe, webserver_url

    settings = get_settings()
    if not webserver_probe(settings)[0]:
        raise UserError(f"The Dagster UI ({WEBSERVER}) is not running; `promptsales up` starts it.")
    console.print(f"Dagster UI: {webserver_url(settings)}")


@app.command("dagster", hidden=True)
def dagster_command(
    part: str = typer.Argument(..., help="code-server, webserver or daemon."),
    port: int = typer.Option(0, help="Port to listen on (code server and webserver)."),
) -> None:
    """Run one of the Dagster processes `promptsales up` manages (in this process, until it stops)."""
    from promptsales.etl.scheduler import PARTS, serve

    if part not in PARTS:
        raise UserError(f"Unknown Dagster process {part!r}; expected one of {', '.join(PARTS)}.")
    if part != "daemon" and not 0 < port < 65536:
        raise UserError("--port must be between 1 and 65535.")
    serve(get_settings(), part, port)

"""The ``promptsales`` command line: one entry point for every company and tool.

Each part of the system contributes a Typer sub-application (``promptsales crm …``, ``promptsales lab …``);
:func:`_attach_subcommands` attaches them all. The services ``up`` starts come from :mod:`promptsales.wiring`. Errors a user can cause exit with code 2 and a
one-line message, never a stack trace.
"""

from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import DATABASE_NAMES, get_settings
from promptsales.db.migrate import migrate_all
from promptsales.errors import UserError
from promptsales.progress import new_progress
from promptsales.runtime import manager
from promptsales.runtime.profile import active_profile, record_profile
from promptsales.seed import DEFAULT_SEED, seed_all
from promptsales.wiring import extra_services

app = typer.Typer(
    name="promptsales",
    help="PromptSales: run the marketing-and-sales ecosystem locally and operate it.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


@app.command()
def up(
    profile: str | None = typer.Option(
        None,
        "--profile",
        help="single: one process per engine (default); ha: replicated PostgreSQL (Patroni + etcd), FerretDB on it, "
        "Valkey with Sentinel (docs/ha.md). Recorded in the data directory.",
    ),
) -> None:
    """Start every database server (embedded defaults) and apply pending migrations. Idempotent."""
    settings = get_settings()
    if profile is not None and profile not in ("single", "ha"):
        raise UserError(f"Unknown profile {profile!r}; expected single or ha.")
    record_profile(settings, profile or settings.profile or active_profile(settings))  # type: ignore[arg-type]
    extras = extra_services(settings)
    launcher = manager.preload_launcher(extras)
    try:
        with console.status("Starting servers…"):
            report = manager.start_databases(settings)
        with console.status("Applying migrations…"):
            report.migrations_applied = migrate_all(settings)
        with console.status("Starting services…"):
            manager.start_extras(extras, report, launcher)
    finally:
        if launcher:
            launcher.close()
    for name in report.started:
        console.print(f"[green]started[/] {name}")
    for name in report.migrations_applied:
        console.print(f"[green]migrated[/] {name}")
    if not report.changed:
        console.print("Everything was already up to date: nothing changed.")
    _print_status(manager.statuses(settings, extras))


@app.command()
def down() -> None:
    """Stop the servers that ``up`` started. Data is kept."""
    settings = get_settings()
    stopped = manager.stop_all(settings, extra_services(settings))
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "Nothing was running.")


@app.command()
def status(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """Health of every service: name, url, pid, healthy."""
    settings = get_settings()
    rows = manager.statuses(settings, extra_services(settings))
    if as_json:
        print(json.dumps([row.as_dict() for row in rows], indent=2))
    else:
        _print_status(rows)
    if not all(row.healthy for row in rows):
        raise typer.Exit(1)


@app.command()
def reset(yes: bool = typer.Option(False, "--yes", help="Confirm that all local data is deleted.")) -> None:
    """Stop everything and delete the data directory."""
    settings = get_settings()
    if not yes:
        raise UserError(f"`reset` deletes {settings.data_path} for good; run it again with --yes.")
    manager.wipe(settings, extra_services(settings))
    console.print(f"Deleted {settings.data_path}.")


@app.command()
def migrate(
    company: list[str] = typer.Option(None, "--company", "-c", help=f"Only these: {', '.join(DATABASE_NAMES)}."),
) -> None:
    """Apply pending SQL migrations to the company databases."""
    for name in company or []:
        if name not in DATABASE_NAMES:
            raise UserError(f"Unknown company {name!r}; expected one of {', '.join(DATABASE_NAMES)}.")
    applied = migrate_all(get_settings(), company or None)
    for name in applied:
        console.print(f"[green]migrated[/] {name}")
    if not applied:
        console.print("No pending migrations.")


def _print_status(rows) -> None:
    table = Table(title="PromptSales services")
    for column in ("service", "url", "pid", "healthy", "note"):
        table.add_column(column)
    for row in rows:
        note = ("external " if row.external else "") + row.detail
        healthy = "[green]yes[/]" if row.healthy else "[red]no[/]"
        table.add_row(row.name, row.url, str(row.pid or ""), healthy, note.strip())
    console.print(table)


@app.command()
def seed(
    scale: str = typer.Option("official", help="small (tests), official (meets SPEC floors) or large (benchmarks)."),
    seed_value: int = typer.Option(DEFAULT_SEED, "--seed", help="Random seed: same seed, same data."),
    company: list[str] = typer.Option(None, "--company", "-c", help="Only these companies (dependency order kept)."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Skip companies whose data is already there."),
) -> None:
    """Generate and load every company's data (algorithmic, deterministic, loaded with COPY)."""
    with new_progress() as progress:
        loaded = seed_all(get_settings(), scale, seed_value, company or None, if_empty, progress)
    for name, tables in loaded.items():
        if not tables:
            console.print(f"{name}: already seeded, skipped")
            continue
        console.print(f"[green]{name}[/]: " + ", ".join(f"{table}={rows:,}" for table, rows in tables.items()))


def _attach_subcommands() -> None:
    """Attach the sub-applications of each part of the system."""
    from promptsales.audit.cli import app as audit_app
    from promptsales.auth.cli import app as auth_app
    from promptsales.backup.cli import app as backup_app
    from promptsales.cache.cli import app as cache_app
    from promptsales.commands.ai import app as ai_app
    from promptsales.commands.deploy import app as deploy_app
    from promptsales.commands.lab import app as lab_app
    from promptsales.commands.mcp import app as mcp_app
    from promptsales.content.cli import app as content_app
    from promptsales.crm import cli as crm_cli
    from promptsales.crm.concurrency.cli import deadlock_client
    from promptsales.drills.cli import app as drill_app
    from promptsales.etl.cli import app as etl_app
    from promptsales.privacy.cli import app as privacy_app
    from promptsales.privileges.cli import app as privileges_app
    from promptsales.stats import app as stats_app

    lab_app.command("deadlock-client")(deadlock_client)  # the two-computer client of the R11 lab
    stats_app.command("crm")(crm_cli.stats_crm)
    app.add_typer(lab_app, name="lab")
    app.add_typer(stats_app, name="stats")
    app.add_typer(crm_cli.app, name="crm")
    app.add_typer(crm_cli.check_app, name="check")
    app.add_typer(backup_app, name="backup")
    app.add_typer(etl_app, name="etl")
    app.add_typer(cache_app, name="cache")
    app.add_typer(content_app, name="content")
    app.add_typer(auth_app, name="auth")
    app.add_typer(audit_app, name="audit")
    app.add_typer(privileges_app, name="privileges")
    app.add_typer(privacy_app, name="privacy")
    app.add_typer(mcp_app, name="mcp")
    app.add_typer(drill_app, name="drill")
    app.add_typer(deploy_app, name="deploy")
    app.add_typer(ai_app, name="ai")


_attach_subcommands()


def main(args: list[str] | None = None) -> None:
    """Console-script entry point: run the CLI, turning user errors into exit code 2.

    Typer's standalone mode already exits 2 on usage errors (bad option, missing argument) and honours
    ``typer.Exit(code)``; errors raised by our code as ``UserError`` are printed as one line here.
    ``args`` replaces ``sys.argv[1:]`` (the preloading launcher runs servers in-process this way). Admin actions
    are recorded in the central audit (:mod:`promptsales.audit.commands`).
    """
    from promptsales.audit.commands import audited_command

    argv = sys.argv[1:] if args is None else args
    with audited_command(typer.main.get_command(app), argv):
        try:
            app(args=args, prog_name="promptsales")
        except UserError as error:
            err_console.print(f"[bold red]error:[/] {error}")
            sys.exit(2)


if __name__ == "__main__":
    main()

"""``promptsales lab deadlock-client``: one side of the two-computer deadlock (SPEC R11)."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.crm.concurrency.harness import LabError
from promptsales.crm.concurrency.timeline import TIMELINE_COLUMNS, Timeline, TimelineEvent
from promptsales.errors import UserError

console = Console()


def _parse_sales(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    try:
        ids = [int(part) for part in raw.split(",")]
    except ValueError:
        raise UserError(f"--sales expects two sale ids like 11,12, got {raw!r}.") from None
    if len(ids) != 2 or ids[0] == ids[1]:
        raise UserError(f"--sales expects two different sale ids like 11,12, got {raw!r}.")
    return ids


def deadlock_client(
    role: str = typer.Option(..., "--role", help="a = coordinator (opens the gate), b = peer."),
    dsn: str = typer.Option(
        None,
        "--dsn",
        envvar="PROMPTSALES_LAB_DSN",
        help="PromptCRM app-role connection string (default: this machine's configured server).",
    ),
    safe: bool = typer.Option(False, "--safe", help="Use the safe transfer (global lock order + retry)."),
    unsafe: bool = typer.Option(False, "--unsafe", help="Use the unsafe transfer (locks in argument order)."),
    run_id: str = typer.Option("deadlock", "--run-id", help="Same value on both computers; names sessions and gate."),
    rounds: int = typer.Option(1, "--rounds", help="Repeat the exchange this many times."),
    sales: str = typer.Option(None, "--sales", help="Two sale ids X,Y (default: the two lowest sale ids)."),
    deadlock_timeout_ms: int = typer.Option(
        100, "--deadlock-timeout-ms", help="deadlock_timeout of this client's session."
    ),
    timeout: float = typer.Option(120.0, "--timeout", help="Seconds to wait for the other client."),
    keep: bool = typer.Option(False, "--keep", help="Role a: leave the amounts changed instead of restoring them."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Run one client of the two-computer deadlock; start role b and role a (any order) on two machines."""
    from promptsales.crm.concurrency.two_clients import run_client

    if safe == unsafe:
        raise UserError("Choose exactly one of --safe or --unsafe (the same on both computers).")
    if role not in ("a", "b"):
        raise UserError(f"--role must be a or b, got {role!r}.")
    if not run_id.replace("-", "").replace("_", "").isalnum() or len(run_id) > 40:
        raise UserError("--run-id may contain only letters, digits, - and _ (at most 40 characters).")
    if dsn is None:
        from promptsales.config import get_settings
        from promptsales.db.connect import conninfo

        dsn = conninfo(get_settings(), "crm", "app")
    try:
        report = run_client(
            dsn,
            role,
            safe=safe,
            run_id=run_id,
            rounds=rounds,
            sale_ids=_parse_sales(sales),
            deadlock_timeout_ms=deadlock_timeout_ms,
            timeout=timeout,
            restore=not keep,
        )
    except LabError as error:
        raise UserError(f"deadlock-client {role}: {error}") from error
    except Exception as error:  # psycopg connection problems and the like: one clear line
        import psycopg

        if isinstance(error, psycopg.OperationalError):
            raise UserError(f"deadlock-client {role}: cannot reach the server: {str(error).strip()}") from error
        raise
    if as_json:
        print(json.dumps(report.as_dict(), default=str))
        return
    timeline = Timeline()
    timeline.extend([TimelineEvent(**e) for e in report.timeline])
    table = Table(*TIMELINE_COLUMNS, title=f"client {role}, run {run_id} ({report.mode}), sales {report.sales}")
    for row in timeline.rows():
        table.add_row(*row)
    console.print(table)
    for r in report.rounds:
        verdict = "deadlock victim (40P01 → PCC03)" if r.deadlock_victim else ("committed" if r.ok else r.message)
        extra = ""
        if role == "a":
            extra = f"; b committed: {r.peer_ok}; final amounts as expected: {r.final_ok}; clients: {r.addresses}"
        console.print(f"round {r.round}: {role} {verdict}{extra}")


def main() -> None:
    """``python -m promptsales.crm.concurrency.cli --role a …``: the same command as
    ``promptsales lab deadlock-client`` without loading the whole CLI (faster to start on a lab client)."""
    import sys

    import click

    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command()(deadlock_client)
    try:
        app(standalone_mode=False)
    except UserError as error:
        Console(stderr=True).print(f"[bold red]error:[/] {error}")
        sys.exit(2)
    except click.exceptions.UsageError as error:
        error.show()
        sys.exit(2)


if __name__ == "__main__":
    main()

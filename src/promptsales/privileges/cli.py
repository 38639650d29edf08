"""``promptsales privileges …``: check the real grants and OAuth clients against the declared policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import typer
from rich.console import Console

from promptsales.config import get_settings

app = typer.Typer(
    help="Least privilege: the declared policy of every database role and OAuth client, checked against reality.",
    no_args_is_help=True,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


REFERENCE_HELP = "Read a fresh reference installation (scratch databases, migrated, set up) instead of the running one."

T = TypeVar("T")


def _read(reference: bool, read: Callable[..., T]) -> T:
    """``read(settings)`` over the running installation, or ``read(settings, dbnames)`` over a fresh reference
    installation (scratch databases, removed after)."""
    from promptsales.privileges.reference import reference_installation

    settings = get_settings()
    if not reference:
        return read(settings)
    with reference_installation(settings) as dbnames:
        return read(settings, dbnames)


@app.command()
def check(
    reference: bool = typer.Option(False, "--reference", help=REFERENCE_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print JSON for machines."),
) -> None:
    """Compare the grants of every database and the issuer's clients with the policy files; exit 2 on any drift."""
    from promptsales.privileges.policy import drift

    problems = _read(reference, drift)
    if as_json:
        print(json.dumps({"ok": not problems, "drift": problems}, indent=2))
    else:
        for line in problems:
            err_console.print(f"[bold red]drift:[/] {line}")
        console.print(
            "[green]no drift[/]: grants and OAuth clients are as declared"
            if not problems
            else f"[bold red]{len(problems)} difference(s)[/] from the declared policy"
        )
    if problems:
        raise typer.Exit(2)


@app.command()
def write(reference: bool = typer.Option(True, "--reference/--installation", help=REFERENCE_HELP)) -> None:
    """Rewrite the role policy files (developers: after a migration that changes grants; review the diff — it is
    the change of policy). Default: from a fresh reference installation."""
    from promptsales.privileges.policy import write as write_policy

    paths = _read(reference, write_policy)
    for path in paths:
        console.print(f"wrote {path}")

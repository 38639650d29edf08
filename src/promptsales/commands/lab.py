"""``promptsales lab``: list, show and run the teaching lab."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import typer
from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError
from promptsales.lab.registry import LabResult
from promptsales.wiring import lab, labs

app = typer.Typer(help="The teaching lab: runnable, commented SQL and concurrency scenarios.", no_args_is_help=True)
console = Console()


@app.command("list")
def list_entries(company: str = typer.Option(None, help="Only this company's entries.")) -> None:
    """List every lab entry."""
    table = Table(title="Lab entries")
    table.add_column("name")
    table.add_column("title")
    table.add_column("params")
    for entry in labs().values():
        if company and entry.company != company:
            continue
        params = ", ".join(f"{p.name}:{p.type}" + (f"={p.default}" if p.default else "") for p in entry.params)
        table.add_row(entry.name, entry.title, params)
    console.print(table)


@app.command()
def show(name: str) -> None:
    """Print an entry's explanation and its SQL."""
    entry = lab(name)
    console.print(Panel(entry.explanation or entry.title, title=f"{entry.name}: {entry.title}"))
    if entry.source:
        console.print(Syntax(entry.source, "sql" if entry.source.lstrip().startswith("--") else "python"))


def parse_param_options(raw: list[str]) -> dict[str, str]:
    """Turn ``["k=v", …]`` into a dict, refusing malformed items."""
    values: dict[str, str] = {}
    for item in raw:
        if "=" not in item or not item.split("=", 1)[0]:
            raise UserError(f"--param expects key=value, got {item!r}.")
        key, value = item.split("=", 1)
        values[key.strip()] = value
    return values


@app.command()
def run(
    name: str,
    param: list[str] = typer.Option([], "--param", "-p", help="key=value, repeatable."),
    safe: bool = typer.Option(False, "--safe", help="Concurrency scenarios: run the corrected version."),
    unsafe: bool = typer.Option(False, "--unsafe", help="Concurrency scenarios: run the faulty version."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of tables."),
) -> None:
    """Run an entry: prints the explanation, the SQL of each step and its result."""
    if safe and unsafe:
        raise UserError("Choose one of --safe or --unsafe, not both.")
    entry = lab(name)
    result = entry.run(get_settings(), parse_param_options(param), safe=safe, unsafe=unsafe)
    if as_json:
        print(json.dumps(_as_json(result), default=_json_default, indent=2))
        return
    console.print(Panel(entry.explanation or entry.title, title=f"{entry.name}: {entry.title}"))
    for step in result.steps:
        console.rule(step.title)
        if step.sql:
            console.print(Syntax(step.sql, "sql"))
        if step.columns:
            table = Table(*step.columns)
            for row in step.rows[:200]:
                table.add_row(*("" if v is None else str(v) for v in row))
            console.print(table)
            if len(step.rows) > 200:
                console.print(f"… {len(step.rows) - 200} more rows")
        elif step.rowcount not in (None, -1):
            console.print(f"{step.rowcount} rows affected")
        if step.note:
            console.print(step.note)
    if result.outcome:
        console.print(Panel(result.outcome, title="outcome"))


def _as_json(result: LabResult) -> dict:
    return {
        "name": result.name,
        "outcome": result.outcome,
        "steps": [
            {
                "title": s.title,
                "sql": s.sql,
                "columns": s.columns,
                "rows": [list(r) for r in s.rows],
                "rowcount": s.rowcount,
                "note": s.note,
            }
            for s in result.steps
        ],
    }


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)

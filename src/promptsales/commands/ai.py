"""``promptsales ai train|evaluate|status [MODULE]``: the AI modules of :data:`promptsales.wiring.AI_MODULES`
(docs/ai.md). Without MODULE, every module in order."""

from __future__ import annotations

import json
import time
from contextlib import nullcontext
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.wiring import AI_MODULES, load_ai_module, train_ai_module

app = typer.Typer(
    help="AI modules: train them (a new stored version), re-evaluate them on held-out data, show their status.",
    no_args_is_help=True,
)
console = Console()

ModuleArgument = typer.Argument(None, help=f"Module: {', '.join(AI_MODULES) or '(none yet)'}; default: all.")
JsonOption = typer.Option(False, "--json", help="Print JSON for machines.")


def _names(module: str | None) -> list[str]:
    if module is None:
        return list(AI_MODULES)
    load_ai_module(module)  # an unknown name is the user's error (exit 2)
    return [module]


@app.command()
def train(module: str | None = ModuleArgument, as_json: bool = JsonOption) -> None:
    """Train (fit, evaluate on held-out data, store a new version) and serve the new version at once."""
    settings = get_settings()
    results = []
    for name in _names(module):
        started = time.perf_counter()
        with console.status(f"Training {name}…") if not as_json else nullcontext():
            status = train_ai_module(settings, name)
        results.append({**status, "seconds": round(time.perf_counter() - started, 1)})
    _print(results, as_json, "trained")


@app.command()
def evaluate(module: str | None = ModuleArgument, as_json: bool = JsonOption) -> None:
    """Re-measure the newest stored version of each module on held-out data and record the figures."""
    settings = get_settings()
    results = []
    for name in _names(module):
        with console.status(f"Evaluating {name}…") if not as_json else nullcontext():
            metrics = load_ai_module(name).evaluate(settings)
        results.append({"module": name, "metrics": metrics})
    _print(results, as_json, "evaluated")


@app.command()
def status(module: str | None = ModuleArgument, as_json: bool = JsonOption) -> None:
    """Whether each module is ready, its newest version and its held-out figures."""
    settings = get_settings()
    _print([load_ai_module(name).status(settings) for name in _names(module)], as_json, "status")


def _print(rows: list[dict[str, Any]], as_json: bool, title: str) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    table = Table(title=f"AI modules — {title}")
    for column in ("module", "version", "ready", "trained", "held-out figures"):
        table.add_column(column)
    for row in rows:
        figures = headline(row.get("metrics") or {})
        table.add_row(
            row["module"],
            str(row.get("version") or "—"),
            {True: "yes", False: "no", None: ""}[row.get("ready")],
            str(row.get("trained_at") or "")[:19],
            ", ".join(f"{name} {value}" for name, value in figures.items()),
        )
    console.print(table)


def headline(metrics: dict[str, Any]) -> dict[str, Any]:
    """The figures a table shows: the module's ``headline`` entry, else its top-level numbers."""
    if isinstance(metrics.get("headline"), dict):
        return metrics["headline"]
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items() if isinstance(v, int | float)}

"""``promptsales cache …``: statistics, flush and manual invalidation of the shared cache."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.cache import get_cache, parse_scope
from promptsales.cache.stats import cache_stats
from promptsales.config import get_settings
from promptsales.errors import UserError

app = typer.Typer(help="The shared Redis cache: statistics, flush, invalidation.", no_args_is_help=True)
console = Console()


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print JSON for machines.")) -> None:
    """Hits, misses, hit ratio, keys, memory and AI tokens saved."""
    figures = cache_stats(get_cache(get_settings()))
    if as_json:
        print(json.dumps(figures, indent=2))
        return
    table = Table(title=f"Cache at {figures['url']}")
    table.add_column("figure")
    table.add_column("value", justify="right")
    rows = [
        ("hits", f"{figures['hits']:,}"),
        ("misses", f"{figures['misses']:,}"),
        ("hit ratio", f"{figures['hit_ratio']:.1%}"),
        ("source computations", f"{figures['computes']:,}"),
        ("invalidations (bumps)", f"{figures['bumps']:,}"),
        ("AI exact hits", f"{figures['ai_exact_hits']:,}"),
        ("AI semantic hits", f"{figures['ai_semantic_hits']:,}"),
        ("AI misses", f"{figures['ai_misses']:,}"),
        ("AI tokens saved", f"{figures['tokens_saved']:,}"),
        ("rate-limited calls", f"{figures['rate_limited']:,}"),
        ("keys", ", ".join(f"{name}={count:,}" for name, count in figures["keys"].items())),
        (
            "memory",
            f"{figures['memory']['used_human']} of {figures['memory']['max_bytes'] / 2**20:.0f} MiB "
            f"({figures['memory']['policy']}, {figures['memory']['evicted_keys']:,} evicted)",
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
    if figures["per_tool"]:
        tools = Table(title="Per tool")
        for column in ("tool", "hits", "misses", "hit ratio"):
            tools.add_column(column, justify="left" if column == "tool" else "right")
        for label, entry in figures["per_tool"].items():
            tools.add_row(label, f"{entry['hits']:,}", f"{entry['misses']:,}", f"{entry['hit_ratio']:.1%}")
        console.print(tools)


@app.command()
def flush(yes: bool = typer.Option(False, "--yes", help="Confirm deleting every cached value.")) -> None:
    """Delete every cached value, AI cache entry and the counters (generations, rate limits and locks stay)."""
    if not yes:
        raise UserError("`cache flush` deletes every cached answer; run it again with --yes.")
    cache = get_cache(get_settings())
    try:
        removed = cache.flush()
    except Exception as error:  # CacheUnavailable and friends
        raise UserError(f"The cache at {cache.connection.display_url} is unreachable: {error}") from error
    console.print(f"Flushed {removed:,} keys.")


@app.command()
def bump(scope: list[str] = typer.Argument(..., help="company, company/collection or company/collection/id")) -> None:
    """Invalidate cached answers that depend on these scopes (what writes and the ETL do)."""
    scopes = [parse_scope(text) for text in scope]
    bumped = get_cache(get_settings()).bump(*scopes)
    if not bumped:
        raise UserError("The cache is unreachable: the invalidation will not happen until Redis answers.")
    for name, value in bumped.items():
        console.print(f"{name} → generation {value}")

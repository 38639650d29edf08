"""``promptsales mcp …``: serve an MCP server over stdio or HTTPS; list the servers and their tools."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import get_settings
from promptsales.errors import UserError
from promptsales.wiring import MCP_SERVERS, load_kit

app = typer.Typer(help="MCP servers: serve them over stdio or HTTPS, list their tools.", no_args_is_help=True)
console = Console()


@app.command()
def serve(
    name: str = typer.Argument(..., help=f"Server: {', '.join(sorted(MCP_SERVERS))}."),
    transport: str = typer.Option(
        "stdio", help="stdio (desktop clients) or http (streamable HTTP over TLS 1.3 + OAuth)."
    ),
    host: str = typer.Option("127.0.0.1", help="HTTP listen address."),
    port: int = typer.Option(0, help="HTTP port (0: the one recorded by `promptsales up`, else a free one)."),
) -> None:
    """Run one MCP server in the foreground."""
    from promptsales.mcpkit.runner import serve_http, serve_stdio

    kit = load_kit(name)
    if transport == "stdio":
        serve_stdio(kit)
    elif transport == "http":
        settings = get_settings()
        if not port:
            from promptsales.runtime.ports import reuse_or_pick
            from promptsales.runtime.state import StateFile

            port = reuse_or_pick(StateFile(settings.data_path).get(f"mcp-{name}").get("port"))
        serve_http(kit, settings, host, port)
    else:
        raise UserError(f"Unknown transport {transport!r}; expected stdio or http.")


@app.command("list")
def list_servers() -> None:
    """Every MCP server, its tools and the OAuth scope each tool needs."""
    table = Table(title="MCP servers")
    for column in ("server", "tool", "scope", "read-only"):
        table.add_column(column)
    for name in sorted(MCP_SERVERS):
        kit = load_kit(name)
        for spec in kit.tools.values():
            table.add_row(name, spec.name, spec.scope, "yes" if spec.read_only else "no")
    console.print(table)

"""``promptsales mcp …``: serve an MCP server over stdio or HTTPS; list the servers and their tools.

Importing this module registers each server of the registry (and the OAuth issuer before them)
as a managed HTTPS service, so ``promptsales up`` starts them and ``status`` shows them.
"""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from promptsales.config import Settings, get_settings
from promptsales.errors import UserError
from promptsales.mcpkit.registry import SERVERS, load_kit
from promptsales.mcpkit.service import HttpsProcessService
from promptsales.runtime.manager import register_service

app = typer.Typer(help="MCP servers: serve them over stdio or HTTPS, list their tools.", no_args_is_help=True)
console = Console()


@app.command()
def serve(
    name: str = typer.Argument(..., help=f"Server: {', '.join(sorted(SERVERS))}."),
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
    for name in sorted(SERVERS):
        kit = load_kit(name)
        for spec in kit.tools.values():
            table.add_row(name, spec.name, spec.scope, "yes" if spec.read_only else "no")
    console.print(table)


def _server_factory(name: str):
    def factory(settings: Settings) -> HttpsProcessService:
        return HttpsProcessService(
            settings, f"mcp-{name}", lambda port: ["mcp", "serve", name, "--transport", "http", "--port", str(port)]
        )

    factory.__name__ = f"mcp_{name}_service"
    return factory


SERVER_FACTORIES = {name: _server_factory(name) for name in SERVERS}


def register_services() -> None:
    """Register the OAuth issuer and every MCP server with the runtime manager (idempotent)."""
    from promptsales.auth.cli import issuer_service

    register_service(issuer_service)
    for factory in SERVER_FACTORIES.values():
        register_service(factory)


register_services()

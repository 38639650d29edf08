"""``promptsales mcp …``: serve an MCP server over stdio or HTTPS; list the servers and their tools; print or
write a client configuration; bridge a stdio client to a running HTTPS server."""

from __future__ import annotations

from pathlib import Path

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
    """Run one MCP server in the foreground, connected to its database with its own least-privilege role."""
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


@app.command("config")
def config(
    client: str = typer.Argument(
        ..., help="claude (Claude Desktop), inspector (the MCP Inspector) or json (any client)."
    ),
    server: list[str] = typer.Option(None, "--server", help="Server(s) to include (repeat); default: all four."),
    transport: str = typer.Option(
        "stdio", help="stdio: local servers; https: the running HTTPS servers through `promptsales mcp bridge`."
    ),
    oauth_client: str = typer.Option("portal", "--client", help="OAuth client the https bridge obtains tokens as."),
    write: bool = typer.Option(
        False, "--write", help="Merge into the client's configuration file instead of printing."
    ),
    path: Path = typer.Option(None, help="File to write (default: the client's usual place)."),
) -> None:
    """A ready MCP client configuration. No token or secret is written or printed: over https the bridge
    fetches tokens from the OAuth issuer itself."""
    import json

    from promptsales.commands.mcp_config import CLIENTS, default_path, inspector_commands, mcp_servers, merge_into

    if client not in CLIENTS:
        raise UserError(f"Unknown client {client!r}; expected one of {', '.join(CLIENTS)}.")
    names = server or list(MCP_SERVERS)
    for name in names:
        load_kit(name)  # an unknown name fails here, with the list of servers
    settings = get_settings()
    document = mcp_servers(settings, names, transport, oauth_client)
    target = path or default_path(settings, client)
    if write:
        merge_into(target, document)
        console.print(f"wrote {', '.join(document['mcpServers'])} into {target}")
    if client == "inspector":
        print(inspector_commands(settings, names, transport, oauth_client, target))
    elif not write:
        print(json.dumps(document, indent=2))


@app.command()
def bridge(
    name: str = typer.Argument(..., help=f"Server: {', '.join(sorted(MCP_SERVERS))}."),
    oauth_client: str = typer.Option("portal", "--client", help="OAuth client to obtain tokens as."),
) -> None:
    """Connect a stdio MCP client to the running HTTPS server NAME (TLS 1.3 with the local CA; tokens from
    the OAuth issuer, renewed before they expire). Used by `promptsales mcp config … --transport https`."""
    from promptsales.mcpkit.bridge import run_bridge
    from promptsales.runtime.https import configure_stderr_logging
    from promptsales.runtime.state import StateFile

    load_kit(name)
    settings = get_settings()
    port = StateFile(settings.data_path).get(f"mcp-{name}").get("port")
    if not port:
        raise UserError(f"mcp-{name} is not running; start it with `promptsales up`.")
    configure_stderr_logging()
    run_bridge(settings, f"https://127.0.0.1:{port}/mcp", oauth_client, name)

"""``promptsales auth …``: run the local OAuth issuer, get a token, list clients."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from promptsales.auth.config import ISSUER_SERVICE, AuthSettings, issuer_url, load_clients
from promptsales.config import get_settings

app = typer.Typer(help="OAuth 2.0: the local client-credentials issuer and tokens for humans.", no_args_is_help=True)
console = Console()


@app.command()
def issuer(
    host: str = typer.Option("127.0.0.1", help="Listen address."),
    port: int = typer.Option(0, help="Port (0: the recorded one, else a free one)."),
) -> None:
    """Run the client-credentials issuer (RFC 6749 §4.4, RFC 8414 metadata, JWKS) over TLS 1.3."""
    from promptsales.auth.issuer import create_issuer_app
    from promptsales.runtime.https import configure_stderr_logging, serve_https
    from promptsales.runtime.ports import reuse_or_pick
    from promptsales.runtime.state import StateFile

    settings = get_settings()
    state = StateFile(settings.data_path)
    port = port or reuse_or_pick(state.get(ISSUER_SERVICE).get("port"))
    state.update(ISSUER_SERVICE, port=port)
    configure_stderr_logging()
    load_clients(settings)
    public = AuthSettings().issuer_url  # behind a Service (deploy/): the URL every resource server trusts
    serve_https(create_issuer_app(settings, (public or f"https://{host}:{port}").rstrip("/")), settings, host, port)


@app.command()
def token(
    client: str = typer.Option(..., "--client", help="Client id (see `promptsales auth clients`)."),
    scope: list[str] = typer.Option(
        None, "--scope", help="Scopes to request (repeat or space-separate); default: all allowed."
    ),
    resource: str = typer.Option(None, help="Audience to request (default: the servers the scopes are for)."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole token response."),
) -> None:
    """Get an access token from the issuer with the client's credentials (for the MCP Inspector, curl…)."""
    from promptsales.auth.issuer import request_token

    settings = get_settings()
    scopes = [part for item in scope or [] for part in item.split()]
    body = request_token(settings, client, scopes, issuer_url(settings), resource)
    print(json.dumps(body, indent=2) if as_json else body["access_token"])


@app.command()
def clients() -> None:
    """The OAuth clients the local issuer knows and the scopes each may request."""
    settings = get_settings()
    table = Table(title="OAuth clients (secrets are in <data_dir>/secrets.json)")
    table.add_column("client")
    table.add_column("allowed scopes")
    for client_id, scopes in sorted(load_clients(settings).items()):
        table.add_row(client_id, " ".join(scopes))
    console.print(table)

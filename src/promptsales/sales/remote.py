"""A small MCP client: PromptSales calling the other sub-companies' MCP servers (G1).

Over HTTPS with TLS verification against the local CA and a bearer token obtained by PromptSales'
*own* client-credentials grant (never a forwarded caller token). Tokens are cached until shortly
before they expire.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

import anyio
import httpx2
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from promptsales.config import Settings
from promptsales.errors import UserError

_tokens: dict[tuple[str, str, str], tuple[float, str]] = {}
_lock = threading.Lock()


@dataclass
class ToolOutcome:
    """What a remote tool returned: structured content or the error text."""

    ok: bool
    data: dict
    error: str | None = None


def service_token(settings: Settings, client_id: str, scopes: list[str]) -> str:
    """A client-credentials access token of ``client_id`` for ``scopes`` (cached until 60 s before expiry)."""
    from promptsales.auth.config import issuer_url
    from promptsales.auth.issuer import request_token

    issuer = issuer_url(settings)
    key = (issuer, client_id, " ".join(sorted(scopes)))
    # one request at a time: parallel launch steps share the token, and reading the client secret may
    # create it in the secrets file, which is not safe to do from several threads at once
    with _lock:
        cached = _tokens.get(key)
        if cached and cached[0] > time.time() + 60:
            return cached[1]
        body = request_token(settings, client_id, scopes, issuer)
        _tokens[key] = (time.time() + float(body.get("expires_in", 300)), body["access_token"])
        return body["access_token"]


async def _calls(url: str, token: str, calls: list[tuple[str, dict]], verify) -> list[ToolOutcome]:
    headers = {"Authorization": f"Bearer {token}"}
    outcomes: list[ToolOutcome] = []
    async with httpx2.AsyncClient(headers=headers, verify=verify, timeout=httpx2.Timeout(30.0, read=120.0)) as http:
        async with streamable_http_client(url, http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for tool, arguments in calls:
                    outcomes.append(_outcome(await session.call_tool(tool, arguments)))
    return outcomes


def _outcome(result) -> ToolOutcome:
    text = "".join(getattr(block, "text", "") for block in result.content)
    if result.is_error:
        return ToolOutcome(False, {}, text or "the tool reported an error")
    data = result.structured_content
    if data is None:
        try:
            data = json.loads(text)
        except ValueError:
            data = {"text": text}
    return ToolOutcome(True, data)


def call_tools(settings: Settings, url: str, token: str, calls: list[tuple[str, dict]]) -> list[ToolOutcome]:
    """Call several tools in order over ONE MCP session at ``url``; network errors → UserError."""
    from promptsales.runtime.tls import client_ssl_context

    names = ", ".join(tool for tool, _ in calls)
    try:
        return anyio.run(_calls, url, token, calls, client_ssl_context(settings))
    except Exception as error:  # transport errors arrive wrapped in exception groups
        message = str(error) or type(error).__name__
        raise UserError(f"MCP call {names} at {url} failed: {message}") from error


def call_tool(settings: Settings, url: str, token: str, tool: str, arguments: dict) -> ToolOutcome:
    """Call ``tool`` on the MCP server at ``url`` (``https://…/mcp``) with ``token``; network errors → UserError."""
    return call_tools(settings, url, token, [(tool, arguments)])[0]


def server_url(settings: Settings, name: str) -> str:
    """The configured URL of MCP server ``name`` (``PROMPTSALES_MCP_SERVER_URLS``, e.g. a cluster Service), else
    ``https://127.0.0.1:<port>/mcp`` of the one ``promptsales up`` runs (from its state file)."""
    from promptsales.mcpkit.settings import McpHttpSettings
    from promptsales.runtime.state import StateFile

    configured = McpHttpSettings().server_urls.get(name)
    if configured:
        return configured

    port = StateFile(settings.data_path).get(f"mcp-{name}").get("port")
    if not port:
        raise UserError(f"The {name} MCP server is not running; start it with `promptsales up`.")
    return f"https://127.0.0.1:{port}/mcp"

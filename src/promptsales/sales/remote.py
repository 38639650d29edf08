"""A small MCP client: PromptSales calling the other sub-companies' MCP servers (G1).

Over HTTPS with TLS verification against the local CA and a bearer token obtained by PromptSales'
*own* client-credentials grant (never a forwarded caller token). Tokens are cached until shortly
before they expire.

The client speaks the streamable-HTTP transport's JSON-RPC itself over one keep-alive HTTPS client per process,
and keeps the MCP session it opened on each server (``initialize`` once, then ``tools/call`` after
``tools/call``): the SDK's client opened a new TLS connection and a new session for every call and cost ≈ 27 ms
of CPU per call here (≈ 10 calls per proposal and approval), this one ≈ 1.5 ms (docs/decisions.md D168). A session
the server no longer knows (HTTP 404: it restarted) is opened again and the call sent once more — the server did
not run it.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx
from mcp_types import LATEST_PROTOCOL_VERSION

from promptsales.config import Settings
from promptsales.errors import UserError

_tokens: dict[tuple[str, str, str], tuple[float, str]] = {}
_lock = threading.Lock()
_clients: dict[str, httpx.Client] = {}  # CA file → the process's keep-alive HTTPS client trusting it
_sessions: dict[tuple[str, str], dict[str, str]] = {}  # (server URL, token) → the headers of its open session
_request_ids = itertools.count(1)


@dataclass
class ToolOutcome:
    """What a remote tool returned: structured content or the error text."""

    ok: bool
    data: dict
    error: str | None = None


class _SessionGone(Exception):
    """The server answered 404 to a request of an open session: it no longer knows the session."""


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


def _http(settings: Settings) -> httpx.Client:
    """The process's keep-alive HTTPS client that trusts ``settings``' local CA (thread-safe, shared)."""
    from promptsales.runtime.tls import client_ssl_context, ensure_tls

    ca = str(ensure_tls(settings).ca_cert)
    with _lock:
        client = _clients.get(ca)
        if client is None:
            client = _clients[ca] = httpx.Client(
                verify=client_ssl_context(settings),
                timeout=httpx.Timeout(30.0, read=120.0),
                limits=httpx.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=60),
            )
        return client


def _rpc(
    http: httpx.Client, url: str, headers: dict[str, str], method: str, params: dict
) -> tuple[dict[str, Any], httpx.Headers]:
    """One JSON-RPC request; its ``result`` and the response's headers (an error answer or an HTTP failure
    raises)."""
    request_id = next(_request_ids)
    payload = {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params}
    response = http.post(url, content=json.dumps(payload), headers=headers)
    if response.status_code == 404 and "mcp-session-id" in headers:
        raise _SessionGone
    if response.status_code != 200:
        raise UserError(f"HTTP {response.status_code}: {response.text[:200]}")
    answer = _answer(response, request_id)
    if "error" in answer:
        raise UserError(str(answer["error"].get("message") or answer["error"]))
    return answer["result"], response.headers


def _answer(response: httpx.Response, request_id: int) -> dict[str, Any]:
    """The JSON-RPC answer to ``request_id`` in a JSON body or, from a server that streams, an SSE body."""
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        for line in response.text.splitlines():
            if line.startswith("data:"):
                message = json.loads(line[5:])
                if isinstance(message, dict) and message.get("id") == request_id:
                    return message
        raise UserError("the server's event stream held no answer to the request")
    return response.json()


def _session(http: httpx.Client, url: str, token: str, fresh: bool = False) -> dict[str, str]:
    """The headers of this process's MCP session on ``url`` for ``token``: opened on first use (or ``fresh``)."""
    key = (url, token)
    with _lock:
        headers = None if fresh else _sessions.get(key)
    if headers is not None:
        return headers
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    hello = {
        "protocolVersion": LATEST_PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "promptsales-sales", "version": "1"},
    }
    try:
        result, answered = _rpc(http, url, headers, "initialize", hello)
    except UserError as error:
        raise UserError(f"initialize: {error}") from None
    headers["MCP-Protocol-Version"] = result["protocolVersion"]
    if answered.get("mcp-session-id"):
        headers["mcp-session-id"] = answered["mcp-session-id"]
    note = http.post(url, content=b'{"jsonrpc":"2.0","method":"notifications/initialized"}', headers=headers)
    if note.status_code not in (200, 202, 204):
        raise UserError(f"notifications/initialized: HTTP {note.status_code}")
    with _lock:
        for stale in [k for k in _sessions if k[0] == url and k[1] != token]:  # a token that was renewed
            del _sessions[stale]
        _sessions[key] = headers
    return headers


def _outcome(result: dict[str, Any]) -> ToolOutcome:
    blocks = result.get("content") or []
    text = "".join(block.get("text", "") for block in blocks if isinstance(block, dict))
    if result.get("isError"):
        return ToolOutcome(False, {}, text or "the tool reported an error")
    data = result.get("structuredContent")
    if data is None:
        try:
            data = json.loads(text)
        except ValueError:
            data = {"text": text}
    return ToolOutcome(True, data)


def call_tools(settings: Settings, url: str, token: str, calls: list[tuple[str, dict]]) -> list[ToolOutcome]:
    """Call several tools in order over this process's MCP session at ``url``; network errors → UserError."""
    names = ", ".join(tool for tool, _ in calls)
    try:
        http = _http(settings)
        headers = _session(http, url, token)
        outcomes = []
        for tool, arguments in calls:
            params = {"name": tool, "arguments": arguments}
            try:
                result, _ = _rpc(http, url, headers, "tools/call", params)
            except _SessionGone:  # the server restarted: it did not run the call
                headers = _session(http, url, token, fresh=True)
                result, _ = _rpc(http, url, headers, "tools/call", params)
            outcomes.append(_outcome(result))
        return outcomes
    except Exception as error:
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

"""A stdio ↔ HTTPS bridge to a running MCP server, for desktop clients that only launch commands (Claude
Desktop): ``promptsales mcp bridge sales`` reads JSON-RPC lines on stdin and posts each to the server's
streamable-HTTP endpoint over TLS 1.3, trusting the local CA, with a bearer token it obtains from the OAuth
issuer with the client's credentials (from the data directory's secrets file) and renews before it expires.
No token or secret appears in the client's configuration, on a command line or in shell history.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

import anyio
import httpx

from promptsales.auth.config import issuer_url, load_clients, scope_server
from promptsales.auth.issuer import request_token
from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.tls import client_ssl_context

log = logging.getLogger("promptsales.mcpkit.bridge")
#: Renew a token this many seconds before it expires.
RENEW_BEFORE = 60
#: JSON-RPC error code of a request the bridge could not deliver (implementation-defined server error range).
BRIDGE_ERROR = -32001


class TokenSource:
    """Client-credentials tokens for one OAuth client and the scopes it holds on one server, renewed on time."""

    def __init__(self, settings: Settings, client_id: str, server: str) -> None:
        allowed = load_clients(settings).get(client_id)
        if allowed is None:
            raise UserError(f"Unknown OAuth client {client_id!r}; see `promptsales auth clients`.")
        self.scopes = [scope for scope in allowed if scope_server(scope) == server]
        if not self.scopes:
            raise UserError(f"Client {client_id!r} holds no scope of the {server} server.")
        self.settings, self.client_id = settings, client_id
        self._token, self._renew_at = "", 0.0
        self._lock = threading.Lock()

    def bearer(self, renew: bool = False) -> str:
        """A valid access token (a new one when ``renew`` or when the current one is about to expire)."""
        with self._lock:
            if renew or time.monotonic() >= self._renew_at:
                body = request_token(self.settings, self.client_id, self.scopes, issuer_url(self.settings))
                self._token = body["access_token"]
                self._renew_at = time.monotonic() + max(0, int(body.get("expires_in", 300)) - RENEW_BEFORE)
            return self._token


class Bridge:
    """Relays stdin's JSON-RPC messages to ``url`` and the server's replies to stdout, each request in its own
    task (a long tool call does not hold up the others)."""

    def __init__(self, settings: Settings, url: str, tokens: TokenSource) -> None:
        self.settings, self.url, self.tokens = settings, url, tokens
        self.session_id: str | None = None
        self._write_lock = anyio.Lock()

    async def run(self) -> None:
        """Until stdin closes; then ends the server session."""
        async with httpx.AsyncClient(verify=client_ssl_context(self.settings), timeout=None) as http:
            async with anyio.create_task_group() as tasks:
                while line := await anyio.to_thread.run_sync(sys.stdin.readline):
                    if line.strip():
                        tasks.start_soon(self._forward, http, line)
            if self.session_id:
                try:
                    await http.delete(self.url, headers=await self._headers())
                except httpx.HTTPError:
                    pass

    async def _headers(self, renew: bool = False) -> dict[str, str]:
        token = await anyio.to_thread.run_sync(lambda: self.tokens.bearer(renew))
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        if self.session_id:
            headers["Mcp-Session-Id"] = self.session_id
        return headers

    async def _forward(self, http: httpx.AsyncClient, line: str) -> None:
        message = json.loads(line)
        try:
            response = await http.post(self.url, content=line, headers=await self._headers())
            if response.status_code == 401:  # expired or revoked: one new token, one retry
                response = await http.post(self.url, content=line, headers=await self._headers(renew=True))
        except (httpx.HTTPError, UserError) as error:
            await self._fail(message, f"cannot reach {self.url}: {error}")
            return
        self.session_id = response.headers.get("mcp-session-id", self.session_id)
        if response.status_code == 202:
            return  # a notification or a response: nothing comes back
        if response.status_code >= 400:
            await self._fail(message, f"HTTP {response.status_code}: {response.text[:300]}")
            return
        if response.headers.get("content-type", "").startswith("text/event-stream"):
            replies = [row[5:].strip() for row in response.text.splitlines() if row.startswith("data:")]
        else:
            replies = [response.text]
        for reply in replies:
            if reply:
                await self._write(reply)

    async def _fail(self, message: dict, reason: str) -> None:
        log.warning("bridge: %s", reason)
        if isinstance(message, dict) and "id" in message and "method" in message:
            error = {"code": BRIDGE_ERROR, "message": f"promptsales bridge: {reason}"}
            await self._write(json.dumps({"jsonrpc": "2.0", "id": message["id"], "error": error}))

    async def _write(self, text: str) -> None:
        async with self._write_lock:
            sys.stdout.write(text.replace("\n", " ") + "\n")
            sys.stdout.flush()


def run_bridge(settings: Settings, url: str, client_id: str, server: str) -> None:
    """Bridge stdio to the MCP server at ``url`` as OAuth client ``client_id``."""
    tokens = TokenSource(settings, client_id, server)
    tokens.bearer()  # fail now, with the issuer's reason, rather than on the client's first message
    anyio.run(Bridge(settings, url, tokens).run)

"""A raw JSON-RPC MCP client for Locust: streamable HTTP (one JSON body per call), a bearer token, TLS with the
local CA — what an agent's MCP client sends on the wire, without the SDK's per-call cost on the generator.

:class:`McpSession` opens a session on one server (``initialize`` + ``notifications/initialized``, the
``mcp-session-id`` it returns is sent on every later request) and calls tools; every request is reported to
Locust under its own name (``initialize <server>``, the tool's name), so the CSV output has one row per
operation. A ``tools/call`` answered with ``isError`` is a failure; a refusal by the rate limiter is a failure
whose message is exactly :data:`RATE_LIMITED`, so the intended refusals can be told from real errors.
"""

from __future__ import annotations

import itertools
import json
import ssl
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gevent

#: The protocol version the client asks for (the servers answer with the one they speak).
PROTOCOL_VERSION = "2025-11-25"
#: The failure message of a call the server's rate limiter refused (an intended refusal, not an error).
RATE_LIMITED = "rate-limited"
_RATE_LIMIT_TEXT = "Rate limit exceeded"


def ca_context_factory(ca_file: str) -> Callable[..., ssl.SSLContext]:
    """A factory of the client TLS context that trusts only the local CA (TLS 1.3, as the servers require).

    The context is built once per process and shared by every connection: the HTTP client asks for one per
    connection pool and, given the chance, loads its whole CA bundle into each (≈ 30 ms apiece, 40 s of the
    generator's CPU for 300 agents' 1,200 sessions), so the bundle it offers (``cafile``) is ignored.
    """
    shared: list[ssl.SSLContext] = []

    def factory(cafile: str | None = None, **_: Any) -> ssl.SSLContext:
        if not shared:
            import gevent.ssl

            context = gevent.ssl.create_default_context(cafile=ca_file)
            context.minimum_version = ssl.TLSVersion.TLSv1_3
            shared.append(context)
        return shared[0]

    return factory


class McpError(Exception):
    """A request that did not get a usable JSON-RPC answer (already reported to Locust as a failure)."""


class McpSession:
    """One MCP session of one agent on one server, over the agent's Locust HTTP client (``FastHttpSession``)."""

    _ids = itertools.count(1)

    def __init__(self, client: Any, server: str, url: str, token: str) -> None:
        self.client = client
        self.server = server
        self.url = url
        self.headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json, text/event-stream",
            "Content-Type": "application/json",
        }
        self.session_id: str | None = None

    def open(self) -> None:
        """``initialize`` then ``notifications/initialized``; the session id goes on every later request."""
        params = {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "promptsales-load", "version": "1"},
        }
        body = self._post("initialize", params, f"initialize {self.server}")
        if body is None:
            raise McpError(f"initialize {self.server} failed")
        self.headers["MCP-Protocol-Version"] = body["result"]["protocolVersion"]
        note = {"jsonrpc": "2.0", "method": "notifications/initialized"}
        with self.client.post(
            self.url, data=json.dumps(note), headers=self.headers, name="initialized", catch_response=True
        ) as response:
            if response.status_code != 202:
                response.failure(f"HTTP {response.status_code}")

    def close(self) -> None:
        """End the session (DELETE), as a well-behaved client does."""
        if self.session_id is None:
            return
        with self.client.request(
            "DELETE", self.url, headers=self.headers, name=f"close {self.server}", catch_response=True
        ) as response:
            if response.status_code not in (200, 202, 204, 404, 405):
                response.failure(f"HTTP {response.status_code}")
        self.session_id = None
        self.headers.pop("mcp-session-id", None)

    def call(self, tool: str, arguments: dict[str, Any], name: str | None = None) -> dict[str, Any] | None:
        """``tools/call``; the structured result, or None when the call failed (reported to Locust)."""
        body = self._post("tools/call", {"name": tool, "arguments": arguments}, name or tool, tool_call=True)
        if body is None:
            return None
        return body["result"].get("structuredContent") or {}

    def _post(self, method: str, params: dict, name: str, tool_call: bool = False) -> dict | None:
        payload = {"jsonrpc": "2.0", "id": next(self._ids), "method": method, "params": params}
        with self.client.post(
            self.url, data=json.dumps(payload), headers=self.headers, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}: {(response.text or '')[:120]}")
                return None
            try:
                body = json.loads(response.content)
            except ValueError:
                response.failure("not JSON")
                return None
            if "error" in body:
                response.failure(f"JSON-RPC error {body['error'].get('code')}: {body['error'].get('message')}")
                return None
            if tool_call and body["result"].get("isError"):
                text = " ".join(block.get("text", "") for block in body["result"].get("content", []))
                response.failure(RATE_LIMITED if _RATE_LIMIT_TEXT in text else f"isError: {text[:160]}")
                return None
            session = response.headers.get("mcp-session-id")
            if session:
                self.session_id = session
                self.headers["mcp-session-id"] = session
            return body


def close_all(sessions: list[McpSession], request_event: Any, timeout: float) -> None:
    """Close ``sessions`` one after another, giving up after ``timeout`` seconds in all.

    A stopping Locust user waits for this without limit (Locust applies ``--stop-timeout`` only to users caught
    mid-task), so the DELETEs run in their own greenlet: when they are not all answered in time, the greenlet is
    abandoned and the wait is reported as a failed ``close <server>`` request whose message says where the DELETE
    was waiting (the connection pool, the socket, TLS) — a stuck close fails the run instead of hanging it.
    """
    pending = list(sessions)

    def run() -> None:
        while pending:
            pending[0].close()
            pending.pop(0)

    closer = gevent.spawn(run)
    closer.join(timeout=timeout)
    if closer.dead:
        return
    waiting_in = " <- ".join(
        f"{frame.name} ({Path(frame.filename).name}:{frame.lineno})"
        for frame in reversed(traceback.extract_stack(closer.gr_frame)[-6:])
    )
    closer.kill(block=False)
    request_event.fire(
        request_type="DELETE",
        name=f"close {pending[0].server}",
        response_time=timeout * 1000,
        response_length=0,
        exception=McpError(f"close {pending[0].server}: no answer in {timeout:g} s; waiting in {waiting_in}"),
        context={},
    )

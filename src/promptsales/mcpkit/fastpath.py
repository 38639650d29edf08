"""The cached-read fast path of the MCP endpoint (issue 20): a ``tools/call`` of a cached read tool, on a session
the SDK has open, answered straight from the shared cache — and, on a stateless server, the handshake answered
from the SDK's own recorded answers (:mod:`promptsales.mcpkit.handshake`).

Profiling a cache hit showed the answer itself (rate limit + lookup) at ≈ 2 % of the server's CPU and the rest
in the SDK's per-call machinery: the session's memory streams and dispatcher task, the request context and
telemetry spans, a worker-thread hop for the (synchronous) tool, pydantic models of the request and the result
built and dumped again (docs/performance.md). This ASGI wrapper sits in front of the SDK's transport, after
authentication and the scope check (:class:`~promptsales.mcpkit.auth.ToolScopeGuard`). For a request that is
exactly one ``tools/call`` of a read tool, on an open session of the same credential, with headers the SDK would
accept, it validates the arguments with the tool's own argument model, takes the caller's rate-limit token and
looks the answer up in **one** Valkey round trip (:func:`promptsales.cache.mcp.cached_answer`, run on the event
loop: a loopback round trip is shorter than a thread hop) and, on a hit, writes the same JSON-RPC result the SDK
would (text + structured content) and records the call in the audit and the metrics like the kit's middlewares.

With several worker processes (``PROMPTSALES_MCP_WORKERS`` > 1) the server is stateless — an MCP session lives
in one process, and a client's next connection may reach another — so requests carry no session to check.

Anything else — a miss, a chart to draw, a tool with an every-call hook, invalid arguments, an unknown or
foreign session, the cache unavailable — goes to the SDK unchanged (the body is replayed), so every answer the
fast path does not give is given exactly as before; after a miss the tool does not take a second rate-limit
token (:data:`promptsales.cache.ratelimit.LIMIT_TAKEN`).
"""

from __future__ import annotations

import json
import logging
from types import SimpleNamespace
from typing import Any

from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser, authorization_context
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from promptsales.cache.ratelimit import RateLimitExceeded
from promptsales.caller import token_caller
from promptsales.errors import UserError
from promptsales.mcpkit.asgi import read_body, replaying, send_json
from promptsales.mcpkit.errors import check_argument_values
from promptsales.mcpkit.handshake import StatelessHandshake
from promptsales.mcpkit.toolcall import ObservedCall, ToolCallObserver

log = logging.getLogger("promptsales.mcpkit.fastpath")

_SESSION_HEADER = b"mcp-session-id"
_VERSION_HEADER = b"mcp-protocol-version"


class CachedReads:
    """ASGI wrapper of the MCP endpoint that answers cache hits of read tools itself (see the module docstring)."""

    def __init__(
        self, app: ASGIApp, kit: Any, server: Any, security: TransportSecuritySettings, stateless: bool = False
    ) -> None:
        self.app = app
        self.kit = kit
        self.server = server  # the MCPServer: its session manager, tools and middlewares
        self.tools = {name: spec for name, spec in kit.tools.items() if spec.read_only}
        self.security = TransportSecurityMiddleware(security)
        self.stateless = stateless  # no sessions (several workers): every request stands alone
        # Stateless: the handshake's answers do not depend on the caller, so they are recorded once (handshake.py).
        self.handshake = StatelessHandshake(app) if stateless else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers") or ()) if scope["type"] == "http" else {}
        session_id = headers.get(_SESSION_HEADER, b"" if self.stateless else None)
        if (
            scope.get("method") != "POST"
            or session_id is None
            or (_VERSION_HEADER not in headers and not self.stateless)
            or not isinstance(scope.get("user"), AuthenticatedUser)
            or (self.kit.cached_answer is None and self.handshake is None)  # nothing this wrapper could answer
        ):
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        version = headers.get(_VERSION_HEADER, b"").decode("latin-1")
        if not await self._answer(scope, session_id.decode("latin-1"), version, body, receive, send):
            await self.app(scope, replaying(body, receive), send)

    async def _answer(
        self, scope: Scope, session_id: str, version: str, body: bytes, receive: Receive, send: Send
    ) -> bool:
        """Answer the request from memory or the cache if it qualifies; False when the SDK must handle it."""
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        if not isinstance(payload, dict):
            return False
        if self.handshake is not None:
            key = self.handshake.key(payload, version)
            if key is not None:
                if not await self._session_accepts(scope, session_id):
                    return False
                await self.handshake.answer(key, payload, scope, body, receive, send)
                return True
        if payload.get("method") != "tools/call" or "id" not in payload or self.kit.cached_answer is None:
            return False
        params = payload.get("params")
        name = params.get("name") if isinstance(params, dict) else None
        spec = self.tools.get(name) if isinstance(name, str) else None
        arguments = params.get("arguments") if isinstance(params, dict) else None
        if spec is None or not isinstance(arguments, dict) or not await self._session_accepts(scope, session_id):
            return False
        caller = token_caller()
        call = ObservedCall(SimpleNamespace(params={"name": name}))
        try:
            validated = self.server._tool_manager.get_tool(name).fn_metadata.validate_arguments(arguments)
            if validated.pop("chart", False) and spec.chart is not None:
                return False  # a chart to draw: the tool's own path (a worker thread)
            if spec.extra_content is not None or caller is None:
                return False
            check_argument_values(validated)
            result = self.kit.cached_answer(spec, validated, caller)
        except UserError as error:  # the rate limit's refusal (bad input goes to the SDK, which words it)
            if not isinstance(error, RateLimitExceeded):
                return False
            # The token is counted: the call is audited even if the answer cannot be sent (cancelled at shutdown).
            try:
                await self._respond(send, session_id, payload["id"], {"content": [_text(str(error))], "isError": True})
            finally:
                self._observed(call)
            return True
        except Exception:  # invalid arguments and anything unexpected: the SDK's path answers (and words) it
            return False
        if result is None:
            return False
        text = result.decode() if isinstance(result, bytes) else result
        # The stored JSON is the structured content as is, and (as a JSON string) the text content.
        content = json.dumps([_text(text)], ensure_ascii=False, separators=(",", ":"))
        answer = f'{{"content":{content},"isError":false,"structuredContent":{text}}}'
        call.outcome = "ok"
        try:
            await self._respond(send, session_id, payload["id"], answer)
        finally:  # as for a refusal: one audit row per counted token, whatever happens to the answer
            self._observed(call)
        return True

    async def _session_accepts(self, scope: Scope, session_id: str) -> bool:
        """True when ``session_id`` is an open session of this request's credential whose transport accepts the
        request's headers (DNS-rebinding protection, content type) — what the SDK checks before a call."""
        if not self.stateless:
            manager = self.server.session_manager
            transport = manager._server_instances.get(session_id)
            if transport is None or transport.is_terminated:
                return False
            if manager._session_owners.get(session_id) != authorization_context(scope["user"]):
                return False
        request = Request(scope)
        if "application/json" not in request.headers.get("accept", ""):
            return False
        if "application/json" not in request.headers.get("content-type", ""):
            return False
        return await self.security.validate_request(request, is_post=True) is None

    def _observed(self, call: ObservedCall) -> None:
        """Record the call as the kit's middlewares do (audit row, Prometheus metrics)."""
        for middleware in self.server.middleware:
            if isinstance(middleware, ToolCallObserver):
                try:
                    middleware.observed(call)
                except Exception:  # observing must never break the answer
                    log.exception("observing %s failed", call.tool)

    async def _respond(self, send: Send, session_id: str, request_id: Any, result: dict[str, Any] | str) -> None:
        """A JSON-RPC result (``result``: an object, or the JSON text of one) with the session's header."""
        encoded = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, separators=(",", ":"))
        body = f'{{"jsonrpc":"2.0","id":{json.dumps(request_id)},"result":{encoded}}}'.encode()
        await send_json(send, 200, body, [(_SESSION_HEADER, session_id.encode("latin-1"))] if session_id else [])


def _text(text: str) -> dict[str, str]:
    return {"type": "text", "text": text}

"""The handshake of a stateless MCP server answered from memory (issue 20): ``initialize`` and
``notifications/initialized``.

In stateless mode (several worker processes) the SDK serves every request with a transport, a dispatcher and a
server task of its own, so a client that opens a session per call pays that machinery twice before its first call
— ≈ 2.2 ms of server CPU, most of a session's cost (docs/performance.md). Neither answer depends on the caller:
``initialize``'s result is a function of the protocol version the client asks for (and of the version header,
which picks the wire shape), and the notification is acknowledged with an empty 202. So the first request of each
kind is handed to the SDK unchanged and its response recorded; a later one with the same key gets the recorded
response with its own JSON-RPC id. A request the SDK might answer differently — params that do not validate,
another method, a response that is not a success — is never recorded and always goes to the SDK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mcp_types import InitializeRequestParams
from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promptsales.mcpkit.asgi import replaying

INITIALIZE = "initialize"
INITIALIZED = "notifications/initialized"
#: At most this many distinct keys are remembered: the requested version is the client's string, so a client
#: inventing versions must not grow the memory; past the bound the SDK answers every request itself.
MAX_REMEMBERED = 32

HandshakeKey = tuple[str, str, str]


@dataclass
class RecordedAnswer:
    """The SDK's response to one handshake request: status, headers and, for ``initialize``, the result JSON."""

    status: int
    headers: list[tuple[bytes, bytes]]
    result: str | None  # initialize: the JSON text of the result; the notification: None (no body)

    async def replay(self, send: Send, request_id: Any) -> None:
        """Send the recorded response again, answering JSON-RPC request ``request_id``."""
        body = b""
        if self.result is not None:
            body = f'{{"jsonrpc":"2.0","id":{json.dumps(request_id)},"result":{self.result}}}'.encode()
        headers = [*self.headers, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@dataclass
class _Recorder:
    """Forwards an ASGI response unchanged while keeping a copy of it."""

    send: Send
    status: int = 0
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"content-length"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")
        await self.send(message)

    def answer(self, method: str) -> RecordedAnswer | None:
        """What can be replayed: a 200 with a JSON-RPC result (initialize) or an empty 202 (the notification)."""
        if method == INITIALIZED:
            return RecordedAnswer(self.status, self.headers, None) if self.status == 202 and not self.body else None
        if self.status != 200:
            return None
        try:
            message = json.loads(self.body)
        except ValueError:
            return None
        if not isinstance(message, dict) or "result" not in message or "error" in message:
            return None
        result = json.dumps(message["result"], ensure_ascii=False, separators=(",", ":"))
        return RecordedAnswer(self.status, self.headers, result)


class StatelessHandshake:
    """The recorded handshake answers of one stateless server process (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._answers: dict[HandshakeKey, RecordedAnswer] = {}

    @staticmethod
    def key(payload: dict[str, Any], version_header: str) -> HandshakeKey | None:
        """The key of a handshake request whose answer depends on nothing else; None for any other request."""
        method = payload.get("method")
        if method == INITIALIZE and "id" in payload:
            params = payload.get("params")
            try:
                requested = InitializeRequestParams.model_validate(params or {}, by_name=False).protocol_version
            except ValidationError:
                return None  # the SDK words the error
            return (INITIALIZE, requested, version_header)
        if method == INITIALIZED and "id" not in payload:
            return (INITIALIZED, "", version_header)
        return None

    async def answer(
        self, key: HandshakeKey, payload: dict[str, Any], scope: Scope, body: bytes, receive: Receive, send: Send
    ) -> None:
        """Answer a handshake request: from memory, or by the SDK (recording its answer the first time)."""
        recorded = self._answers.get(key)
        if recorded is not None:
            await recorded.replay(send, payload.get("id"))
            return
        recorder = _Recorder(send)
        await self.app(scope, replaying(body, receive), recorder)
        answer = recorder.answer(key[0])
        if answer is not None and len(self._answers) < MAX_REMEMBERED:
            self._answers[key] = answer

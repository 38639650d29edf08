"""A stateless MCP server (several workers, issue 20) answers the handshake — ``initialize`` and
``notifications/initialized`` — from the SDK's own recorded answers: over real HTTPS + OAuth the answers equal, to
the JSON value, those of the same server with the fast path off; the official client opens sessions and calls a
tool through it; bad params still get the SDK's error. In process, the SDK is asked once per key."""

from __future__ import annotations

import os
import sys

import anyio
import httpx
import pytest
from mcpnet_helpers import SERVE, SERVER_MODULES

from promptsales.mcpkit.handshake import INITIALIZED, StatelessHandshake
from promptsales.runtime.ports import free_port
from promptsales.runtime.processes import spawn_detached, terminate, wait_until
from promptsales.runtime.tls import client_ssl_context
from promptsales.testing import https_session

SERVER = "ads"
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture(scope="module")
def stateless_servers(network):
    """Two stateless PromptAds servers: the fast path on, and off (the SDK answers everything) — their URLs."""
    context = client_ssl_context(network.settings)
    urls, pids = {}, []
    try:
        for fast in ("true", "false"):
            port = free_port()
            env = dict(os.environ, PROMPTSALES_MCP_STATELESS="true", PROMPTSALES_MCP_FAST_PATH=fast)
            env["PROMPTSALES_DATA_DIR"] = str(network.settings.data_path)
            log = network.settings.data_path / "logs" / f"mcp-{SERVER}-stateless-{fast}.log"
            pids.append(spawn_detached([sys.executable, "-c", SERVE, SERVER_MODULES[SERVER], str(port)], log, env=env))

            def healthy(port: int = port) -> bool:
                try:
                    return httpx.get(f"https://127.0.0.1:{port}/health", verify=context, timeout=1).status_code == 200
                except httpx.HTTPError:
                    return False

            assert wait_until(healthy, timeout=90, interval=0.3), log.read_text()[-3000:]
            urls["fast" if fast == "true" else "sdk"] = f"https://127.0.0.1:{port}/mcp"
        yield urls
    finally:
        for pid in pids:
            terminate(pid)


def _post(network, url: str, token: str, payload: dict, version: str | None = None) -> httpx.Response:
    headers = {**HEADERS, "Authorization": f"Bearer {token}"}
    if version:
        headers["MCP-Protocol-Version"] = version
    return httpx.post(url, json=payload, headers=headers, verify=client_ssl_context(network.settings), timeout=30)


def _initialize(request_id, client: str, version: str = "2025-06-18") -> dict:
    params = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": client, "version": "1"}}
    return {"jsonrpc": "2.0", "id": request_id, "method": "initialize", "params": params}


def test_handshake_answers_equal_the_sdks(network, stateless_servers):
    token = network.token("handshake-probe", [f"{SERVER}:read"])
    for version in ("2025-06-18", "2025-03-26", "1999-01-01"):  # the last one is not supported: negotiated down
        expected = _post(network, stateless_servers["sdk"], token, _initialize(7, "a", version))
        assert expected.status_code == 200, expected.text
        for request_id, client in ((7, "a"), ("second", "b"), (9, "c")):  # recorded on the first, replayed after
            answer = _post(network, stateless_servers["fast"], token, _initialize(request_id, client, version))
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"] == expected.headers["content-type"]
            assert answer.json() == {**expected.json(), "id": request_id}
        negotiated = expected.json()["result"]["protocolVersion"]
        note = {"jsonrpc": "2.0", "method": INITIALIZED}
        sdk_note = _post(network, stateless_servers["sdk"], token, note, negotiated)
        for _ in range(2):
            fast_note = _post(network, stateless_servers["fast"], token, note, negotiated)
            assert (fast_note.status_code, fast_note.content) == (sdk_note.status_code, sdk_note.content) == (202, b"")


def test_bad_initialize_params_get_the_sdks_error(network, stateless_servers):
    token = network.token("handshake-probe", [f"{SERVER}:read"])
    bad = {"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": {"protocolVersion": 12, "capabilities": []}}
    answers = [_post(network, stateless_servers[kind], token, bad) for kind in ("fast", "sdk", "fast")]
    assert [a.status_code for a in answers] == [answers[1].status_code] * 3
    assert answers[0].json() == answers[1].json() == answers[2].json()
    assert "error" in answers[1].json()


def test_the_official_client_opens_sessions_and_calls_through_it(network, stateless_servers):
    token = network.token("handshake-probe", [f"{SERVER}:read"])

    async def session_then_call() -> tuple[list[str], bool]:
        async with https_session(network.settings, stateless_servers["fast"].removesuffix("/mcp"), token) as session:
            tools = await session.list_tools()
            result = await session.call_tool("listChannels", {})
            return [tool.name for tool in tools.tools], result.is_error

    for _ in range(3):  # the first session records the handshake, the next ones are answered from it
        names, failed = anyio.run(session_then_call)
        assert "listChannels" in names and failed is False


def test_the_sdk_is_asked_once_per_handshake_key():
    """In process: the answers of a counting ASGI app are recorded once per key and replayed with the caller's id;
    a failed answer is never recorded."""
    asked: list[bytes] = []

    async def app(scope, receive, send):
        body = (await receive())["body"]
        asked.append(body)
        if b"boom" in body:
            await send({"type": "http.response.start", "status": 500, "headers": []})
            await send({"type": "http.response.body", "body": b"{}"})
            return
        answer = b'{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18"}}'
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})

    handshake = StatelessHandshake(app)

    async def ask(payload: dict) -> tuple[int, bytes]:
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        key = handshake.key(payload, "")
        assert key is not None
        await handshake.answer(key, payload, {"type": "http"}, repr(payload).encode(), receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])

    async def run() -> list[tuple[int, bytes]]:
        return [await ask(_initialize(n, f"client {n}")) for n in (1, 2, 3)] + [
            await ask(_initialize(n, "boom", "2024-11-05")) for n in (4, 5)
        ]

    answers = anyio.run(run)
    assert [status for status, _ in answers] == [200, 200, 200, 500, 500]
    assert answers[2][1] == b'{"jsonrpc":"2.0","id":3,"result":{"protocolVersion":"2025-06-18"}}'
    assert len(asked) == 3  # the first initialize, then each failing one (never recorded)
    assert handshake.key({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}, "") is None
    assert handshake.key({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"x": 1}}, "") is None

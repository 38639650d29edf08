"""A kit's start hooks (``ToolKit.on_start``) run in the HTTP server process before it accepts a request: the
PromptContent server loads its sentence encoder there, so no caller waits for the model (issue 20, D167). A real
kit over HTTPS with a token from the local OAuth issuer."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from promptsales.mcpkit import ToolKit

sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402


class Loaded(BaseModel):
    hooks_run: list[str]


def _on_an_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture(scope="module")
def issuer(settings):
    with issuer_running(settings):
        yield


def test_start_hooks_run_before_the_first_request_is_answered(settings, issuer):
    ran: list[tuple[str, bool]] = []
    kit = ToolKit("content", title="Start hooks probe", instructions="test kit")

    @kit.on_start
    def load_model() -> None:
        ran.append(("load_model", _on_an_event_loop()))

    @kit.on_start
    def open_index() -> None:
        ran.append(("open_index", _on_an_event_loop()))

    @kit.tool(scope="content:read", read_only=True, cache=False)
    def startHooksProbe() -> Loaded:
        """What had run when this call came."""
        return Loaded(hooks_run=[name for name, _ in ran])

    token = token_for(settings, "content-reader", ["content:read"])
    with ThreadedHttpsServer(kit, settings) as server:
        assert [name for name, _ in ran] == ["load_model", "open_index"]  # before the server said it had started

        async def first_call():
            async with McpSession(server.url, token, settings) as session:
                return await session.call("startHooksProbe")

        ok, answer = run(first_call())
    assert ok, answer
    assert answer["hooks_run"] == ["load_model", "open_index"]
    assert [on_loop for _, on_loop in ran] == [False, False]  # in a thread: a slow hook never blocks the event loop

"""Hostile input over every MCP tool (issue 23): Hypothesis draws each tool's arguments from its own JSON schema —
valid, with one field made hostile, dropped or added, or plain junk (injection payloads, 100,000-character strings,
control characters, huge numbers, wrong types) — and calls the tool in process through the kit, as its server runs
it (its least-privilege role). No answer may be an internal error or carry a stack trace, and a refused call may
write nothing (a probe counts every row any statement writes in private copies of every store)."""

from __future__ import annotations

import os

import anyio
import pytest
from anyio.from_thread import start_blocking_portal
from hostile import (
    INTERNAL_ERROR,
    TRACE_MARKERS,
    arguments,
    json_safe,
    text_of,
    what_was_written,
    writes,
)
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from mcp.client.client import Client

from promptsales.db.connect import serve_as
from promptsales.wiring import MCP_SERVERS, load_kit

#: Examples per tool (the issue asks for at least 200 in CI); HYPOTHESIS_EXAMPLES raises it for a longer hunt.
EXAMPLES = int(os.environ.get("HYPOTHESIS_EXAMPLES", "200"))


def _tools() -> list[tuple[str, str, dict]]:
    async def collect() -> list[tuple[str, str, dict]]:
        found = []
        for server in MCP_SERVERS:
            async with Client(load_kit(server).build()) as client:
                found += [(server, tool.name, tool.input_schema) for tool in (await client.list_tools()).tools]
        return found

    return anyio.run(collect)


TOOLS = _tools()


def test_every_tool_of_every_server_is_covered():
    assert {server for server, _, _ in TOOLS} == set(MCP_SERVERS) and len(TOOLS) >= 20


@pytest.mark.parametrize(("server", "tool", "schema"), TOOLS, ids=[f"{s}.{t}" for s, t, _ in TOOLS])
def test_hostile_arguments_never_crash_trace_or_write(stores, server, tool, schema):
    calls = {"refused": 0, "answered": 0}
    # The write marks as of the end of the last call, or None once a call was answered (it may have written):
    # after a refusal they are already known, so a run of refusals reads the probe once per call, not twice.
    known: dict[str, dict[str, int] | None] = {"marks": writes(stores)}
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(Client(load_kit(server).build())) as client,
    ):  # one session for every example: what is measured is the tool, not the handshake

        @hypothesis_settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "explore",
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        )
        @given(arguments(schema))
        def run(args: dict) -> None:
            before = known["marks"] or writes(stores)
            serve_as(server)
            try:
                result = portal.call(client.call_tool, tool, args)
            finally:
                serve_as(None)
            text = text_of(result)
            assert INTERNAL_ERROR not in text, f"{server}.{tool}({json_safe(args)}) → {text[:500]}"
            assert not any(marker in text for marker in TRACE_MARKERS), f"{server}.{tool}: trace in {text[:500]}"
            if result.is_error:
                calls["refused"] += 1
                after = writes(stores)
                assert after == before, (
                    f"{server}.{tool}({json_safe(args)}) was refused ({text[:200]}) but wrote "
                    f"{what_was_written(stores, before)} / documents {before['mongo']} → {after['mongo']}"
                )
                known["marks"] = after
            else:
                calls["answered"] += 1
                known["marks"] = None

        run()
    assert calls["refused"] + calls["answered"] >= EXAMPLES

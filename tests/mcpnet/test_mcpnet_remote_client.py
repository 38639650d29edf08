"""PromptSales' client of the other MCP servers (``sales/remote.py``, D168) against a real PromptAds server over
HTTPS with the service's own OAuth token: one MCP session serves call after call, and a session the server no
longer knows (it restarted) is opened again without failing the call."""

from __future__ import annotations

import pytest

from promptsales.errors import UserError
from promptsales.sales import remote
from promptsales.sales.proposals import DEFAULT_CLIENT, SERVICE_SCOPES


def _session_id(url: str, token: str) -> str | None:
    return remote._sessions[(url, token)].get("mcp-session-id")


def test_calls_share_one_session_and_a_restarted_server_gets_a_new_one(network):
    settings = network.settings
    url = network.url("ads")
    token = remote.service_token(settings, DEFAULT_CLIENT, SERVICE_SCOPES)
    first = remote.call_tool(settings, url, token, "listChannels", {})
    assert first.ok and first.data["channels"], first
    session = _session_id(url, token)
    assert session  # a single-worker server keeps sessions: the client holds one

    outcomes = remote.call_tools(settings, url, token, [("listMarkets", {}), ("listChannels", {})])
    assert [outcome.ok for outcome in outcomes] == [True, True]
    assert outcomes[1].data == first.data
    assert _session_id(url, token) == session  # no new session for later calls

    network.stop("ads")
    try:
        with pytest.raises(UserError, match="MCP call listChannels at .* failed"):
            remote.call_tool(settings, url, token, "listChannels", {})
    finally:
        network.start("ads")
    again = remote.call_tool(settings, network.url("ads"), token, "listChannels", {})
    assert again.ok and again.data == first.data
    assert _session_id(network.url("ads"), token) not in (None, session)  # the old one was gone: a new session


def test_a_tool_error_or_an_unknown_tool_is_a_failed_outcome_with_the_server_s_words(network):
    settings = network.settings
    url = network.url("ads")
    token = remote.service_token(settings, DEFAULT_CLIENT, SERVICE_SCOPES)
    refused = remote.call_tool(settings, url, token, "campaignResults", {"campaign_id": 999_999_999})
    assert not refused.ok and "999999999" in (refused.error or "")
    unknown = remote.call_tool(settings, url, token, "noSuchTool", {})
    assert not unknown.ok and "noSuchTool" in (unknown.error or "")

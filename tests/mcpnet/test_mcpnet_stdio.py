"""The three servers over stdio (desktop clients, SPEC G1): tools listed with input schemas, a read tool
answers, and a PII-capable tool reveals nothing without a token (stdio has no scopes)."""

from __future__ import annotations

import os
import sys

import anyio
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcpnet_helpers import SERVER_MODULES

SERVE = (
    "import sys; from importlib import import_module; from promptsales.mcpkit.runner import serve_stdio; "
    "serve_stdio(import_module(sys.argv[1]).kit)"
)
EXPECTED = {
    "sales": (
        {
            "askCampaignPerformance",
            "campaignPerformance",
            "topCampaigns",
            "campaignFunnel",
            "proposeCampaign",
            "approveProposal",
            "proposalStatus",
        },
        "askCampaignPerformance",
        {"question": "How many campaigns are active?"},
    ),
    "ads": (
        {
            "createCampaign",
            "campaignResults",
            "negativeSentimentReport",
            "classifySentiment",
            "listChannels",
            "listMarkets",
            "listBrands",
            "optimizeBudget",
        },
        "listChannels",
        {},
    ),
    "crm": (
        {"registerLead", "leadTimeline", "campaignSales", "client360", "prepareLeadCapture", "scoreLeads"},
        "client360",
        {"client_id": 3},
    ),
}


def _session(name: str, tool: str, arguments: dict):
    params = StdioServerParameters(
        command=sys.executable, args=["-c", SERVE, SERVER_MODULES[name]], env={**os.environ}, cwd=os.getcwd()
    )

    async def run():
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                tools = await session.list_tools()
                return tools, await session.call_tool(tool, arguments)

    return anyio.run(run)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_mcpnet_stdio_servers(warehouse, name):
    """Every tool is listed with an input schema; one call succeeds with structured output."""
    expected, tool, arguments = EXPECTED[name]
    tools, result = _session(name, tool, arguments)
    assert {t.name for t in tools.tools} == expected
    assert all(t.input_schema.get("type") == "object" for t in tools.tools)
    assert not result.is_error, result.content
    if name == "crm":
        assert (
            result.structured_content["sensitive_included"] is False
            and result.structured_content["national_id"] is None
        )
    if name == "sales":
        assert result.structured_content["answerable"] and "SELECT" in result.structured_content["sql"]

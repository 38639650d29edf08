"""What MCP clients show beyond tool results (issue 19), over real HTTPS + OAuth: charts as PNG images next to
the performance answers (decoded, size bounds, a drawn plot, cached, turned off with ``chart: false``),
prompts listed and rendered, completion of accentless partial names for prompts and resource templates, and
behaviour hints on every tool of the four servers consistent with the scope each tool needs."""

from __future__ import annotations

import base64
import io
import unicodedata

import anyio
import numpy as np
import pytest
from mcp.shared.exceptions import MCPError
from mcp_types import PromptReference, ResourceTemplateReference
from PIL import Image

from promptsales.cache.instances import get_cache
from promptsales.cache.keys import STATS_KEY
from promptsales.db.connect import connect
from promptsales.testing import https_session

AS_OF = "2026-01-31"
#: The series colour every chart draws its first line, bars or funnel stage in (house style).
FIRST_COLOUR = (0x00, 0x72, 0xB2)
SERVERS = ("content", "ads", "crm", "sales")
READ_SCOPES = {name: [f"{name}:read"] for name in SERVERS}


def _with_session(network, server: str, work):
    """Run ``await work(session)`` in one MCP session with the server's read scope."""

    async def run():
        token = network.token("client-features", READ_SCOPES[server])
        async with https_session(network.settings, network.url(server).removesuffix("/mcp"), token) as session:
            return await work(session)

    return anyio.run(run)


def _fold(text: str) -> str:
    """Accent- and case-free words (what a person types without accents)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in plain).split())


def _images(result) -> list[bytes]:
    return [base64.b64decode(block.data) for block in result.content if block.type == "image"]


def _assert_chart(png: bytes) -> None:
    """A PNG of the house size, at most 100 KB, whose plot is drawn (not a blank canvas)."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and 2_000 < len(png) <= 100 * 1024, len(png)
    image = Image.open(io.BytesIO(png))
    image.verify()
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (880, 480)
    pixels = np.asarray(image)
    assert (pixels != 255).any(axis=2).mean() > 0.03, "almost nothing is drawn"
    assert (pixels == FIRST_COLOUR).all(axis=2).sum() > 200, "no series is drawn in the first colour"


@pytest.fixture(scope="module")
def names(network) -> dict[str, str]:
    """Names of the seeded warehouse and portal with accents in them."""
    with connect("sales", "analyst", settings=network.settings) as conn:
        campaign = conn.execute(
            "SELECT campaign_name FROM wh.campaigns WHERE campaign_name ~ '[áéíóúñ]' ORDER BY campaign_id LIMIT 1"
        ).fetchone()[0]
        product = conn.execute(
            "SELECT p.name FROM portal.products p WHERE p.name ~ '[áéíóúñ]' ORDER BY p.id LIMIT 1"
        ).fetchone()[0]
        campaigns = [row[0] for row in conn.execute("SELECT campaign_name FROM wh.campaigns")]
        markets = [row[0] for row in conn.execute("SELECT DISTINCT market_name FROM wh.campaign_markets")]
    return {"campaign": campaign, "product": product, "campaigns": campaigns, "markets": markets}


@pytest.mark.parametrize(
    ("server", "tool", "arguments"),
    [
        ("sales", "askCampaignPerformance", {"question": "Monthly revenue in 2025", "as_of": AS_OF}),
        ("sales", "campaignPerformance", {"metrics": ["spend"], "group_by": ["month"]}),
        ("sales", "topCampaigns", {"metric": "roi", "period": "Q4 2025", "n": 5}),
        ("sales", "campaignFunnel", {"campaign": "1"}),
        ("ads", "campaignResults", {"campaign_id": 1}),
    ],
)
def test_mcpnet_chart_image_next_to_the_answer(network, server, tool, arguments):
    """A trend, ranking or funnel comes with one valid PNG chart after the JSON text; ``chart: false`` gives the
    same structured answer without it."""
    with_chart, without = _with_session(
        network,
        server,
        lambda s: _both(s, tool, arguments),
    )
    assert not with_chart.is_error, with_chart.content
    assert [block.type for block in with_chart.content] == ["text", "image"]
    assert with_chart.content[1].mime_type == "image/png"
    _assert_chart(_images(with_chart)[0])
    assert [block.type for block in without.content] == ["text"]
    assert without.structured_content == with_chart.structured_content


async def _both(session, tool: str, arguments: dict):
    return await session.call_tool(tool, arguments), await session.call_tool(tool, {**arguments, "chart": False})


def test_mcpnet_single_value_has_no_chart(network):
    """One figure is not a chart: the answer comes alone."""
    result = _with_session(
        network,
        "sales",
        lambda s: s.call_tool("askCampaignPerformance", {"question": "How many campaigns are active?"}),
    )
    assert not result.is_error and [block.type for block in result.content] == ["text"]


def test_mcpnet_chart_rendering_is_cached(network):
    """The same answer twice: the second chart comes from the shared cache (a hit of the chart entry), byte for
    byte the same picture."""
    client = get_cache(network.settings).connection.client
    field = "hits:sales.topCampaigns.chart"
    before = int(client.hget(STATS_KEY, field) or 0)
    arguments = {"metric": "sales_amount", "period": "2025", "n": 7}
    first, second = _with_session(network, "sales", lambda s: _twice(s, "topCampaigns", arguments))
    assert _images(first) == _images(second) and len(_images(first)) == 1
    assert int(client.hget(STATS_KEY, field) or 0) >= before + 1
    assert any(client.scan_iter(match="ps:sales:*:topCampaigns.chart:*", count=1000))


async def _twice(session, tool: str, arguments: dict):
    return await session.call_tool(tool, arguments), await session.call_tool(tool, arguments)


PROMPTS = {
    "sales": {"weekly_performance_review", "explain_campaign_drop", "plan_campaign_for_product"},
    "content": {"find_content_for_brief"},
    "crm": {"review_lead"},
}


@pytest.mark.parametrize("server", sorted(PROMPTS))
def test_mcpnet_prompts_list_with_arguments(network, server):
    """Each server lists its prompts with a title, a description and described arguments."""
    listed = _with_session(network, server, lambda s: s.list_prompts())
    assert {prompt.name for prompt in listed.prompts} == PROMPTS[server]
    for prompt in listed.prompts:
        assert prompt.title and prompt.description and prompt.arguments
        assert all(argument.description for argument in prompt.arguments)
        assert any(argument.required for argument in prompt.arguments) or prompt.name == "weekly_performance_review"


def test_mcpnet_prompts_render(network, names):
    """A prompt renders to one user message that carries its arguments and names the tools to call; a
    missing required argument is refused."""

    async def work(session):
        drop = await session.get_prompt("explain_campaign_drop", {"campaign": names["campaign"], "metric": "leads"})
        review = await session.get_prompt("weekly_performance_review", {"brand": "Casa Cielo"})
        try:
            await session.get_prompt("explain_campaign_drop", {})
            missing = None
        except MCPError as error:  # the SDK raises the server's JSON-RPC error
            missing = str(error)
        return drop, review, missing

    drop, review, missing = _with_session(network, "sales", work)
    (message,) = drop.messages
    assert message.role == "user" and names["campaign"] in message.content.text
    assert "campaignFunnel" in message.content.text and '"leads"' in message.content.text
    assert "'Casa Cielo'" in review.messages[0].content.text and "topCampaigns" in review.messages[0].content.text
    assert missing and "campaign" in missing
    lead = _with_session(network, "crm", lambda s: s.get_prompt("review_lead", {"lead_id": "42"}))
    assert "leadTimeline with lead_id 42" in lead.messages[0].content.text


def _complete(network, server: str, ref, argument: str, value: str, context: dict | None = None) -> list[str]:
    result = _with_session(
        network, server, lambda s: s.complete(ref, {"name": argument, "value": value}, context_arguments=context)
    )
    return result.completion.values


def test_mcpnet_completion_of_accentless_partial_names(network, names):
    """Typed without accents and in part, campaign, brand, channel, market and product names complete to the
    stored spelling; each word typed may be the start of any word of the name; a typo still finds it."""
    drop = PromptReference(type="ref/prompt", name="explain_campaign_drop")
    plan = PromptReference(type="ref/prompt", name="plan_campaign_for_product")
    weekly = PromptReference(type="ref/prompt", name="weekly_performance_review")
    campaign = names["campaign"]
    words = [w for w in _fold(campaign).split() if len(w) > 3]
    typed = f"{words[-1][:4]} {words[0][:3]}"  # two fragments, out of order, no accents
    expected = {
        name
        for name in names["campaigns"]
        if all(any(word.startswith(fragment) for word in _fold(name).split()) for fragment in typed.split())
    }
    values = _complete(network, "sales", drop, "campaign", typed)
    assert campaign in values and set(values[: len(expected)]) == expected
    assert _complete(network, "sales", drop, "campaign", _fold(campaign)[:-2])[0] == campaign
    typo = words[0][:2] + words[0][3:]  # one letter dropped
    assert campaign in _complete(network, "sales", drop, "campaign", typo)
    assert _complete(network, "sales", weekly, "channel", "instagr") == ["Instagram"]
    mexico = sorted(m for m in names["markets"] if _fold(m).startswith("mexico"))
    assert sorted(_complete(network, "sales", plan, "market", "mexico")) == mexico
    product_word = max(_fold(names["product"]).split(), key=len)
    assert names["product"] in _complete(network, "sales", plan, "product", product_word[:5])
    assert _complete(network, "sales", weekly, "brand", "zzqx") == []


def test_mcpnet_completion_of_resource_templates(network):
    """Resource-template variables complete too (metric ids), and the template reads."""
    from promptsales.sales.nlq.metrics import DEFINITIONS

    template = ResourceTemplateReference(type="ref/resource", uri="promptsales://sales/metrics/{metric}")
    expected = sorted(m.value for m in DEFINITIONS if m.value.startswith("sales_"))
    values = _complete(network, "sales", template, "metric", "sales_")
    assert len(expected) >= 2 and sorted(values[: len(expected)]) == expected  # then close spellings (cost_per_sale)

    async def work(session):
        templates = await session.list_resource_templates()
        return templates, await session.read_resource(f"promptsales://sales/metrics/{expected[0]}")

    templates, read = _with_session(network, "sales", work)
    assert {t.uri_template for t in templates.resource_templates} >= {
        "promptsales://sales/metrics/{metric}",
        "promptsales://sales/campaigns/{campaign}",
    }
    assert expected[0] in read.contents[0].text
    media = PromptReference(type="ref/prompt", name="find_content_for_brief")
    assert _complete(network, "content", media, "media_type", "vid") == ["video"]


@pytest.mark.parametrize("server", SERVERS)
def test_mcpnet_tool_annotations_match_scopes(network, server):
    """Every tool has a title, a description, an output schema and all four behaviour hints; it is read-only
    exactly when its scope is a ``:read`` scope, and a read-only tool is idempotent and not destructive."""
    tools = _with_session(network, server, lambda s: s.list_tools()).tools
    assert tools
    for tool in tools:
        hints = tool.annotations
        scope = tool.meta["promptsales/scope"]
        assert tool.title and tool.description and tool.output_schema["type"] == "object", tool.name
        assert None not in (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint)
        assert hints.read_only_hint == scope.endswith(":read"), (tool.name, scope)
        if hints.read_only_hint:
            assert hints.idempotent_hint and not hints.destructive_hint, tool.name

"""The real PromptContent MCP server (its own process, HTTPS + OAuth) behind the cache: a repeated
getContent is a hit; after a committed write to a media description the next call shows the new text."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from promptsales.cache import get_cache
from promptsales.cache.stats import cache_stats


@pytest.fixture(scope="module")
def content_server(content_https):
    """The URL of the content MCP server over HTTPS (the shared module fixture); audit rows flushed after."""
    from promptsales.db.logwriter import LOG_WRITER

    yield content_https[1]
    LOG_WRITER.flush()


def test_get_content_hits_and_sees_a_committed_description_change(settings, content_server):
    from promptsales.content.service import ContentService
    from promptsales.testing import https_session, token_for

    token = token_for(settings, "content-reader", ["content:read"])
    query = "calm watercolor espresso machine in a kitchen"
    marker = f"cachecheck{uuid.uuid4().hex[:8]}"

    async def get(session):
        result = await session.call_tool("getContent", {"description": query, "limit": 3})
        assert not result.is_error, result.content[0].text
        return result.structured_content

    async def scenario():
        async with https_session(settings, content_server, token) as session:
            before = cache_stats(get_cache(settings))["per_tool"].get("content.getContent", {"hits": 0, "misses": 0})
            first, second = await get(session), await get(session)
            after = cache_stats(get_cache(settings))["per_tool"]["content.getContent"]
            assert first == second
            assert after["hits"] - before["hits"] >= 1  # the repeat was served from Redis

            top = first["results"][0]
            service = ContentService(settings)
            try:
                service.update_description(top["id"], f"{top['description']} {marker}")
                changed = await get(session)
                assert any(marker in match["description"] for match in changed["results"])
            finally:
                service.update_description(top["id"], top["description"])  # leave the library as found
                service.close()
            restored = await get(session)
            assert all(marker not in match["description"] for match in restored["results"])

    asyncio.run(scenario())


def test_create_campaign_messages_reuses_a_paraphrase_and_logs_tokens_saved(settings, content_server):
    """Message generation behind the AI cache (real tool, real generator, real AI-usage log)."""
    import time

    from promptsales.db.connect import connect
    from promptsales.testing import https_session, token_for

    token = token_for(settings, "content-writer", ["content:read", "content:write"])
    ref = f"R{uuid.uuid4().hex[:6]}"
    original = f"Offer {ref}: handmade ceramic mugs for coffee lovers in Lisbon, warm and artisanal tone"
    paraphrase = f"Offer {ref}: artisanal handmade ceramic coffee mugs for people in Lisbon who love coffee, warm tone"
    unrelated = f"Offer {ref}: winter tyres for delivery vans in Lisbon, safety first"

    async def make(session, text):
        result = await session.call_tool(
            "createCampaignMessages", {"campaign_description": text, "target_audiences": ["coffee lovers"]}
        )
        assert not result.is_error, result.content[0].text
        return result.structured_content

    async def scenario():
        async with https_session(settings, content_server, token) as session:
            return await make(session, original), await make(session, paraphrase), await make(session, unrelated)

    first, second, third = asyncio.run(scenario())
    texts = lambda log: [m["text"] for m in log["messages"]]  # noqa: E731
    assert first["provider"] == "local-template"
    assert second["provider"] == "local-template+cache" and texts(second) == texts(first)
    assert third["provider"] == "local-template" and texts(third) != texts(first)

    deadline, rows = time.monotonic() + 15, []
    while not rows and time.monotonic() < deadline:  # the server writes log rows in the background
        with connect("sales", "app", settings=settings) as conn:
            rows = conn.execute(
                "SELECT operation, tokens_saved, cache_hit FROM portal.ai_usage_log WHERE module = 'cache' "
                "AND actor = 'content-writer' AND prompt LIKE %s",
                (f"%{ref}%",),
            ).fetchall()
        time.sleep(0.2)
    assert [(operation, cache_hit) for operation, _, cache_hit in rows] == [("messages.semantic-hit", True)]
    assert rows[0][1] > 0

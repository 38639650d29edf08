"""The real PromptContent MCP server (its own process, HTTPS + OAuth) behind the cache: a repeated
getContent is a hit; after a committed write to a media description the next call shows the new text."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from promptsales.cache import get_cache
from promptsales.cache.stats import cache_stats


@pytest.fixture(scope="module")
def content_server(settings):
    from promptsales.mcpkit.audit import LOG_CONNECTION
    from promptsales.mcpkit.testing import start_https_server
    from promptsales.seed import seed_all

    seed_all(settings, "official", companies=["ads", "content"], if_empty=True)
    issuer, server = start_https_server(settings, "content")
    yield server.url
    server.stop()
    issuer.stop()
    LOG_CONNECTION.flush()


def test_get_content_hits_and_sees_a_committed_description_change(settings, content_server):
    from promptsales.content.service import ContentService
    from promptsales.mcpkit.testing import https_session, token_for

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

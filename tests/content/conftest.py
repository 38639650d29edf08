"""Fixtures of the PromptContent tests: official-scale content (after PromptAds, for brand/campaign
references) and the content MCP server running over HTTPS with the local OAuth issuer."""

from __future__ import annotations

import pytest

from promptsales.config import Settings


@pytest.fixture(scope="session")
def content_seeded(settings: Settings) -> Settings:
    """PromptAds then PromptContent at official scale (skipped when already there)."""
    from promptsales.seed import seed_all

    seed_all(settings, "official", companies=["ads", "content"], if_empty=True)
    return settings


@pytest.fixture(scope="module")
def content_https(content_seeded: Settings):
    """(settings, url) of the content MCP server over HTTPS; issuer and server stopped after the module
    (their log writers hold no idle database sessions, so other tests can still clone databases)."""
    from promptsales.mcpkit.testing import start_https_server

    issuer, server = start_https_server(content_seeded, "content")
    yield content_seeded, server.url
    server.stop()
    issuer.stop()


@pytest.fixture(scope="module")
def content_service(content_seeded: Settings):
    """The service over the session stores (closed, and its log rows flushed, after the module)."""
    from promptsales.content.service import ContentService
    from promptsales.mcpkit.audit import LOG_CONNECTION

    service = ContentService(content_seeded)
    yield service
    service.close()
    LOG_CONNECTION.flush()

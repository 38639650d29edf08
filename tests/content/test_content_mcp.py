"""C4, C5 over real MCP transports: a stdio session (spawned server process) and an HTTPS session with a
real token; bad input → isError with a specific message and nothing stored; G4 log rows written."""

from __future__ import annotations

import time

import anyio
import pytest

from promptsales.content.store import mongo_database
from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER
from promptsales.testing import https_session, stdio_session, token_for

AUDIENCES = ["new parents", "competitive athletes", "small business owners"]
CAMPAIGN = "Spring launch of lightweight running shoes made from recycled ocean plastic, 20% off the first week."


async def _exercise(session, db) -> dict:
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) == {"getContent", "createCampaignMessages"}
    assert set(tools["getContent"].input_schema["properties"]) == {"description", "limit", "media_type"}
    assert tools["createCampaignMessages"].input_schema["required"] == ["campaign_description", "target_audiences"]
    assert tools["getContent"].output_schema and "results" in tools["getContent"].output_schema["properties"]

    found = await session.call_tool(
        "getContent", {"description": "calm watercolor espresso machine in a kitchen", "limit": 3}
    )
    assert not found.is_error
    data = found.structured_content
    assert len(data["results"]) == 3 and data["hashtags"]
    first = data["results"][0]
    assert {"id", "uri", "description", "hashtags", "similarity"} <= set(first) and -1 <= first["similarity"] <= 1
    assert any(block.type == "image" and block.mime_type == "image/png" for block in found.content)

    requests_before = db.content_requests.count_documents({})
    made = await session.call_tool(
        "createCampaignMessages", {"campaign_description": CAMPAIGN, "target_audiences": AUDIENCES}
    )
    assert not made.is_error, made.content[0].text
    log = made.structured_content
    assert len(log["messages"]) == 9
    for audience in AUDIENCES:
        assert sorted(m["index"] for m in log["messages"] if m["audience"] == audience) == [1, 2, 3]
    assert db.content_requests.count_documents({}) == requests_before + 1
    assert db.content_requests.find_one({"_id": log["request_id"]})["status"] == "completed"
    assert db.campaign_message_logs.count_documents({"request_id": log["request_id"]}) == 1
    return log


BAD_CALLS = [
    ("getContent", {"description": ""}, "description is empty"),
    ("getContent", {"description": "word " * 10_000}, "10,000 words"),
    ("getContent", {"description": "shoes", "limit": 0}, "limit must be between 1 and 50"),
    ("getContent", {"description": "shoes", "limit": 1000}, "limit must be between 1 and 50"),
    ("getContent", {"description": "shoes", "media_type": "hologram"}, "'image', 'video' or 'audio'"),
    ("createCampaignMessages", {"campaign_description": CAMPAIGN, "target_audiences": []}, "target_audiences is empty"),
    (
        "createCampaignMessages",
        {"campaign_description": "", "target_audiences": ["gamers"]},
        "campaign_description is empty",
    ),
]


async def _bad_inputs(session, db) -> None:
    counts = (db.content_requests.count_documents({}), db.campaign_message_logs.count_documents({}))
    for tool, arguments, message in BAD_CALLS:
        result = await session.call_tool(tool, arguments)
        assert result.is_error, (tool, arguments)
        assert message in result.content[0].text, result.content[0].text
    assert (db.content_requests.count_documents({}), db.campaign_message_logs.count_documents({})) == counts


def test_stdio_session_lists_and_calls_both_tools_and_rejects_bad_input(content_seeded):
    settings = content_seeded
    db = mongo_database(settings)

    async def run():
        async with stdio_session(settings, "content") as session:
            log = await _exercise(session, db)
            await _bad_inputs(session, db)
            return log

    log = anyio.run(run)
    assert log["provider"] == "local-template"


def test_https_session_with_real_token_and_ai_usage_logged(content_https):
    settings, url = content_https
    db = mongo_database(settings)
    token = token_for(settings, "content-writer")

    async def run():
        async with https_session(settings, url, token) as session:
            log = await _exercise(session, db)
            await _bad_inputs(session, db)
            return log

    log = anyio.run(run)
    deadline = time.monotonic() + 15  # the server writes log rows asynchronously
    rows = []
    while len(rows) < 3 and time.monotonic() < deadline:
        with connect("sales", "app", settings=settings) as conn:
            rows = conn.execute(
                "SELECT actor, module, provider, prompt, result, validation_method, validation_outcome, tokens_in, tokens_out, latency_ms "
                "FROM portal.ai_usage_log WHERE operation = 'createCampaignMessages' AND reference->>'request_id' = %s",
                (log["request_id"],),
            ).fetchall()
        time.sleep(0.2)
    assert len(rows) == 3  # one generation per audience
    for actor, module, provider, prompt, result, method, outcome, tokens_in, tokens_out, latency in rows:
        assert actor == "content-writer" and module == "content" and provider == "local-template"
        assert (
            CAMPAIGN in prompt and result.startswith("[") and "280" in method and outcome in ("accepted", "corrected")
        )
        assert tokens_in > 0 and tokens_out > 0 and latency >= 0


def test_service_rejects_bad_input_without_writing(content_service):
    from promptsales.mcpkit.errors import ToolInputError

    db = content_service.db
    before = db.content_requests.count_documents({})
    with pytest.raises(ToolInputError, match="same audience twice"):
        content_service.create_campaign_messages(CAMPAIGN, ["gamers", "Gamers"])
    with pytest.raises(ToolInputError, match="limit is 10"):
        content_service.create_campaign_messages(CAMPAIGN, [f"audience {i}" for i in range(11)])
    assert db.content_requests.count_documents({}) == before
    LOG_WRITER.flush()

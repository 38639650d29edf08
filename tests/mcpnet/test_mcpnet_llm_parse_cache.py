"""Question parsing behind the AI cache (issue 10 deliver 3, SPEC G2, G4): with an OpenAI-compatible endpoint
configured (a local server speaking the chat-completions protocol), askCampaignPerformance's model parse
goes through the exact + semantic AI cache. A paraphrase reuses the earlier parse (the endpoint is called
once) and the hit is logged with the tokens it saved; an unrelated question, or the same question about
another month (in English or Spanish, where month names are lower case), asks the model again."""

from __future__ import annotations

import json

import pytest
from test_mcpnet_llm_parse import AS_OF, REPLIES, llm_endpoint, monkeypatch_module  # noqa: F401, F811 (fixtures)

from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER
from promptsales.db.pools import close_pools
from promptsales.sales.nlq.service import ask

NOVEMBER = "What was the total reach in November 2025?"
PARAPHRASE = "What was our total reach during November 2025?"
DECEMBER = "What was the total reach in December 2025?"
NOVIEMBRE = "¿Cuál fue el alcance total en noviembre 2025?"
DICIEMBRE = "¿Cuál fue el alcance total en diciembre 2025?"
UNRELATED = "Which channel had the most clicks in 2025?"


def _reach(period: str, language: str = "en") -> str:
    return json.dumps(
        {"answerable": True, "language": language, "intent": "value", "metrics": ["reach"], "period": period}
    )


@pytest.fixture
def replies():
    """Canned model answers for this module's questions (added to the shared fake endpoint's table)."""
    added = {
        NOVEMBER: _reach("November 2025"),
        PARAPHRASE: _reach("November 2025"),
        DECEMBER: _reach("December 2025"),
        NOVIEMBRE: _reach("November 2025", "es"),
        DICIEMBRE: _reach("December 2025", "es"),
        UNRELATED: json.dumps(
            {"intent": "ranking", "metrics": ["clicks"], "group_by": ["channel"], "period": "2025", "limit": 1}
        ),
    }
    REPLIES.update(added)
    yield
    for question in added:
        REPLIES.pop(question, None)


def _asked(endpoint: list[dict]) -> list[str]:
    return [body["messages"][-1]["content"] for body in endpoint]


def _rows(settings, question: str) -> list[tuple]:
    LOG_WRITER.flush()
    with connect("sales", "admin", settings=settings) as conn:
        return conn.execute(
            "SELECT module, operation, provider, tokens_in, tokens_saved, cache_hit FROM portal.ai_usage_log"
            " WHERE prompt = %s ORDER BY ai_usage_id",
            (question,),
        ).fetchall()


def test_mcpnet_paraphrased_question_reuses_the_model_parse_and_logs_tokens_saved(warehouse, llm_endpoint, replies):
    def answer(question: str):
        with connect("sales", "analyst", settings=warehouse) as conn:
            return ask(question, conn, as_of=AS_OF, settings=warehouse, actor="llm-cache-test")

    first = answer(NOVEMBER)
    assert _asked(llm_endpoint).count(NOVEMBER) == 1 and first.answerable and first.rows
    assert _rows(warehouse, NOVEMBER)[-1][:4] == ("sales", "askCampaignPerformance", "openai-compatible", 321)

    reused = answer(PARAPHRASE)
    assert PARAPHRASE not in _asked(llm_endpoint)  # the model was not asked again
    assert reused.rows == first.rows and reused.understood == first.understood
    logged = _rows(warehouse, PARAPHRASE)
    assert ("cache", "question.semantic-hit", "redis-cache", 0, 321 + 45, True) in logged
    assert ("sales", "askCampaignPerformance", "openai-compatible+cache", 0, 0, False) in logged

    again = answer(NOVEMBER)  # the very same question: an exact hit
    assert _asked(llm_endpoint).count(NOVEMBER) == 1 and again.rows == first.rows
    assert ("cache", "question.exact-hit", "redis-cache", 0, 366, True) in _rows(warehouse, NOVEMBER)

    for other in (DECEMBER, UNRELATED, NOVIEMBRE, DICIEMBRE):  # another month (0.91 / 0.95 similar) or topic
        answer(other)
        assert _asked(llm_endpoint).count(other) == 1, other
    december = answer(DECEMBER)
    assert december.understood["period"] != first.understood["period"]


ANSWER_HIT = "What was the total reach of every campaign in October 2025?"
LOCAL_HIT = "How many sales did we close in October 2025?"


def _hit_rows(settings, question: str) -> list[tuple]:
    LOG_WRITER.flush()
    with connect("sales", "admin", settings=settings) as conn:
        return conn.execute(
            "SELECT actor, model, tokens_saved, cache_hit FROM portal.ai_usage_log"
            " WHERE prompt = %s AND operation = 'askCampaignPerformance.answer-hit'",
            (question,),
        ).fetchall()


def _tool_hits(settings) -> int:
    from promptsales.cache import get_cache

    return int(get_cache(settings).connection.client.hget("ps:stats", "hits:sales.askCampaignPerformance") or 0)


def test_mcpnet_cached_ask_answer_logs_the_model_tokens_it_saved(warehouse, llm_endpoint, monkeypatch):
    """askCampaignPerformance over HTTPS (in-process sales kit): a repeated call is an MCP read-cache hit.
    When the original answer was parsed by the model, the hit is logged with the tokens it saved; when the
    local parser answered (no token spent), a hit records nothing."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
    from mcp_harness import McpSession, ThreadedHttpsServer, run, start_issuer, stop_issuer, token_for

    from promptsales.sales.mcp import kit

    REPLIES[ANSWER_HIT] = json.dumps(
        {"intent": "breakdown", "metrics": ["reach"], "group_by": ["campaign"], "period": "October 2025"}
    )
    started = start_issuer(warehouse)
    token = token_for(warehouse, "portal", ["sales:read"])
    try:
        with ThreadedHttpsServer(kit, warehouse) as server:

            async def model_parsed():
                async with McpSession(server.url, token, warehouse) as session:
                    first = await session.call("askCampaignPerformance", question=ANSWER_HIT)
                    assert first[0] and first[1]["parse_tokens"] == 366, first
                    assert first[1]["parsed_by"] == "openai-compatible/fake-gpt"
                    assert _hit_rows(warehouse, ANSWER_HIT) == []
                    assert await session.call("askCampaignPerformance", question=ANSWER_HIT) == first  # MCP hit

            run(model_parsed())
            assert _asked(llm_endpoint).count(ANSWER_HIT) == 1
            assert _hit_rows(warehouse, ANSWER_HIT) == [("portal", "fake-gpt", 366, True)]

            monkeypatch.delenv("PROMPTSALES_LLM_BASE_URL")  # the local parser answers: no token spent

            async def locally_parsed():
                async with McpSession(server.url, token, warehouse) as session:
                    first = await session.call("askCampaignPerformance", question=LOCAL_HIT)
                    assert first[0] and first[1]["parse_tokens"] == 0
                    assert first[1]["parsed_by"].startswith("local-parser/")
                    hits = _tool_hits(warehouse)
                    assert await session.call("askCampaignPerformance", question=LOCAL_HIT) == first
                    assert _tool_hits(warehouse) == hits + 1  # a hit, and no row for it

            run(locally_parsed())
            assert LOCAL_HIT not in _asked(llm_endpoint) and _hit_rows(warehouse, LOCAL_HIT) == []
    finally:
        close_pools("sales")  # no idle session on promptsales (later tests copy it)
        LOG_WRITER.flush()
        REPLIES.pop(ANSWER_HIT, None)
        if started:
            stop_issuer(warehouse)

"""The optional model-assisted parse of askCampaignPerformance against a local server that speaks the
OpenAI chat-completions protocol: a valid model answer is validated and used (and logged as such); a
malformed or wrong one falls back to the local parser, which gives the same answer (SPEC S5, G4)."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER
from promptsales.runtime.ports import free_port
from promptsales.runtime.processes import wait_until
from promptsales.sales.nlq.service import ask

AS_OF = date(2026, 1, 31)
REPLIES = {
    "Which brand had the most sales last quarter?": json.dumps(
        {
            "answerable": True,
            "language": "en",
            "intent": "ranking",
            "metrics": ["sales_amount"],
            "group_by": ["brand"],
            "period": "last quarter",
            "limit": 1,
        }
    ),
    "¿Qué marca vendió más el trimestre pasado?": 'Claro, aquí está: {"intent": "ranking", "metrics": ["ventas"]}',
    "Reach of Instagram in 2025": json.dumps(
        {"intent": "value", "metrics": ["reach"], "channels": ["Instagrum"], "period": "2025"}
    ),
}


@pytest.fixture(scope="module")
def llm_endpoint(monkeypatch_module):
    """A local OpenAI-compatible chat-completions server with canned answers."""
    seen: list[dict] = []

    async def completions(request: Request) -> JSONResponse:
        body = await request.json()
        seen.append(body)
        question = body["messages"][-1]["content"]
        return JSONResponse(
            {
                "model": "fake-gpt",
                "usage": {"prompt_tokens": 321, "completion_tokens": 45},
                "choices": [{"message": {"role": "assistant", "content": REPLIES.get(question, "no idea")}}],
            }
        )

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=[Route("/v1/chat/completions", completions, methods=["POST"])]),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert wait_until(lambda: server.started, timeout=20), "the fake model server did not start"
    monkeypatch_module.setenv("PROMPTSALES_LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch_module.setenv("PROMPTSALES_LLM_MODEL", "fake-gpt")
    yield seen
    server.should_exit = True
    thread.join(5)


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def _usage(settings, question: str) -> tuple:
    LOG_WRITER.flush()
    with connect("sales", "admin", settings=settings) as conn:
        return conn.execute(
            "SELECT provider, model, tokens_in, validation_outcome, corrections FROM portal.ai_usage_log "
            "WHERE prompt = %s ORDER BY ai_usage_id DESC LIMIT 1",
            (question,),
        ).fetchone()


def test_mcpnet_llm_parse_used_when_valid_and_logged(warehouse, llm_endpoint):
    """A valid model answer drives the query; the answer equals the local parser's; G4 row says so."""
    question = "Which brand had the most sales last quarter?"
    with connect("sales", "analyst", settings=warehouse) as conn:
        by_model = ask(question, conn, as_of=AS_OF, settings=warehouse, actor="llm-test")
    assert llm_endpoint and llm_endpoint[-1]["messages"][-1]["content"] == question
    assert by_model.answerable and by_model.understood["group_by"] == ["brand"] and len(by_model.rows) == 1
    assert _usage(warehouse, question)[:4] == ("openai-compatible", "fake-gpt", 321, "accepted")
    with connect("sales", "analyst", settings=warehouse) as conn:
        expected = conn.execute(
            "SELECT c.brand_name, sum(f.sales_amount) AS v FROM wh.campaign_months f JOIN wh.campaigns c USING (campaign_id) "
            "WHERE f.month >= '2025-10-01' AND f.month < '2026-01-01' GROUP BY c.brand_id, c.brand_name "
            "ORDER BY v DESC NULLS LAST, c.brand_id LIMIT 1"
        ).fetchone()
    assert by_model.rows[0][1:] == [expected[0], float(expected[1])]


@pytest.mark.parametrize("question", ["¿Qué marca vendió más el trimestre pasado?", "Reach of Instagram in 2025"])
def test_mcpnet_llm_parse_falls_back_on_bad_model_output(warehouse, llm_endpoint, question):
    """Malformed JSON, a metric outside the list or an unknown name: the local parser answers instead."""
    with connect("sales", "analyst", settings=warehouse) as conn:
        result = ask(question, conn, as_of=AS_OF, settings=warehouse, actor="llm-test")
    assert result.answerable and result.rows
    provider, _, _, outcome, corrections = _usage(warehouse, question)
    assert provider == "local-parser" and outcome == "corrected" and "model parse rejected" in corrections

"""``askCampaignPerformance``: a question in Spanish or English → parsed, built, run read-only, answered.

The answer carries the short text, the table, the structured query and the SQL that ran; a question it
cannot answer gets an explanation and no number. Every call writes one row of the AI-usage log (G4).
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

import psycopg
from pydantic import BaseModel, Field

from promptsales.ai.llm_client import configured
from promptsales.config import Settings
from promptsales.sales.nlq.answer import definitions, execute, ignored_note, plain, summarize
from promptsales.sales.nlq.builder import Unanswerable, build
from promptsales.sales.nlq.dbcatalog import catalog_for, data_as_of
from promptsales.sales.nlq.llm import timed_model_parse
from promptsales.sales.nlq.model import NotAnswerable, StructuredQuery
from promptsales.sales.nlq.parser import QuestionParser
from promptsales.sales.nlq.rules import RULES
from promptsales.sales.nlq.subject_plan import NoSubject, resolve_subjects

#: Refusals by rule, which no model parse overrides.
RULE_NAMES = frozenset(rule.name for rule in RULES)

PARSER_MODEL = "promptsales-nlq-rules-v1"


class Answer(BaseModel):
    """What ``askCampaignPerformance`` returns."""

    answerable: bool
    answer: str
    language: str
    as_of: str
    understood: dict[str, Any] = Field(default_factory=dict)
    columns: list[str] = Field(default_factory=list)
    rows: list[list[Any]] = Field(default_factory=list)
    truncated: bool = False
    sql: str | None = None
    parameters: list[Any] = Field(default_factory=list)
    grain: str | None = None
    needs: str | None = None
    notes: list[str] = Field(default_factory=list)
    ignored: list[str] = Field(
        default_factory=list,
        description="Content words of the question the answer did not use (also stated in the answer text).",
    )
    refusal: str | None = Field(
        default=None,
        description="Why an unanswerable question was refused: privacy, read-only, forecast, out-of-scope, "
        "unknown-name, not-understood or grain.",
    )
    not_understood: list[str] = Field(
        default_factory=list, description="The words of a refused question that were not understood."
    )
    steps: list[dict[str, Any]] = Field(
        default_factory=list,
        description='The subjects resolved first ("the brand with the most campaigns"): their words, SQL and rows.',
    )
    parsed_by: str | None = Field(
        default=None, description="What parsed the question: the local rule parser or the model (provider/model)."
    )
    parse_tokens: int = Field(
        default=0,
        description="Model tokens this answer cost (0 with the local parser or a parse reused from the AI cache).",
    )


def answer_query(read_conn: psycopg.Connection, query: StructuredQuery, as_of: date) -> Answer:
    """Run a structured query (from the parser or a structured tool) and word the answer; its subjects
    ("the campaign with the most sales") are resolved first, each by a query of its own."""
    try:
        query, steps = resolve_subjects(read_conn, query)
    except NoSubject as empty:
        return Answer(
            answerable=True,
            answer=empty.reason(query.language) + ignored_note(query.ignored, query.language),
            language=query.language,
            as_of=as_of.isoformat(),
            understood=query.model_dump(mode="json", exclude_defaults=True),
            steps=empty.steps,
            ignored=query.ignored,
        )
    except Unanswerable as error:
        return _grain_refusal(query, as_of, error)
    try:
        built = build(query)
    except Unanswerable as error:
        return _grain_refusal(query, as_of, error)
    rows, truncated, shown = execute(read_conn, built)
    resolved = " ".join(step["answer"] for step in steps)
    return Answer(
        answerable=True,
        answer=(resolved + " " if resolved else "")
        + summarize(query, built.columns, rows, truncated)
        + definitions(query)
        + ignored_note(query.ignored, query.language),
        language=query.language,
        as_of=as_of.isoformat(),
        understood=query.model_dump(mode="json", exclude_defaults=True),
        columns=built.columns,
        rows=[[plain(value) for value in row] for row in rows],
        truncated=truncated,
        sql=shown,
        parameters=[plain(p) if not isinstance(p, list) else p for p in built.params],
        grain=f"wh.{built.grain}",
        notes=query.notes,
        ignored=query.ignored,
        steps=steps,
    )


def _grain_refusal(query: StructuredQuery, as_of: date, error: Unanswerable) -> Answer:
    """The answer to a query the warehouse cannot serve at its grain."""
    return Answer(
        answerable=False,
        answer=error.reason(query.language),
        language=query.language,
        as_of=as_of.isoformat(),
        understood=query.model_dump(mode="json", exclude_defaults=True),
        needs="una cifra que el almacén registre a ese nivel"
        if query.language == "es"
        else "a figure the warehouse records at that grain",
        refusal="grain",
    )


def refused(parsed: NotAnswerable, as_of: date) -> Answer:
    """The answer to a question the parser refused: the reason, what was understood, no number."""
    return Answer(
        answerable=False,
        answer=parsed.reason,
        language=parsed.language,
        as_of=as_of.isoformat(),
        understood=parsed.understood,
        needs=parsed.needs,
        refusal=parsed.refusal,
        not_understood=parsed.not_understood,
    )


def ask(
    question: str,
    read_conn: psycopg.Connection,
    *,
    as_of: date | None = None,
    settings: Settings | None = None,
    actor: str = "local",
) -> Answer:
    """Answer one natural-language question; ValueError for empty or oversized questions.

    With ``settings`` the call is written to the AI-usage log (G4) through :mod:`promptsales.ai.usage`.
    """
    started = time.perf_counter()
    as_of = as_of or data_as_of(read_conn)
    catalog = catalog_for(read_conn)
    usage: dict[str, Any] = {
        "provider": "local-parser",
        "model": PARSER_MODEL,
        "tokens_in": 0,
        "tokens_out": 0,
        "fallback": None,
    }
    parsed: StructuredQuery | NotAnswerable | None = None
    # the local parse checks the input (empty, too long) and applies the privacy, read-only and forecast
    # rules, which hold whatever a model would make of the question
    model_configured = configured()  # an OpenAI-compatible endpoint (PROMPTSALES_LLM_BASE_URL)
    local = QuestionParser(catalog, as_of).parse(question) if model_configured else None
    if isinstance(local, NotAnswerable) and local.refusal in RULE_NAMES:
        parsed = local
    elif model_configured:
        attempt, failure, _ = timed_model_parse(question, catalog, as_of)
        if attempt is not None:
            parsed = attempt.result
            # a parse reused from the AI cache spent no token; the cache logged its own row with tokens_saved
            usage.update(
                provider="openai-compatible+cache" if attempt.cache_hit else "openai-compatible",
                model=attempt.model,
                tokens_in=attempt.tokens_in,
                tokens_out=attempt.tokens_out,
            )
        else:
            usage["fallback"] = failure
    if parsed is None:
        parsed = QuestionParser(catalog, as_of).parse(question)
    if isinstance(parsed, NotAnswerable):
        result = refused(parsed, as_of)
    else:
        result = answer_query(read_conn, parsed, as_of)
    result.parsed_by = f"{usage['provider']}/{usage['model']}"
    result.parse_tokens = usage["tokens_in"] + usage["tokens_out"]
    if settings is not None:
        log_usage(
            settings,
            actor=actor,
            question=question,
            result=result,
            latency_ms=(time.perf_counter() - started) * 1000,
            usage=usage,
        )
    return result


def log_usage(
    settings: Settings, *, actor: str, question: str, result: Answer, latency_ms: float, usage: dict | None = None
) -> bool:
    """One row of the AI-usage log (G4) for a parsed question."""
    from promptsales.ai.usage import AICall, log_ai_call

    usage = usage or {
        "provider": "local-parser",
        "model": PARSER_MODEL,
        "tokens_in": 0,
        "tokens_out": 0,
        "fallback": None,
    }
    corrections = None if result.answerable else f"not answered: {result.needs}"
    if usage.get("fallback"):
        corrections = f"model parse rejected ({usage['fallback']}); answered by the local parser"
    return log_ai_call(
        AICall(
            actor=actor,
            module="sales",
            operation="askCampaignPerformance",
            provider=usage["provider"],
            model=usage["model"],
            prompt=question,
            result=result.answer,
            tokens_in=usage["tokens_in"],
            tokens_out=usage["tokens_out"],
            validation_method="parsed into a pydantic StructuredQuery; identifiers whitelisted (nlq.warehouse); "
            "values bound as parameters; read-only transaction with statement timeout",
            validation_outcome=("corrected" if usage.get("fallback") else "accepted")
            if result.answerable
            else "rejected",
            corrections=corrections,
            optimizations="catalog of names cached 60 s; coarsest warehouse table that covers the question",
            anti_hardcoding_measures="every figure comes from the executed SQL; unanswerable questions return no number",
            latency_ms=latency_ms,
            reference={
                "sql": result.sql,
                "grain": result.grain,
                "as_of": result.as_of,
                "answerable": result.answerable,
            },
        ),
        settings,
    )


def log_cached_answer(settings: Settings, *, actor: str, question: str, result: Answer) -> bool:
    """One row of the AI-usage log (G4) for an answer served whole from the MCP read-tool cache, with the
    model tokens its original computation spent (``parse_tokens``) as tokens saved. An answer parsed by
    the local rule parser spent none: nothing is recorded (returns False)."""
    from promptsales.ai.usage import AICall, log_ai_call

    if not result.parse_tokens:
        return False
    return log_ai_call(
        AICall(
            actor=actor,
            module="cache",
            operation="askCampaignPerformance.answer-hit",
            provider="redis-cache",
            model=(result.parsed_by or "").split("/", 1)[-1],
            prompt=question,
            result=result.answer,
            validation_method="MCP read-tool cache hit: the answer computed and validated earlier for the same "
            "arguments, at the same warehouse generation",
            optimizations=f"whole answer reused: {result.parse_tokens} model tokens not spent",
            anti_hardcoding_measures="the cached answer is invalidated by every ETL pass that changes the warehouse",
            tokens_saved=result.parse_tokens,
            cache_hit=True,
            reference={"sql": result.sql, "as_of": result.as_of, "parsed_by": result.parsed_by},
        ),
        settings,
    )

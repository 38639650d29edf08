"""Optional model-assisted parsing: with ``PROMPTSALES_LLM_BASE_URL`` set, an OpenAI-compatible model turns
the question into the same fields the structured tools take; they are validated and resolved exactly like
tool arguments (names against the catalog, periods by the period parser) and become a
:class:`StructuredQuery`. The model never writes SQL. Any failure — endpoint down, malformed JSON, an
unknown name, a metric outside the list — falls back to the local parser, and the AI-usage log says so.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from promptsales.ai.llm_client import LLMSettings, chat, configured
from promptsales.errors import UserError
from promptsales.sales.nlq.catalog import Catalog
from promptsales.sales.nlq.model import Dimension, EntityRef, Intent, Metric, NotAnswerable, StructuredQuery
from promptsales.sales.nlq.structured import parse_period, resolve


class ModelQuery(BaseModel):
    """What the model must answer with (JSON)."""

    answerable: bool = True
    reason: str = ""
    language: Literal["en", "es"] = "en"
    intent: Intent = Intent.value
    metrics: list[Metric] = Field(default_factory=list, max_length=6)
    group_by: list[Dimension] = Field(default_factory=list, max_length=2)
    campaigns: list[str] = Field(default_factory=list, max_length=10)
    brands: list[str] = Field(default_factory=list, max_length=10)
    channels: list[str] = Field(default_factory=list, max_length=10)
    markets: list[str] = Field(default_factory=list, max_length=10)
    period: str | None = None
    compare_periods: list[str] = Field(default_factory=list, max_length=6)
    status: Literal["active", "finished"] | None = None
    descending: bool = True
    limit: int | None = Field(default=None, ge=1, le=100)


SYSTEM = (
    "You turn questions about marketing-campaign performance into JSON for a SQL generator you never see. "
    "Answer with ONE JSON object with keys: answerable, reason, language (en|es), intent "
    "(value|breakdown|ranking|comparison|funnel), metrics (from: {metrics}), group_by (from: {dimensions}), "
    "campaigns, brands, channels, markets (names exactly as listed below), period (e.g. 'Q4 2025', "
    "'December 2025', '2025', 'last quarter', '2025-07..2025-09' or null), compare_periods (list), status "
    "(active|finished|null), descending, limit. If the question needs data that is not in these metrics "
    "(causes, forecasts, demographics), set answerable=false and explain in reason. Never invent numbers."
)


@dataclass
class ModelParse:
    """A parse by the model plus what the AI-usage log needs (``cache_hit``: ``exact``/``semantic`` when the
    model's answer came from the AI cache — then no token was spent and ``tokens_saved`` were not)."""

    result: StructuredQuery | NotAnswerable
    model: str
    tokens_in: int
    tokens_out: int
    raw: str
    cache_hit: str | None = None
    tokens_saved: int = 0


def question_terms(question: str, as_of: date) -> list[str]:
    """What a paraphrase must share with a cached question to reuse its parse (docs/cache.md §5): the names
    and numbers (:func:`promptsales.cache.ai.key_terms`), every period resolved to its months (so "diciembre
    2025" never reuses "noviembre 2025", and "last quarter" equals "Q4 2025"), and the metric, dimension and
    ranking-direction words found (so "reach in May" never reuses "sales in May")."""
    from promptsales.cache.ai import key_terms
    from promptsales.sales.nlq.catalog import INDUSTRY_ALIASES, OBJECTIVE_ALIASES, OBJECTIVE_FIGURE_WORDS
    from promptsales.sales.nlq.lexicon import DIMENSION_WORDS, METRIC_PHRASES, RANK_ASC_WORDS, RANK_DESC_WORDS
    from promptsales.sales.nlq.periods import PeriodParser
    from promptsales.sales.nlq.text import contains_phrase, normalize

    text = normalize(question)
    terms = set(key_terms(question))
    found, _ = PeriodParser(as_of).find_all(text)
    terms.update(f"period:{item.period.start.isoformat()}..{item.period.end.isoformat()}" for item in found)
    for prefix, table in (("metric", METRIC_PHRASES), ("dimension", DIMENSION_WORDS)):
        terms.update(
            f"{prefix}:{key.value}"
            for key, phrases in table.items()
            if any(contains_phrase(text, phrase) for phrase in phrases)
        )
    for dimension, values in (
        ("objective", {k: (*v, *OBJECTIVE_FIGURE_WORDS.get(k, ())) for k, v in OBJECTIVE_ALIASES.items()}),
        ("industry", INDUSTRY_ALIASES),
    ):  # "awareness" never reuses "traffic"
        terms.update(
            f"{dimension}:{value}"
            for value, phrases in values.items()
            if any(contains_phrase(text, phrase) for phrase in (*phrases, value.replace("_", " ")))
        )
    for label, words in (("rank:desc", RANK_DESC_WORDS), ("rank:asc", RANK_ASC_WORDS)):
        if any(contains_phrase(text, word) for word in words):
            terms.add(label)
    return sorted(terms)


def _json_object(content: str) -> dict:
    match = re.search(r"\{.*\}", content, re.S)
    if not match:
        raise UserError("the model did not answer with a JSON object")
    try:
        return json.loads(match.group(0))
    except ValueError as error:
        raise UserError(f"the model's JSON is malformed: {error}") from None


def model_parse(question: str, catalog: Catalog, as_of: date) -> ModelParse:
    """Ask the configured model — through the AI cache (namespace ``question``: exact prompt, then a
    paraphrase with the same :func:`question_terms`, within the same model, system prompt, names and as-of
    date) — and validate its answer; UserError on anything unusable (the caller falls back to the local
    parser). Unusable answers are never cached; a cache hit is logged by the cache with the tokens saved."""
    from promptsales.cache import get_ai_cache

    settings = LLMSettings()
    if not configured(settings):
        raise UserError("PROMPTSALES_LLM_BASE_URL is not set.")
    names = {
        "brands": [b.name for b in catalog.brands][:200],
        "channels": [c.name for c in catalog.channels],
        "markets": [m.name for m in catalog.markets],
    }
    system = SYSTEM.format(metrics=", ".join(m.value for m in Metric), dimensions=", ".join(d.value for d in Dimension))
    system_text = (
        system
        + "\nKnown names: "
        + json.dumps(names, ensure_ascii=False)
        + f"\nToday (as-of date): {as_of.isoformat()}"
    )
    messages = [{"role": "system", "content": system_text}, {"role": "user", "content": question}]

    def ask_model() -> tuple[dict, int]:
        reply = chat(settings, messages, temperature=0)
        answer = {
            "content": reply.content,
            "model": reply.model,
            "tokens_in": reply.tokens_in,
            "tokens_out": reply.tokens_out,
        }
        _to_query(_model_query(reply.content), catalog, as_of)  # unusable answers raise here: never cached
        return answer, reply.tokens_in + reply.tokens_out

    outcome = get_ai_cache().call(
        "question",
        question,
        ask_model,
        model=settings.model,
        partition={"system": hashlib.sha256(system_text.encode()).hexdigest()},
        terms=question_terms(question, as_of),
    )
    answer = outcome.result
    result = _to_query(_model_query(answer["content"]), catalog, as_of)
    if outcome.source == "generated":
        return ModelParse(result, answer["model"], answer["tokens_in"], answer["tokens_out"], answer["content"])
    return ModelParse(
        result, answer["model"], 0, 0, answer["content"], cache_hit=outcome.source, tokens_saved=outcome.tokens_saved
    )


def _model_query(content: str) -> ModelQuery:
    try:
        return ModelQuery.model_validate(_json_object(content))
    except ValidationError as error:
        raise UserError(f"the model's answer does not fit the query model: {error.errors()[0]['msg']}") from None


def _to_query(parsed: ModelQuery, catalog: Catalog, as_of: date) -> StructuredQuery | NotAnswerable:
    if not parsed.answerable:
        return NotAnswerable(
            reason=parsed.reason or "The model found no answerable figure in the question.",
            language=parsed.language,
            needs="a question about recorded campaign figures",
        )
    refs: list[EntityRef] = []
    for name in parsed.campaigns:
        best = catalog.match_campaign(name)
        if not best or best[0][2] < 0.45:
            raise UserError(f"the model named an unknown campaign {name!r}")
        refs.append(EntityRef(dimension=Dimension.campaign, key=best[0][0], name=best[0][1], matched_text=name))
    refs += resolve(catalog, Dimension.brand, parsed.brands) + resolve(catalog, Dimension.channel, parsed.channels)
    refs += resolve(catalog, Dimension.market, parsed.markets)
    if not parsed.metrics:
        raise UserError("the model named no metric")
    period = parse_period(parsed.period, as_of)
    compare = [p for p in (parse_period(text, as_of) for text in parsed.compare_periods) if p is not None]
    ranking = parsed.intent is Intent.ranking
    return StructuredQuery(
        intent=parsed.intent,
        metrics=parsed.metrics,
        group_by=parsed.group_by,
        filters=refs,
        period=period,
        compare_periods=compare,
        status=parsed.status,
        order_by=parsed.metrics[0] if ranking else None,
        descending=parsed.descending,
        limit=(parsed.limit or 1) if ranking else None,
        language=parsed.language,
    )


def timed_model_parse(question: str, catalog: Catalog, as_of: date) -> tuple[ModelParse | None, str | None, float]:
    """``(parse, None, ms)`` or ``(None, why it failed, ms)``."""
    started = time.perf_counter()
    try:
        return model_parse(question, catalog, as_of), None, (time.perf_counter() - started) * 1000
    except (UserError, KeyError, ValueError) as error:
        return None, str(error), (time.perf_counter() - started) * 1000

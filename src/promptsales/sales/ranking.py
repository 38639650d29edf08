"""Size-adjusted and learned campaign rankings as PromptSales answers (issue 18; docs/ai.md "Performance ranking").

:func:`ranked_answer` turns a ranking of :mod:`promptsales.ai.ranking` into the :class:`Answer` that
``topCampaigns`` returns (``ranking="shrunk"|"learned"``); :func:`size_adjusted_question` answers questions to
``askCampaignPerformance`` that ask for campaigns "adjusted for size" / "most reliable" ("ajustadas por
tamaño", "más confiables"): the phrase is read here, the rest of the question by the usual parser, and a
campaign ranking by ROI or conversion rate (ROI when no figure is named) is answered with the shrunk ranking.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import psycopg

from promptsales.ai.ranking.serving import SHRINKABLE, Method, Ranking, rank_campaigns
from promptsales.config import Settings
from promptsales.sales.nlq.dbcatalog import catalog_for
from promptsales.sales.nlq.model import Dimension, Intent, Metric, NotAnswerable, Period, StructuredQuery
from promptsales.sales.nlq.parser import QuestionParser
from promptsales.sales.nlq.service import Answer, refused

#: Words that ask for a size-adjusted ranking, on accent-folded lower-case text (same length as the question).
SIZE_ADJUSTED = re.compile(
    r"(?<![a-z0-9])(?:"
    r"(?:adjusted|corrected|controlling|accounting|normali[sz]ed) for (?:(?:the|their|its) )?(?:campaign )?size"
    r"|size[\s-]+adjusted|(?:most )?(?:reliable|trustworthy)|empirical[\s-]+bayes"
    r"|(?:ajustad|corregid|normalizad)[oa]s? (?:por|al|segun) (?:(?:el|su) )?tamano(?: de (?:la|las) campanas?)?"
    r"|(?:teniendo en cuenta|considerando) (?:el|su) tamano|(?:mas )?(?:confiables?|fiables?)"
    r")(?![a-z0-9])"
)
_FOLD = str.maketrans("áéíóúüñÁÉÍÓÚÜÑ", "aeiouunAEIOUUN")


def _fold(text: str) -> str:
    return text.translate(_FOLD).lower()


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def ranked_answer(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    method: Method,
    metric: Metric,
    period: Period | None,
    n: int,
    ascending: bool,
    as_of: date,
    language: str = "en",
    understood: dict[str, Any] | None = None,
) -> Answer:
    """The shrunk or learned ranking of the campaigns of ``period`` (None: all time) as an answer."""
    metric = Metric(metric)
    ranking = rank_campaigns(
        settings,
        conn,
        method=method,
        metric=metric.value,
        month_from=period.start if period else None,
        until=period.end if period else None,
        n=n,
        ascending=ascending,
    )
    columns, rows = _table(ranking)
    where = f" ({period.label})" if period else ""
    return Answer(
        answerable=True,
        answer=_text(ranking, language, where, ascending),
        language=language,
        as_of=as_of.isoformat(),
        understood={
            "intent": Intent.ranking.value,
            "metrics": [metric.value],
            "group_by": [Dimension.campaign.value],
            "order_by": metric.value,
            "descending": not ascending,
            "limit": n,
            **({"period": period.model_dump(mode="json")} if period else {}),
            **(understood or {}),
            "ranking": method,
            "model": ranking.model,
        },
        columns=columns,
        rows=rows,
        notes=[_method_note(ranking, language)],
    )


def _table(ranking: Ranking) -> tuple[list[str], list[list[Any]]]:
    if ranking.method == "learned":
        columns = ["rank", "campaign_id", "campaign", "score", "roi", "spend"]
        rows = [
            [i + 1, r.campaign_id, r.campaign, round(r.estimate, 6), r.raw, round(r.weight, 2)]
            for i, r in enumerate(ranking.rows)
        ]
        return columns, rows
    metric = ranking.metric
    weight = "spend" if metric == "roi" else "leads"
    columns = ["rank", "campaign_id", "campaign", metric, f"{metric}_low", f"{metric}_high", f"raw_{metric}", weight,
               "own_share"]  # fmt: skip
    rows = [
        [i + 1, r.campaign_id, r.campaign, r.estimate, r.low, r.high, r.raw, round(r.weight, 2), r.own_share]
        for i, r in enumerate(ranking.rows)
    ]
    return columns, rows


def _text(ranking: Ranking, language: str, where: str, ascending: bool) -> str:
    names = "; ".join(
        f"{i + 1}. {r.campaign} {_percent(r.estimate)} ({_percent(r.low)}–{_percent(r.high)})"
        if ranking.method == "shrunk"
        else f"{i + 1}. {r.campaign}"
        for i, r in enumerate(ranking.rows)
    )
    metric = {"roi": ("ROI", "ROI"), "conversion_rate": ("conversion rate", "tasa de conversión")}[ranking.metric]
    if ranking.method == "learned":
        if language == "es":
            return f"Orden esperado por ROI en el mes siguiente a {ranking.as_of_month[:7]} ({ranking.model}): {names}."
        return f"Expected order by ROI in the month after {ranking.as_of_month[:7]} ({ranking.model}): {names}."
    if language == "es":
        head = "Campañas con menor" if ascending else "Campañas con mayor"
        adjusted = "ajustado" if ranking.metric == "roi" else "ajustada"
        return f"{head} {metric[1]} {adjusted} por tamaño{where} (intervalo del 90 %): {names}."
    head = "Lowest" if ascending else "Top"
    return f"{head} campaigns by {metric[0]} adjusted for size{where} (90% interval): {names}."


def _method_note(ranking: Ranking, language: str) -> str:
    if ranking.method == "learned":
        return (
            f"{ranking.model}: LightGBM lambdarank trained on earlier months to predict the order by ROI of the next "
            f"month; {ranking.campaigns_ranked} campaigns that spent in {ranking.as_of_month[:7]} ranked."
        )
    if ranking.metric == "roi":
        note = (
            "Empirical Bayes: each campaign's ROI is blended with the mean ROI of the "
            f"{ranking.prior.get('campaigns')} campaigns ({_percent(ranking.prior.get('mean'))}) in proportion to "
            "its spend — a small campaign moves toward the mean, a large one keeps its own figure (own_share)."
        )
    else:
        note = (
            "Empirical Bayes (beta-binomial): each campaign's conversion rate is blended with the mean "
            f"({_percent(ranking.prior.get('mean'))}) as if it had {ranking.prior.get('prior_leads', 0):.0f} more "
            "leads at that rate."
        )
    if language == "es":
        return "Bayes empírico: las campañas pequeñas se acercan a la media, las grandes conservan su cifra. " + note
    return note


def size_adjusted_question(question: str, conn: psycopg.Connection, settings: Settings, as_of: date) -> Answer | None:
    """The answer to a question that asks for a size-adjusted campaign ranking, or None when it does not."""
    folded = _fold(question)
    found = SIZE_ADJUSTED.search(folded)
    if found is None:
        return None
    phrase = question[found.start() : found.end()]
    rest = question[: found.start()] + " " + _stand_in(found.group(0)) + " " + question[found.end() :]
    parsed = QuestionParser(catalog_for(conn), as_of).parse(rest)
    if isinstance(parsed, NotAnswerable):
        return refused(parsed, as_of)
    metric = _shrinkable_metric(parsed)
    if metric is None:
        return _not_a_campaign_ranking(parsed, phrase, as_of)
    stand_in = _stand_in(found.group(0))
    words = {part: [w for w in read if w != stand_in] for part, read in parsed.words.items()}
    words["ranking_method"] = phrase.lower().split()
    answer = ranked_answer(
        conn,
        settings,
        method="shrunk",
        metric=metric,
        period=parsed.period,
        n=parsed.limit or 10,
        ascending=not parsed.descending,
        as_of=as_of,
        language=parsed.language,
        understood={"words": words, "language": parsed.language},
    )
    answer.ignored = parsed.ignored
    return answer


def _stand_in(phrase: str) -> str:
    """What the parser reads in place of the phrase: a superlative ("most reliable") is the question's ranking
    word, so it stands in as "top" / "mejores"; "adjusted for size" only qualifies the figure and is dropped."""
    if re.search(r"reliable|trustworthy", phrase):
        return "top"
    if re.search(r"confiable|fiable", phrase):
        return "mejores"
    return ""


def _shrinkable_metric(query: StructuredQuery) -> Metric | None:
    """ROI or conversion for a campaign ranking over all campaigns (ROI when no figure is named)."""
    if query.intent is not Intent.ranking or query.group_by != [Dimension.campaign]:
        return None
    if query.filters or query.subjects or query.compare_periods or query.per or query.lifecycle or query.status:
        return None
    named = query.order_by or (query.metrics[0] if query.metrics else None)
    if named is not None and named.value in SHRINKABLE:
        return named
    return Metric("roi") if "metrics" not in query.words else None


def _not_a_campaign_ranking(query: StructuredQuery, phrase: str, as_of: date) -> Answer:
    if query.language == "es":
        text = (
            f"«{phrase}» se aplica a un ranking de campañas por ROI o tasa de conversión (p. ej. «las 5 campañas con "
            "mejor ROI ajustado por tamaño en 2025»), sin otros filtros."
        )
    else:
        text = (
            f"'{phrase}' applies to a ranking of campaigns by ROI or conversion rate (e.g. 'top 5 campaigns by ROI "
            "adjusted for size in 2025'), without other filters."
        )
    return Answer(
        answerable=False,
        answer=text,
        language=query.language,
        as_of=as_of.isoformat(),
        understood=query.model_dump(mode="json", exclude_defaults=True),
        needs="a campaign ranking by ROI or conversion rate",
        refusal="out-of-scope",
        not_understood=phrase.lower().split(),
    )

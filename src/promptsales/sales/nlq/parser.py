"""The local question parser: a Spanish or English question → :class:`StructuredQuery` or :class:`NotAnswerable`.

Deterministic and explainable: periods first (:mod:`.periods`), then named entities from the catalog
(campaigns — quoted, exact or fuzzy after the word campaign/campaña —, brands, channels, markets), then
metrics (longest phrase first), breakdowns (``by channel``/``por mes``), rankings (``top 5``, ``which brand
… most``, ``las 3 mejores campañas``), comparisons (``vs``, ``compara``, two periods or two entities), funnels
and statuses. Anything it cannot pin down becomes a :class:`NotAnswerable` saying what it understood.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from promptsales.sales.nlq import lexicon
from promptsales.sales.nlq.catalog import Catalog
from promptsales.sales.nlq.metrics import label
from promptsales.sales.nlq.model import (
    Dimension,
    EntityRef,
    Intent,
    Metric,
    NotAnswerable,
    Period,
    StructuredQuery,
)
from promptsales.sales.nlq.periods import MONTHS, NUMBER_WORDS, PeriodParser
from promptsales.sales.nlq.text import blank_span, contains_phrase, normalize

MAX_QUESTION_CHARS = 500
#: A fuzzy campaign match below this similarity is not trusted.
CAMPAIGN_MATCH_THRESHOLD = 0.45
#: What a ranking that names no metric ranks by: sales amount, the business's measure of success.
DEFAULT_RANKING_METRIC = Metric("sales_amount")
CLIENTS = Metric("clients")
CAMPAIGNS = Metric("campaigns")

_FUNCTION_WORDS = {
    "the",
    "of",
    "in",
    "on",
    "for",
    "during",
    "with",
    "had",
    "has",
    "have",
    "was",
    "were",
    "is",
    "are",
    "did",
    "do",
    "does",
    "what",
    "that",
    "and",
    "to",
    "its",
    "it",
    "a",
    "an",
    "how",
    "much",
    "many",
    "me",
    "show",
    "give",
    "tell",
    "total",
    "overall",
    "all",
    "en",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "lo",
    "y",
    "con",
    "durante",
    "tuvo",
    "tuvieron",
    "fue",
    "fueron",
    "que",
    "cual",
    "cuales",
    "cuanto",
    "cuanta",
    "cuantos",
    "cuantas",
    "su",
    "sus",
    "se",
    "dame",
    "muestra",
    "muestrame",
    "dime",
    "un",
    "una",
    "al",
    "para",
    "sobre",
    "about",
    "from",
    "desde",
    "hasta",
    "at",
    "as",
    "|",
    "our",
    "nuestra",
    "nuestras",
    "this",
    "esta",
    "named",
    "called",
    "llamada",
    "llamado",
    "genero",
    "generated",
    "got",
    "obtuvo",
    "logro",
    "achieved",
}
_PERIOD_WORDS = {
    "last",
    "past",
    "previous",
    "this",
    "current",
    "next",
    "pasado",
    "pasada",
    "anterior",
    "ultimo",
    "ultimos",
    "ultimas",
    "quarter",
    "trimestre",
    "year",
    "years",
    "ano",
    "anos",
    "between",
    "entre",
    "since",
    "until",
    "ytd",
    "q1",
    "q2",
    "q3",
    "q4",
    "1t",
    "2t",
    "3t",
    "4t",
    "vs",
    "versus",
    "top",
}
_NAME_CONNECTORS = {"of", "de", "del", "la", "el", "the", "and", "y", "&"}


def detect_language(normalized: str, original: str) -> str:
    """``"es"`` or ``"en"`` by counting marker words (and ¿ ¡ ñ or accents, which only Spanish uses here)."""
    tokens = normalized.split()
    spanish = sum(token in lexicon.SPANISH_MARKERS for token in tokens)
    english = sum(token in lexicon.ENGLISH_MARKERS for token in tokens)
    if re.search(r"[¿¡ñáéíóú]", original.lower()):
        spanish += 2
    return "es" if spanish > english else "en"


def _stop_words() -> set[str]:
    words = set(_FUNCTION_WORDS)
    for phrases in (
        *lexicon.METRIC_PHRASES.values(),
        *lexicon.DIMENSION_WORDS.values(),
        *lexicon.STATUS_WORDS.values(),
    ):
        for phrase in phrases:
            words.update(phrase.split())
    for group in (
        lexicon.GROUP_MARKERS,
        lexicon.RANK_DESC_WORDS,
        lexicon.RANK_ASC_WORDS,
        lexicon.WHICH_WORDS,
        lexicon.COMPARE_WORDS,
        lexicon.FUNNEL_WORDS,
        lexicon.MONTHLY_WORDS,
    ):
        for phrase in group:
            words.update(phrase.split())
    words.update(MONTHS)
    words.update(_PERIOD_WORDS)
    return words


STOP_WORDS = _stop_words()


def _name_breaks() -> set[str]:
    words = {
        "in",
        "en",
        "during",
        "durante",
        "for",
        "para",
        "con",
        "with",
        "had",
        "has",
        "have",
        "tuvo",
        "tuvieron",
        "was",
        "were",
        "fue",
        "fueron",
        "is",
        "are",
        "es",
        "by",
        "por",
        "vs",
        "versus",
        "did",
        "do",
        "does",
        "use",
        "used",
        "uso",
        "usaron",
        "utilizo",
        "que",
        "which",
        "what",
        "cual",
        "how",
        "compared",
        "compara",
        "since",
        "desde",
        "until",
        "hasta",
        "between",
        "entre",
        "performance",
        "rendimiento",
        "desempeno",
        "results",
        "resultados",
        "|",
    }
    for phrases in lexicon.METRIC_PHRASES.values():
        for phrase in phrases:
            words.update(phrase.split())
    words.update(MONTHS)
    words.update(_PERIOD_WORDS)
    return words - _NAME_CONNECTORS - {"how", "many", "number", "of"} | {"how"}


NAME_BREAKS = _name_breaks()


@dataclass
class _Reading:
    """What the parser has read of one question so far; each step reads some of ``text`` and blanks it."""

    text: str  # the normalised question, with what was already read blanked out
    language: str
    out_of_scope: str | None  # the topic of a question the warehouse cannot answer (forecasts, reasons …)
    understood: dict[str, object] = field(default_factory=dict)
    filters: list[EntityRef] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    status: str | None = None  # active or finished
    funnel: bool = False
    metrics: list[Metric] = field(default_factory=list)
    compare: bool = False
    group_by: list[Dimension] = field(default_factory=list)
    rank_dimension: Dimension | None = None
    limit: int | None = None
    descending: bool = True
    notes: list[str] = field(default_factory=list)

    def say(self, english: str, spanish: str) -> str:
        """The text in the question's language."""
        return _t(self.language, english, spanish)

    def refuse(self, reason: str, needs_english: str, needs_spanish: str) -> NotAnswerable:
        """Why the question cannot be answered, with what was understood so far and what is needed."""
        return NotAnswerable(
            reason=reason,
            understood=self.understood,
            language=self.language,
            needs=self.say(needs_english, needs_spanish),
        )


class QuestionParser:
    """Parses questions against one catalog, relative to an as-of date."""

    def __init__(self, catalog: Catalog, as_of: date) -> None:
        self.catalog = catalog
        self.as_of = as_of

    # -- entry point --------------------------------------------------------------------------------------
    def parse(self, question: str) -> StructuredQuery | NotAnswerable:
        """The structured form of ``question`` or why it cannot be answered.

        Names and periods are read first, then the vocabulary (status, funnel, metrics, comparison,
        breakdown, ranking); a step that finds the question unanswerable ends the parse with the reason.
        """
        reading = self._begin(question)
        for step in (self._read_names, self._refuse_out_of_scope, self._read_words, self._refuse_future):
            refusal = step(reading)
            if refusal is not None:
                return refusal
        if reading.funnel:
            return self._funnel_query(reading)
        refusal = self._default_metric(reading)
        return refusal if refusal is not None else self._query(reading)

    # -- steps --------------------------------------------------------------------------------------------
    def _begin(self, question: str) -> _Reading:
        """Checks the question's size (ValueError) and normalises it; notes its language and whether it asks
        about something the warehouse does not hold."""
        question = (question or "").strip()
        if not question:
            raise ValueError("The question is empty; ask about campaign reach, sales, ROI, channels, markets…")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"The question has {len(question)} characters; the limit is {MAX_QUESTION_CHARS}.")
        text = normalize(question)
        return _Reading(text=text, language=detect_language(text, question), out_of_scope=self._out_of_scope(text))

    def _read_names(self, reading: _Reading) -> NotAnswerable | None:
        """Campaigns, periods, brands, channels and markets; an unknown quoted or named campaign refuses."""
        # campaign names carry years ("… Navidad Mágica 2025"): find them before periods eat the year
        campaigns, reading.text, campaign_problem = self._campaigns(reading.text, reading.language)
        if campaign_problem:
            return reading.refuse(
                campaign_problem,
                "the exact campaign name (quote it)",
                "el nombre exacto de la campaña (entre comillas)",
            )
        found, reading.text = PeriodParser(self.as_of, reading.language).find_all(reading.text)
        reading.periods = [item.period for item in found]
        if found:
            reading.understood["periods"] = [item.period.label for item in found]
        reading.filters = list(campaigns)
        reading.text = self._brand_keyword(reading.text, reading.filters)
        for dimension in (Dimension.brand, Dimension.channel, Dimension.market):
            refs, reading.text = self.catalog.find_mentions(reading.text, dimension)
            reading.filters.extend(refs)
        if reading.filters:
            reading.understood["filters"] = [f"{ref.dimension.value}={ref.name}" for ref in reading.filters]
        return None

    def _refuse_out_of_scope(self, reading: _Reading) -> NotAnswerable | None:
        """Forecasts, reasons, demographics, weather: an explanation, never a number."""
        topic = reading.out_of_scope
        if not topic:
            return None
        return reading.refuse(
            reading.say(
                f"The warehouse holds recorded campaign results; it cannot answer questions about "
                f"{topic} (no such data, and no number is made up).",
                f"El almacén guarda resultados registrados de campañas; no puede responder sobre "
                f"{_ES_SCOPE.get(topic, topic)} (no hay esos datos y no se inventan cifras).",
            ),
            "a question about recorded figures: reach, sales, ROI, conversion…",
            "una pregunta sobre cifras registradas: alcance, ventas, ROI, conversión…",
        )

    def _read_words(self, reading: _Reading) -> None:
        """Status, funnel words, metrics, comparison words, breakdowns and the ranking asked for."""
        reading.status, reading.text = self._status(reading.text)
        reading.funnel = any(contains_phrase(reading.text, word) for word in lexicon.FUNNEL_WORDS)
        for word in lexicon.FUNNEL_WORDS:
            match = contains_phrase(reading.text, word)
            if match:
                reading.text = blank_span(reading.text, match.start(), match.end())
        reading.metrics, reading.text = self._metrics(reading.text)
        if reading.metrics:
            reading.understood["metrics"] = [metric.value for metric in reading.metrics]
        reading.compare = any(contains_phrase(reading.text, word) for word in lexicon.COMPARE_WORDS)
        reading.group_by, reading.text = self._group_by(reading.text)
        reading.rank_dimension, reading.limit, reading.descending = self._ranking(reading.text)

    def _refuse_future(self, reading: _Reading) -> NotAnswerable | None:
        """A period after the as-of date has no results yet (and forecasts are not made up)."""
        future = [period for period in reading.periods if period.start > self.as_of]
        if not future:
            return None
        return reading.refuse(
            reading.say(
                f"{future[0].label} is after the as-of date {self.as_of.isoformat()}: there are no "
                "results for it yet, and forecasts are not made up.",
                f"{future[0].label} es posterior a la fecha de corte {self.as_of.isoformat()}: aún no "
                "hay resultados y no se inventan pronósticos.",
            ),
            "a period up to the as-of date",
            "un periodo hasta la fecha de corte",
        )

    def _funnel_query(self, reading: _Reading) -> StructuredQuery:
        """The funnel stages; distinct clients are left out when a period, channel or market is asked for."""
        stages = list(lexicon.FUNNEL_STAGES)
        periods = reading.periods
        if periods or any(ref.dimension in (Dimension.channel, Dimension.market) for ref in reading.filters):
            stages.remove(CLIENTS)
            reading.notes.append(
                reading.say(
                    "Distinct clients are known per whole campaign only: that stage is "
                    "left out when a period, channel or market is asked for.",
                    "Los clientes distintos se conocen solo por campaña completa: esa etapa se omite "
                    "al pedir un periodo, canal o mercado.",
                )
            )
        return StructuredQuery(
            intent=Intent.funnel,
            metrics=stages,
            filters=reading.filters,
            period=periods[0] if len(periods) == 1 else None,
            compare_periods=periods if len(periods) > 1 else [],
            status=reading.status,
            language=reading.language,
            notes=reading.notes,
        )

    def _default_metric(self, reading: _Reading) -> NotAnswerable | None:
        """No metric named: a ranking ranks by sales amount; anything else cannot be answered."""
        if reading.metrics:
            return None
        if reading.rank_dimension is not None:
            reading.metrics = [DEFAULT_RANKING_METRIC]
            reading.notes.append(
                reading.say(
                    "No metric named: ranked by sales amount, the business's measure of success.",
                    "No se nombró una métrica: se ordena por monto de ventas, la medida de éxito del negocio.",
                )
            )
            return None
        return reading.refuse(
            reading.say("I could not find which figure you want.", "No encontré qué cifra quieres."),
            "a metric: " + ", ".join(metric.value for metric in Metric),
            "una métrica: " + ", ".join(label(metric, "es") for metric in Metric),
        )

    def _query(self, reading: _Reading) -> StructuredQuery:
        """The query: one period or several to compare, a comparison of several names, then the intent
        (ranking, comparison, breakdown or a single value)."""
        period, compare_periods = self._split_periods(reading)
        self._compare_several_mentions(reading)
        group_by = reading.group_by
        if reading.rank_dimension is not None:
            if reading.rank_dimension not in group_by:
                group_by.insert(0, reading.rank_dimension)
            return StructuredQuery(
                intent=Intent.ranking,
                metrics=reading.metrics[:1],
                group_by=group_by[:2],
                filters=reading.filters,
                period=period,
                compare_periods=compare_periods,
                status=reading.status,
                order_by=reading.metrics[0],
                descending=reading.descending,
                limit=reading.limit or 1,
                language=reading.language,
                notes=reading.notes,
            )
        if compare_periods or (reading.compare and group_by):
            intent = Intent.comparison
        elif group_by:
            intent = Intent.breakdown
        else:
            intent = Intent.value
        return StructuredQuery(
            intent=intent,
            metrics=reading.metrics,
            group_by=group_by[:2],
            filters=reading.filters,
            period=period,
            compare_periods=compare_periods,
            status=reading.status,
            order_by=None,
            language=reading.language,
            notes=reading.notes,
        )

    def _split_periods(self, reading: _Reading) -> tuple[Period | None, list[Period]]:
        """One period filters; several are compared. "Active in a period" counts campaigns with results
        in it (the status is dropped)."""
        period: Period | None = None
        compare_periods: list[Period] = []
        if len(reading.periods) == 1:
            period = reading.periods[0]
        elif len(reading.periods) > 1:
            compare_periods = reading.periods
        if reading.status == "active" and (period or compare_periods) and CAMPAIGNS in reading.metrics:
            reading.status = None  # "active in December" means running then, which the period already says
            reading.notes.append(
                reading.say(
                    "Active in a period = with results in that period.",
                    "Activa en un periodo = con resultados en ese periodo.",
                )
            )
        return period, compare_periods

    @staticmethod
    def _compare_several_mentions(reading: _Reading) -> None:
        """Several distinct mentions of one dimension → compare them side by side."""
        for dimension in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market):
            mentions = {ref.matched_text for ref in reading.filters if ref.dimension == dimension}
            if len(mentions) > 1 and dimension not in reading.group_by:
                reading.group_by.insert(0, dimension)
                reading.compare = True

    # -- pieces -------------------------------------------------------------------------------------------
    def _out_of_scope(self, text: str) -> str | None:
        for topic, words in lexicon.OUT_OF_SCOPE.items():
            for word in words:
                if word in ("por que", "porque"):
                    if re.match(r"^\|?\s*(?:por que|porque)\b(?!\s+(?:canal|mercado|marca|medio))", text):
                        return topic
                    continue
                if contains_phrase(text, word):
                    return topic
        return None

    def _campaigns(self, text: str, language: str = "en") -> tuple[list[EntityRef], str, str | None]:
        """Quoted names, exact names, then a fuzzy fragment after campaign/campaña."""
        refs: list[EntityRef] = []
        for match in list(re.finditer(r"\"([^\"]{2,120})\"|'([^']{2,120})'", text)):
            fragment = (match.group(1) or match.group(2)).strip()
            brand = self.catalog.match_brand(fragment)
            if brand and brand[1] >= 0.9 and not self._is_campaign_name(fragment):
                continue  # a quoted brand: leave it for the brand finder
            best = self.catalog.match_campaign(fragment)
            if not best or best[0][2] < CAMPAIGN_MATCH_THRESHOLD:
                return [], text, self._unknown_campaign(fragment, best, language)
            refs.append(
                EntityRef(
                    dimension=Dimension.campaign,
                    key=best[0][0],
                    name=best[0][1],
                    matched_text=fragment,
                    score=best[0][2],
                )
            )
            text = blank_span(text, match.start(), match.end())
        exact, text = self.catalog.find_mentions(text, Dimension.campaign)
        refs.extend(ref for ref in exact if all(ref.key != other.key for other in refs))
        for match in list(
            re.finditer(
                r"\b(?:campaign|campana) (?:named |called |llamada |de nombre )?"
                r"([a-z0-9][a-z0-9&\-]*(?: [a-z0-9][a-z0-9&\-]*){0,9})",
                text,
            )
        ):
            fragment, best = self._best_campaign_prefix(match.group(1))
            if not fragment:
                continue
            if not best or best[0][2] < CAMPAIGN_MATCH_THRESHOLD:
                return [], text, self._unknown_campaign(fragment, best, language)
            if all(best[0][0] != other.key for other in refs):
                refs.append(
                    EntityRef(
                        dimension=Dimension.campaign,
                        key=best[0][0],
                        name=best[0][1],
                        matched_text=fragment,
                        score=best[0][2],
                    )
                )
            start = match.start(1)
            length = len(fragment) if match.group(1).startswith(fragment) else len(match.group(1).rstrip())
            text = blank_span(text, start, start + length)
        return refs, text, None

    def _best_campaign_prefix(self, tail: str) -> tuple[str, list[tuple[int | str, str, float]]]:
        """The longest run of words after "campaign" that names a campaign, and its matches.

        Names may contain words that are also vocabulary ("Brand Lift", "Back to School", "… 2025"), so the
        run stops only at words that cannot be part of a name (prepositions that start a new phrase, verbs,
        metrics, months, period words) and every shorter prefix is tried, longest first.
        """
        words: list[str] = []
        for word in tail.split():
            if word in NAME_BREAKS:
                break
            words.append(word)
        while words and words[-1] in _NAME_CONNECTORS:
            words.pop()
        best_fragment, best_matches, best_score = "", [], -1.0
        for length in range(len(words), 0, -1):
            if words[length - 1] in _NAME_CONNECTORS:
                continue
            fragment = " ".join(words[:length])
            matches = self.catalog.match_campaign(fragment)
            score = matches[0][2] if matches else 0.0
            if score > best_score + 0.02:
                best_fragment, best_matches, best_score = fragment, matches, score
            if score >= 0.95:
                break
        if best_score < CAMPAIGN_MATCH_THRESHOLD and words:
            best_fragment = " ".join(words)  # explain with everything the user wrote
        return best_fragment, best_matches

    def _is_campaign_name(self, fragment: str) -> bool:
        best = self.catalog.match_campaign(fragment, limit=1)
        return bool(best) and best[0][2] >= 0.9

    @staticmethod
    def _name_fragment(tail: str) -> str:
        """The leading words of ``tail`` that can be a name (stops at metric/period/function words)."""
        words: list[str] = []
        for word in tail.split():
            if word in STOP_WORDS:
                if word in _NAME_CONNECTORS and words:
                    words.append(word)
                    continue
                break
            words.append(word)
        while words and words[-1] in _NAME_CONNECTORS:
            words.pop()
        return " ".join(words)

    @staticmethod
    def _unknown_campaign(fragment: str, best: list[tuple[int | str, str, float]], language: str = "en") -> str:
        close = ", ".join(f"“{name}”" for _, name, score in (best or [])[:3] if score > 0.2)
        if language == "es":
            return f"Ninguna campaña coincide lo suficiente con “{fragment}”." + (
                f" Nombres más parecidos: {close}." if close else ""
            )
        return f"No campaign matches “{fragment}” closely enough." + (f" Closest names: {close}." if close else "")

    def _brand_keyword(self, text: str, filters: list[EntityRef]) -> str:
        """``brand X`` / ``marca X`` with a fuzzy brand name right after the keyword."""
        for match in list(re.finditer(r"\b(?:brand|marca) ([a-z0-9][a-z0-9&\-]*(?: [a-z0-9][a-z0-9&\-]*){0,4})", text)):
            fragment = self._name_fragment(match.group(1))
            if not fragment:
                continue
            best = self.catalog.match_brand(fragment)
            if best and best[1] >= 0.75:
                filters.append(
                    EntityRef(
                        dimension=Dimension.brand,
                        key=best[0].key,
                        name=best[0].name,
                        matched_text=fragment,
                        score=round(best[1], 4),
                    )
                )
                start = match.start(1)
                text = blank_span(text, start, start + len(fragment))
        return text

    @staticmethod
    def _status(text: str) -> tuple[str | None, str]:
        for status, words in lexicon.STATUS_WORDS.items():
            for word in words:
                match = contains_phrase(text, word)
                if match:
                    return status, blank_span(text, match.start(), match.end())
        return None, text

    @staticmethod
    def _metrics(text: str) -> tuple[list[Metric], str]:
        phrases = sorted(
            ((phrase, metric) for metric, words in lexicon.METRIC_PHRASES.items() for phrase in words),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )
        found: list[tuple[int, Metric]] = []
        for phrase, metric in phrases:
            for match in list(re.finditer(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", text)):
                if metric not in [m for _, m in found]:
                    found.append((match.start(), metric))
                text = blank_span(text, match.start(), match.end())
        found.sort()
        return [metric for _, metric in found], text

    @staticmethod
    def _dimension_at(tokens: list[str], index: int) -> Dimension | None:
        for dimension, words in lexicon.DIMENSION_WORDS.items():
            for word in words:
                parts = word.split()
                if tokens[index : index + len(parts)] == parts:
                    return dimension
        return None

    def _group_by(self, text: str) -> tuple[list[Dimension], str]:
        group_by: list[Dimension] = []
        for word in lexicon.MONTHLY_WORDS:
            match = contains_phrase(text, word)
            if match:
                group_by.append(Dimension.month)
                text = blank_span(text, match.start(), match.end())
        markers = sorted(lexicon.GROUP_MARKERS, key=len, reverse=True)
        for marker in markers:
            for match in list(re.finditer(rf"(?<![a-z0-9]){re.escape(marker)}\s+([a-z]+(?:\s+[a-z]+)?)", text)):
                tokens = match.group(1).split()
                dimension = self._dimension_at(tokens, 0)
                if dimension is not None and dimension not in group_by:
                    group_by.append(dimension)
                    text = blank_span(text, match.start(), match.end())
        return group_by, text

    def _ranking(self, text: str) -> tuple[Dimension | None, int | None, bool]:
        tokens = [token for token in text.split() if token != "|"]
        descending = not any(token in lexicon.RANK_ASC_WORDS for token in tokens)
        rank_words = set(lexicon.RANK_DESC_WORDS) | set(lexicon.RANK_ASC_WORDS)
        has_rank_word = any(token in rank_words for token in tokens)
        limit: int | None = None
        for index in range(len(tokens)):
            dimension = self._dimension_at(tokens, index)
            if dimension is None:
                continue
            before = tokens[max(0, index - 4) : index]
            after = tokens[index + 1 : index + 6]
            numbers = [_as_number(tok) for tok in before if _as_number(tok)]
            which = any(tok in lexicon.WHICH_WORDS for tok in before[-2:])
            ranked_before = any(tok in rank_words for tok in before)
            ranked_after = any(tok in rank_words for tok in after)
            if which or ranked_before or (numbers and has_rank_word) or (ranked_after and has_rank_word):
                if numbers:
                    limit = numbers[-1]
                return dimension, limit, descending
        return None, None, descending


def _as_number(token: str) -> int | None:
    if token.isdigit() and 0 < int(token) <= 100:
        return int(token)
    return NUMBER_WORDS.get(token) if token not in ("un", "una", "uno") else None


def _t(language: str, english: str, spanish: str) -> str:
    return spanish if language == "es" else english


_ES_SCOPE = {
    "forecasts": "pronósticos",
    "reasons": "causas o motivos",
    "demographics": "datos demográficos",
    "weather": "el clima",
}

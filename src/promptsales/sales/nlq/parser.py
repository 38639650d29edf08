"""The local question parser: a Spanish or English question → :class:`StructuredQuery` or :class:`NotAnswerable`.

Deterministic and explainable: periods first (:mod:`.periods`), then named entities from the catalog
(campaigns — quoted, exact or fuzzy after the word campaign/campaña —, brands, channels, markets), then
metrics (longest phrase first), breakdowns (``by channel``/``por mes``), rankings (``top 5``, ``which brand
… most``, ``las 3 mejores campañas``), comparisons (``vs``, ``compara``, two periods or two entities), funnels
and statuses. Anything it cannot pin down becomes a :class:`NotAnswerable` saying what it understood.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from promptsales.sales.nlq import language, lexicon, rules, words
from promptsales.sales.nlq.builder import Unanswerable, choose_grain, metric_names, over_time_problem
from promptsales.sales.nlq.catalog import COUNTRY_ALIASES, OBJECTIVE_ALIASES, OBJECTIVE_FIGURE_WORDS, Catalog
from promptsales.sales.nlq.metrics import DEFINITIONS, distinct_dimension, label
from promptsales.sales.nlq.model import (
    MAX_COMPARED_PERIODS,
    Dimension,
    EntityRef,
    Intent,
    Lifecycle,
    Metric,
    NotAnswerable,
    Period,
    StructuredQuery,
    SubjectRef,
    Threshold,
)
from promptsales.sales.nlq.periods import (
    MONTHS,
    FoundPeriod,
    PeriodParser,
    a_year_earlier,
    add_months,
    how_many,
    latest_month,
    month_label,
    months_period,
)
from promptsales.sales.nlq.subjects import ValueMention, dimension_name_at, find_subject
from promptsales.sales.nlq.text import (
    blank_span,
    compiled,
    contains_phrase,
    normalize,
    normalize_name,
    phrase_pattern,
    strip_accents,
)
from promptsales.sales.nlq.thresholds import FoundThreshold, find_threshold
from promptsales.sales.nlq.warehouse import ADDITIVE, DAILY_BREAKDOWNS, DAY_DIMENSIONS, by_day

MAX_QUESTION_CHARS = 500
#: A fuzzy campaign match below this similarity is not trusted.
CAMPAIGN_MATCH_THRESHOLD = 0.45
#: The names of whole countries (every market of the country), as the catalogue matches them.
_COUNTRY_NAMES = frozenset(alias for group in COUNTRY_ALIASES for alias in group)
#: Words between a campaign's name and its brand's ("Buen Fin 2025 *de* Casa Casa", "Fresh Start *by* Banco Palma").
_BRAND_OF = frozenset("de del of by from para for".split())
#: Fuzzy campaign matches this close to the best one are tied: the question must say which.
TIE_MARGIN = 0.01
#: What a ranking that names no metric ranks by: sales amount, the business's measure of success.
DEFAULT_RANKING_METRIC = Metric("sales_amount")
CAMPAIGNS = Metric("campaigns")
SPEND = Metric("spend")
#: How deep subjects may nest ("the campaign with the most sales of the brand with the most campaigns" is 2).
MAX_SUBJECT_DEPTH = 3
#: Metrics by the Snowball stems of their one-word phrases ("vendimos" → the stem of "vendieron").
METRIC_STEMS: dict[str, str] = language.stem_index(
    {metric.value: phrases for metric, phrases in lexicon.METRIC_PHRASES.items()}
)
#: One-word change words and their stems ("variaron", "cambió", "grew").
CHANGE_WORDS = frozenset(word for word in lexicon.CHANGE_WORDS if " " not in word)
CHANGE_STEMS = frozenset(stem for word in CHANGE_WORDS for stem in language.stems(word))
#: The ratio metric of each (numerator, denominator) pair of measures: ("spend", "sales_count") → cost per sale.
RATIOS: dict[tuple[str, str], Metric] = {
    (definition.inputs[0], definition.inputs[1]): metric
    for metric, definition in DEFINITIONS.items()
    if definition.kind == "ratio" and definition.scale == 1
}
#: The unit a total is divided by, as a question names it after "per"/"cada" ("cost per *sale*").
UNIT_MEASURES: dict[str, str] = {
    **dict.fromkeys(("sale", "sales", "venta", "ventas", "deal", "order", "pedido"), "sales_count"),
    **dict.fromkeys(("lead", "leads", "prospecto", "prospect"), "leads"),
    **dict.fromkeys(("click", "clicks", "clic", "clics"), "clicks"),
    **dict.fromkeys(("interaction", "interactions", "interaccion", "interacciones"), "interactions"),
    **dict.fromkeys(("impression", "impressions", "impresion", "impresiones", "view"), "impressions"),
    **dict.fromkeys(
        ("client", "clients", "customer", "customers", "buyer", "buyers", "cliente", "clientes", "comprador"),
        "clients",
    ),
}
_PER_UNIT = re.compile(
    r"\s+(?:(?:nos|us)\s+)?(?:(?:dejo|dejaron|compro|compraron|gasto|gastaron|aporto|aportaron|genero|generaron|left"
    r"|brought|spent|generated)\s+)?(?:(?:de|of|for|por|en)\s+)?(?:(?:en\s+promedio|on\s+average|promedio|average)\s+)?"
    r"(?:per|por|each|cada|every|a|an|/)\s+"
    r"(?:(?:la|el|the|one)\s+)?(?:(?:unique|distinct|single|unico|distinto)\s+)?([a-z]+)\b"
)
#: A unit named as cheap ("más barato cada lead", "cheapest leads", "leads más baratos", "el lead más barato").
_CHEAP_WORDS = r"(?:barat[oa]s?|economic[oa]s?|cheapest)"
_CHEAP_UNIT = re.compile(
    rf"(?<![a-z0-9]){_CHEAP_WORDS}\s+(?P<per>(?:per|por|each|cada|a|an)\s+(?:(?:el|la|the|one)\s+)?)?"
    r"(?P<unit>leads?|sales?|ventas?|clicks?|clics?|prospectos?|interactions?|interacciones)(?![a-z0-9])"
    r"|(?<![a-z0-9])(?P<unit2>leads?|sales?|ventas?|clicks?|clics?|prospectos?)\s+"
    rf"(?:(?:were|was|are|is|fueron|fue|son|es|salieron|salio|salen|sale)\s+)?(?:the\s+)?(?:mas\s+)?{_CHEAP_WORDS}(?![a-z0-9])"
)
_EXPENSIVE_WORDS = r"(?:expensive|costly|car[oa]s?)"
_EXPENSIVE_UNIT = re.compile(
    rf"(?<![a-z0-9]){_EXPENSIVE_WORDS}\s+(?:(?:per|por|each|cada|a|an)\s+(?:(?:el|la|the|one)\s+)?)?"
    r"(?P<unit>leads?|sales?|ventas?|clicks?|clics?|prospectos?)(?![a-z0-9])"
    r"|(?<![a-z0-9])(?P<unit2>leads?|sales?|ventas?|clicks?|clics?|prospectos?)\s+"
    rf"(?:(?:were|was|are|is|fueron|fue|son|es|salieron|salio)\s+)?(?:the\s+)?(?:mas\s+|most\s+)?{_EXPENSIVE_WORDS}(?![a-z0-9])"
)
#: Words that ask for a figure's share of a total ("share", "porcentaje", "% of").
_SHARE_WORDS = re.compile(
    r"(?<![a-z0-9])(?:share|percentage|percent|proportion|fraction|porcentaje|proporcion|participacion|cuota"
    r"|fraccion|%(?=\s+(?:of|de|del)\b))(?![a-z0-9])"
)
#: "out of the total", "del total", "sobre el total de": the whole a share is of.
_OF_THE_TOTAL = re.compile(
    r"(?<![a-z0-9])(?:(?:out\s+)?of\s+(?:the\s+|our\s+)?(?:total|all)|(?:del|sobre\s+el|respecto\s+al|en\s+el)\s+total"
    r"|total)(?![a-z0-9])"
)
#: "percentage of the clicks that became leads", "porcentaje de los clics se convirtió en leads".
_CONVERTED_SHARE = re.compile(
    r"(?<![a-z0-9])(?:percentage|percent|share|%|porcentaje|proporcion|fraccion)\s+(?:of|de)\s+(?:(?:the|our|los|las|nuestros|nuestras)\s+)?"
    r"(?P<earlier>[a-z]+)\s+(?:(?:that|which|que)\s+)?(?:(?:se|got|were|was)\s+)?"
    r"(?:converted|became|become|turned|convirtio|convirtieron|convierte|convierten|volvio|volvieron|paso|pasaron|termino|terminaron)"
    r"\s+(?:(?:into|in|to|en|a|as|como)\s+)?(?P<later>[a-z]+)(?![a-z0-9])"
)
#: Words of a value per unit that name no metric by themselves ("valor medio de cada venta", "average value").
_VALUE_WORDS = re.compile(
    r"(?<![a-z0-9])(?:(?:average|mean|promedio|medio)\s+)?(?:value|valor|importe|amount|ticket)"
    r"(?:\s+(?:medio|promedio|average))?(?![a-z0-9])"
)
#: The one-word phrases of the metrics (what a misspelt word is compared with).
METRIC_WORDS: dict[str, str] = {
    phrase: metric.value
    for metric, phrases in lexicon.METRIC_PHRASES.items()
    for phrase in phrases
    if " " not in phrase
}
#: What "the most <dimension>" counts: "the brand with the most campaigns", "más canales".
COUNTED_DIMENSIONS: dict[Dimension, Metric] = {
    Dimension.campaign: CAMPAIGNS,
    Dimension.channel: Metric("channels_used"),
    Dimension.market: Metric("markets_used"),
}

#: The metric that counts the groups of a dimension ("how many brands …").
_GROUP_COUNTERS: dict[Dimension, Metric] = {Dimension.brand: Metric("brands"), **COUNTED_DIMENSIONS}
#: Words that ask for a figure of each group ("how many campaigns each").
_EACH_WORDS = frozenset({"each", "cada", "per", "por", "every"})

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
#: A relative pronoun right after a subject's dimension word ("el canal donde más gastamos").
_RELATIVE = re.compile(
    r"^(\s*(?:the\s+|el\s+|la\s+)?[a-z]+\s+)(donde|where|en\s+(?:la|el)\s+que|in\s+which|on\s+which)\b"
)
#: Units of an average that are nouns: read only after "per"/"por" ("per campaign", "por día").
_UNIT_NOUNS = {"campaign", "campana", "day", "dia", "month", "mes"}
#: Words joining two figures into a ratio ("cost per sale", "gasto por venta").
_PER_WORDS = {"per", "por", "each", "every", "for", "cada", "/", "a", "an", "un", "una", "la", "el"}
#: Words of closing a sale that also say a campaign ended ("ventas cerradas" vs "campañas cerradas en 2025").
_CLOSING_WORDS = frozenset("closed cerradas cerrados cerrada cerrado cerraron cerro cerramos".split())
#: The bare verb, after the sales it closed: "how many sales did the campaign *close*", "¿cuántas ventas logró
#: *cerrar*?" — never a campaign ending when sales were named before it.
_CLOSE_VERBS = frozenset("close closes cerrar".split())
_SALE_NOUNS = frozenset("sales sale ventas venta deals deal negocios".split())
#: The number of sales: what sales *closed* count.
SALES_COUNT = Metric("sales_count")
#: Sales counted, not summed, by a word after them: "ventas cerradas (en cantidad)", "sales by count".
_SALES_BY_COUNT = re.compile(
    r"(?<![a-z0-9])(?P<noun>sales|ventas|deals|negocios)(?:\s+(?:closed|cerradas|concretadas))?\s+(?:\|\s+)?"
    r"(?P<count>(?:en|by|in)\s+(?:cantidad|numero|number|count|unidades|units))(?![a-z0-9])"
)
#: Words between a closing verb and the sales it closed ("cerró *más* ventas", "closed *the most* deals").
_CLOSED_FILLERS = frozenset("mas most the more menos fewer least las los".split())
#: "campaigns" left over says "the campaigns" (the rows asked about), not a subject to resolve.
_ALL_CAMPAIGNS = {"campaigns", "campanas"}
#: "which content / qué contenidos / cuáles piezas": a list of assets, which the warehouse does not name.
_WHICH_CONTENT = re.compile(
    r"\b(?:which|what|que|cuales|cual)\s+(?:(?:library|media|content)\s+)?"
    r"(?:content|contents|contenido|contenidos|assets|piezas|recursos|images|imagenes|videos)\b"
)
#: Which of the values compared side by side is ahead: "more leads in Mexico *than* Colombia", "¿*más* leads en
#: México *que* en Colombia?", "México vs Colombia, ¿*cuál tuvo más*?" — the comparison answers it.
_WHICH_IS_AHEAD = re.compile(
    r"(?<![a-z0-9])(?:(?P<more>more|mas|fewer|less|menos|higher|lower|mayor|menor|better|worse|mejor|peor)\b"
    r"(?P<than>.*?\b(?:than|que))"
    r"|(?:which|who|cual|quien)(?:\s+(?:one|de\s+los\s+dos|de\s+las\s+dos))?(?:\s+(?:had|got|was|did|has|tuvo|fue"
    r"|hizo|tiene|trajo|saco|gano|won))?\s+(?:more|mas|better|mejor|higher|mayor|ahead|less|menos|won|gano)"
    r"|(?:which|who|cual|quien)\s+(?:won|gano))(?![a-z0-9])"
)
#: A running total: "cumulative sales by month", "ventas acumuladas por mes", "running total of leads".
_RUNNING_TOTAL = re.compile(
    r"(?<![a-z0-9])(?:cumulative(?:ly)?|running\s+(?:totals?|sums?)|(?:total\s+|en\s+)?acumulad[oa]s?)(?![a-z0-9])"
)
#: A change from one month (week) to the next: "month-over-month", "MoM", "mes contra mes", "week over week".
_PERIOD_OVER_PERIOD = re.compile(
    r"(?<![a-z0-9])(?:month[\s-]+(?:over|on|to)[\s-]+month|mom|mes\s+(?:contra|vs|sobre)\s+mes"
    r"|(?P<week>week[\s-]+(?:over|on|to)[\s-]+week|wow|semana\s+(?:contra|vs|sobre)\s+semana))(?![a-z0-9])"
)
#: A quoted name; an apostrophe inside a word or before a two-digit year ("Q4'25", "Dec '25") opens no quotation.
_QUOTED = re.compile(r"\"([^\"]{2,120})\"|(?<![a-z0-9])'([^']{2,120})'(?![a-z0-9])")
#: The brands' industry named with the brand after a breakdown marker ("por industria de la marca", "by brand
#: industry"); elsewhere "el rubro de la marca con más leads" is the industry of a ranked brand.
_BRAND_INDUSTRY = re.compile(
    r"(?:(?:el|la|los|las|the|their|its|su|sus)\s+)?(?:industrias?|sector(?:es)?|rubros?|industry|industries)\s+(?:de|of)\s+(?:(?:la|las|the|su|sus|their|its)\s+)?"
    r"(?:marcas?|brands?)(?![a-z0-9])|(?:(?:the|their)\s+)?brands?\s+industr(?:y|ies)(?![a-z0-9])"
)
#: Statuses listed after "all" / "todas" / "counting": the campaigns of every one of them, not a breakdown by status.
_ALL_STATUSES = re.compile(
    r"(?<![a-z0-9])(?:todas|todos|all|contando|counting|including|incluyendo)(?:\s+(?:of\s+them|ellas|ellos|both|tanto))?"
    r"(?:\s*\|)?\s+"
    r"(?:(?:las|los|the)\s+)?(?:(?:campanas|campaigns)(?:\s*\|)?\s+)?(?:activ|finaliz|finish|ended|active|termin|vigent|cerrad)"
)
#: Markers of a breakdown that may take a partitive: "cada una de las marcas", "each of our channels".
_EACH_MARKERS = frozenset(m for m in lexicon.GROUP_MARKERS if m.split()[-1] in ("each", "cada"))
_EACH_OF = re.compile(r"(?:(?:one|uno|una)\s+)?(?:of|de)\s+(?:the|our|los|las|nuestros|nuestras)\s+")
#: A percent sign or word right before or after a change word: "% change", "variación porcentual".
_PERCENT_BEFORE = re.compile(r"(?:%|percent|percentage|porcentual|porcentaje)\s*$")
_PERCENT_AFTER = re.compile(r"\s*(?:%|in\s+percent|percent|porcentual|en\s+porcentaje)")
#: A change against the same period a year earlier.
_YEAR_OVER_YEAR = re.compile(
    r"(?<![a-z0-9])(?:year[\s-]+(?:over|on)[\s-]+year|yoy|interanual(?:es|mente)?|ano\s+contra\s+ano)(?![a-z0-9])"
)
#: Words that ask a change in percent ("grew the most in percent", "mayor crecimiento porcentual").
_RELATIVE_WORDS = frozenset({"percent", "percentage", "relative", "porcentual", "porcentaje", "%"})
#: Words of countries, which the warehouse holds as markets (a country and a segment).
_COUNTRY_WORDS = frozenset({"country", "countries", "pais", "paises"})
#: Words that ask for an amount: with a subject and no figure named, the figure is asked, not found.
_QUANTITY_WORDS = frozenset({"much", "cuanto", "cuanta"})
#: Words that ask how many ("how many campaigns", "número de campañas", "total de campañas"): with them, or
#: with a breakdown, "campaigns" left over counts them; without, it lists them.
_COUNT_WORDS = frozenset(
    {"many", "number", "count", "cuantas", "cuantos", "numero", "cantidad", "cant", "nro", "num", "total", "cuenta"}
)
#: The plural words of every dimension but one: the ranked noun before "by <counted noun>".
_PLURAL_NOUNS_EXCEPT: dict[Dimension, list[str]] = {
    counted: [
        word
        for dimension, names in lexicon.DIMENSION_WORDS.items()
        if dimension is not counted
        for word in names
        if word.endswith("s") and " " not in word
    ]
    for counted in COUNTED_DIMENSIONS
}
#: Plural dimension words that list their dimension when nothing else read them.
_PLURAL_DIMENSIONS: dict[str, Dimension] = {
    word: dimension
    for dimension in (Dimension.channel, Dimension.market, Dimension.brand)
    for word in lexicon.DIMENSION_WORDS[dimension]
    if word.endswith("s") and " " not in word
}

#: Singular words of an attribute a campaign or brand has one of, left over beside a subject: they ask for that
#: subject's value ("what is the objective of the campaign with the most sales", "¿en qué industria está la marca
#: con más campañas?"). Channels and markets, which a campaign has several of, are read as before.
_SUBJECT_ATTRIBUTES: dict[str, Dimension] = {
    word: dimension
    for dimension in (Dimension.objective, Dimension.industry)
    for word in lexicon.DIMENSION_WORDS[dimension]
    if " " not in word and not word.endswith("s")
}


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
    # small words of metric phrases ("click to lead rate", "cost per sale") that names also hold ("Back to School")
    words -= {"to", "per", "for", "a", "an", "on", "each"}
    words.update(lexicon.RANK_DESC_WORDS, lexicon.RANK_ASC_WORDS)  # "la campaña de mayor presupuesto"
    return words - _NAME_CONNECTORS - {"how", "many", "number", "of"} | {"how"}


NAME_BREAKS = _name_breaks()


@dataclass
class _Reading:
    """What the parser has read of one question so far; each step reads some of ``text`` and blanks it."""

    text: str  # the normalised question, with what was already read blanked out
    language: str
    out_of_scope: str | None  # the topic of a question the warehouse cannot answer (reasons, demographics …)
    question: str = ""  # the question as asked
    normalized: str = ""  # the whole normalised question (nothing blanked)
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
    rank_at: int | None = None  # where the ranking word is, to tell which metric it ranks by
    metric_spans: list[tuple[int, int, Metric]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    words: dict[str, list[str]] = field(default_factory=dict)  # part of the query → the words it read
    ignored: list[str] = field(default_factory=list)
    found_periods: list[FoundPeriod] = field(default_factory=list)  # the periods with where they were
    lifecycle: list[Lifecycle] = field(default_factory=list)
    subjects: list[SubjectRef] = field(default_factory=list)
    per: str | None = None  # an average per campaign, day or month
    share_of: Dimension | None = None  # "what share of leads came from TikTok": the part's dimension
    together: bool = False  # "email or SMS together": the values named are one group, not compared
    listing: bool = False  # "which channels did … use": a list, not a ranking
    statuses: list[str] = field(default_factory=list)  # several statuses named
    group_by_status: bool = False
    depth: int = 0  # 0 for the question, 1 for a subject inside it, …
    change: bool = False  # a change word ("grew", "variación") was written
    running: bool = False  # "cumulative", "acumuladas", "running total": a running total over a time breakdown
    advertised: bool = False  # "brands that ran ads": counted among rows with advertising only
    over_time: Literal["running", "change"] | None = None
    previous_row: bool = False  # "vs the previous month" after a longer period: each month against the one before
    rank_change: Literal["absolute", "relative"] | None = (
        None  # a ranking by the change between two periods: "absolute" or "relative"
    )
    threshold: FoundThreshold | None = None  # "more than 8 campaigns": the words and the number
    threshold_metric: Metric | None = None  # the figure the threshold is on

    def understood_list(self, key: str) -> list[object]:
        """The list ``understood[key]`` (made empty on first use)."""
        value = self.understood.setdefault(key, [])
        assert isinstance(value, list)
        return value

    def understood_map(self, key: str) -> dict[str, object]:
        """The mapping ``understood[key]`` (made empty on first use)."""
        value = self.understood.setdefault(key, {})
        assert isinstance(value, dict)
        return value

    def update(self, part: str, text: str) -> None:
        """Takes ``text`` (the current text with some words blanked) and records those words as read by ``part``."""
        read = words.read_words(self.text, text)
        if read:
            self.words.setdefault(part, []).extend(read)
        self.text = text

    def read(self, part: str, start: int, end: int) -> None:
        """Blanks ``[start, end)`` of the text, recording its words as read by ``part``."""
        self.update(part, blank_span(self.text, start, end))

    def say(self, english: str, spanish: str) -> str:
        """The text in the question's language."""
        return _t(self.language, english, spanish)

    def refuse(
        self,
        reason: str,
        needs_english: str,
        needs_spanish: str,
        refusal: str = "not-understood",
        not_understood: list[str] | None = None,
    ) -> NotAnswerable:
        """Why the question cannot be answered, with what was understood so far and what is needed."""
        return NotAnswerable(
            reason=reason,
            understood=self.understood,
            language=self.language,
            needs=self.say(needs_english, needs_spanish),
            refusal=refusal,
            not_understood=not_understood or [],
        )


#: Words that name a period of days already read ("la semana del 8 al 14"), not a breakdown by week or day.
_DAYS_NAMED = frozenset({"week", "semana", "days", "dias"})


class QuestionParser:
    """Parses questions against one catalog, relative to an as-of date."""

    def __init__(self, catalog: Catalog, as_of: date) -> None:
        self.catalog = catalog
        self.as_of = as_of

    # -- entry point --------------------------------------------------------------------------------------
    def parse(self, question: str) -> StructuredQuery | NotAnswerable:
        """The structured form of ``question`` or why it cannot be answered.

        Names and periods are read first, then the privacy, read-only and forecast rules and the topics the
        warehouse does not hold, then the vocabulary (status, funnel, metrics, comparison, breakdown,
        ranking); then every word nobody read is accounted for (:mod:`.words`): words that change the
        meaning refuse the question, the rest are stated in the answer as ignored. A step that finds the
        question unanswerable ends the parse with the reason.
        """
        return self._parse_reading(self._begin(question))

    def _parse_reading(self, reading: _Reading) -> StructuredQuery | NotAnswerable:
        """The steps of :meth:`parse` over one reading (the question, or a subject phrase inside it)."""
        for step in (
            self._read_subject,
            self._read_names,
            self._refuse_by_rule,
            self._read_threshold,
            self._read_words,
            _read_count_and_amount,
            self._read_share,
            self._read_together,
            self._threshold_metric,
            self._refuse_future,
            _read_which_is_ahead,
            _refuse_periods_of_two_clauses,
            self._read_over_time,
            _read_advertised,
            _read_percent_unit,
            _refuse_nothing_compared,
            self._account_for_words,
        ):
            refusal = step(reading)
            if refusal is not None:
                return refusal
        if reading.funnel:
            return self._with_subjects(reading, self._funnel_query(reading))
        asked = reading.metrics or reading.rank_dimension or reading.listing or reading.group_by
        if reading.subjects and not asked and not _QUANTITY_WORDS & set(reading.normalized.split()):
            # "what were the top 5 campaigns": nothing asked of the subject but itself ("how much did the
            # campaign with the most clicks generate" asks a figure it does not name: refused below)
            subject = reading.subjects[0].query
            # the question's own filters qualify it ("which *travel* brands had the most leads"): never dropped
            filters = [*subject.filters, *(ref for ref in reading.filters if ref not in subject.filters)]
            return subject.model_copy(
                update={"words": reading.words, "ignored": [*subject.ignored, *reading.ignored], "filters": filters}
            )
        refusal = self._ranked_change(reading) or self._default_metric(reading)
        if refusal is not None:
            return refusal
        query = self._query(reading)
        if reading.threshold is not None:
            kept = self._with_threshold(reading, query)
            if isinstance(kept, NotAnswerable):
                return kept
            query = kept
        return self._with_subjects(reading, query)

    # -- steps --------------------------------------------------------------------------------------------
    def _begin(self, question: str) -> _Reading:
        """Checks the question's size (ValueError) and normalises it; notes its language and whether it asks
        about something the warehouse does not hold."""
        question = (question or "").strip()
        if not question:
            raise ValueError("The question is empty; ask about campaign reach, sales, ROI, channels, markets…")
        if len(question) > MAX_QUESTION_CHARS:
            raise ValueError(f"The question has {len(question)} characters; the limit is {MAX_QUESTION_CHARS}.")
        text, chat_que = _CHAT_QUE.subn("que", normalize(_US_COUNTRY.sub("USA", question)))  # "campaña q más …"
        read: dict[str, list[str]] = {"stop": ["q"] * chat_que} if chat_que else {}
        preamble = _PREAMBLE.match(text)
        if preamble:  # "para el deck del board: …": what the answer is for, not part of the question
            gaps = _gaps(self._names_kept_from_preamble(text, preamble.end()), 0, preamble.end())
            read["context"] = [word for start, end in gaps for word in text[start:end].replace("|", " ").split()]
            for start, end in gaps:
                text = blank_span(text, start, end)
        return _Reading(
            text=text,
            language=detect_language(text, question),
            out_of_scope=self._out_of_scope(text, question),
            question=question,
            normalized=text,
            words=read,
        )

    def _names_kept_from_preamble(self, text: str, end: int) -> list[tuple[int, int]]:
        """The names in a preamble ``text[:end]`` ("para el informe de *Canadá*:") of a dimension the rest of the
        question names no value of: they scope the question. A name the question also has a value of ("para la
        reunión con el equipo de Bogotá: campañas … en Colombia") is only context."""
        kept: list[tuple[int, int]] = []
        for dimension in (Dimension.campaign, *_NAMED_VALUES):
            spans = self.catalog.mention_spans(text, dimension)[1]
            inside = [span for span in spans if span[1] <= end]
            if inside and len(inside) == len(spans):
                kept += inside
        return sorted(kept)

    def _read_subject(self, reading: _Reading) -> NotAnswerable | None:
        """An entity named by a ranking of its own ("the channels *of the campaign with the most sales*") is
        read first, as a question of its own (to any depth up to :data:`MAX_SUBJECT_DEPTH`); it becomes a
        subject of the query, resolved to its rows (ties included) before the query runs."""
        masked = _QUOTED.sub(lambda m: " " * len(m.group()), reading.text)
        masked = self.catalog.find_mentions(masked, Dimension.campaign)[1]
        threshold = find_threshold(masked)
        if threshold is not None:  # "presupuesto de más de 50.000": a threshold, not a ranking ("más")
            masked = blank_span(masked, threshold.start, threshold.end)
        values = [
            ValueMention(dimension, start, end)
            for dimension in _NAMED_VALUES
            for start, end in self.catalog.mention_spans(masked, dimension)[1]
        ]
        span = find_subject(masked, _is_figure, values)
        if span is None:
            return None
        phrase = reading.text[span.start : span.end]
        if reading.depth >= MAX_SUBJECT_DEPTH:
            return reading.refuse(
                reading.say(
                    f"'{phrase.strip()}' nests rankings deeper than {MAX_SUBJECT_DEPTH} levels.",
                    f"'{phrase.strip()}' anida rankings a más de {MAX_SUBJECT_DEPTH} niveles.",
                ),
                "the question in simpler steps",
                "la pregunta en pasos más simples",
                not_understood=phrase.split(),
            )
        # a relative pronoun after the dimension word belongs to the phrase ("el canal *donde* más gastamos")
        phrase = _RELATIVE.sub(lambda m: m.group(1) + " " * len(m.group(2)), phrase, count=1)
        inner = _Reading(
            text=" " * span.start + phrase + " " * (len(reading.text) - span.end),
            language=reading.language,
            out_of_scope=None,
            question=reading.question,
            normalized=reading.normalized,
            depth=reading.depth + 1,
        )
        result = self._parse_reading(inner)
        if isinstance(result, NotAnswerable):
            # a rule of the whole question comes first ("please increase the budget of the best campaign …")
            probe = copy.deepcopy(reading)
            ruled = self._read_names(probe) or self._refuse_by_rule(probe)
            return ruled if ruled is not None and ruled.refusal != "unknown-name" else result
        if result.intent is not Intent.ranking or result.group_by != [span.dimension]:
            return reading.refuse(
                reading.say(
                    f"I could not read '{phrase.strip()}' as one {span.dimension.value} chosen by a ranking.",
                    f"No pude leer '{phrase.strip()}' como un(a) {span.dimension.value} elegido por un ranking.",
                ),
                "the question in two simpler steps",
                "la pregunta en dos pasos más simples",
                not_understood=phrase.split(),
            )
        if result.compare_periods and result.rank_change is None:
            # "the brand that brought the most sales in 2025 get in January 2026": one ranking over two periods is
            # no ranking; the phrase may have run into the question's own period
            return reading.refuse(
                reading.say(
                    f"'{phrase.strip()}' names two periods ({', '.join(p.label for p in result.compare_periods)}); "
                    "I cannot tell which one ranks it and which one the question asks about.",
                    f"'{phrase.strip()}' nombra dos periodos ({', '.join(p.label for p in result.compare_periods)}); "
                    "no sé cuál elige el ranking y cuál pregunta la pregunta.",
                ),
                "the period of the ranking next to it, e.g. 'the brand with the most sales in 2025'",
                "el periodo del ranking junto a él, p. ej. 'la marca con más ventas en 2025'",
                not_understood=phrase.split(),
            )
        reading.read("subject", span.start, span.end)
        text = _as_asked(reading, span.start, span.end) or phrase.strip()
        reading.subjects.append(SubjectRef(dimension=span.dimension, query=result, text=text))
        return None

    def _with_subjects(self, reading: _Reading, query: StructuredQuery) -> StructuredQuery:
        """The query with its subjects. A subject's period also scopes the question when it names none of
        its own; a single figure of a ranked entity ("the reach of the campaign with the highest ROI") is
        the ranking itself, showing that figure next to the ranked one."""
        if not reading.subjects:
            return query
        update: dict[str, Any] = {"subjects": reading.subjects}
        ignored = [*query.ignored, *(word for subject in reading.subjects for word in subject.query.ignored)]
        update["ignored"] = list(dict.fromkeys(ignored))
        if query.period is not None:  # "the top market … of the channel with the highest spend, in 2025"
            reading.subjects = [_scoped(subject, query.period) for subject in reading.subjects]
            update["subjects"] = reading.subjects
            if query.metrics and all(metric is not CAMPAIGNS and not _dated(metric) for metric in query.metrics):
                # "the budget of the campaign with the most reach in Q4 2025": a budget is not dated, so the
                # period is the ranking's
                update["period"] = None
                english, spanish = metric_names(query.metrics)
                query.notes.append(
                    reading.say(
                        f"The period {query.period.label} applies to the ranking: {english} is not dated.",
                        f"El periodo {query.period.label} se aplica al ranking: {spanish} no tiene fecha.",
                    )
                )
        inherited = next((s.query.period for s in reading.subjects if s.query.period), None)
        if (
            query.period is None
            and not query.compare_periods
            and not query.lifecycle
            and inherited is not None
            and not _undated(query)  # "how many active campaigns does the brand with the most sales in 2025 have"
        ):
            update["period"] = inherited
            query.notes.append(
                reading.say(
                    f"The period {inherited.label} applies to the whole question.",
                    f"El periodo {inherited.label} se aplica a toda la pregunta.",
                )
            )
        if query.intent in (Intent.value, Intent.funnel) and query.group_by == []:
            # the rows name the entities the subjects resolve to ("how much did the brand with … sell": which brand)
            named = list(dict.fromkeys(subject.dimension for subject in reading.subjects))[:2]
            update["group_by"] = named
            if query.intent is Intent.value:
                update["intent"] = Intent.breakdown
        sub = reading.subjects[0].query
        if (
            len(reading.subjects) == 1
            and query.intent is Intent.value
            and not query.filters
            and not query.lifecycle
            and query.status is None
            and query.per is None
            and not query.compare_periods
            and update.get("period", query.period) == sub.period
            and not sub.subjects
            and _ranks_whole_entities(sub)
        ):
            shown = list(dict.fromkeys([sub.order_by or sub.metrics[0], *query.metrics]))[:6]
            ranking = sub.model_copy(
                update={
                    "metrics": shown,
                    "words": query.words,
                    "ignored": update["ignored"],
                    "notes": [*sub.notes, *query.notes],
                    "language": query.language,
                }
            )
            if _one_table(ranking):  # not "the markets of the campaign with the biggest budget" (two grains)
                return ranking
        return query.model_copy(update=update)

    def _read_names(self, reading: _Reading) -> NotAnswerable | None:
        """Campaigns, periods, brands, channels and markets; an unknown quoted or named campaign refuses
        (unless the question asks for personal data: the privacy rule's reason comes first)."""
        # campaign names carry years ("… Navidad Mágica 2025"): find them before periods eat the year
        campaigns, text, campaign_problem = self._campaigns(reading.text, reading.language)
        if campaign_problem:
            return self._rule_refusal(reading, reading.normalized) or reading.refuse(
                campaign_problem,
                "the exact campaign name (quote it)",
                "el nombre exacto de la campaña (entre comillas)",
                refusal="unknown-name",
            )
        reading.update("campaign", text)
        misspelt = self._misspelt_months(reading)
        found, text = PeriodParser(self.as_of, reading.language).find_all(reading.text)
        reading.update("period", text)
        found = sorted([*misspelt, *found], key=lambda item: item.start)
        reading.previous_row = any(item.previous_row for item in found)
        found = [item for item in found if not item.previous_row]
        reading.found_periods = found
        reading.periods = [item.period for item in found]
        self._read_anaphoric_period(reading)
        if reading.found_periods:
            reading.understood["periods"] = [item.period.label for item in reading.found_periods]
        reading.filters = list(campaigns)
        reading.update("brand", self._brand_keyword(reading.text, reading.filters))
        for dimension in (Dimension.brand, Dimension.channel, Dimension.market):
            refs, text = self.catalog.find_mentions(reading.text, dimension)
            reading.update(dimension.value, text)
            reading.filters.extend(refs)
        ambiguous = self._read_classes(reading)  # after the names: "Alma & Juniper Travel" is a brand
        if ambiguous is not None:
            return self._rule_refusal(reading, reading.normalized) or ambiguous
        if reading.filters:
            reading.understood["filters"] = [f"{ref.dimension.value}={ref.name}" for ref in reading.filters]
        self._read_name_keywords(reading)
        return None

    def _read_classes(self, reading: _Reading) -> NotAnswerable | None:
        """A campaign's objective and its brand's industry named by their values ("campañas de awareness",
        "lead generation", "sector financiero", "food and beverage"). An objective whose word is also a figure
        (sales, leads, engagement) is one only next to the word "objective" ("objetivo de ventas", "a sales
        objective", "leads as their objective"); "campañas de ventas" / "sales campaigns" without it could be
        either (the campaigns whose objective is sales, or the campaigns' sales), so the question is asked back
        rather than guessed. Read after the names of brands, channels and markets ("Alma & Juniper Travel" is a
        brand, not the travel industry)."""
        objectives = {str(entity.key): entity for entity in self.catalog.objectives}
        for match in list(_OBJECTIVE_NAMED.finditer(reading.text)):
            entity = objectives.get(_OBJECTIVE_OF_WORD[match["value"] or match["value2"]])
            if entity is None:
                continue
            matched = match.group().strip()
            reading.filters.append(
                EntityRef(dimension=Dimension.objective, key=entity.key, name=entity.name, matched_text=matched)
            )
            reading.read("objective", match.start(), match.end())
        for dimension in (Dimension.objective, Dimension.industry):
            refs, text = self.catalog.find_mentions(reading.text, dimension)
            reading.update(dimension.value, text)
            reading.filters.extend(refs)
        if not objectives:
            return None
        ambiguous = _OBJECTIVE_OR_FIGURE.search(reading.text)
        if ambiguous is None:
            ambiguous = _OBJECTIVE_OR_FIGURE_EN.search(reading.text)
            ranked = set(lexicon.RANK_DESC_WORDS) | set(lexicon.RANK_ASC_WORDS)
            if ambiguous is None or ranked & set(reading.normalized.split()):
                return None  # "the top sales campaigns": ranked by their sales
        phrase, figure = ambiguous.group().strip(), ambiguous["figure"]
        value = _OBJECTIVE_OF_WORD[figure]
        return reading.refuse(
            reading.say(
                f"'{phrase}' can mean the campaigns whose objective is {value} or the figure '{figure}' of the "
                "campaigns; I do not guess which.",
                f"'{phrase}' puede ser las campañas cuyo objetivo es {value} o la cifra '{figure}' de las campañas; "
                "no adivino cuál.",
            ),
            f"'campaigns with the {value} objective' (the objective) or '{figure} of the campaigns' (the figure)",
            f"'campañas con objetivo de {figure}' (el objetivo) o '{figure} de las campañas' (la cifra)",
            refusal="ambiguous",
            not_understood=phrase.split(),
        )

    def _read_anaphoric_period(self, reading: _Reading) -> None:
        """ "that month", "ese trimestre", "el mismo año": the one period the question names elsewhere. Read
        only when the whole question names exactly one period; a subject phrase that names none takes it as
        its own ("la marca que cerró más ventas *en ese trimestre*", asked about Q4 2025)."""
        matches = list(_ANAPHORIC_PERIOD.finditer(reading.text))
        if not matches:
            return
        named = reading.periods or [
            item.period for item in PeriodParser(self.as_of, reading.language).find_all(reading.normalized)[0]
        ]
        if len({(period.start, period.end) for period in named}) != 1:
            return
        for match in matches:
            if not reading.periods:
                reading.found_periods.append(FoundPeriod(named[0], match.start(), match.end()))
                reading.periods.append(named[0])
            reading.read("period", match.start(), match.end())

    def _misspelt_months(self, reading: _Reading) -> list[FoundPeriod]:
        """ "dicembre 2025", "setiembre": an unknown word this close to a month's name is that month (with the
        year right after it); the correction is stated in ``understood``."""
        found: list[FoundPeriod] = []
        for match in list(re.finditer(r"\b([a-z]{5,})(?:\s+(?:de|del|of))?(?:\s+(20\d\d))?\b", reading.text)):
            word = match.group(1)
            if word in STOP_WORDS or word in words.STOP_WORDS or words.classify([word]).meaningful.keys() - {"unknown"}:
                continue
            month = language.closest(word, MONTHS)
            if month is None:
                continue
            start = (
                date(int(match.group(2)), MONTHS[month], 1)
                if match.group(2)
                else latest_month(MONTHS[month], self.as_of)
            )
            period = months_period(start, 1, month_label(start, reading.language))
            found.append(FoundPeriod(period, match.start(), match.end()))
            reading.read("period", match.start(), match.end())
            reading.understood_map("corrected")[word] = month
        return found

    @staticmethod
    def _read_name_keywords(reading: _Reading) -> None:
        """ "campaign"/"marca"/"channel" … right before a name that was read belong to that name."""
        named = {ref.dimension for ref in reading.filters}
        for dimension in named:
            for word in lexicon.DIMENSION_WORDS[dimension]:
                # before the name ("campaign X", "el canal de correo") or after it ("the X campaign")
                before = (
                    rf"(?<![a-z0-9]){re.escape(word)}(?: (?:named|called|llamada|llamado|de nombre|de|del))? {{2,}}"
                )
                after = rf"(?:^|(?<=[a-z0-9])) {{2,}}{re.escape(word)}(?![a-z0-9])"  # the name may open it
                for match in [*compiled(before).finditer(reading.text), *compiled(after).finditer(reading.text)]:
                    if _BREAKDOWN_BEFORE.search(reading.text[: match.start()]):
                        continue  # "por mercado de México", "each US market": a breakdown within the name
                    reading.read(dimension.value, match.start(), match.end())

    def _refuse_by_rule(self, reading: _Reading) -> NotAnswerable | None:
        """Privacy and read-only rules (:mod:`.rules`), topics the warehouse does not hold (reasons,
        demographics, weather — "will it rain tomorrow" is about the weather before it is about the future),
        then the forecast rule: an explanation, never a number."""
        refusal = self._rule_refusal(reading, reading.text, (rules.PRIVACY, rules.READ_ONLY))
        refusal = refusal or self._rule_refusal(reading, _names_of_things_blanked(reading), (rules.PRIVACY,))
        if refusal is not None:
            return refusal
        topic = reading.out_of_scope
        if not topic:
            return self._rule_refusal(reading, reading.text, (rules.FORECAST,))
        return reading.refuse(
            reading.say(
                f"The warehouse holds recorded campaign results; it cannot answer questions about "
                f"{topic} (no such data, and no number is made up).",
                f"El almacén guarda resultados registrados de campañas; no puede responder sobre "
                f"{_ES_SCOPE.get(topic, topic)} (no hay esos datos y no se inventan cifras).",
            ),
            "a question about recorded figures: reach, sales, ROI, conversion…",
            "una pregunta sobre cifras registradas: alcance, ventas, ROI, conversión…",
            refusal="out-of-scope",
        )

    @staticmethod
    def _read_threshold(reading: _Reading) -> None:
        """A threshold on a figure ("brands with more than 8 campaigns", "más de ocho campañas", "CTR above
        2%", "10 o más"): its words are read here, so "más 8" is never a top-8 ranking; a counted noun right
        after the number ("campaigns", "canales") is the figure it is on."""
        found = find_threshold(reading.text)
        if found is None:
            met = _GOAL_MET.search(reading.text)
            if met is not None:  # "campaigns that met their sales goal": a success rate of at least 100 %
                op: Literal["gt", "ge"] = "gt" if met.group("over") else "ge"
                reading.threshold = FoundThreshold(op, 1.0, True, met.start(), met.end(), met.end())
                reading.threshold_metric = Metric("success_rate")
                reading.understood["threshold"] = " ".join(met.group().split())
                reading.read("threshold", met.start(), met.end())
            return None
        end = found.end
        noun = _COUNTED_NOUN.match(reading.text, found.number_end)
        reading.threshold = found
        reading.understood["threshold"] = " ".join(
            reading.text[found.start : max(end, noun.end() if noun else 0)].split()
        )
        if found.more_start is None:
            reading.read("threshold", found.start, end)
        else:  # "5 campañas activas o más": the words between are the noun's and the status reader's
            reading.read("threshold", found.start, found.number_end)
            reading.read("threshold", found.more_start, end)
        if noun is not None:
            reading.threshold_metric = _COUNTED_NOUNS[noun["noun"]]
            # the noun only: a status word before it is the status reader's ("at least 5 active campaigns")
            reading.read(
                "threshold", noun.start("noun") if found.more_start else max(end, noun.start("noun")), noun.end()
            )
        return None

    @staticmethod
    def _threshold_metric(reading: _Reading) -> NotAnswerable | None:
        """The figure a threshold is on when no counted noun followed its number: the metric named right
        after it ("more than $50,000 in sales"), else right before it ("ROI above 2"); none is refused."""
        found = reading.threshold
        named_campaigns = any(ref.dimension is Dimension.campaign for ref in reading.filters)
        if found is not None and reading.threshold_metric is not None and named_campaigns and not reading.metrics:
            reading.metrics.append(reading.threshold_metric)  # "did the X campaign hit its goal?": its figures
        if found is None or reading.threshold_metric is not None:
            return None
        after = [(s, m) for s, _, m in reading.metric_spans if 0 <= s - found.end <= _THRESHOLD_REACH]
        before = [
            (e, m)
            for _, e, m in reading.metric_spans
            if 0 <= found.start - e <= _THRESHOLD_REACH
            and not _counts_groups(m)  # "brands have more than 8": the groups
        ]
        if after:
            reading.threshold_metric = min(after, key=lambda item: item[0])[1]
        elif before:
            reading.threshold_metric = max(before, key=lambda item: item[0])[1]
        else:
            words_set = str(reading.understood["threshold"])
            return reading.refuse(
                reading.say(
                    f"'{words_set}' sets a threshold, but I did not find on which figure.",
                    f"'{words_set}' pone un umbral, pero no encontré sobre qué cifra.",
                ),
                "the figure next to the number, e.g. 'brands with more than 8 campaigns'",
                "la cifra junto al número, p. ej. 'marcas con más de 8 campañas'",
                not_understood=words_set.split(),
            )
        spans = [span for span in reading.metric_spans if span[2] is reading.threshold_metric]
        if len(spans) == 1 and not named_campaigns:  # named only as the threshold's figure: not also one asked for
            reading.metrics = [m for m in reading.metrics if m is not reading.threshold_metric]
        return None

    def _with_threshold(self, reading: _Reading, query: StructuredQuery) -> StructuredQuery | NotAnswerable:
        """The query keeping only the groups that meet the threshold: the groups of its breakdown or ranking;
        else, when it counts campaigns / brands / channels / markets, how many of those meet it; else the
        groups named before the threshold ("campaigns with more than 1,000 leads")."""
        found, metric = reading.threshold, reading.threshold_metric
        assert found is not None and metric is not None
        asked = [m for m in query.metrics if m is not metric]
        defaulted = DEFAULT_RANKING_METRIC not in {m for _, _, m in reading.metric_spans}
        if query.intent is Intent.breakdown and defaulted:  # no figure named but the threshold's: list it alone
            asked = [m for m in asked if m is not DEFAULT_RANKING_METRIC]
            query = query.model_copy(update={"notes": []})
        counted = [m for m in asked if _counts_groups(m)]
        text = str(reading.understood["threshold"])
        common = {"metric": metric, "op": found.op, "value": found.value, "text": text}
        tokens = set(reading.normalized.split())
        counter = _GROUP_COUNTERS.get(query.group_by[0]) if len(query.group_by) == 1 else None
        if counter and reading.listing and _COUNT_WORDS & tokens and not _EACH_WORDS & tokens:
            # "brands with under 5 campaigns — how many are there?": how many groups meet it, not the list
            having = Threshold(dimension=query.group_by[0], **common)
            return query.model_copy(
                update={"intent": Intent.value, "metrics": [counter], "group_by": [], "having": having}
            )
        if (
            metric in _PER_CAMPAIGN_FIGURES
            and CAMPAIGNS in asked
            and query.group_by[:1] not in ([], [Dimension.campaign])
        ):
            # "how many finished campaigns had a budget below $5,000, by objective": a threshold on each campaign,
            # counted by group — kept groups would be those whose whole budget is below it (answered so, silently)
            return reading.refuse(
                reading.say(
                    f"'{text}' is a threshold on each campaign's {label(metric, 'en')}; counting the campaigns that "
                    "meet it within a breakdown is not computed.",
                    f"'{text}' es un umbral sobre {label(metric, 'es')} de cada campaña; contar las campañas que lo "
                    "cumplen dentro de un desglose no se calcula.",
                ),
                "the count without the breakdown (e.g. 'how many finished campaigns had a budget below $5,000')",
                "el conteo sin el desglose (p. ej. '¿cuántas campañas finalizadas tuvieron presupuesto menor a 5000?')",
                not_understood=text.split(),
            )
        if query.group_by and query.group_by[0] is not Dimension.month:
            metrics = [metric, *asked] if query.intent is not Intent.ranking else [*query.metrics[:1], *asked]
            if metric not in metrics:
                metrics.append(metric)
            having = Threshold(dimension=query.group_by[0], **common)
            return query.model_copy(update={"metrics": list(dict.fromkeys(metrics))[:6], "having": having})
        if not query.group_by and len(counted) == 1 and len(asked) == 1:
            dimension = distinct_dimension(counted[0])
            assert dimension is not None
            having = Threshold(dimension=dimension, **common)
            return query.model_copy(update={"intent": Intent.value, "metrics": counted, "having": having})
        campaigns = [ref for ref in query.filters if ref.dimension is Dimension.campaign]
        if campaigns and not query.group_by:
            # "did the Summer Glow campaign hit its sales goal?": the named campaigns' figures, the threshold's
            # and those it is computed from, whether or not they meet it
            definition = DEFINITIONS[metric]
            inputs = [Metric(name) for name in definition.inputs if Metric(name) in DEFINITIONS]
            query.notes.append(
                reading.say(
                    f"Whether each campaign meets '{text}' is read from {label(metric, 'en')}.",
                    f"Si cada campaña cumple '{text}' se lee en {label(metric, 'es')}.",
                )
            )
            return query.model_copy(
                update={
                    "intent": Intent.breakdown,
                    "group_by": [Dimension.campaign],
                    "metrics": list(dict.fromkeys([*asked, *inputs, metric]))[:6],
                }
            )
        named = _GROUP_NOUN.search(reading.normalized[: found.start]) if not query.group_by and not asked else None
        if named is not None:
            dimension = _GROUP_NOUNS[named["noun"]]
            having = Threshold(dimension=dimension, **common)
            return query.model_copy(
                update={"intent": Intent.breakdown, "group_by": [dimension], "metrics": [metric], "having": having}
            )
        return reading.refuse(
            reading.say(
                f"'{text}' sets a threshold on {label(metric, 'en')}, but I did not find which groups it keeps "
                "(campaigns, brands, channels or markets).",
                f"'{text}' pone un umbral sobre {label(metric, 'es')}, pero no encontré qué grupos deja "
                "(campañas, marcas, canales o mercados).",
            ),
            "the groups, e.g. 'brands with more than 8 campaigns'",
            "los grupos, p. ej. 'marcas con más de 8 campañas'",
            not_understood=text.split(),
        )

    @staticmethod
    def _rule_refusal(
        reading: _Reading, text: str, checked: tuple[rules.Rule, ...] = rules.RULES
    ) -> NotAnswerable | None:
        """The refusal of the first rule of ``checked`` the question breaks, naming the rule and its words."""
        broken = rules.broken_rule(text, reading.question, checked)
        if broken is None:
            return None
        rule, matched = broken
        return reading.refuse(
            reading.say(rule.english, rule.spanish)
            + reading.say(f" (rule: {rule.name}; words: '{matched}')", f" (regla: {rule.name}; palabras: '{matched}')"),
            "a question about aggregated, recorded campaign figures",
            "una pregunta sobre cifras agregadas y registradas de campañas",
            refusal=rule.name,
            not_understood=[matched],
        )

    def _read_words(self, reading: _Reading) -> NotAnswerable | None:
        """Lifecycle, status, funnel words, averages, metrics, comparison words, breakdowns and the ranking
        asked for."""
        closed = self._read_closed_sales(reading)
        for running in _RUNNING_TOTAL.finditer(reading.text):  # before "running" can be read as a status
            reading.running = True
            reading.read("over_time", running.start(), running.end())
        self._read_lifecycle(reading)
        statuses, text = self._statuses(reading.text)
        reading.update("status", text)
        if len(statuses) == 1:
            reading.status = statuses[0]
        elif statuses:  # "campañas activas y finalizadas": both, by status
            reading.statuses = statuses
            # "(todas, activas y finalizadas)", "all of them, active and finished": every one, not a breakdown
            reading.group_by_status = not _ALL_STATUSES.search(reading.normalized)
        for status, phrases in _STATUS_VERBS.items():  # no period of their own left: a status now
            if reading.status in (None, status) and not reading.statuses:
                for phrase in phrases:
                    for verb in _find(phrase, reading.text):
                        reading.read("status", verb.start(), verb.end())
                        reading.status = status
        reading.funnel = any(contains_phrase(reading.text, word) for word in lexicon.FUNNEL_WORDS)
        for word in sorted(lexicon.FUNNEL_WORDS, key=len, reverse=True):
            match = contains_phrase(reading.text, word)
            if match:
                reading.read("funnel", match.start(), match.end())
        spans, text = self._metrics(reading.text)
        reading.update("metrics", text)
        spans.extend(closed)
        spans.extend(self._counted_dimensions(reading))
        spans.extend(self._stemmed_metrics(reading))
        spans = self._per_unit(reading, sorted(spans))
        spans = self._converted_share(reading, spans)
        spans = self._cheapest_unit(reading, spans)
        self._read_average(reading, spans)
        reading.metric_spans = spans
        reading.metrics = list(dict.fromkeys(metric for _, _, metric in spans))
        which_content = _WHICH_CONTENT.search(reading.normalized)
        if which_content is not None:
            return reading.refuse(
                reading.say(
                    "The warehouse links library assets to campaigns by id and media type only: it can count "
                    "them (content items per campaign, brand …) but not say which assets they are.",
                    "El almacén enlaza los recursos de la biblioteca con las campañas solo por id y tipo de medio: "
                    "puede contarlos (piezas de contenido por campaña, marca …) pero no decir cuáles son.",
                ),
                "how many content items, e.g. 'content items by brand'",
                "cuántas piezas de contenido, p. ej. 'piezas de contenido por marca'",
                refusal="grain",
                not_understood=which_content.group().split(),
            )
        if reading.metrics:
            reading.understood["metrics"] = [metric.value for metric in reading.metrics]
        reading.compare = any(contains_phrase(reading.text, word) for word in lexicon.COMPARE_WORDS)
        self._read_change(reading)
        reading.group_by, text = self._group_by(reading.text)
        if reading.per is None and not any(contains_phrase(text, word) for word in lexicon.AVERAGE_WORDS):
            text = _daily_breakdowns(text, reading.group_by)
        reading.update("group_by", text)
        if reading.group_by:
            for phrase in lexicon.BREAKDOWN_WORDS:
                for match in _find(phrase, reading.text):
                    reading.read("group_by", match.start(), match.end())
        self._read_period_parts(reading)
        self._read_trend(reading)
        ranking = self._ranking(reading.text)
        if ranking.dimension is None and len(reading.group_by) == 1:
            ranking = _top_of_breakdown(reading.text, reading.group_by[0], ranking.descending)
        reading.rank_dimension, reading.limit, reading.descending = ranking.dimension, ranking.limit, ranking.descending
        reading.rank_at = ranking.at
        for start, end in ranking.spans:
            reading.read("ranking", start, end)
        if ranking.dimension is not None and not ranking.descending:
            # "top 5 mercados con *menor* CPM": "top" counts them, the word of the lowest gave the direction
            for match in list(compiled(_LOWEST_WORD).finditer(reading.text)):
                reading.read("ranking", match.start(), match.end())
        self._read_listing(reading)
        return None

    @staticmethod
    def _read_closed_sales(reading: _Reading) -> list[tuple[int, int, Metric]]:
        """ "ventas cerradas", "how many sales have we closed": closing a sale, not a campaign that ended — a
        stop word, unless the question is about campaigns and the word does not follow a sales noun. Sales
        *closed* are counted: "la marca que cerró más ventas", "closed the most deals" rank by the number of
        sales (the span of the sales noun, as the number of sales, is returned)."""
        about_campaigns = _about_campaigns(reading)
        counted: list[tuple[int, int, Metric]] = []
        for match in _SALES_BY_COUNT.finditer(reading.text):
            counted.append((match.start("noun"), match.end("noun"), SALES_COUNT))
            reading.read("metrics", match.start("noun"), match.end("noun"))
            reading.read("metrics", match.start("count"), match.end("count"))
        tokens = list(words.WORD.finditer(reading.text))
        for index, match in enumerate(tokens):
            if match.group() in _CLOSE_VERBS and any(token.group() in _SALE_NOUNS for token in tokens[:index]):
                reading.read("stop", match.start(), match.end())
                continue
            if match.group() not in _CLOSING_WORDS:
                continue
            after_sale = index > 0 and tokens[index - 1].group() in _SALE_NOUNS
            following = tokens[index + 1 : index + 4]
            noun = next((at for at, token in enumerate(following) if token.group() in _SALE_NOUNS), None)
            closes_sales = noun is not None and all(t.group() in _CLOSED_FILLERS for t in following[:noun])
            if about_campaigns and not after_sale and not closes_sales:
                continue  # "campañas que cerraron en 2025": campaigns that ended
            if not after_sale and closes_sales and noun is not None:
                sale = following[noun]
                counted.append((sale.start(), sale.end(), SALES_COUNT))
                reading.read("metrics", sale.start(), sale.end())
                reading.read("metrics", match.start(), match.end())
                continue
            reading.read("stop", match.start(), match.end())
        return counted

    @staticmethod
    def _change_spans(reading: _Reading) -> list[tuple[int, int]]:
        """Where the question says "change" ("cambiaron", "variaron", "grew", "year over year"): the change
        phrases, and words with the Snowball stem of a one-word change phrase."""
        spans = [
            (m.start(), m.end())
            for phrase in sorted(lexicon.CHANGE_WORDS, key=len, reverse=True)
            if " " in phrase
            for m in phrase_pattern(phrase).finditer(reading.text)
        ]
        for match in words.WORD.finditer(reading.text):
            if match.group() in CHANGE_WORDS or language.stems(match.group()) & CHANGE_STEMS:
                if not any(start <= match.start() < end for start, end in spans):
                    spans.append((match.start(), match.end()))
        return spans

    def _read_change(self, reading: _Reading) -> None:
        """A change or comparison between two periods: a range named for it ("how did revenue change from
        November to December", "variación entre noviembre y diciembre") compares its two ends; the change
        words are read only when there are two periods (else they refuse the question)."""
        spans = self._change_spans(reading)
        reading.change = bool(spans)
        if spans and len(reading.periods) == 1 and _YEAR_OVER_YEAR.search(reading.normalized):
            # "sales growth year over year in 2025", "crecimiento interanual de diciembre 2025": against the
            # same period a year earlier
            period = reading.periods[0]
            if period.start.day == 1 and period.end.day == 1:
                earlier = a_year_earlier(period)
                reading.periods = [earlier, period]
                reading.understood["periods"] = [earlier.label, period.label]
        if not (spans or reading.compare) and len(reading.periods) == 2:
            # "diciembre … en 2025", "Q4 of 2025": a period inside the other narrows it, it is not compared
            first, second = reading.periods
            inner = _inside(first, second) or _inside(second, first)
            if inner is not None:
                reading.periods = [inner]
                reading.understood["periods"] = [inner.label]
        monthly = any(contains_phrase(reading.text, word) for word in lexicon.MONTHLY_WORDS) or _BY_MONTH.search(
            reading.text
        )
        if (
            (spans or (reading.compare and not _several_mentions(reading)))  # "tiktok vs insta oct-dic": one range
            and not monthly  # "cómo evolucionó el gasto mes a mes de julio a diciembre": the months of the range
            and len(reading.found_periods) == 1
            and reading.found_periods[0].endpoints
        ):
            reading.periods = list(reading.found_periods[0].endpoints)
            reading.understood["periods"] = [period.label for period in reading.periods]
        comparison = [(m.start(), m.end()) for word in lexicon.COMPARE_WORDS for m in _find(word, reading.text)]
        if len(reading.periods) > 1:
            comparison.extend(spans)
            if spans:  # "percentage growth", "crecimiento porcentual": the change in percent; "move between Q3 and Q4"
                comparison.extend(m.span() for word in _RELATIVE_WORDS for m in _find(word, reading.text))
                comparison.extend(m.span() for word in ("between", "entre") for m in _find(word, reading.text))
        for start, end in comparison:
            reading.read("comparison", start, end)
        for phrase in lexicon.SAME_PERIOD_PHRASES:  # "that year": the period already named (here or around)
            for match in _find(phrase, reading.text):
                if reading.periods or re.search(r"\b20\d\d\b", reading.normalized):
                    reading.read("period", match.start(), match.end())

    def _read_period_parts(self, reading: _Reading) -> None:
        """ "ventas por trimestre en 2025", "quarterly spend in 2025", "leads by half in 2025": one period named
        and broken down into its quarters or halves (those started by the as-of date) is those periods, shown
        side by side; anything else leaves the words unread (the question is then refused, naming them)."""
        found = [(m, unit) for unit, pattern in _PERIOD_PARTS.items() for m in pattern.finditer(reading.text)]
        if len(found) != 1 or not reading.periods:
            return
        match, months = found[0]
        parser = PeriodParser(self.as_of, reading.language)
        parts: list[Period] = []
        # "quarterly revenue 2024 and 2025": each period named, in order, broken down the same way
        for whole in sorted({(p.start, p.end): p for p in reading.periods}.values(), key=lambda p: p.start):
            length = (whole.end.year - whole.start.year) * 12 + whole.end.month - whole.start.month
            if (whole.start.month - 1) % months or length % months or length // months < 2:
                return
            parts += [
                parser.quarter_at(start) if months == 3 else parser._half_period((start.month - 1) // 6 + 1, start.year)
                for start in (add_months(whole.start, months * i) for i in range(length // months))
                if start <= self.as_of
            ]
        if not 2 <= len(parts) <= MAX_COMPARED_PERIODS:
            return
        reading.periods = parts
        reading.understood["periods"] = [part.label for part in parts]
        reading.read("group_by", match.start(), match.end())
        for start, end in self._change_spans(reading):  # "cómo evolucionó … trimestre a trimestre": the parts
            reading.read("comparison", start, end)

    @staticmethod
    def _read_trend(reading: _Reading) -> None:
        """ "monthly sales trend in 2025", "evolución de clics por mes": with one period or none, a trend is
        the breakdown by month."""
        if len(reading.periods) > 1:
            return
        found = [
            m
            for word in lexicon.TREND_WORDS
            for m in _find(word, reading.text)
            if word != "historico" or re.match(r"\s+(?:de|del|of)\b", reading.text[m.end() :])
        ]
        for word in lexicon.ALL_TIME_WORDS:  # "(histórico)", "of all time": no period, as asked
            for match in _find(word, reading.text):
                reading.read("period", match.start(), match.end())
        if not found:
            return
        for match in found:
            reading.read("group_by", match.start(), match.end())
        # "weekly leads trend": the trend is by week (or day) when one is asked, else by month
        if not _TIME_DIMENSIONS & set(reading.group_by):
            reading.group_by.append(Dimension.month)

    @staticmethod
    def _read_lifecycle(reading: _Reading) -> None:
        """ "ended between July and September", "lanzadas en 2025", "active in December": a lifecycle word
        right before a period filters campaigns by their flight dates, and that period is its own."""
        for event, phrases in lexicon.LIFECYCLE_WORDS.items():
            for match in _lifecycle_matches(reading.text, event, phrases):
                found = next(
                    (
                        item
                        for item in reading.found_periods
                        if item.start >= match.end()
                        and "|" not in reading.text[match.end() : item.start]  # "active campaigns: Jan vs Dec"
                        and all(
                            word in lexicon.LIFECYCLE_CONNECTORS
                            or word in _COUNTED_CAMPAIGNS
                            or word in _BREAKDOWN_BETWEEN
                            # names already read are blank here: "lanzó Banco Palma en el S2"
                            for word in words.WORD.findall(reading.text[match.end() : item.start])
                        )
                    ),
                    None,
                )
                if found is None and event != "running" and _MONTH_NOUNS & set(reading.normalized.split()):
                    # "¿en qué mes de 2025 se lanzaron menos campañas?": the one period, named before the verb,
                    # is the launches' when their months are asked
                    before = [item for item in reading.found_periods if item.end <= match.start()]
                    found = before[0] if len(before) == len(reading.found_periods) == 1 else None
                if found is None:
                    continue
                channels = [ref.matched_text for ref in reading.filters if ref.dimension is Dimension.channel]
                following = reading.normalized[match.end() : found.start].strip()
                if event == "running" and any(name and following.startswith(name) for name in channels):
                    continue  # "campaigns that ran SMS in January": ads run on that channel then, not flight dates
                if not _about_campaigns(reading) and (event == "running" or match.group() in words.STOP_WORDS):
                    # "ads that ran in December", "brands active in 2025", "sales did X close in 2025": the
                    # verb of the figure, whose period is the question's
                    reading.read("stop", match.start(), match.end())
                    continue
                reading.lifecycle.append(Lifecycle(event=event, period=found.period))
                reading.found_periods.remove(found)
                reading.periods.remove(found.period)
                reading.read("lifecycle", match.start(), match.end())
                gap = reading.text[match.end() : found.start]
                for connector in list(words.WORD.finditer(gap)):
                    if connector.group() in lexicon.LIFECYCLE_CONNECTORS:  # the counted campaigns are the metric's
                        reading.read("lifecycle", match.end() + connector.start(), match.end() + connector.end())
        if reading.lifecycle:
            reading.understood["lifecycle"] = [f"{item.event} {item.period.label}" for item in reading.lifecycle]

    @staticmethod
    def _counted_dimensions(reading: _Reading) -> list[tuple[int, int, Metric]]:
        """ "the most campaigns", "más canales", "fewest markets": a ranking word of quantity before a
        dimension word counts that dimension (campaigns, channels used, markets used); "the 3 worst campaigns"
        ranks them."""
        rank_words = "|".join(lexicon.COUNT_RANK_WORDS)
        ranked = bool(set(reading.normalized.split()) & {*lexicon.RANK_DESC_WORDS, *lexicon.RANK_ASC_WORDS})
        found: list[tuple[int, int, Metric]] = []
        for dimension, metric in COUNTED_DIMENSIONS.items():
            nouns = "|".join(word for word in lexicon.DIMENSION_WORDS[dimension] if word.endswith("s"))
            for match in list(re.finditer(rf"(?<![a-z0-9])(?:{rank_words})\s+({nouns})(?![a-z0-9])", reading.text)):
                found.append((match.start(1), match.end(1), metric))
                reading.read("metrics", match.start(1), match.end(1))
            if not ranked:
                continue
            # "top 2 marcas x campañas lanzadas", "top brands by campaigns": ranked by how many, not broken down
            others = "|".join(_PLURAL_NOUNS_EXCEPT[dimension])
            by_count = rf"(?<![a-z0-9])(?:{others})\s+(?P<by>by|por|x)\s+(?P<noun>{nouns})(?![a-z0-9])"
            for match in list(compiled(by_count).finditer(reading.text)):
                found.append((match.start("noun"), match.end("noun"), metric))
                reading.read("metrics", match.start("by"), match.end("noun"))
        if found:
            reading.understood_list("metrics").extend(metric.value for _, _, metric in found)
        return found

    @staticmethod
    def _stemmed_metrics(reading: _Reading) -> list[tuple[int, int, Metric]]:
        """Words no phrase read whose Snowball stem is the stem of one metric's phrase ("vendimos",
        "alcanzamos", "spends"); never a word whose meaning is not guessed (:data:`words.MEANINGFUL`)."""
        found: list[tuple[int, int, Metric]] = []
        for match in list(words.WORD.finditer(reading.text)):
            word = match.group()
            if word in words.STOP_WORDS or words.classify([word]).meaningful.keys() - {"unknown"}:
                continue
            metrics = {METRIC_STEMS[stem] for stem in language.stems(word) if stem in METRIC_STEMS}
            how = "stems"
            if not metrics:
                corrected = language.closest(word, METRIC_WORDS)
                metrics = {METRIC_WORDS[corrected]} if corrected else set()
                how = "corrected"
            if len(metrics) != 1:
                continue
            metric = Metric(metrics.pop())
            found.append((match.start(), match.end(), metric))
            reading.read("metrics", match.start(), match.end())
            reading.understood_map(how)[word] = metric.value
        if found:
            reading.understood_list("metrics").extend(metric.value for _, _, metric in found)
        return found

    @staticmethod
    def _per_unit(reading: _Reading, spans: list[tuple[int, int, Metric]]) -> list[tuple[int, int, Metric]]:
        """ "¿cuánto nos costó cada venta?", "spend per lead", "valor medio de cada venta": a total per unit of
        another is the registry's ratio of those two measures (cost per sale, cost per lead, average order
        value …), whichever words name them."""
        numerators = [
            (start, end, DEFINITIONS[metric].inputs[0])
            for start, end, metric in spans
            if DEFINITIONS[metric].kind == "sum"
        ]
        numerators += [(m.start(), m.end(), "sales_amount") for m in _VALUE_WORDS.finditer(reading.text)]
        for start, end, numerator in sorted(numerators):
            unit = _PER_UNIT.match(reading.normalized, end)
            if unit is None or unit.group(1) not in UNIT_MEASURES:
                continue
            ratio = RATIOS.get((numerator, UNIT_MEASURES[unit.group(1)]))
            if ratio is None:
                continue
            spans = _read_ratio(reading, spans, start, unit.end(), ratio)
        return sorted(spans)

    @staticmethod
    def _converted_share(reading: _Reading, spans: list[tuple[int, int, Metric]]) -> list[tuple[int, int, Metric]]:
        """ "¿qué porcentaje de los clics se convirtió en leads?", "what share of clicks turned into leads": the
        registry's rate of the later stage over the earlier (click-to-lead rate, conversion rate …)."""
        for match in list(_CONVERTED_SHARE.finditer(reading.normalized)):
            earlier, later = (UNIT_MEASURES.get(match.group(name)) for name in ("earlier", "later"))
            ratio = RATIOS.get((later or "", earlier or ""))
            if ratio is None:
                continue
            spans = _read_ratio(reading, spans, match.start(), match.end(), ratio)
        return sorted(spans)

    @staticmethod
    def _cheapest_unit(reading: _Reading, spans: list[tuple[int, int, Metric]]) -> list[tuple[int, int, Metric]]:
        """ "¿En qué mercado nos salió más barato cada lead?", "the cheapest leads", "el lead más barato": the
        cost per that unit (spend ÷ leads, sales, clicks …). The unit is read as the metric; "más barato" /
        "cheapest" stay for the ranking, which reads them as the lowest first."""
        for match in list(_CHEAP_UNIT.finditer(reading.normalized)):
            unit = match.group("unit") or match.group("unit2")
            ratio = RATIOS.get(("spend", UNIT_MEASURES.get(unit, "")))
            if ratio is None:
                continue
            start, end = match.span("unit") if match.group("unit") else match.span("unit2")
            if match.group("per"):
                start = match.start("per")
            spans = _read_ratio(reading, spans, start, end, ratio)
        # "the most expensive clicks", "¿dónde nos salió más caro cada clic?": the same cost, highest first
        for match in list(_EXPENSIVE_UNIT.finditer(reading.normalized)):
            unit = match.group("unit") or match.group("unit2")
            ratio = RATIOS.get(("spend", UNIT_MEASURES.get(unit, "")))
            if ratio is None:
                continue
            spans = _read_ratio(reading, spans, match.start(), match.end(), ratio)
        return sorted(spans)

    @staticmethod
    def _read_share(reading: _Reading) -> None:
        """ "What share of our 2025 leads came from TikTok?", "% de las ventas por canal", "participación de cada
        marca en el gasto": the figure with its share of the total over one dimension — the breakdown's (not a
        breakdown by time), else the dimension of the part named last ("from TikTok"). Read only when there is
        one of the two."""
        found = [match for match in _SHARE_WORDS.finditer(reading.text) if not _after_a_number(reading.text, match)]
        for match in list(found):
            rate = _rate_named_after(reading, match.end())
            if rate is not None:  # "% de cumplimiento de la meta", "percentage of CTR": the rate's own unit
                found.remove(match)
                reading.read("metrics", match.start(), match.end())
        if not found or not reading.metrics:
            return
        broken_down = [
            dimension
            for dimension in [*([reading.rank_dimension] if reading.rank_dimension else []), *reading.group_by]
            if dimension not in _TIME_DIMENSIONS
        ]
        if broken_down:  # "la participación de cada marca de viajes": each brand's share of the travel brands'
            reading.share_of = broken_down[0]
        elif reading.filters:  # "what share of Mexico's leads came from TikTok": the part named last
            last = max(reading.filters, key=lambda ref: reading.normalized.rfind(normalize(ref.matched_text)))
            reading.share_of = last.dimension
        else:
            return
        for match in found:
            reading.read("share", match.start(), match.end())
        for match in list(_OF_THE_TOTAL.finditer(reading.text)):
            reading.read("share", match.start(), match.end())
        reading.understood["share of"] = reading.share_of.value

    @staticmethod
    def _read_together(reading: _Reading) -> None:
        """ "Email or SMS together", "sumando ambos canales", "counting each customer once": the values named of
        one dimension make one group (a filter on all of them), not a comparison — for distinct counts, each
        buyer once across them. A question that names one value of each dimension has nothing to put together,
        and the words are left to the word accounting."""
        together = _TOGETHER.search(reading.text)
        if together is None or not _several_mentions(reading):
            return
        reading.together = True
        reading.read("together", together.start(), together.end())

    @staticmethod
    def _read_average(reading: _Reading, spans: list[tuple[int, int, Metric]]) -> None:
        """ "average sales per campaign", "promedio diario de ventas", "average monthly spend": totals
        averaged per campaign, day or month (an average word alone is not read: it would be another figure);
        next to a figure recorded per whole campaign ("average budget", "presupuesto promedio") it averages
        per campaign, the only unit that figure has."""
        average = next(
            (m for word in lexicon.AVERAGE_WORDS if (m := contains_phrase(reading.text, word)) is not None), None
        )
        if average is None:
            return
        for per, units in lexicon.PER_UNITS.items():
            for unit in units:
                # a noun needs its "per" ("average sales per campaign"); an adjective does not ("average daily")
                prefix = r"(?:per|por|a|each|cada|by|x)\s+" if unit in _UNIT_NOUNS else ""
                match = re.search(rf"(?<![a-z0-9]){prefix}{re.escape(unit)}(?![a-z0-9])", reading.text)
                if match is None:
                    continue
                reading.per = per
                reading.read("average", average.start(), average.end())
                reading.read("average", match.start(), match.end())
                reading.understood["average per"] = per
                return
        for start, end, metric in spans:
            if (
                metric in _PER_CAMPAIGN_FIGURES
                and not reading.text[min(end, average.end()) : max(start, average.start())].strip()
            ):
                reading.per = "campaign"
                reading.read("average", average.start(), average.end())
                reading.understood["average per"] = "campaign"
                return
        for start, _, metric in spans:
            # "avg sales $ per unique buyer", "average cost per lead": the ratio already is the average asked
            if (
                DEFINITIONS[metric].kind == "ratio"
                and average.end() <= start
                and not reading.text[average.end() : start].strip()
            ):
                reading.read("metrics", average.start(), average.end())
                return

    @staticmethod
    def _read_listing(reading: _Reading) -> None:
        """ "Which channels did … use?": a list of the dimension's members, not a ranking of one."""
        if reading.rank_dimension is None or reading.words.get("ranking") is None:
            return
        ranked = set(reading.words["ranking"])
        if ranked & (set(lexicon.RANK_DESC_WORDS) | set(lexicon.RANK_ASC_WORDS)) or reading.limit is not None:
            return
        plural = {word for word in lexicon.DIMENSION_WORDS[reading.rank_dimension] if word.endswith(("s", "es"))}
        verb = next((m for word in lexicon.LIST_VERBS if (m := contains_phrase(reading.text, word)) is not None), None)
        if not (ranked & plural or verb):
            return
        if verb is not None:
            reading.read("group_by", verb.start(), verb.end())
        reading.words["group_by"] = [*reading.words.get("group_by", []), *reading.words.pop("ranking")]
        if reading.rank_dimension not in reading.group_by:
            reading.group_by.insert(0, reading.rank_dimension)
        reading.rank_dimension = None
        reading.listing = True

    def _refuse_future(self, reading: _Reading) -> NotAnswerable | None:
        """A period after the as-of date has no results yet (and forecasts are not made up)."""
        future = [period for period in reading.periods if period.start > self.as_of]
        if not future:
            return self._refuse_period_compared_with_itself(reading) or self._refuse_days(reading)
        return reading.refuse(
            reading.say(
                f"{future[0].label} is after the as-of date {self.as_of.isoformat()}: there are no "
                "results for it yet, and forecasts are not made up.",
                f"{future[0].label} es posterior a la fecha de corte {self.as_of.isoformat()}: aún no "
                "hay resultados y no se inventan pronósticos.",
            ),
            "a period up to the as-of date",
            "un periodo hasta la fecha de corte",
            refusal="forecast",
            not_understood=reading.words.get("period", []),
        )

    def _read_over_time(self, reading: _Reading) -> NotAnswerable | None:
        """Over a breakdown by month, week or day of at most one period: "cumulative" / "acumuladas" ask for a
        running total (of figures that add up), and a change word ("growth month by month", "variación mensual")
        or "month-over-month" / "MoM" / "mes contra mes" (which bring their breakdown) for the change from the
        previous row. Ranked or compared periods, or a running total of a ratio, are refused (the builder's
        :func:`~promptsales.sales.nlq.builder.over_time_problem`, the one rule)."""
        if reading.previous_row:  # "by month in H2 2025 vs the previous month": each month against the one before
            if Dimension.month not in reading.group_by:
                reading.group_by.insert(0, Dimension.month)
            reading.over_time = "change"
            if not _several_mentions(reading):
                reading.compare = False
        for match in _PERIOD_OVER_PERIOD.finditer(reading.normalized):  # its unit may be read as a breakdown
            unit = Dimension.week if match.group("week") else Dimension.month
            if not _TIME_DIMENSIONS & set(reading.group_by):
                reading.group_by.insert(0, unit)
            reading.over_time = "change"
            reading.read("over_time", match.start(), match.end())
            if not _several_mentions(reading):  # "mes contra mes": its "contra" compares months, not values
                reading.compare = False
        by_time = bool(_TIME_DIMENSIONS & set(reading.group_by))
        if by_time and reading.running and reading.over_time is None:
            reading.over_time = "running"  # checked below: one period, figures that add up
        if by_time and len(reading.periods) <= 1 and not reading.compare:
            unread_change = self._change_spans(reading)
            if unread_change and reading.over_time is None:
                reading.over_time = "change"
            for start, end in unread_change:
                # "% change", "percent change", "variación %", "cambio porcentual": the change in percent is given
                before = _PERCENT_BEFORE.search(reading.text, 0, start)
                after = _PERCENT_AFTER.match(reading.text, end)
                reading.read("over_time", before.start() if before else start, after.end() if after else end)
        if reading.over_time is not None:
            ranked = reading.rank_dimension is not None
            compared = len(reading.periods) > 1 or reading.compare
            problem = over_time_problem(reading.over_time, reading.metrics, reading.group_by, ranked, compared)
            if problem is not None:
                return reading.refuse(
                    reading.say(*problem),
                    "e.g. 'month-over-month growth of sales in 2025', 'ventas acumuladas por mes 2025'",
                    "p. ej. 'crecimiento mes contra mes de las ventas en 2025', 'ventas acumuladas por mes 2025'",
                    not_understood=reading.words.get("over_time", []),
                )
            reading.notes.append(
                reading.say(
                    "Running total from the first row of the period."
                    if reading.over_time == "running"
                    else "Change from the previous row (the first row has none), absolute and in percent.",
                    "Acumulado desde la primera fila del periodo."
                    if reading.over_time == "running"
                    else "Cambio respecto de la fila anterior (la primera no tiene), absoluto y en porcentaje.",
                )
            )
        return None

    def _refuse_period_compared_with_itself(self, reading: _Reading) -> NotAnswerable | None:
        """Two period expressions that are the same period, joined by a comparison ("Q4 2025 vs el último
        trimestre", as of January 2026): answering the one period would drop the comparison silently."""
        if len(reading.periods) < 2 or not reading.words.get("comparison"):
            return None
        named = [found.day_period or found.period for found in reading.found_periods] or reading.periods
        if len({(period.start, period.end) for period in [*named, *reading.periods]}) > 1:
            return None
        label = reading.periods[0].label
        return reading.refuse(
            reading.say(
                f"Both periods compared are {label} (as of {self.as_of.isoformat()}): name the other period.",
                f"Los dos periodos comparados son {label} (a la fecha de corte {self.as_of.isoformat()}): "
                "indica el otro periodo.",
            ),
            "two different periods, e.g. 'Q3 2025 vs Q4 2025'",
            "dos periodos distintos, p. ej. 'T3 2025 vs T4 2025'",
            not_understood=reading.words.get("period", []),
        )

    @staticmethod
    def _by_day(reading: _Reading, days: list[FoundPeriod]) -> bool:
        """One period of days, or a breakdown by week or day of one period (or of all time), asked for figures
        that add up over days (spend, leads, CTR, ROI …), per campaign or brand at most: answered from the daily
        table (D163, D164). A period of days replaces the months that hold the days."""
        found = days[0].day_period if len(days) == 1 else None
        # two periods of days compared ("week 50 vs week 51", "del 1 al 7 vs del 8 al 14 de diciembre")
        pair = [item.day_period for item in days if item.day_period is not None]
        compared = len(pair) == 2 == len(reading.found_periods) and bool(reading.change or reading.compare)
        dimensions = {*reading.group_by, *(ref.dimension for ref in reading.filters)}
        if reading.rank_dimension is not None:
            dimensions.add(reading.rank_dimension)
        if compared:
            if (
                not reading.metrics
                or not all(by_day(metric.value) for metric in reading.metrics)
                or not dimensions <= DAY_DIMENSIONS
                or DAILY_BREAKDOWNS & dimensions
                or reading.funnel
                or reading.subjects
                or reading.threshold is not None
                or reading.per is not None
            ):
                return False
            reading.periods = pair
            reading.understood["periods"] = [period.label for period in pair]
            return True
        if (
            (found is None and (days or not DAILY_BREAKDOWNS & dimensions))
            or len(reading.found_periods) > 1
            or len(reading.periods) > 1
            or (days and len(reading.periods) != 1)
            or not reading.metrics
            or not all(by_day(metric.value) for metric in reading.metrics)
            or not dimensions <= DAY_DIMENSIONS
            or reading.funnel
            or reading.change
            or reading.compare
            or reading.subjects
            or reading.threshold is not None
            or reading.per not in (None, "day", "campaign")
            or (reading.per is not None and DAILY_BREAKDOWNS & dimensions)
        ):
            return False
        if found is not None:
            reading.periods = [found]
            reading.understood["periods"] = [found.label]
        return True

    @classmethod
    def _refuse_days(cls, reading: _Reading, unread: list[str] | None = None) -> NotAnswerable | None:
        """Days or weeks that are not whole months ("15–31 December 2025", "week 50", "weekly"): figures that
        add up over days are answered from the daily table; others (distinct clients, budgets, a breakdown
        by channel or market) are kept per month only, so they are refused, naming the months that hold them."""
        days = [item for item in reading.found_periods if item.days]
        breakdown = DAILY_BREAKDOWNS & {*reading.group_by, reading.rank_dimension}
        if not days and not unread and not breakdown:
            return None
        if not unread and cls._by_day(reading, days):
            return None
        if not days and not unread:  # "ventas semanales por canal": the words that asked for weeks or days
            unread = [word for word in reading.words.get("group_by", []) if word in words.DAYS_AND_WEEKS]
        if days:
            asked = ", ".join(f"{item.days}" for item in days)
            months = ", ".join(dict.fromkeys(item.period.label for item in days))
            english = f"{asked} is only part of {months}"
            spanish = f"{asked} es solo una parte de {months}"
            needs = (f"whole months, e.g. {months}", f"meses completos, p. ej. {months}")
        else:
            english = spanish = f"'{' '.join(unread or [])}'"
            english += " asks for days or weeks"
            spanish += " pide días o semanas"
            needs = ("whole months, quarters, halves or years", "meses, trimestres, semestres o años completos")
        return reading.refuse(
            reading.say(
                f"{english}: the warehouse holds this per month, so days and weeks cannot be told apart "
                "within a month, and a month's figure is not passed off as a week's (only totals that add up "
                "over days — spend, leads, sales, clicks … and their ratios — per campaign or brand are kept by day).",
                f"{spanish}: el almacén guarda esto por mes, así que no distingue días ni semanas dentro "
                "de un mes, y no se da la cifra del mes como si fuera la de una semana (por día solo se guardan "
                "los totales que se suman — gasto, leads, ventas, clics … y sus razones — por campaña o marca).",
            ),
            *needs,
            refusal="grain",
            not_understood=[word for item in days for word in (item.days or "").split()] or list(unread or []),
        )

    def _account_for_words(self, reading: _Reading) -> NotAnswerable | None:
        """Every word must be read, be a stop word, or be stated as ignored; words that change the meaning
        (an unknown figure, a nested subject, a period, a filter …) refuse the question, naming them."""
        ratio = self._ratio_of_metrics(reading)
        leftover = words.classify(self._unread(reading))
        if leftover.stop:
            reading.words.setdefault("stop", []).extend(leftover.stop)
        meaningful = dict(leftover.meaningful)
        if set(meaningful) == {"unknown"} and self._semantic_metric(reading, meaningful["unknown"]):
            meaningful = {}
        if ratio:
            meaningful = {"metric": ratio, **meaningful}
        if reading.funnel:  # a funnel has its own stages: a metric or a ranking asked with it is unused
            unused = [word for part in ("metrics", "ranking", "average") for word in reading.words.get(part, [])]
            if unused:
                meaningful.setdefault("subject", []).extend(unused)
        if len(reading.group_by) > 2:
            meaningful.setdefault("subject", []).extend(reading.words.get("group_by", []))
        misspelt = {word: language.closest(word, _CAMPAIGN_NOUNS) for word in meaningful.get("unknown", [])}
        misspelt = {word: known for word, known in misspelt.items() if known}
        if misspelt:  # "the campaings that ended …": the campaigns the question is about, as spelt
            reading.words.setdefault("scope", []).extend(misspelt)
            reading.understood_map("corrected").update(misspelt)
            meaningful["unknown"] = [word for word in meaningful["unknown"] if word not in misspelt]
            meaningful = {part: found for part, found in meaningful.items() if found}
        if len(reading.periods) == 1 and reading.periods[0].in_days and meaningful.get("period"):
            # "la semana del 8 al 14 de diciembre": the word names the days read, it asks for no breakdown
            named = [word for word in meaningful["period"] if word in _DAYS_NAMED]
            reading.words.setdefault("period", []).extend(named)
            meaningful["period"] = [word for word in meaningful["period"] if word not in _DAYS_NAMED]
            meaningful = {part: found for part, found in meaningful.items() if found}
        if not meaningful:
            reading.ignored = leftover.ignorable
            return None
        days = [word for word in meaningful.get("period", []) if word in words.DAYS_AND_WEEKS]
        if days:
            return self._refuse_days(reading, days)
        not_understood = [*{word: None for found in meaningful.values() for word in found}, *leftover.ignorable]
        if not reading.metrics and not reading.funnel and reading.rank_dimension is None and not reading.listing:
            return reading.refuse(
                reading.say("I could not find which figure you want", "No encontré qué cifra quieres")
                + reading.say(
                    f", and I did not understand {words.explain(meaningful, 'en')}.",
                    f", y no entendí {words.explain(meaningful, 'es')}.",
                ),
                "a metric: " + ", ".join(metric.value for metric in Metric),
                "una métrica: " + ", ".join(label(metric, "es") for metric in Metric),
                not_understood=not_understood,
            )
        return reading.refuse(
            reading.say(
                "I did not understand part of the question, and it changes the answer, so I do not answer a "
                f"simpler question: {words.explain(meaningful, 'en')}.",
                "No entendí parte de la pregunta, y cambia la respuesta, así que no respondo una pregunta más "
                f"simple: {words.explain(meaningful, 'es')}.",
            ),
            "the question without those words, or in two simpler steps",
            "la pregunta sin esas palabras, o en dos pasos más simples",
            not_understood=not_understood,
        )

    @staticmethod
    def _unread(reading: _Reading) -> list[str]:
        """The words no step read. "Campaigns" left over names the rows ("brands with active campaigns",
        "campañas lanzadas en 2025"): with no figure asked it asks to count them. A plural dimension word
        left over ("canales de la campaña …") lists that dimension."""
        unread: list[str] = []
        for match in words.WORD.finditer(reading.text):
            word = match.group()
            if word in _ALL_CAMPAIGNS:
                if not (reading.metrics or reading.funnel or reading.rank_dimension or reading.listing):
                    # "campañas activas México vs Colombia": compared, they are counted
                    if reading.group_by or reading.compare or _COUNT_WORDS & set(reading.normalized.split()):
                        reading.metrics = [CAMPAIGNS]
                        reading.read("metrics", match.start(), match.end())
                    else:  # "campañas de X que cerraron en …": which campaigns, not how many
                        reading.group_by.insert(0, Dimension.campaign)
                        reading.listing = True
                        reading.read("group_by", match.start(), match.end())
                    continue
                reading.words.setdefault("scope", []).append(word)
                continue
            listed = _PLURAL_DIMENSIONS.get(word)
            if listed is None and reading.subjects:  # "the objective of the campaign with the most sales"
                listed = _SUBJECT_ATTRIBUTES.get(word)
            if listed is Dimension.brand and _counts_a_class_of_brands(reading):
                reading.words.setdefault("scope", []).append(word)  # "how many sales did our fitness brands close"
                continue
            if listed is not None and len(reading.group_by) < 2 and reading.rank_dimension is None:
                if listed not in reading.group_by:
                    reading.group_by.insert(0, listed)
                reading.listing = True
                reading.read("group_by", match.start(), match.end())
                continue
            unread.append(word)
        return unread

    @staticmethod
    def _ratio_of_metrics(reading: _Reading) -> list[str]:
        """ "cost per conversion", "gasto por venta": two figures joined by per/por is a ratio not computed."""
        spans = sorted(reading.metric_spans)
        for (_, end, _), (start, stop, _) in zip(spans, spans[1:]):
            between = reading.normalized[end:start].split()
            if between and all(word in _PER_WORDS for word in between):
                return reading.normalized[spans[0][0] : stop].split()
        return []

    def _funnel_query(self, reading: _Reading) -> StructuredQuery:
        """The funnel stages, for the rows asked for, per entity when several are named or a breakdown is
        asked ("the funnel by channel", "compare the funnels of Instagram and TikTok")."""
        period, compare_periods = self._split_periods(reading)
        self._compare_several_mentions(reading)
        return StructuredQuery(
            intent=Intent.funnel,
            metrics=list(lexicon.FUNNEL_STAGES),
            group_by=reading.group_by[:2],
            filters=reading.filters,
            period=period,
            compare_periods=compare_periods,
            status=reading.status,
            statuses=reading.statuses,
            lifecycle=reading.lifecycle,
            language=reading.language,
            notes=reading.notes,
            words=reading.words,
            ignored=reading.ignored,
            as_of=self.as_of,
        )

    @staticmethod
    def _ranked_change(reading: _Reading) -> NotAnswerable | None:
        """ "which channel grew the most from November to December": a ranking by the change from the earlier
        period to the later (relative when asked in percent); with more than two periods it is refused."""
        if not (reading.change and reading.rank_dimension is not None and len(reading.periods) > 1):
            return None
        asked = reading.words.get("comparison", [])
        judged = sorted(lexicon.IMPROVEMENT_WORDS & set(reading.normalized.split()))
        if judged:
            return reading.refuse(
                reading.say(
                    f"Which change is an improvement ('{' '.join(judged)}') depends on the figure (a lower cost per "
                    "lead is better), so I do not rank by it.",
                    f"Qué cambio es una mejora ('{' '.join(judged)}') depende de la cifra (un costo por lead menor es "
                    "mejor), así que no ordeno por eso.",
                ),
                "the largest rise or fall (e.g. 'which channel's ROAS grew the most from Q3 to Q4 2025')",
                "la mayor subida o caída (p. ej. '¿qué canal subió más su ROAS del T3 al T4 2025?')",
                not_understood=judged,
            )
        if len(reading.periods) == 2:
            relative = _RELATIVE_WORDS & set(reading.words.get("comparison", []))
            reading.rank_change = "relative" if relative else "absolute"
            if lexicon.DECREASE_WORDS & set(reading.normalized.split()):
                reading.descending = not reading.descending  # "fell the most": the largest fall first
            return None
        return reading.refuse(
            reading.say(
                f"Ranking by a change between periods ('{' '.join(asked)}') is not computed; I would rank each "
                "period apart, which is another question.",
                f"No se calcula un ranking por el cambio entre periodos ('{' '.join(asked)}'); ordenaría cada "
                "periodo por separado, que es otra pregunta.",
            ),
            "the change by that dimension (e.g. 'sales by channel, November vs December 2025'), then compare",
            "el cambio por esa dimensión (p. ej. 'ventas por canal, noviembre vs diciembre 2025') y comparar",
            not_understood=asked,
        )

    def _default_metric(self, reading: _Reading) -> NotAnswerable | None:
        """No metric named: a ranking ranks by sales amount; anything else cannot be answered."""
        if reading.metrics:
            return None
        if reading.per is not None:  # "promedio de canales por campaña": an average of which figure?
            return reading.refuse(
                reading.say(
                    "An average needs the figure it averages, and I found none I can average.",
                    "Un promedio necesita la cifra que promedia, y no encontré ninguna que pueda promediar.",
                ),
                "a total to average, e.g. 'average sales amount per campaign'",
                "un total que promediar, p. ej. 'monto de ventas promedio por campaña'",
                not_understood=[*reading.words.get("average", []), *reading.words.get("group_by", [])],
            )
        if reading.rank_dimension is not None:
            reading.metrics = [DEFAULT_RANKING_METRIC]
            reading.notes.append(
                reading.say(
                    "No metric named: ranked by sales amount, the business's measure of success.",
                    "No se nombró una métrica: se ordena por monto de ventas, la medida de éxito del negocio.",
                )
            )
            return None
        if reading.listing:
            reading.metrics = [DEFAULT_RANKING_METRIC]
            reading.notes.append(
                reading.say(
                    "Listed with their sales amount (no metric named).",
                    "Listados con su monto de ventas (no se nombró una métrica).",
                )
            )
            return None
        unknown = reading.ignored
        return reading.refuse(
            reading.say("I could not find which figure you want.", "No encontré qué cifra quieres.")
            + (
                reading.say(f" I did not understand {words.quoted(unknown)}.", f" No entendí {words.quoted(unknown)}.")
                if unknown
                else ""
            ),
            "a metric: " + ", ".join(metric.value for metric in Metric),
            "una métrica: " + ", ".join(label(metric, "es") for metric in Metric),
            not_understood=unknown,
        )

    @staticmethod
    def _semantic_metric(reading: _Reading, unknown: list[str]) -> bool:
        """No metric named and only unknown words left: they are matched to the nearest metric by the
        sentence-embedding model, only above the measured threshold (:mod:`.semantic`); the match is stated
        in ``understood`` and in the answer's notes."""
        if reading.metrics or reading.funnel:
            return False
        from promptsales.sales.nlq.semantic import semantic_index

        phrase = " ".join(unknown)
        match = semantic_index().nearest(phrase, Metric)
        if match is None or not isinstance(match.target, Metric):
            return False
        reading.metrics = [match.target]
        reading.words.setdefault("semantic", []).extend(unknown)
        reading.understood["semantic"] = {
            "phrase": phrase,
            "metric": match.target.value,
            "nearest": match.text,
            "cosine": match.score,
        }
        reading.notes.append(
            reading.say(
                f"Read '{phrase}' as {label(match.target, 'en')} (nearest by meaning to '{match.text}', "
                f"cosine {match.score:.2f}).",
                f"Leí '{phrase}' como {label(match.target, 'es')} (lo más cercano por significado a "
                f"'{match.text}', coseno {match.score:.2f}).",
            )
        )
        return True

    def _query(self, reading: _Reading) -> StructuredQuery:
        """The query: one period or several to compare, a comparison of several names, then the intent
        (ranking, comparison, breakdown or a single value)."""
        period, compare_periods = self._split_periods(reading)
        self._compare_several_mentions(reading)
        if reading.group_by_status and Dimension.status not in reading.group_by:
            reading.group_by.append(Dimension.status)
        group_by = reading.group_by
        if reading.rank_dimension is not None and reading.rank_dimension not in group_by:
            group_by.insert(0, reading.rank_dimension)
        common: dict[str, Any] = {
            "group_by": group_by[:2],
            "filters": reading.filters,
            "period": period,
            "compare_periods": compare_periods,
            "status": reading.status,
            "statuses": reading.statuses,
            "lifecycle": reading.lifecycle,
            "per": reading.per,
            "over_time": reading.over_time,
            "advertised": reading.advertised,
            "share_of": reading.share_of,
            "as_of": self.as_of,
            "language": reading.language,
            "notes": reading.notes,
            "words": reading.words,
            "ignored": reading.ignored,
        }
        if reading.rank_dimension is not None:
            order_by = self._ranked_metric(reading)
            return StructuredQuery(
                intent=Intent.ranking,
                metrics=[order_by, *(metric for metric in reading.metrics if metric is not order_by)],
                order_by=order_by,
                rank_change=reading.rank_change,
                descending=reading.descending,
                limit=reading.limit or 1,
                **common,
            )
        if compare_periods or (reading.compare and group_by):
            intent = Intent.comparison
        elif group_by:
            intent = Intent.breakdown
        else:
            intent = Intent.value
        return StructuredQuery(intent=intent, metrics=reading.metrics, order_by=None, **common)

    @staticmethod
    def _ranked_metric(reading: _Reading) -> Metric:
        """The metric a ranking orders by: the first one named after the ranking word ("the campaign with
        the highest ROI"), else the last one before it, else the first."""
        if reading.rank_at is not None and len(reading.metrics) > 1:
            after = [metric for start, _, metric in sorted(reading.metric_spans) if start > reading.rank_at]
            before = [metric for start, _, metric in sorted(reading.metric_spans) if start < reading.rank_at]
            if after or before:
                return after[0] if after else before[-1]
        return reading.metrics[0]

    def _split_periods(self, reading: _Reading) -> tuple[Period | None, list[Period]]:
        """One period filters; several are compared, always from the earliest to the latest (a change is
        from the earlier period to the later, whichever was named first)."""
        period: Period | None = None
        compare_periods: list[Period] = []
        # one period written twice ("el 4º bimestre de 2025 (jul-ago)", "Q4 2025 … del Q4 2025") is one period
        periods = list({(found.start, found.end): found for found in reversed(reading.periods)}.values())[::-1]
        holders = [p for p in periods if all(p.start <= q.start and q.end <= p.end for q in periods)]
        if len(periods) >= 3 and len(holders) == 1:  # "¿fue mejor el T4 que el T3 en ventas 2025?": 2025 dates them
            periods.remove(holders[0])
        joined = _joined_months(reading) if len(periods) == 2 and not (reading.compare or reading.change) else None
        if joined is not None:  # "ventas de julio y agosto": the two months together
            period = joined
        elif len(periods) == 1:
            period = periods[0]
        elif len(periods) > 1:
            compare_periods = sorted(periods, key=lambda found: (found.start, found.end))
        return period, compare_periods

    @staticmethod
    def _compare_several_mentions(reading: _Reading) -> None:
        """Several distinct mentions of one dimension → compare them side by side, unless they are one group:
        asked together, or joined by "or" when the figure counts distinct buyers or ads ("how many clients bought
        through email or SMS" counts each client once)."""
        for dimension, mentions in _mentions_by_dimension(reading).items():
            if len(mentions) > 1 and dimension not in reading.group_by:
                if reading.together or (_counts_distinct(reading.metrics) and _joined_by_or(reading, mentions)):
                    reading.notes.append(
                        reading.say(
                            f"{' and '.join(sorted(mentions))} together, as one group.",
                            f"{' y '.join(sorted(mentions))} juntos, como un solo grupo.",
                        )
                    )
                    continue
                # "México vs Colombia": countries named whole are compared as countries, not market by market
                countries = dimension is Dimension.market and all(mention in _COUNTRY_NAMES for mention in mentions)
                reading.group_by.insert(0, Dimension.country if countries else dimension)
                reading.compare = True

    # -- pieces -------------------------------------------------------------------------------------------
    def _out_of_scope(self, text: str, question: str) -> str | None:
        for topic, phrases in lexicon.OUT_OF_SCOPE.items():
            for word in phrases:
                if word in language.ACCENTED_NOUNS and not language.means_accented_noun(word, question):
                    continue  # "generó" (generated) folds to the same letters as "género" (gender)
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
        for match in list(_QUOTED.finditer(text)):
            fragment = (match.group(1) or match.group(2)).strip()
            whole_name = self.catalog.named(Dimension.campaign, fragment)
            if len(whole_name) == 1:  # a campaign's whole name, quoted: nothing to match fuzzily
                refs.append(_campaign_ref(fragment, (whole_name[0].key, whole_name[0].name, 1.0)))
                text = blank_span(text, match.start(), match.end())
                continue
            brand = self.catalog.match_brand(fragment)
            if brand and brand[1] >= 0.9 and not self._is_campaign_name(fragment):
                continue  # a quoted brand: leave it for the brand finder
            best = self.catalog.match_campaign(fragment)
            if not best or best[0][2] < CAMPAIGN_MATCH_THRESHOLD:
                return [], text, self._unknown_campaign(fragment, best, language)
            chosen, text = self._one_campaign(fragment, best, text)
            if chosen is None:
                return [], text, self._ambiguous_campaign(fragment, best, language)
            refs.append(_campaign_ref(fragment, chosen))
            text = blank_span(text, match.start(), match.end())
        named_text = text
        exact, text = self.catalog.find_mentions(text, Dimension.campaign)
        refs.extend(ref for ref in exact if all(ref.key != other.key for other in refs))
        for match in list(
            re.finditer(
                r"\b(?:campaign|campana) (?:named |called |llamada |de nombre )?"
                r"([a-z0-9][a-z0-9&\-]*(?: [a-z0-9][a-z0-9&\-]*){0,9})",
                text,
            )
        ):
            if _asks_for_a_campaign(text[: match.start()], match.group(1)):
                continue  # "qué campaña generó más …", "which campaign had …": a ranking, not a name
            before = named_text[: match.start()].rstrip()
            if any(ref.matched_text and before.endswith(ref.matched_text) for ref in exact):
                continue  # "the Summer Glow campaign hit its goal": the name came before the word
            if re.search(r"(?<![a-z0-9])(?:per|por|x|cada|each|every)$", before):
                continue  # "gasto promedio x campaña oct-dic 2025": a unit of the average, then a period
            named = dimension_name_at(text[match.start() :].split(), 0)
            if named is not None and named[0] is not Dimension.campaign:
                continue  # "campaign objective": another dimension's name, not a campaign's
            if match.group(1).split()[0] in _LIFECYCLE_VERBS:
                continue  # "the biggest-budget campaign launched in Q4 2025": when it ran, not its name
            fragment, best = self._best_campaign_prefix(match.group(1))
            if not fragment or set(fragment.split()) <= _STATUS_ADJECTIVES:
                continue  # "la campaña activa con mayor presupuesto": a status, not a name
            if not best or best[0][2] < CAMPAIGN_MATCH_THRESHOLD:
                if _in_another_dimension_name(text, match.start()):
                    continue  # "CPL x objetivo de campaña jul-dic 2025": the objective's name, then a period
                return [], text, self._unknown_campaign(fragment, best, language)
            chosen, text = self._one_campaign(fragment, best, text)
            if chosen is None:
                return [], text, self._ambiguous_campaign(fragment, best, language)
            if all(chosen[0] != other.key for other in refs):
                refs.append(_campaign_ref(fragment, chosen))
            start = match.start(1)
            length = len(fragment) if match.group(1).startswith(fragment) else len(match.group(1).rstrip())
            text = blank_span(text, start, start + length)
        return refs, text, None

    def _one_campaign(
        self, fragment: str, best: list[tuple[int | str, str, float]], text: str
    ) -> tuple[tuple[int | str, str, float] | None, str]:
        """The one campaign ``fragment`` names, and the text with the other parts of its name that the
        question also wrote blanked ("la campaña Buen Fin 2025 de Casa Casa, Sofá Modular"); None when
        several campaigns fit equally (every "… · Buen Fin 2025") and the question names no other part of one."""
        tied = [match for match in best if match[2] >= best[0][2] - TIE_MARGIN]
        if len(tied) == 1:
            return tied[0], text
        wanted = normalize(fragment)
        candidates = [(c.key, c.name, best[0][2]) for c in self.catalog.campaigns if wanted in normalize_name(c.name)]
        named = []
        for candidate in candidates or tied:
            parts = [normalize_name(part) for part in candidate[1].split("·")]
            spans = [m.span() for part in parts if part and part not in wanted for m in _find(part, text)]
            if spans:
                named.append((candidate, spans))
        most = max((len(spans) for _, spans in named), default=0)
        named = [item for item in named if len(item[1]) == most]  # brand and product named beat brand alone
        if len(named) != 1:
            return None, text
        for start, end in named[0][1]:
            text = blank_span(text, start, end)
        return named[0][0], text

    @staticmethod
    def _ambiguous_campaign(fragment: str, best: list[tuple[int | str, str, float]], language: str = "en") -> str:
        names = ", ".join(f"“{name}”" for _, name, score in best if score >= best[0][2] - TIE_MARGIN)
        if language == "es":
            return f"Varias campañas coinciden igual de bien con “{fragment}”: {names}… ¿Cuál?"
        return f"Several campaigns match “{fragment}” equally well: {names}… Which one?"

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
        words = words[: self._brand_after(tail.split(), len(words))]
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

    def _brand_after(self, tail: list[str], limit: int) -> int:
        """Where a campaign's name ends when "de"/"of" a brand's whole name follows it within the first ``limit``
        words ("Regalos de Navidad 2025 *de Vida Azul*"): the position of that "de", else ``limit``."""
        for index in range(1, limit):
            if tail[index] not in _BRAND_OF:
                continue
            rest = tail[index + 1 : index + 6]
            if any(self.catalog.named(Dimension.brand, " ".join(rest[:size])) for size in range(1, len(rest) + 1)):
                return index
        return limit

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
    def _statuses(text: str) -> tuple[list[str], str]:
        """Every status the question names ("activas y finalizadas"), in order of the vocabulary."""
        found: list[str] = []
        for status, phrases in lexicon.STATUS_WORDS.items():
            for word in sorted(phrases, key=len, reverse=True):
                for match in _find(word, text):
                    if status not in found:
                        found.append(status)
                    text = blank_span(text, match.start(), match.end())
        return found, text

    @staticmethod
    def _metrics(text: str) -> tuple[list[tuple[int, int, Metric]], str]:
        """Every metric phrase (longest first) with where it was, and the text with them blanked."""
        phrases = sorted(
            ((phrase, metric) for metric, words in lexicon.METRIC_PHRASES.items() for phrase in words),
            key=lambda pair: len(pair[0]),
            reverse=True,
        )
        found: list[tuple[int, int, Metric]] = []
        for phrase, metric in phrases:
            # words already read may stand between a phrase's words ("how many [finished] campaigns")
            pattern = re.escape(phrase).replace(r"\ ", r"\s+")
            for match in list(compiled(rf"(?<![a-z0-9]){pattern}(?![a-z0-9])").finditer(text)):
                found.append((match.start(), match.end(), metric))
                text = blank_span(text, match.start(), match.end())
        found.sort()
        return found, text

    def _group_by(self, text: str) -> tuple[list[Dimension], str]:
        group_by: list[Dimension] = []
        for word in lexicon.MONTHLY_WORDS:
            match = contains_phrase(text, word)
            if match:
                group_by.append(Dimension.month)
                text = blank_span(text, match.start(), match.end())
        markers = sorted(lexicon.GROUP_MARKERS, key=len, reverse=True)
        for marker in markers:
            pattern = rf"(?<![a-z0-9]){re.escape(marker)}\s+(?=([a-z]+(?:\s+[a-z]+){{0,4}}))"
            for match in list(compiled(pattern).finditer(text)):
                tokens = match.group(1).split()
                found = dimension_name_at(tokens, 0)
                skipped = 0
                brand_industry = _BRAND_INDUSTRY.match(" ".join(tokens))
                if brand_industry:  # "por industria de la marca", "by brand industry": the brands' industry
                    found = (Dimension.industry, len(brand_industry.group().split()))
                partitive = _EACH_OF.match(" ".join(tokens)) if marker in _EACH_MARKERS else None
                if found is None and partitive:  # "cada una de las marcas", "each of our channels"
                    skipped = len(partitive.group().split())
                    found = dimension_name_at(tokens, skipped)
                if found is None and tokens[0] in _CLASS_ARTICLES:  # "según el objetivo de la campaña"
                    found = dimension_name_at(tokens, 1)
                    if found is not None and found[0] not in _CLASSES:
                        found = None
                    skipped = 1
                if found is not None and found[0] not in group_by:
                    group_by.append(found[0])
                    last = list(re.finditer(r"[a-z]+", match.group(1)))[skipped + found[1] - 1]
                    end = match.start(1) + last.end()
                    text = blank_span(text, match.start(), end)
                    text = self._second_group(text, end, group_by)
        return group_by, text

    def _second_group(self, text: str, end: int, group_by: list[Dimension]) -> str:
        """ "by channel *and month*", "por canal *y mes*": a second dimension joined to a breakdown; "por sector
        *o industria*": another word for the same one."""
        joined = re.match(r"\s*(?:and|y|e|&|or|o|u)\s+([a-z]+(?:\s+[a-z]+)?)", text[end:])
        if joined is None:
            return text
        found = dimension_name_at(joined.group(1).split(), 0)
        if found is None:
            return text
        last = list(re.finditer(r"[a-z]+", joined.group(1)))[found[1] - 1]
        if found[0] in group_by:
            synonym = joined.group().split()[0] in ("or", "o", "u") and found[0] == group_by[-1]
            return blank_span(text, end, end + joined.start(1) + last.end()) if synonym else text
        group_by.append(found[0])
        return blank_span(text, end, end + joined.start(1) + last.end())

    def _ranking(self, text: str) -> _Ranking:
        """The dimension a ranking ranks ("which channel", "top 5 campaigns", "las 3 peores campañas"), how
        many, in which direction, and the words it read: the dimension word, the ranking word, the "which"
        word and the number."""
        spans = [(m.start(), m.end()) for m in words.WORD.finditer(text)]
        tokens = [text[start:end] for start, end in spans]
        # "más bajo" / "más baja": the lowest
        low = [i for i, token in enumerate(tokens) if token in lexicon.LOW_WORDS and i and tokens[i - 1] == "mas"]
        descending = not any(token in lexicon.RANK_ASC_WORDS for token in tokens) and not low
        rank_words = set(lexicon.RANK_DESC_WORDS) | set(lexicon.RANK_ASC_WORDS) | _SORT_WORDS
        ranked_at = [i for i, token in enumerate(tokens) if token in rank_words]
        has_rank_word = bool(ranked_at)
        where = next((i for i in range(min(2, len(tokens))) if tokens[i] in ("where", "donde")), None)
        for index in range(len(tokens)):
            found = dimension_name_at(tokens, index, ranked=True)
            if found is None:
                continue
            dimension, length = found
            first = max(0, index - 4)
            before = list(range(first, index))
            relative = _relative_pronoun(tokens, index + length)  # "the market *in which* we got the most"
            # "which month *of* [2025] did we get the most leads": the period's joining word left after it was read
            joined = next((i for i in range(index + length, len(tokens)) if tokens[i] not in _PERIOD_JOINERS), 0)
            joined = max(0, joined - index - length)
            after = list(range(index + length, min(len(tokens), index + length + len(relative) + joined + 5)))
            numbers = [i for i in before if how_many(tokens[i])]
            which = [i for i in before[-2:] if tokens[i] in lexicon.WHICH_WORDS]
            ranked_before = [i for i in before if tokens[i] in rank_words]
            ranked_after = [i for i in after if tokens[i] in rank_words]
            if not (which or ranked_before or (numbers and has_rank_word) or (ranked_after and has_rank_word)):
                continue
            rank_word = ranked_before[-1:] or ranked_after[:1]
            if not rank_word and numbers:  # "3 campaigns … worst": the ranking word elsewhere
                rank_word = ranked_at[:1]
            used = [*range(index, index + length), *which[-1:], *rank_word, *numbers[-1:]]
            used += [i for i in low if i - 1 in rank_word]
            # "top 3 países con el CPC *más alto*", "top 3 campañas con el CPM *más bajo*": the direction, said again
            graded = [i for i in range(1, len(tokens)) if tokens[i - 1] == "mas" and tokens[i] in _GRADED]
            others = set(ranked_at) - {*rank_word, *(i - 1 for i in graded)}
            if rank_word and tokens[rank_word[0]] != "mas" and len(graded) == 1 and not others:
                used += [graded[0] - 1, graded[0]]
            if dimension is Dimension.market and where is not None and where < index:
                # "where did we get the most reach? top 3 cities": the place asked is the ranked market
                used += [where, *range(where), *ranked_at[:1]]
            trailing = [] if numbers else _trailing_limit(text, spans, tokens, dimension)
            if trailing:  # "which channels had the most sales? top 3", "…, las 2 peores"
                numbers = [i for i in trailing if how_many(tokens[i])][:1]
                used += trailing
            if ranked_after:  # "el mercado *donde* más vendió", "the channel *in which* we spent the most"
                used += relative
            # "rank channels by CPL", "ordena los mercados por leads": every member, in order
            sorted_all = bool(rank_word) and tokens[rank_word[0]] in _SORT_WORDS and not numbers
            used += [i for i, token in enumerate(tokens) if token in _SORT_WORDS]  # "top 5 … ranked by reach"
            return _Ranking(
                dimension=dimension,
                limit=how_many(tokens[numbers[-1]]) if numbers else (_ALL_RANKED if sorted_all else None),
                descending=descending,
                at=spans[rank_word[0]][0] if rank_word else None,
                spans=[spans[i] for i in sorted(set(used))],
            )
        # "where did we get the most leads", "¿dónde vendimos más?": where is a market
        if tokens and tokens[0] in ("where", "donde", "en") and has_rank_word:
            rank_word = ranked_at[:1]
            if where is not None and rank_word:
                used = [where, *rank_word, *(i for i in low if i - 1 in rank_word), *range(where)]
                return _Ranking(
                    Dimension.market, None, descending, spans[rank_word[0]][0], [spans[i] for i in sorted(set(used))]
                )
        return _Ranking(None, None, descending, None, [])


#: The words for campaigns, which a misspelling of is read as them ("campaings", "campanias").
_CAMPAIGN_NOUNS = lexicon.DIMENSION_WORDS[Dimension.campaign]
#: The words of a month as a unit ("which month", "por mes").
_MONTH_NOUNS = frozenset(lexicon.DIMENSION_WORDS[Dimension.month])
#: Words that join a period to the noun before it ("the month *of* 2025", "el mes *de* 2025").
_PERIOD_JOINERS = frozenset({"of", "de", "del", "in", "en", "during", "durante"})
#: Words that grade a figure after "más" ("más alto", "más bajo", "más caro").
_GRADED = frozenset({*lexicon.LOW_WORDS, *lexicon.HIGH_WORDS})
#: Words a limit added after a ranking question may hold besides its number: "? top 3", ", las 2 peores".
_LIMIT_CLAUSE_WORDS = frozenset(
    "only just solo solamente the los las top bottom worst best peores mejores first primeros primeras".split()
)


def _trailing_limit(text: str, spans: list[tuple[int, int]], tokens: list[str], dimension: Dimension) -> list[int]:
    """The tokens of a limit written as a clause of its own after a ranking question ("which channels had the
    most sales? top 3", "industrias con menor CTR en 2025, las 2 peores"): one count, the ranked noun at most,
    and words of :data:`_LIMIT_CLAUSE_WORDS`; else nothing."""
    after = text.rfind("|")  # clause punctuation, as normalised
    clause = [i for i, (start, _) in enumerate(spans) if start > after] if after >= 0 else []
    counts = [i for i in clause if how_many(tokens[i])]
    if len(counts) != 1 or len(clause) == 1 or clause[0] == 0:  # a bare number is not a limit
        return []
    rest = [i for i in clause if i not in counts and tokens[i] not in _LIMIT_CLAUSE_WORDS]
    noun = dimension_name_at(tokens, rest[0], ranked=True) if rest else None
    if rest and (noun is None or noun[0] != dimension or rest != list(range(rest[0], rest[0] + noun[1]))):
        return []
    return clause


#: Breakdowns by time: a trend is by one of them; a share is not of one.
_TIME_DIMENSIONS = frozenset({Dimension.month, *DAILY_BREAKDOWNS})
#: The dimensions whose values a question names next to the dimension's word ("the travel industry").
_NAMED_VALUES = (Dimension.brand, Dimension.channel, Dimension.market, Dimension.objective, Dimension.industry)
#: The dimensions that are a campaign's class: its objective and its brand's industry.
_CLASSES = (Dimension.objective, Dimension.industry)
#: Articles that may stand between a breakdown marker and a class ("según *el* objetivo", "by *their* industry").
_CLASS_ARTICLES = frozenset("el la los las su sus the their its".split())
#: Each word of an objective value → the objective (the words alone and the words that are also a figure).
_OBJECTIVE_OF_WORD: dict[str, str] = {
    word: objective
    for table in (OBJECTIVE_ALIASES, OBJECTIVE_FIGURE_WORDS)
    for objective, aliases in table.items()
    for word in (objective, *aliases)
}
_OBJECTIVE_VALUE = r"(?P<value>" + "|".join(map(re.escape, sorted(_OBJECTIVE_OF_WORD, key=len, reverse=True))) + ")"
#: An objective named next to the word "objective": "objetivo de ventas", "objetivo: generar leads", "whose
#: objective is sales", "a sales objective", "sales-objective", "leads as their objective" (never after
#: "cumplimiento del", which is the success rate).
_OBJECTIVE_NAMED = re.compile(
    r"(?<![a-z0-9])(?<!cumplimiento del )(?<!cumplimiento de )(?:(?:cuyo|cuya|cuyos|cuyas|whose)\s+)?"
    r"(?:objetivos?|objectives?)"
    r"(?:\s+(?:es|son|era|fue|de|del|is|was|of|being)|\s*\|)*\s+"
    + _OBJECTIVE_VALUE
    + r"(?![a-z0-9])|(?<![a-z0-9])"
    + _OBJECTIVE_VALUE.replace("value", "value2", 1)
    + r"(?:[\s-]+objectives?|\s+as\s+(?:(?:their|its|the|an?|our)\s+)?(?:(?:main|primary)\s+)?(?:objectives?|goal))"
    r"(?![a-z0-9])"
)
#: "campañas de ventas", "sales campaigns": the campaigns whose objective is sales, or the campaigns' sales.
_OBJECTIVE_OR_FIGURE = re.compile(
    r"(?<![a-z0-9])campanas?\s+(?:de|para)\s+(?:(?:las|los)\s+)?(?P<figure>ventas|venta|leads|lead|engagement)(?![a-z0-9])"
)
_OBJECTIVE_OR_FIGURE_EN = re.compile(
    r"(?<![a-z0-9])(?P<figure>sales|sale|leads|lead|engagement)[\s-]+campaigns?(?![a-z0-9])"
)
#: A period named by reference to another: "that month", "the same quarter", "ese trimestre", "el mismo año".
_ANAPHORIC_PERIOD = re.compile(
    r"(?<![a-z0-9])(?:(?:in|during|for|over)\s+)?(?:that|the\s+same)\s+(?:month|quarter|year|half|semester|period)"
    r"(?![a-z0-9])|(?<![a-z0-9])(?:(?:en|durante|para)\s+)?(?:ese|esa|el\s+mismo|la\s+misma|dicho|dicha)\s+"
    r"(?:mes|trimestre|ano|semestre|bimestre|periodo)(?![a-z0-9])"
)


def _by_unit(*nouns: str) -> re.Pattern[str]:
    """ "by/per/each/every/por/cada/en cada/x <noun>": a breakdown by that unit of time."""
    return re.compile(rf"(?<![a-z0-9])(?:by|per|each|every|por|cada|en cada|x)\s+(?:{'|'.join(nouns)})(?![a-z0-9])")


#: A breakdown by month, week or day asked with a marker ("por mes", "by week", "cada día").
_BY_MONTH = _by_unit("month", "mes")
_BY_WEEK = _by_unit("week", "semana")
_BY_DAY = _by_unit("day", "dia")


def _daily_breakdowns(text: str, group_by: list[Dimension]) -> str:
    """ "weekly sales in December", "gasto por semana", "leads por día del 1 al 7 de enero": a breakdown by week
    or by day (the daily table's, D164), appended to ``group_by``; returns ``text`` with the words blanked."""
    for dimension, phrases, pattern in (
        (Dimension.week, lexicon.WEEKLY_WORDS, _BY_WEEK),
        (Dimension.day, lexicon.DAILY_WORDS, _BY_DAY),
    ):
        spans = [m.span() for word in phrases if (m := contains_phrase(text, word)) is not None]
        spans += [m.span() for m in pattern.finditer(text)]
        if spans and dimension not in group_by:
            group_by.append(dimension)
        for start, end in spans:
            text = blank_span(text, start, end)
    return text


#: Words that put every member of a dimension in order ("rank the channels by CPL", "ordena los mercados por leads").
_SORT_WORDS = frozenset(
    "rank ranked ranking sort sorted ordena ordenar ordenados ordenadas ordenado ordenada clasifica clasificar".split()
)
#: How many members a ranking of all of them shows (the query model's limit).
_ALL_RANKED = 100
#: A breakdown marker right before a dimension word or the name it follows ("por mercado de México").
_BREAKDOWN_BEFORE = re.compile(r"(?<![a-z0-9])(?:by|per|each|every|por|cada|x)\s*$")
#: "US", "U.S.", "U.S.A." written in capitals: the country ("us" in lower case is a pronoun, not an alias).
_US_COUNTRY = re.compile(r"(?<![A-Za-z.])U\.?S\.?(?:A\.?)?(?![A-Za-z])")
#: "q" alone, as Spanish chat writes "que" (never a name: quarters are "q1" … "q4").
_CHAT_QUE = re.compile(r"(?<![a-z0-9'])q(?![a-z0-9'])")
#: Verbs of when campaigns ran that have no period of their own left: a status now — running now is active
#: ("currently running", "en curso"), already ended is finished ("ya terminaron", "have ended").
_STATUS_VERBS: dict[str, tuple[str, ...]] = {
    "active": (
        "currently running",
        "running now",
        "running",
        "ongoing",
        "en curso",
        "corriendo",
        "vigente",
        "vigentes",
    ),
    "finished": (
        *("have already finished", "have already ended", "have already completed", "already finished"),
        *("already completed", "have finished", "have completed", "have ended", "already ended"),
        *("ya terminaron", "ya finalizaron", "ya acabaron", "ya concluyeron", "ya cerraron", "ya termino"),
    ),
}
#: Lifecycle verbs ("launched", "lanzada"): after "campaign" they say when it ran, not its name.
_LIFECYCLE_VERBS = frozenset(
    phrase for phrases in lexicon.LIFECYCLE_WORDS.values() for phrase in phrases if " " not in phrase
)
#: Status words ("activa", "finalizadas"): after "campaña" they are an adjective, not a campaign's name.
_STATUS_ADJECTIVES = frozenset(word for phrases in lexicon.STATUS_WORDS.values() for p in phrases for word in p.split())
#: How far (characters) from a threshold's words the figure it is on may be named ("more than 50,000 in sales").
_THRESHOLD_REACH = 24
#: Nouns that name the groups a threshold keeps, and what counting them counts.
_GROUP_NOUNS: dict[str, Dimension] = {
    word: dimension
    for dimension in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market)
    for word in lexicon.DIMENSION_WORDS[dimension]
    if word.endswith("s") and " " not in word
}
_GROUP_NOUN = re.compile(
    r"(?<![a-z0-9])(?P<noun>" + "|".join(sorted(_GROUP_NOUNS, key=len, reverse=True)) + r")(?![a-z0-9])"
)
#: A counted noun right after a threshold's number ("more than 8 campaigns") and the metric counting it.
_COUNTED_NOUNS: dict[str, Metric] = {
    **{word: COUNTED_DIMENSIONS[d] for word, d in _GROUP_NOUNS.items() if d in COUNTED_DIMENSIONS},
    **{word: Metric("brands") for word, d in _GROUP_NOUNS.items() if d is Dimension.brand},
    "ads": Metric("ads"),
    "anuncios": Metric("ads"),
    "sales": Metric("sales_count"),  # "more than 500 sales": sales counted, not an amount
    "ventas": Metric("sales_count"),
    "clients": Metric("clients"),
    "clientes": Metric("clients"),
}
_COUNTED_NOUN = re.compile(
    # "at least 5 *active* campaigns": a status word may qualify the noun (read by the status reader, not here)
    r"\s+(?:(?:different|distinct|distintas|distintos|diferentes)\s+)?"
    r"(?:(?:active|finished|paused|cancelled|activas|activos|finalizadas|pausadas|canceladas)\s+)?(?P<noun>"
    + "|".join(sorted(_COUNTED_NOUNS, key=len, reverse=True))
    + r")(?![a-z0-9])"
)
#: "met their sales goal", "cumplieron su meta", "exceeded its goal", "superaron la meta": a success rate ≥ (or >) 100 %.
_GOAL_MET = re.compile(
    r"(?<![a-z0-9])(?:(?:met|meet|meets|hit|hits|reached|reach|achieved|achieve|cumplio|cumplieron|cumple|cumplen"
    r"|alcanzo|alcanzaron|logro|lograron)|(?P<over>exceeded|exceed|exceeds|surpassed|beat|supero|superaron|supera"
    r"|superan|rebaso|rebasaron))\s+(?:(?:its|their|the|su|sus|la|las|el)\s+)?(?:(?:sales\s+)?goals?|(?:sales\s+)?targets?"
    r"|metas?(?:\s+de\s+ventas?)?)(?![a-z0-9])"
)
#: Figures recorded per whole campaign: an average of one is per campaign ("average budget").
_PER_CAMPAIGN_FIGURES = frozenset({Metric("budget"), Metric("goal_amount")})
#: Words of a count of campaigns between a lifecycle verb and its period ("launched *the most campaigns* in 2025").
_COUNTED_CAMPAIGNS = frozenset("most more fewest least mas menos campaigns campanas".split())
#: A breakdown between a lifecycle word and its period ("running *in each market* in Q4", "al aire *x mercado*").
_BREAKDOWN_BETWEEN = frozenset("each cada by por x per".split()) | frozenset(
    word for dimension, names in lexicon.DIMENSION_WORDS.items() for word in names if " " not in word
)
#: A breakdown of one period into its quarters or halves, by the months in each part.
_PERIOD_PARTS = {
    3: re.compile(
        r"(?<![a-z0-9])(?:(?:by|per|por|cada|each|x)\s+(?:quarters?|trimestres?)|quarterly|trimestral(?:es|mente)?"
        r"|quarter\s+(?:by|to|after)\s+quarter|trimestre\s+a\s+trimestre)(?![a-z0-9])"
    ),
    6: re.compile(
        r"(?<![a-z0-9])(?:(?:by|per|por|cada|each|x)\s+(?:halfs?|halves|semesters?|semestres?)|semestral(?:es|mente)?"
        r"|semestre\s+a\s+semestre)(?![a-z0-9])"
    ),
}

#: Relative pronouns that may follow a ranked dimension word, as token sequences.
_RELATIVE_PRONOUNS = (
    ("donde",),
    ("where",),
    ("in", "which"),
    ("on", "which"),
    ("through", "which"),
    ("en", "que"),
    ("en", "el", "que"),
    ("en", "la", "que"),
    ("en", "los", "que"),
    ("en", "las", "que"),
    ("por", "el", "que"),
    ("por", "donde"),
)


def _relative_pronoun(tokens: list[str], at: int) -> list[int]:
    """The indexes of the relative pronoun starting at ``at``, if one does ("donde", "en el que", "in which")."""
    for pronoun in sorted(_RELATIVE_PRONOUNS, key=len, reverse=True):
        if tuple(tokens[at : at + len(pronoun)]) == pronoun:
            return list(range(at, at + len(pronoun)))
    return []


@dataclass
class _Ranking:
    """What the ranking step found."""

    dimension: Dimension | None
    limit: int | None
    descending: bool
    at: int | None  # where the ranking word is
    spans: list[tuple[int, int]]


def _top_of_breakdown(text: str, dimension: Dimension, descending: bool) -> _Ranking:
    """ "leads por campaña en diciembre, top 5", "sales by channel, the best 3": "top N" away from the
    dimension word ranks the question's one breakdown."""
    match = re.search(
        r"(?<![a-z0-9])(?:(?:the\s+|los\s+|las\s+)?(top|best|mejores|primeros|primeras|worst|peores|bottom)\s+(\d{1,3})"
        r"|(\d{1,3})\s+(?:mejores|peores|primeros|primeras))(?![a-z0-9])",
        text,
    )
    if match is None:
        return _Ranking(None, None, descending, None, [])
    word = match.group(1) or ""
    limit = how_many(match.group(2) or match.group(3))
    if limit is None:
        return _Ranking(None, None, descending, None, [])
    ascending = word in ("worst", "peores", "bottom") or "peores" in match.group()
    return _Ranking(dimension, limit, not ascending, match.start(), [match.span()])


def _campaign_ref(fragment: str, match: tuple[int | str, str, float]) -> EntityRef:
    """The campaign a fragment of the question names, from one ``(key, name, score)`` catalogue match."""
    key, name, score = match
    return EntityRef(dimension=Dimension.campaign, key=key, name=name, matched_text=fragment, score=score)


def _is_figure(word: str) -> bool:
    """A word that names a metric by itself or by its stem ("sales", "vendió", "spend")."""
    return word in METRIC_WORDS or bool(language.stems(word) & METRIC_STEMS.keys())


#: The Snowball stems of each lifecycle event's one-word phrases ("launch" and "lanzó" as "launched", "lanzaron").
LIFECYCLE_STEMS: dict[str, frozenset[str]] = {
    event: frozenset(stem for phrase in phrases if " " not in phrase for stem in language.stems(phrase))
    for event, phrases in lexicon.LIFECYCLE_WORDS.items()
}


def _lifecycle_matches(text: str, event: str, phrases: tuple[str, ...]) -> list[re.Match[str]]:
    """Where ``text`` names the lifecycle ``event``: its phrases, longest first, then any other word with the
    Snowball stem of one of its one-word phrases ("launch", "arrancó") — never a word of a period ("end")."""
    matches: list[re.Match[str]] = []

    def free(match: re.Match[str]) -> bool:
        return not any(other.start() < match.end() and match.start() < other.end() for other in matches)

    for phrase in sorted(phrases, key=len, reverse=True):
        matches.extend(m for m in phrase_pattern(phrase).finditer(text) if free(m))
    for match in words.WORD.finditer(text):
        word = match.group()
        if free(match) and word not in words.MEANINGFUL["period"] and language.stems(word) & LIFECYCLE_STEMS[event]:
            matches.append(match)
    return matches


def _read_ratio(
    reading: _Reading, spans: list[tuple[int, int, Metric]], start: int, end: int, ratio: Metric
) -> list[tuple[int, int, Metric]]:
    """``spans`` with the metrics read inside ``[start, end)`` replaced by ``ratio``, whose words are read there
    ("cost *per sale*", "percentage of clicks that became leads", "más barato cada lead")."""
    kept = [span for span in spans if span[1] <= start or span[0] >= end]
    reading.read("metrics", start, end)
    reading.understood_list("metrics").append(ratio.value)
    return [*kept, (start, end, ratio)]


def _names_of_things_blanked(reading: _Reading) -> str:
    """The normalised question with only the periods and the campaigns' and brands' names blanked: a channel's
    name read as a filter ("email") is still a word of a request for people's e-mails ("the email of the lead who
    converted"), but a year is no client's number ("por cliente 2025")."""
    text = reading.normalized
    for found in reading.found_periods:
        text = blank_span(text, found.start, found.end)
    for ref in reading.filters:
        if ref.dimension in (Dimension.campaign, Dimension.brand):
            for match in list(phrase_pattern(normalize_name(ref.matched_text)).finditer(text)):
                text = blank_span(text, match.start(), match.end())
    return text


def _after_a_number(text: str, match: re.Match[str]) -> bool:
    """Whether a share word follows a number ("20 %", "5 percent"): a threshold's unit, not a share."""
    return bool(re.search(r"\d\s*$", text[: match.start()]))


def _in_another_dimension_name(text: str, start: int) -> bool:
    """Whether the word "campaign" at ``start`` is part of another dimension's name that starts there or up
    to three words before ("campaign objective", "objetivo de campaña")."""
    before = text[:start].split()[-3:]
    tokens = [*before, *text[start:].split()]
    for first in range(len(before) + 1):
        named = dimension_name_at(tokens, first)
        if named is not None and named[0] is not Dimension.campaign and first + named[1] > len(before):
            return True
    return False


def _one_table(query: StructuredQuery) -> bool:
    """Whether one warehouse table serves every figure of ``query`` (a ranking by a whole-campaign budget
    cannot also count the campaign's markets)."""
    try:
        choose_grain(query)
    except Unanswerable:
        return False
    return True


def _ranks_whole_entities(sub: StructuredQuery) -> bool:
    """Whether a subject's ranking reads its entities' whole rows, so a figure of the ranked entity can be
    shown by the ranking itself. A ranking over some of their rows ("the brand with the most *finished*
    campaigns", "… with the most sales *on TikTok*", "… *launched in 2025*") would give the figure of those
    rows only, not of the entity: the figure is then a query of its own over the resolved entity."""
    return not (sub.filters or sub.status or sub.statuses or sub.lifecycle)


def _undated(query: StructuredQuery) -> bool:
    """Whether ``query`` counts campaigns as they are now (by status: "how many active campaigns") or asks only
    for figures not dated by month (a budget): a subject's period does not scope it."""
    if query.status or query.statuses:
        return True
    return all(metric is not CAMPAIGNS and not _dated(metric) for metric in query.metrics)


#: What may stand between a share word and the figure it is a percentage of ("% *de la* meta", "% of the CTR").
_SHARE_TO_FIGURE = re.compile(r"\s*(?:(?:of|de|del|the|la|el|los|las)\s+)*")


def _rate_named_after(reading: _Reading, end: int) -> Metric | None:
    """The rate (a ratio, not a total) whose phrase follows a share word at ``end``: "% de cumplimiento de la meta"
    is the success rate in percent, not a share of one."""
    for span_start, _, metric in reading.metric_spans:
        between = reading.normalized[end:span_start] if span_start >= end else None
        if between is not None and _SHARE_TO_FIGURE.fullmatch(between) and DEFINITIONS[metric].kind != "sum":
            return metric
    return None


#: Words that make the values named one group: "email or SMS together", "sumando ambos canales", "counting each
#: customer once", "contando cada cliente una sola vez".
_TOGETHER = re.compile(
    r"(?<![a-z0-9])(?:together|combined|jointly|en\s+conjunto|juntos|juntas|sumados|sumadas"
    r"|sumando\s+(?:ambos|ambas|los\s+dos|las\s+dos)(?:\s+(?:canales|mercados|marcas|paises))?"
    r"|counting\s+each\s+\w+\s+(?:only\s+)?once|contando\s+(?:a\s+)?cada\s+\w+\s+(?:solo\s+)?una\s+(?:sola\s+)?vez)"
    r"(?![a-z0-9])"
)


def _mentions_by_dimension(reading: _Reading) -> dict[Dimension, set[str]]:
    """The distinct values named of each dimension (a class by its key, others by the words that named them)."""
    found: dict[Dimension, set[str]] = {}
    for dimension in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market, *_CLASSES):
        mentions = {
            str(ref.key) if dimension in _CLASSES else ref.matched_text
            for ref in reading.filters
            if ref.dimension == dimension
        }
        if mentions:
            found[dimension] = mentions
    return found


#: A word of the lowest, read with a ranking whose direction it gave ("top 5 markets with the *lowest* CPM").
_LOWEST_WORD = (
    r"(?<![a-z0-9])(?:"
    + "|".join(w for w in lexicon.RANK_ASC_WORDS if w not in lexicon.COUNT_RANK_WORDS)
    + r")(?![a-z0-9])"
)
#: Advertising done ("brands that ran ads in Chile", "marcas con pauta en Chile"): a count of those with ads only.
_ADVERTISED = re.compile(
    r"(?<![a-z0-9])(?:(?:ran|run|running|had|with|placed|bought)\s+ads|advertis(?:ed|ing|es|e)|con\s+(?:pauta|anuncios)"
    r"|pautaron|pauto|pautamos|pautando|anunciaron|anuncio|anunciamos|anunciando|hicieron\s+publicidad)(?![a-z0-9])"
)


#: Spend as what the counted ones had: "marcas con inversión", "campaigns that had ad spend", "tuvieron gasto".
_HAD_SPEND = (
    r"(?:con|with|que\s+tuvieron|que\s+tuvo|tuvieron|tuvo|that\s+had|which\s+had|having|had)\s+"
    r"(?:(?:ad|any|algun|alguna)\s+)?(?:gastos?|inversion(?:\s+publicitaria)?|spend|spending|ad\s+spend)(?![a-z0-9])"
)
_WITH_SPEND = re.compile(r"(?<![a-z0-9])" + _HAD_SPEND)
_CAMPAIGNS_WITH_SPEND = re.compile(r"(?<![a-z0-9])(?P<noun>campaigns|campanas)\s+" + _HAD_SPEND)
#: A rate asked in percent: "ROI ... en %", "CTR in percent", "como porcentaje".
_IN_PERCENT = re.compile(r"(?<![a-z0-9])(?:en|in|as|como|as\s+a)\s+(?:%|porcentaje|percent(?:age)?)(?![a-z0-9])")


def _read_percent_unit(reading: _Reading) -> None:
    """ "roi industria automotriz 2025 en %": the unit a rate is given in, not a share of a total."""
    if not reading.metrics or not all(DEFINITIONS[m].kind in ("ratio", "roi", "success") for m in reading.metrics):
        return
    for match in list(_IN_PERCENT.finditer(reading.text)):
        reading.read("metrics", match.start(), match.end())


def _read_advertised(reading: _Reading) -> None:
    """A count of campaigns, brands, channels or markets "that ran ads" counts those with advertising (spend or
    impressions) in the rows asked for, not those with any result (a sale alone is a result)."""
    if reading.metrics == [SPEND] and _COUNT_WORDS & set(reading.normalized.split()):
        # "campañas con inversión en YouTube, ¿cuántas por objetivo?": the campaigns counted, not their spend
        for match in _CAMPAIGNS_WITH_SPEND.finditer(reading.normalized):
            reading.metrics = [CAMPAIGNS]
            reading.advertised = True
            reading.read("metrics", match.start("noun"), match.end("noun"))
    counted = [m for m in reading.metrics if DEFINITIONS[m].kind == "distinct"]
    if counted and set(reading.metrics) - set(counted) == {SPEND}:
        # "¿cuántas marcas tuvieron gasto en cada canal?", "brands with spend": those that spent, not their spend
        for match in _WITH_SPEND.finditer(reading.normalized):
            reading.advertised = True
            reading.metrics = counted
            reading.read("advertised", match.start(), match.end())
    if not reading.metrics or not all(DEFINITIONS[m].kind == "distinct" for m in reading.metrics):
        return
    for match in _ADVERTISED.finditer(reading.normalized):
        reading.advertised = True
        reading.read("advertised", match.start(), match.end())


#: Words that put two things side by side ("X vs Y", "X frente a Y").
_VERSUS = frozenset({"vs", "versus", "against", "contra", "frente"})


def _refuse_nothing_compared(reading: _Reading) -> NotAnswerable | None:
    """ "ROI de Nova Foods vs México": "vs" between things that are not two values of one dimension, two
    periods or two figures — answering one filtered figure would drop the comparison silently."""
    if not _VERSUS & set(reading.words.get("comparison", [])) or reading.group_by or reading.over_time:
        return None
    spans = {(period.start, period.end) for period in reading.periods}
    if _several_mentions(reading) or len(spans) > 1 or len(reading.metrics) > 1 or reading.subjects:
        return None
    return reading.refuse(
        reading.say(
            "I did not find two things of one kind to compare (two channels, markets, brands, periods or figures).",
            "No encontré dos cosas del mismo tipo para comparar (dos canales, mercados, marcas, periodos o cifras).",
        ),
        "e.g. 'ROI of TikTok vs Instagram in 2025'",
        "p. ej. 'ROI de TikTok vs Instagram en 2025'",
        not_understood=[word for word in reading.words.get("comparison", []) if word in _VERSUS],
    )


#: The words that may stand between two periods ranked side by side: "Q3 *and* Q4", "el T3 *y el* T4", "2024 *vs*
#: 2025".
_PERIODS_JOINED = frozenset(
    "y e and or o u vs versus against contra frente a al compared comparado to with con en in el la the de del of "
    "for para".split()
)


def _gaps(spans: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` that no span of ``spans`` (sorted, inside it) covers."""
    gaps, at = [], start
    for span_start, span_end in spans:
        if span_start > at:
            gaps.append((at, span_start))
        at = max(at, span_end)
    return [*gaps, (at, end)] if at < end else gaps


#: What an answer is for, said before the question and a colon: "para el deck del board:", "for the QBR:", "para la
#: reunión con el equipo de Bogotá:" — context, except the names that scope the question
#: (:meth:`QuestionParser._names_kept_from_preamble`).
_PREAMBLE = re.compile(
    r"^\s*(?:para|for|pa)\s+[a-z0-9\s]{0,60}?\b(?:deck|board|reunion|meeting|junta|presentacion|presentation|reporte"
    r"|report|informe|equipo|team|qbr|comite|committee|jefe|jefa|boss|gerente|manager|directorio|cliente|client|mi"
    r"\s+jefe|slides?|diapositivas?)\b[a-z0-9\s]{0,40}\|"
)
#: Sales asked as a count and an amount: "(cantidad y monto)", "count and amount", "¿cuántas ventas y por cuánto
#: monto?", "how many sales and for how much".
_COUNT_AND_AMOUNT = re.compile(
    r"(?<![a-z0-9])(?:(?:cantidad|numero|nro|count|number|#)\s+(?:y|and|&|e)\s+(?:monto|importe|amount|valor|value|\$)"
    r"|(?:y|and)\s+(?:por|for)\s+(?:cuanto|how\s+much)(?:\s+(?:monto|dinero|plata|importe|money))?)(?![a-z0-9])"
)
_SALES = (Metric("sales_count"), Metric("sales_amount"))


def _read_count_and_amount(reading: _Reading) -> None:
    """ "¿Cuántas ventas y por cuánto monto cerramos …?", "ventas (cantidad y monto)": both the number of sales and
    their amount ("monto" and "cantidad" alone are filler words, so one of them had been dropped, silently)."""
    if len(reading.metrics) != 1 or reading.metrics[0] not in _SALES:
        return
    for match in _COUNT_AND_AMOUNT.finditer(reading.normalized):
        reading.metrics = list(_SALES)
        reading.read("metrics", match.start(), match.end())


def _refuse_periods_of_two_clauses(reading: _Reading) -> NotAnswerable | None:
    """ "¿Cuánto vendió *en enero 2026* el canal que tuvo el CPL más bajo *en oct-dic 2025*?": a ranking and two
    periods in different clauses (one for the ranking, one for the figure) is a question in two steps; ranking in
    each period side by side would answer another question, silently."""
    if reading.rank_dimension is None or reading.change or len(reading.found_periods) != 2:
        return None
    first, second = sorted(reading.found_periods, key=lambda item: item.start)
    if (
        first.end > second.start
        or set(words.WORD.findall(reading.normalized[first.end : second.start])) <= _PERIODS_JOINED
    ):
        return None
    labels = [first.period.label, second.period.label]
    return reading.refuse(
        reading.say(
            f"The question names two periods in different parts ({labels[0]}, {labels[1]}): a ranking in one period "
            "and a figure in another are two steps.",
            f"La pregunta nombra dos periodos en partes distintas ({labels[0]}, {labels[1]}): un ranking en un periodo "
            "y una cifra en otro son dos pasos.",
        ),
        "first the ranking with its period, then the figure of the one found in the other period",
        "primero el ranking con su periodo, luego la cifra del resultado en el otro periodo",
        not_understood=reading.words.get("period", []),
    )


def _read_which_is_ahead(reading: _Reading) -> None:
    """When values of one dimension, or two periods, are compared side by side, read the words asking which is
    ahead ("more … than", "was Q4 better than Q3", "¿cuál tuvo más?"), matched on the whole question (stop
    words such as "que" may be read already); the words between "more" and "than" are left to their readers."""
    spans = {(period.start, period.end) for period in reading.periods}
    # "T4 que el T3 … 2025": the year that holds both is not a third period compared
    innermost = {(a, b) for a, b in spans if not any(a <= c and d <= b and (c, d) != (a, b) for c, d in spans)}
    compared_periods = len(innermost) == 2
    if reading.together or not (_several_mentions(reading) or compared_periods):
        return
    for match in _WHICH_IS_AHEAD.finditer(reading.normalized):
        if match["more"]:
            reading.read("comparison", match.start("more"), match.end("more"))
            than = re.search(r"(?:than|que)$", match["than"])
            assert than is not None
            reading.read("comparison", match.start("than") + than.start(), match.end("than"))
        else:
            reading.read("comparison", match.start(), match.end())


def _several_mentions(reading: _Reading) -> bool:
    """Whether the question names more than one value of some dimension."""
    return any(len(mentions) > 1 for mentions in _mentions_by_dimension(reading).values())


def _counts_distinct(metrics: list[Metric]) -> bool:
    """Whether every figure counts distinct keys (buyers, ads): those of several groups do not add up."""
    return bool(metrics) and all(DEFINITIONS[metric].kind in ("keys", "distinct") for metric in metrics)


def _joined_by_or(reading: _Reading, mentions: set[str]) -> bool:
    """Whether two of the named values are written "X or Y" / "X o Y"."""
    names = [normalize(mention) for mention in mentions]
    return any(
        contains_phrase(reading.normalized, f"{first} {joiner} {second}") is not None
        for first in names
        for second in names
        if first != second
        for joiner in ("or", "o", "u")
    )


def _dated(metric: Metric) -> bool:
    """Whether a figure is dated by month (sums of results, counts of keys), so a period can scope it."""
    definition = DEFINITIONS[metric]
    return definition.kind in ("keys", "distinct") or set(definition.inputs) <= set(ADDITIVE)


def _scoped(subject: SubjectRef, period: Period) -> SubjectRef:
    """A subject named without a period is ranked over the question's period — unless it ranks by something
    not dated by month (a count of campaigns by status, a budget): "the brand with the most active
    campaigns" is about campaigns now, whatever period the question's figure is for."""
    query = subject.query
    if query.period or query.compare_periods or query.lifecycle or query.status or query.statuses:
        return subject
    ranked = query.order_by or query.metrics[0]
    if ranked is CAMPAIGNS or not _dated(ranked):
        return subject
    return subject.model_copy(update={"query": query.model_copy(update={"period": period})})


def _counts_a_class_of_brands(reading: _Reading) -> bool:
    """ "How many sales did our health and fitness brands close", "monthly sales of finance brands": a figure of the
    brands of one industry together — the brands are the filter's scope, not a list, unless the question asks which
    or each (without the industry, "our brands" still lists them)."""
    words_asked = set(reading.normalized.split())
    # "each brand", "cada marca" lists them; "por cada objetivo" breaks the brands' figure down by another dimension
    each_brand = re.search(r"\b(?:each|cada|every)\s+(?:brand|marca|empresa|client\s+company)\b", reading.normalized)
    # "which travel brands", "qué marcas de viajes" ask for them; "what was the ROI of the travel brands" does not
    which = "|".join(sorted(lexicon.WHICH_WORDS, key=len, reverse=True))
    which_brands = compiled(rf"\b(?:{which})\s+(?:[a-z]+\s+)?(?:brands|marcas|empresas)\b").search(reading.normalized)
    lists_them = bool(words_asked & {"list", "lista", "listado"}) or each_brand is not None or which_brands is not None
    industry = any(ref.dimension is Dimension.industry for ref in reading.filters)
    return industry and bool(reading.metrics) and not lists_them


def _asks_for_a_campaign(before: str, tail: str) -> bool:
    """Whether "campaign" after ``before`` and before ``tail`` asks for a campaign rather than naming one: a
    which-word, ranking word, number or breakdown word before it ("qué campaña", "the top campaign", "cada
    campaña"), or a stop word or verb right after it ("which campaign *generated* …", "campaña *generó* …")."""
    previous = before.split()[-1:]
    if previous and (
        previous[0] in lexicon.WHICH_WORDS
        or previous[0] in lexicon.RANK_DESC_WORDS
        or previous[0] in lexicon.RANK_ASC_WORDS
        or previous[0] in ("each", "every", "per", "por", "cada", "by")
        or how_many(previous[0])
    ):
        return True
    following = tail.split()[:1]
    return bool(following) and bool(words.classify(following).stop)


def _about_campaigns(reading: _Reading) -> bool:
    """Whether the question names campaigns ("campaign", "campañas"), whose flight dates lifecycle words date."""
    return any(word in lexicon.DIMENSION_WORDS[Dimension.campaign] for word in reading.normalized.split())


def _inside(inner: Period, outer: Period) -> Period | None:
    """``inner`` when it lies within ``outer`` (and is shorter), else None."""
    within = outer.start <= inner.start and inner.end <= outer.end
    return inner if within and (inner.start, inner.end) != (outer.start, outer.end) else None


def _find(phrase: str, text: str) -> list[re.Match[str]]:
    """Every whole-word occurrence of ``phrase`` in ``text``."""
    return list(phrase_pattern(phrase).finditer(text))


def _as_asked(reading: _Reading, start: int, end: int) -> str | None:
    """The words of ``[start, end)`` of the normalised question as the question wrote them (accents, case),
    or None when the two cannot be aligned word for word."""
    folded = strip_accents(reading.question.lower())
    if len(folded) != len(reading.question):
        return None
    asked = list(words.WORD.finditer(folded))
    normal = list(words.WORD.finditer(reading.normalized))
    if [m.group() for m in asked] != [m.group() for m in normal]:
        return None
    inside = [i for i, m in enumerate(normal) if m.start() >= start and m.end() <= end]
    if not inside:
        return None
    return reading.question[asked[inside[0]].start() : asked[inside[-1]].end()]


def _joined_months(reading: _Reading) -> Period | None:
    """Two consecutive months joined only by "and"/"y" ("julio y agosto 2025") with no comparison asked: one
    period, the two together (a comparison needs "vs", "compare" or a change word; years and quarters so
    joined are compared)."""
    found = sorted(reading.found_periods, key=lambda item: item.start)
    if len(found) != 2 or Dimension.month in reading.group_by:
        return None
    first, second = found
    between = reading.normalized[first.end : second.start].split()
    one_month = all(add_months(item.period.start, 1) == item.period.end for item in found)
    if between not in (["y"], ["and"], ["e"]) or first.period.end != second.period.start or not one_month:
        return None  # "2024 and 2025", "Q3 y Q4": compared, as before
    same_year = first.period.start.year == second.period.start.year
    label = f"{first.period.label.rsplit(' ', 1)[0] if same_year else first.period.label} – {second.period.label}"
    return Period(start=first.period.start, end=second.period.end, label=label)


def _counts_groups(metric: Metric) -> bool:
    """Whether a metric counts campaigns, brands, channels or markets (a count a threshold's groups give)."""
    return distinct_dimension(metric) in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market)


def _t(language: str, english: str, spanish: str) -> str:
    return spanish if language == "es" else english


_ES_SCOPE = {
    "reasons": "causas o motivos",
    "demographics": "datos demográficos",
    "weather": "el clima",
    "data outside the campaigns (competitors, salaries, stock prices)": "datos ajenos a las campañas (competencia, "
    "sueldos, bolsa)",
    "website, app and social analytics (visits, bounce rate, followers, opens, keywords)": "analítica de sitio web, "
    "app y redes (visitas, rebote, seguidores, aperturas, palabras clave)",
    "opinions and loyalty (NPS, sentiment, reviews, churn)": "opiniones y fidelidad (NPS, sentimiento, reseñas, "
    "abandono)",
    "products and costs outside the campaigns (margins, production, units, inventory)": "productos y costos ajenos "
    "a las campañas (márgenes, producción, unidades, inventario)",
}

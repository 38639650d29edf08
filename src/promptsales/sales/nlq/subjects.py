"""Entities named by a question of their own: "the campaign with the most sales", "la marca con más campañas",
"the top market in January" (issue 16, a query model that composes).

:func:`find_subject` finds the first such phrase that is *governed* by the rest of the question — the object
of "of"/"de", "in"/"en", "for"/"para", or of a verb ("did the campaign with the most reach use") — rather
than being the question's own ranking ("which brand had the most campaigns", "the 3 campaigns with the
lowest spend"). The phrase runs to the end of its clause and may hold further subjects ("the campaign with
the most sales of the brand with the most campaigns"): the parser reads it as a ranking of its own, to any
depth, and the answer filters on the ranking's rows (ties included).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from promptsales.sales.nlq import lexicon
from promptsales.sales.nlq.model import Dimension
from promptsales.sales.nlq.periods import how_many
from promptsales.sales.nlq.words import WORD

#: A word of the question or a clause mark.
_TOKEN = re.compile(rf"{WORD.pattern}|\|")

#: Words before a ranking phrase that make it the question's own ranking ("which brand …", "show the 3
#: campaigns with …"); a ranking phrase after anything else ("of", "de", "did", "through", a period) names
#: an entity the question is about.
ASKERS = frozenset(
    """
    which what que cual cuales show list give tell me dame dime muestra muestrame muestranos lista enumera
    ensename indica top rank ranking
    """.split()
)
#: Words a ranking phrase may put between its dimension word and its ranking word ("with the most").
_CONNECTORS = frozenset(
    "with w con having that which que whose cuyo cuya cuyos cuyas had has tuvo tiene de of where donde in en".split()
)
_ARTICLES = frozenset("the el la los las a an un una its su sus".split())
_POSSESSIVES = frozenset("our my nuestra nuestro nuestras nuestros mi mis".split())
#: Verbs between an asking word and the ranking it asks for ("cuál *fue* el mercado con más ventas").
_COPULAS = frozenset("fue fueron es son era was were is are been sido ha han has have".split())
#: Words that end a subject phrase: the question's own verb, a comparison or a clause mark.
_TERMINATORS = frozenset("use used uses usa usan | vs versus compared compare comparado comparada".split())
#: Verbs that, once a subject phrase has its ranking and figure, belong to the question ("how many active
#: campaigns does *the brand with the highest spend* have").
_CLAUSE_VERBS = frozenset("have has had tiene tienen tenia tuvo tuvieron".split())
#: Verbs that, once a subject phrase has its ranking, belong to the question ("how many leads did *the market
#: where we spent the most in Q4* bring in January"); before it they are the phrase's own ("the brand that
#: brought the most leads").
_MAIN_VERBS = frozenset(
    "bring brings brought generate generates generated produce produced deliver delivered trajo trajeron traer "
    "genero generaron produjo aporto aportaron".split()
)
#: Verbs that begin the question's own ranking when one follows ("did *the brand with the highest spend* get
#: the most leads"); without one they are the phrase's own ("la marca que más leads consiguió en 2025").
_RANKING_VERBS = frozenset(
    "get gets got obtain obtained obtuvo obtuvieron consiguio consiguieron logro lograron".split()
)
#: Relative pronouns that make a subject phrase a clause of its own ("la marca *que* más leads consiguió").
_RELATIVES = frozenset("que that which who whose cuyo cuya donde where".split())
#: Words right before a dimension word that make it a breakdown ("by channel", "por canal", "cada mercado").
_BREAKDOWN_MARKERS = frozenset("by por per each cada".split())
_RANK_WORDS = frozenset(lexicon.RANK_DESC_WORDS) | frozenset(lexicon.RANK_ASC_WORDS)
#: Ranking words that rank the noun after them ("the top market", "el mejor canal"); "most"/"más" before a
#: noun count it instead ("the most campaigns").
_RANKING_ADJECTIVES = frozenset(
    "top best worst leading biggest largest greatest bottom smallest mejor mejores peor peores principales lider".split()
)
_DIMENSIONS: dict[str, Dimension] = {
    word: dimension
    for dimension, words in lexicon.DIMENSION_WORDS.items()
    if dimension is not Dimension.month
    for word in words
    if " " not in word
}


def _by_first_word(*tables: dict[Dimension, tuple[str, ...]]) -> dict[str, list[tuple[list[str], Dimension]]]:
    """Every dimension name of ``tables`` under its first word, the longest first (in table order among equals)."""
    names = [
        (phrase.split(), dimension) for table in tables for dimension, phrases in table.items() for phrase in phrases
    ]
    found: dict[str, list[tuple[list[str], Dimension]]] = {}
    for words, dimension in sorted(names, key=lambda name: -len(name[0])):
        found.setdefault(words[0], []).append((words, dimension))
    return found


_NAMES = _by_first_word(lexicon.DIMENSION_WORDS)
_RANKED_NAMES = _by_first_word(lexicon.DIMENSION_WORDS, lexicon.RANKED_UNIT_WORDS)


def dimension_name_at(tokens: list[str], index: int, ranked: bool = False) -> tuple[Dimension, int] | None:
    """The dimension the name starting at ``tokens[index]`` names, and how many words it has (the longest name:
    "campaign objective" is an objective, not a campaign; "objetivo de campaña" one name, not two); with
    ``ranked``, also the weeks and days a ranking may rank ("the best day of December", "¿qué semana …?")."""
    if index >= len(tokens):
        return None
    for words, dimension in (_RANKED_NAMES if ranked else _NAMES).get(tokens[index], ()):
        if tokens[index : index + len(words)] == words:
            return dimension, len(words)
    return None


@dataclass(frozen=True)
class SubjectSpan:
    """A subject phrase: its dimension and where it is in the normalised question."""

    dimension: Dimension
    start: int
    end: int


def _ranks_the_noun(token: str) -> bool:
    """A ranking adjective before a noun: "top", "mejor", or a compound naming its figure ("highest-revenue",
    "top-spending", "best-selling")."""
    head, _, figure = token.partition("-")
    return token in _RANKING_ADJECTIVES or bool(figure) and (head in _RANKING_ADJECTIVES or head in _RANK_WORDS)


@dataclass(frozen=True)
class ValueMention:
    """Where the question names one value of a dimension ("travel" of the industries, "TikTok" of the channels)."""

    dimension: Dimension
    start: int
    end: int


def find_subject(
    text: str, is_figure: Callable[[str], bool] = lambda word: False, values: Sequence[ValueMention] = ()
) -> SubjectSpan | None:
    """The first ranking phrase of ``text`` (a normalised question, names blanked) that the question is
    about rather than asks for, or None. ``is_figure`` tells a word that names a figure ("sales",
    "vendió"): once the phrase has its own figure, the next one belongs to the question ("how much did
    *the brand with the most campaigns* sell"). ``values`` are the dimension values the question names:
    a dimension word next to one of its own values is part of that name ("which brands in *the travel
    industry* had the most leads", "las marcas *del sector financiero* con más leads"), not a subject."""
    matches = list(_TOKEN.finditer(text))
    tokens = [match.group() for match in matches]
    inside = 0  # tokens after a dimension name's first word ("objetivo de campaña"): read with it
    for index in range(len(tokens)):
        if index < inside:
            continue
        named = dimension_name_at(tokens, index)
        if named is None or named[0] is Dimension.month:
            continue
        dimension, length = named
        inside = index + length
        if _names_a_ranked_campaign(tokens, index, named):
            inside = index + 1  # "the objective of *the campaign with the most sales*": the campaign is the subject
            continue
        if index and tokens[index - 1] in _BREAKDOWN_MARKERS:
            continue  # "por canal la marca con más campañas": a breakdown, not a subject
        if _names_a_value(text, matches[index].start(), matches[index + length - 1].end(), dimension, values):
            continue
        start = index  # the phrase starts at its article, number and ranking word before the dimension word
        while start > 0:
            if (
                tokens[start - 1] in _ARTICLES
                or _ranks_the_noun(tokens[start - 1])
                or how_many(tokens[start - 1]) is not None
                # "the best *roas* channel", "our top *spending* brand": the figure the ranking word ranks by
                or (start > 1 and is_figure(tokens[start - 1]) and _ranks_the_noun(tokens[start - 2]))
            ):
                start -= 1
                continue
            # "the *travel* brand with the most campaigns": a value of another dimension qualifies the ranked noun
            qualifier = next(
                (v for v in values if v.end == matches[start - 1].end() and v.dimension is not dimension), None
            )
            if qualifier is None:
                break
            while start > 0 and matches[start - 1].start() >= qualifier.start:
                start -= 1
        ranked_before = any(_ranks_the_noun(tokens[i]) for i in range(start, index))
        name_end = index + length - 1  # the dimension name's last word
        if not (ranked_before or _ranked_after(tokens, name_end)):
            continue
        before = start - 1
        while before >= 0 and tokens[before] in _COPULAS:
            before -= 1
        if before < 0 or tokens[before] in ASKERS or tokens[before] == "|":
            continue  # the question's own ranking ("which brand …", "cuál fue el mercado con …")
        end = _phrase_end(tokens, name_end, ranked_before, is_figure)
        last = matches[end - 1]
        return SubjectSpan(dimension, matches[start].start(), last.end())
    return None


def _names_a_ranked_campaign(tokens: list[str], index: int, named: tuple[Dimension, int]) -> bool:
    """Whether a name of another dimension ends in a campaign that a ranking follows: "objective of the campaign"
    names the objective dimension ("sales by objective of the campaign"), but in "the objective *of the campaign
    with the most sales*" the campaign is chosen by a ranking of its own, whose objective is asked."""
    dimension, length = named
    last = index + length - 1
    if dimension is Dimension.campaign or length < 4 or tokens[index + 1] not in ("of", "de", "del"):
        return False  # "objetivo de campaña" without an article stays one name
    inner = dimension_name_at(tokens, last)
    # ranked by a phrase of its own ("with the most", "con más"), not by the question's verb ("… tuvo el CTR más alto")
    joined = last + 1 < len(tokens) and tokens[last + 1] in _CONNECTORS
    return inner is not None and inner[0] is Dimension.campaign and joined and _ranked_after(tokens, last)


#: Words that may join a dimension word to the value it names ("el mercado *de* Monterrey").
_NAME_JOINERS = re.compile(r"\s*(?:(?:de|del|of)\s+(?:(?:the|el|la|los|las)\s+)?)?")


def _names_a_value(text: str, start: int, end: int, dimension: Dimension, values: Sequence[ValueMention]) -> bool:
    """Whether the dimension word at ``[start, end)`` stands next to a value of its own dimension: right after
    it ("the travel industry", "the TikTok channel") or before it, perhaps joined by "de"/"of" ("el sector
    financiero", "el mercado de Monterrey")."""
    for value in values:
        if value.dimension is not dimension:
            continue
        if value.end <= start and not text[value.end : start].strip():
            return True
        joined = _NAME_JOINERS.match(text, end)
        if joined is not None and joined.end() == value.start:
            return True
    return False


def _phrase_end(tokens: list[str], index: int, ranked_before: bool, is_figure: Callable[[str], bool]) -> int:
    """Where the subject phrase of the dimension word at ``index`` ends: at a terminator, the question's own
    breakdown, or a figure word after the phrase (and each nested phrase in it) has its own."""
    has_figure = ranked_before  # "the top market": ranked by the default figure
    relative = False  # the phrase is a relative clause ("que más vendió"): a verb after its figure is its own
    ranked = ranked_before
    default = ranked_before  # … unless a figure follows "by"/"en" ("the top channel by spend", "mejor canal en ventas")
    for later in range(index + 1, len(tokens)):
        word = tokens[later]
        if default and tokens[later - 1] in ("by", "por", "in", "en") and is_figure(word):
            default = False
            continue
        default = default and (word in _ARTICLES or word in ("by", "por", "in", "en"))
        if word in _TERMINATORS or _starts_breakdown(tokens, later) or (has_figure and word in _CLAUSE_VERBS):
            return later
        if ranked and word in _MAIN_VERBS:
            return later
        if (
            has_figure
            and word in _RANKING_VERBS
            and (not relative or _rank_word_before_noun(tokens[later + 1 : later + 4]))
        ):
            return (
                later  # "did *the brand with the most campaigns* get …"; "la marca *que* más leads consiguió" keeps it
            )
        relative = relative or word in _RELATIVES
        nested = word in _DIMENSIONS and _after_preposition(tokens, later)
        if nested:  # "… of the brand with the most campaigns": its own ranking and figure
            has_figure, ranked = False, False
        elif word in _RANK_WORDS:
            ranked = True
        elif is_figure(word) or word in _DIMENSIONS:  # a figure, or a counted noun ("the most campaigns")
            if has_figure:
                return later
            has_figure = ranked
    return len(tokens)


def _after_preposition(tokens: list[str], index: int) -> bool:
    """Whether the word at ``index`` follows "of"/"de"/"del"/"in"/"en"/"for" (an article may stand between)."""
    before = index - 1
    while before >= 0 and (
        tokens[before] in _ARTICLES or tokens[before] in _POSSESSIVES or _ranks_the_noun(tokens[before])
    ):
        before -= 1  # "of *our top-spending* brand"
    return before >= 0 and tokens[before] in ("of", "de", "del", "in", "en", "for", "para", "from", "al")


def _ranked_after(tokens: list[str], index: int) -> bool:
    """A ranking word right after the dimension word ("la marca líder") or after a connector ("with the
    most", "con más", "que más")."""
    following = tokens[index + 1 : index + 8]
    if following and following[0] in _RANK_WORDS:
        return True
    for offset, word in enumerate(following[:5]):
        if word in _DIMENSIONS:  # "canal la marca con más campañas": the ranking is the later noun's
            return False
        if word in _CONNECTORS:  # "with the most", "de mayor", "en la que más", "where we spent the most"
            return _rank_word_before_noun(following[offset + 1 : offset + 5])
    return False


def _rank_word_before_noun(words: list[str]) -> bool:
    """Whether a ranking word comes before any dimension word ("with the most sales"; not "tiene *la marca*
    que más ha vendido", where the ranking is the later noun's)."""
    for word in words:
        if word in _DIMENSIONS:
            return False
        if word in _RANK_WORDS:
            return True
    return False


def _starts_breakdown(tokens: list[str], index: int) -> bool:
    """ "by channel", "por mes": the question's own breakdown after the subject phrase."""
    if tokens[index] not in ("by", "por", "per"):
        return False
    following = tokens[index + 1 : index + 2]
    return bool(following) and (following[0] in _DIMENSIONS or following[0] in ("month", "mes", "months", "meses"))

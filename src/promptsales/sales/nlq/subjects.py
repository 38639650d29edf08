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
from dataclasses import dataclass

from promptsales.sales.nlq import lexicon
from promptsales.sales.nlq.model import Dimension
from promptsales.sales.nlq.words import WORD

#: A word of the question or a clause mark.
_TOKEN = re.compile(rf"{WORD.pattern}|\|")

#: Words before a phrase that make it the object of the question rather than its subject.
GOVERNORS = frozenset(
    """
    of de del for para from in en at to al about sobre did does do uso usaron utilizo utilizaron tuvo tiene
    had has hizo using usando across entre among
    """.split()
)
#: Words a ranking phrase may put between its dimension word and its ranking word ("with the most").
_CONNECTORS = frozenset("with con having that which que whose cuyo cuya cuyos cuyas had has tuvo tiene".split())
_ARTICLES = frozenset("the el la los las a an un una its su sus".split())
#: Words that end a subject phrase: the question's own verb, a comparison or a clause mark.
_TERMINATORS = frozenset("use used uses usa usan | vs versus compared compare comparado comparada".split())
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


@dataclass(frozen=True)
class SubjectSpan:
    """A subject phrase: its dimension and where it is in the normalised question."""

    dimension: Dimension
    start: int
    end: int


def _is_number(token: str) -> bool:
    return token.isdigit() and 0 < int(token) <= 100


def find_subject(text: str) -> SubjectSpan | None:
    """The first ranking phrase of ``text`` (a normalised question, names blanked) that the question is
    about rather than asks for, or None."""
    matches = list(_TOKEN.finditer(text))
    tokens = [match.group() for match in matches]
    for index, token in enumerate(tokens):
        dimension = _DIMENSIONS.get(token)
        if dimension is None:
            continue
        start = index  # the phrase starts at its article, number and ranking word before the dimension word
        while start > 0 and (
            tokens[start - 1] in _ARTICLES or tokens[start - 1] in _RANKING_ADJECTIVES or _is_number(tokens[start - 1])
        ):
            start -= 1
        ranked_before = any(tokens[i] in _RANKING_ADJECTIVES for i in range(start, index))
        if not (ranked_before or _ranked_after(tokens, index)):
            continue
        if start == 0 or tokens[start - 1] not in GOVERNORS:
            continue  # the question's own ranking ("which brand …", "the 3 campaigns with …")
        end = len(tokens)
        for later in range(index + 1, len(tokens)):
            if tokens[later] in _TERMINATORS or _starts_breakdown(tokens, later):
                end = later
                break
        last = matches[end - 1]
        return SubjectSpan(dimension, matches[start].start(), last.end())
    return None


def _ranked_after(tokens: list[str], index: int) -> bool:
    """A ranking word right after the dimension word ("la marca líder") or after a connector ("with the
    most", "con más", "que más")."""
    following = tokens[index + 1 : index + 6]
    if following and following[0] in _RANK_WORDS:
        return True
    for offset, word in enumerate(following):
        if word in _CONNECTORS:
            return any(later in _RANK_WORDS for later in following[offset + 1 : offset + 4])
    return False


def _starts_breakdown(tokens: list[str], index: int) -> bool:
    """ "by channel", "por mes": the question's own breakdown after the subject phrase."""
    if tokens[index] not in ("by", "por", "per"):
        return False
    following = tokens[index + 1 : index + 2]
    return bool(following) and (following[0] in _DIMENSIONS or following[0] in ("month", "mes", "months", "meses"))

"""Spanish and English morphology for the question parser (issue 16): Snowball stems, and accent folding
that keeps apart words only an accent tells apart.

* **Stems** (``snowballstemmer``, the Snowball algorithms for Spanish and English): a word no phrase read is
  matched by its stem against the one-word phrases of the metrics, so "vendimos", "alcanzamos" or "spends"
  find the metric of "vendieron", "alcanzaron" and "spend" without listing every inflection. Questions are
  accent-free by then, and Spanish verbs often lose the accent of their last syllable ("invirtió" →
  "invirtio"), so each word is stemmed as written and as if that accent were there. Words whose meaning
  the parser must not guess (:data:`promptsales.sales.nlq.words.MEANINGFUL`, e.g. "conversions") are
  never stemmed into a metric.
* **Misspellings**: an unknown word very close to one month's or one metric's name (:func:`closest`) is read
  as that word, and the correction is stated.
* **Accents that tell words apart**: folding "género" (gender) and "generó" (generated) gives the same
  letters. :data:`ACCENTED_NOUNS` lists such nouns of the vocabulary; the folded form means the noun when
  the question writes its accent, or writes no accent but puts a determiner before it ("el genero"), as
  nouns take and verbs do not.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

from promptsales.ai.stemming import stem
from promptsales.sales.nlq.text import strip_accents

#: Stems shorter than this are too ambiguous to match on.
MIN_STEM = 4
_ACCENTED = {"a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú"}

#: Nouns of the vocabulary an accent tells from another word: accent-free form → the accented noun.
ACCENTED_NOUNS: dict[str, str] = {"genero": "género"}
#: Words before a noun (articles, possessives, prepositions that take a noun).
DETERMINERS = frozenset(
    "el la los las un una su sus del al de por segun mi mis nuestro nuestra the a an their our its by per of".split()
)


@lru_cache(maxsize=4096)
def stems(word: str) -> frozenset[str]:
    """The Spanish and English stems of an accent-free word, also as if its last vowel had lost its accent
    ("invirtio" is stemmed as "invirtio" and "invirtió")."""
    variants = {word}
    if len(word) > 3 and word[-1] in _ACCENTED:
        variants.add(word[:-1] + _ACCENTED[word[-1]])
    found = {stem(variant, language) for language in ("spanish", "english") for variant in variants}
    return frozenset(strip_accents(stem) for stem in found if len(stem) >= MIN_STEM)


def stem_index(phrases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """stem → the one target (e.g. a metric) whose one-word phrases have it; stems of several targets are left
    out (ambiguous)."""
    owners: dict[str, set[str]] = {}
    for target, words in phrases.items():
        for phrase in words:
            if " " not in phrase:
                for stem in stems(phrase):
                    owners.setdefault(stem, set()).add(target)
    return {stem: next(iter(targets)) for stem, targets in owners.items() if len(targets) == 1}


def means_accented_noun(folded: str, question: str) -> bool:
    """Whether the question's ``folded`` word (a key of :data:`ACCENTED_NOUNS`) is the accented noun: written
    with its accent, or without any accent after a determiner."""
    noun = ACCENTED_NOUNS[folded]
    lowered = question.lower()
    if re.search(rf"(?<!\w){re.escape(noun)}(?!\w)", lowered):
        return True
    for match in re.finditer(rf"(?<!\w)(\w+)\s+{re.escape(folded)}(?!\w)", lowered):
        if strip_accents(match.group(1)) in DETERMINERS:
            return True
    return False


#: How close (difflib ratio) a misspelt word must be to a vocabulary word, and how long it must be.
TYPO_RATIO = 0.85
TYPO_MIN_LENGTH = 5


def closest(word: str, vocabulary: Iterable[str]) -> str | None:
    """The one vocabulary word ``word`` is a likely misspelling of ("dicembre" → "diciembre"), or None: at
    least :data:`TYPO_RATIO` alike, long enough, and clearly closer than any other word."""
    if len(word) < TYPO_MIN_LENGTH:
        return None
    scored = sorted(
        ((difflib.SequenceMatcher(None, word, known).ratio(), known) for known in vocabulary if known != word),
        reverse=True,
    )
    if not scored or scored[0][0] < TYPO_RATIO:
        return None
    if len(scored) > 1 and scored[1][0] >= scored[0][0] - 0.02 and scored[1][1] != scored[0][1]:
        return None
    return scored[0][1]

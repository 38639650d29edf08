"""Which of the platform's two languages (Spanish, English) a short text is written in.

A deterministic count of evidence: function words of each language, Spanish letters and inverted marks
(ñ, á…, ¿, ¡) and English contractions. Used by the sentiment module (a comment without a declared language)
and by the content-generation checks (messages in the audience's language). Short texts without evidence
(a name, "gamers", an emoji) are undecided: :func:`detect_language` returns None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANGUAGES = ("es", "en")

_WORDS = re.compile(r"[a-záéíóúüñ']+")
# fmt: off
_FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "es": frozenset(
        "el la los las un una unos unas de del al y o pero que qué en con por para es son está están estoy fue "
        "muy más mas ya ni sí si se lo le les mi mis tu tus su sus nos este esta esto ese esa eso aquí "
        "como cómo cuando cuándo donde dónde porque hay tiene tienen hace nada nunca también tambien todo toda "
        "todos gracias hola bien mal mejor peor ahora siempre después antes hasta desde sin sobre "
        "nuestro nuestra ustedes usted ellos ellas yo él ella eres soy vamos hecho hecha pensado pensada "
        "descubre conoce prueba".split()
    ),
    "en": frozenset(
        "the an of and or but that what in on with for is are was were be been it its this these those to "
        "from at by very more already not yes if my your our their his her we you they i us them "
        "how when where why because there have has had do does did just so all also thanks hello well bad "
        "better worse now always after before until without about made meet discover get ready try "
        "find out today see join".split()
    ),
}
# fmt: on
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]")
_ENGLISH_CONTRACTIONS = re.compile(r"\b\w+'(s|t|re|ve|ll|d|m)\b")


@dataclass(frozen=True)
class LanguageGuess:
    """The language a text is in (None: undecided) and the evidence counted for each language."""

    language: str | None
    es: float
    en: float


def guess_language(text: str) -> LanguageGuess:
    """Count the evidence for Spanish and English in ``text``; the language with clearly more evidence wins
    (at least 1 point and 1.5 times the other's), else undecided."""
    lowered = text.lower()
    words = _WORDS.findall(lowered)
    es = float(sum(word in _FUNCTION_WORDS["es"] for word in words))
    en = float(sum(word in _FUNCTION_WORDS["en"] for word in words))
    es += 1.5 * len(_SPANISH_MARKS.findall(lowered))
    en += 1.5 * len(_ENGLISH_CONTRACTIONS.findall(lowered))
    if es >= 1 and es >= 1.5 * en:
        return LanguageGuess("es", es, en)
    if en >= 1 and en >= 1.5 * es:
        return LanguageGuess("en", es, en)
    return LanguageGuess(None, es, en)


def function_words(language: str) -> frozenset[str]:
    """The function words counted as evidence of ``language`` ("es" or "en")."""
    return _FUNCTION_WORDS[language]


def detect_language(text: str, default: str | None = None) -> str | None:
    """``"es"`` or ``"en"`` for ``text``, or ``default`` when the text gives no clear evidence."""
    return guess_language(text).language or default

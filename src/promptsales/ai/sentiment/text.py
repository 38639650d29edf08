"""How the sentiment model reads a comment: normalised text, tokens with negation scope marked, and (English)
the VADER lexicon scores.

Negation scope (Das & Chen 2001; Pang, Lee & Vaithyanathan 2002): every word after a negation cue ("not",
"never", "no", "nunca", "ni", "sin", …) up to the next punctuation mark or contrast word ("but", "pero"), at
most :data:`NEGATION_SCOPE` words, is read as ``neg_<word>`` — so "not good" and "good" are different features
and "no está nada mal" is not read as "mal".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import numpy as np

from promptsales.ai.stemming import stem

NEGATION_SCOPE = 5
_NEGATIONS = frozenset(
    "not no never nothing nobody none neither nor cannot without hardly nope nunca jamas ni nada nadie ningun "
    "ninguna ninguno sin tampoco".split()
)
CONTRAST = frozenset("but however although though yet pero aunque sino embargo".split())
_CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(\w+)n't\b"), r"\1 not"),
)
_TOKEN = re.compile(r"@\w+|[a-z0-9ñ']+|[!?]|[^\w\s]", re.UNICODE)
_REPEATS = re.compile(r"(.)\1{2,}")


@lru_cache(maxsize=1 << 17)
def normalise(text: str) -> str:
    """Lower case, accents removed (people often type without them), runs of one character cut to two,
    contractions spelt out, handles replaced by ``@user``. Cached: the word, character and stem features of a
    text each start from it (a batch of the official seed's comments fits)."""
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn").replace("’", "'")
    text = _REPEATS.sub(r"\1\1", text)
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    return re.sub(r"@\w+", "@user", text)


def tokens(text: str) -> list[str]:
    """The tokens of normalised ``text`` with words in a negation's scope prefixed ``neg_``."""
    marked: list[str] = []
    scope = 0
    for token in _TOKEN.findall(normalise(text)):
        if token in _NEGATIONS:
            marked.append(token)
            scope = NEGATION_SCOPE
        elif token in CONTRAST or not (token[0].isalnum() or token[0] == "@"):
            marked.append(token)
            scope = 0
        elif scope:
            marked.append("neg_" + token)
            scope -= 1
        else:
            marked.append(token)
    return marked


def word_features(text: str) -> list[str]:
    """Unigrams and bigrams of :func:`tokens` (the word analyzer of the TF-IDF vectoriser)."""
    words = tokens(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def _stem(language: str, word: str) -> str:
    if word.startswith("neg_"):
        return "neg_" + stem(word[4:], language)
    return stem(word, language) if word[0].isalpha() else word


def stem_features(text: str, language: str = "spanish") -> list[str]:
    """Unigrams and bigrams of the Snowball stems of :func:`tokens` (negation marks kept): "encantó",
    "encanta" and "encantada" share the stem "encant", so a form the training comments never used still meets
    one they did."""
    words = [_stem(language, token) for token in tokens(text)]
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def vader_scores(texts) -> np.ndarray:
    """VADER's negative, neutral, positive and compound scores of each text (rows), from the library's English
    lexicon and rules (negation, intensifiers, "but", capitals, punctuation, emoji)."""
    analyser = _vader()
    rows = []
    for text in texts:
        scores = analyser.polarity_scores(str(text))
        rows.append((scores["neg"], scores["neu"], scores["pos"], scores["compound"]))
    return np.asarray(rows, dtype=np.float64).reshape(-1, 4)


def vader_polarity(compound: float) -> str:
    """VADER's own reading of a compound score (its authors' thresholds ±0.05)."""
    return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"

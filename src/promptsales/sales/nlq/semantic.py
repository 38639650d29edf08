"""The semantic fallback of the question parser (issue 16): words no phrase, stem or rule read are mapped to
the nearest metric or dimension by the sentence-embedding model the project ships (all-MiniLM-L6-v2 in
numpy, :mod:`promptsales.ai.embeddings`, the one PromptContent searches with).

Used only when a question names no metric or an unread word follows "by"/"por": the candidate phrase is
embedded and compared (cosine) with every metric's and dimension's names and phrases. A match counts only
at or above :data:`THRESHOLD` and ahead of the runner-up target by :data:`MARGIN` — both measured on
labelled phrasings (``tests/mcpnet/test_mcpnet_language.py``; docs/nlq.md, "Semantic fallback") — and the
answer says what was matched and how closely (``understood["semantic"]``).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

from promptsales.sales.nlq import lexicon
from promptsales.sales.nlq.metrics import DEFINITIONS
from promptsales.sales.nlq.model import Dimension, Metric

#: Cosine similarity a phrase needs to its nearest target (measured: docs/nlq.md).
THRESHOLD = 0.85
#: How far ahead of the nearest *other* target the nearest must be.
MARGIN = 0.10


@dataclass(frozen=True)
class Match:
    """The nearest target of a phrase: a metric or a dimension, with its similarity and lead."""

    target: Metric | Dimension
    text: str  # the target's text the phrase was nearest to
    score: float
    margin: float


class SemanticIndex:
    """Unit vectors of every target text (metric names, definitions and phrases; dimension words)."""

    def __init__(self, encoder=None) -> None:
        from promptsales.ai.embeddings import get_encoder

        self.encoder = encoder or get_encoder()
        self.targets: list[Metric | Dimension] = []
        self.texts: list[str] = []
        for metric, definition in DEFINITIONS.items():
            for text in {definition.en, definition.es, *definition.phrases}:
                self.targets.append(metric)
                self.texts.append(text)
        for dimension, words in lexicon.DIMENSION_WORDS.items():
            for word in words:
                self.targets.append(dimension)
                self.texts.append(word)
        self.vectors = self.encoder.encode(self.texts)

    def nearest(self, phrase: str, kind: type[Metric] | type[Dimension]) -> Match | None:
        """The target of ``kind`` nearest to ``phrase``, or None below the threshold or margin."""
        vector = self.encoder.encode_one(phrase)
        scores = self.vectors @ vector
        best: dict[Metric | Dimension, tuple[float, str]] = {}
        for target, text, score in zip(self.targets, self.texts, scores):
            if isinstance(target, kind) and score > best.get(target, (-1.0, ""))[0]:
                best[target] = (float(score), text)
        ranked = sorted(best.items(), key=lambda item: -item[1][0])
        if not ranked:
            return None
        (target, (score, text)), runner_up = ranked[0], (ranked[1][1][0] if len(ranked) > 1 else -1.0)
        if score < THRESHOLD or score - runner_up < MARGIN:
            return None
        return Match(target, text, round(score, 3), round(score - runner_up, 3))


_index: SemanticIndex | None = None
_lock = threading.Lock()


def semantic_index() -> SemanticIndex:
    """The process-wide index (the model and the target vectors are loaded on first use)."""
    global _index
    with _lock:
        if _index is None:
            _index = SemanticIndex()
        return _index


def scores(phrase: str) -> list[tuple[str, float]]:
    """Every metric's best similarity to ``phrase``, highest first (for measuring the threshold)."""
    index = semantic_index()
    vector = index.encoder.encode_one(phrase)
    best: dict[str, float] = {}
    for target, score in zip(index.targets, index.vectors @ vector):
        if isinstance(target, Metric):
            best[target.value] = max(best.get(target.value, -1.0), float(np.round(score, 4)))
    return sorted(best.items(), key=lambda item: -item[1])

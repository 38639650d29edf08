"""Classifying comments with the newest sentiment model: texts on demand (PromptAds' MCP tool
``classifySentiment``) and every comment stored in PromptAds (``ads.comment_sentiment``, read by the A6
report). Each call writes one AI-usage row (:func:`promptsales.ai.calls.logged_call`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from promptsales.ai.calls import logged_call
from promptsales.ai.language import detect_language
from promptsales.ai.registry import CurrentModel
from promptsales.config import Settings
from promptsales.db.bulk import copy_rows
from promptsales.db.connect import connect
from promptsales.errors import UserError

if TYPE_CHECKING:  # scikit-learn is imported with the first model, not with the MCP server
    from promptsales.ai.sentiment.model import SentimentModel

MODULE = "sentiment"
OPERATION = "classifySentiment"
BATCH_OPERATION = "classifyStoredComments"
#: Comments classified per model call when every stored comment is classified.
CHUNK = 20_000
#: The language assumed when a text gives no evidence of its own (most of PromptAds' markets speak Spanish).
DEFAULT_LANGUAGE = "es"

CURRENT = CurrentModel(MODULE)


# Models of the MCP tool's published schema: no class docstrings (a docstring would change the schema).
class CommentSentiment(BaseModel):
    text: str
    language: str = Field(description="'es' or 'en': given, or detected from the text.")
    polarity: str = Field(description="negative, neutral or positive.")
    negative_type: str | None = Field(None, description="anger, distrust, disappointment or mockery (negatives).")
    confidence: float = Field(description="The model's probability of the polarity it chose.")
    probabilities: dict[str, float]


class SentimentAnswer(BaseModel):
    model: str = Field(description="The model version that classified, e.g. sentiment@v3.")
    algorithm: str
    held_out_macro_f1: dict[str, float] = Field(description="Macro-F1 per language on held-out sentence frames.")
    comments: list[CommentSentiment]


def classify_texts(settings: Settings, texts: list[str], language: str | None = None) -> SentimentAnswer:
    """The polarity (and kind of negative sentiment) of each text, in ``language`` or, when None, the language
    detected per text (undecided: Spanish)."""
    arguments = {"texts": texts, "language": language}
    with logged_call(MODULE, OPERATION, arguments, settings=settings) as call:
        if not texts or any(not str(t).strip() for t in texts):
            raise UserError("Give at least one non-empty text.")
        version, model = CURRENT.get(settings)
        call.model = version
        languages = [language or detect_language(t, DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE for t in texts]
        predictions = _predict(model, texts, languages)
        answer = SentimentAnswer(
            model=version.label,
            algorithm=version.algorithm,
            held_out_macro_f1={
                lang: m["model"]["macro_f1"]
                for lang, m in version.metrics.items()
                if isinstance(m, dict) and "model" in m
            },
            comments=[
                CommentSentiment(
                    text=text,
                    language=lang,
                    polarity=p.polarity,
                    negative_type=p.negative_type,
                    confidence=p.confidence,
                    probabilities=p.probabilities,
                )
                for text, lang, p in zip(texts, languages, predictions)
            ],
        )
        call.output = {
            "model": answer.model,
            "comments": [
                {"language": c.language, "polarity": c.polarity, "negative_type": c.negative_type,
                 "confidence": c.confidence} for c in answer.comments
            ],
        }  # fmt: skip
        call.validation_method = (
            "language given or detected (function words, Spanish marks); probabilities finite, summing to 1; a "
            "negative kind only for negatives; artefact SHA-256 checked when loaded; held-out macro-F1 at training "
            f"{answer.held_out_macro_f1}"
        )
        call.optimizations = "model kept in memory per process; MCP read-tool cache for repeated inputs"
        return answer


def classify_stored(settings: Settings, *, dbname: str | None = None) -> int:
    """Classify every comment stored in PromptAds with the newest model and replace ``ads.comment_sentiment``
    (one transaction; one AI-usage row). Returns the comments classified."""
    version, model = CURRENT.get(settings)
    with connect("ads", "app", settings=settings, dbname=dbname) as conn:
        rows = conn.execute("SELECT comment_id, language, body FROM ads.social_comments ORDER BY comment_id").fetchall()
        arguments = {"comments": len(rows), "database": dbname or "promptads", "model": version.label}
        with logged_call(MODULE, BATCH_OPERATION, arguments, settings=settings) as call:
            call.model = version
            ids = np.array([r[0] for r in rows], dtype=np.int64)
            predictions = []
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                predictions += _predict(model, [r[2] for r in chunk], [r[1] for r in chunk])
            with conn.transaction():
                conn.execute("DELETE FROM ads.comment_sentiment")
                copy_rows(
                    conn,
                    "ads.comment_sentiment",
                    ("comment_id", "model_version", "polarity", "negative_type", "confidence"),
                    (
                        (int(i), version.version, p.polarity, p.negative_type, p.confidence)
                        for i, p in zip(ids, predictions)
                    ),
                    ("int8", "int4", "text", "text", "float4"),
                )
            counts: dict[str, int] = {}
            for p in predictions:
                counts[p.polarity] = counts.get(p.polarity, 0) + 1
            call.output = {"classified": len(predictions), "by_polarity": counts}
            call.validation_method = (
                "every stored comment classified once by the same version; polarity and kind checked by the table's "
                "constraints; written in one transaction"
            )
            call.optimizations = f"batches of {CHUNK:,} comments per model call; COPY into ads.comment_sentiment"
    return len(predictions)


def _predict(model: SentimentModel, texts: list[str], languages: list[str]):
    unknown = sorted(set(languages) - set(model.languages))
    if unknown:
        raise UserError(f"No sentiment model for language {unknown[0]!r}; expected one of {sorted(model.languages)}.")
    return model.predict([str(t) for t in texts], languages)

"""Sentiment analysis of social comments for PromptAds (SPEC I1, A6; docs/ai.md, "Sentiment").

The polarity (negative, neutral, positive) and the kind of negative sentiment (anger, distrust, disappointment,
mockery) of comments in Spanish and English: per language, TF-IDF of negation-marked words and of character
n-grams into a logistic regression, with VADER's lexicon scores among the English features; trained on
PromptAds' annotated comments with whole sentence frames held out, measured against the majority class and
(English) VADER alone. Served by PromptAds' MCP tool ``classifySentiment``; after each training every stored
comment is classified into ``ads.comment_sentiment``, which the A6 report (``negativeSentimentReport``) reads.
"""

from __future__ import annotations

from typing import Any

from promptsales.ai.modules import module_status
from promptsales.ai.sentiment.serving import MODULE
from promptsales.config import Settings


def status(settings: Settings) -> dict[str, Any]:
    """Ready?, newest version and its held-out figures, and how many comments carry its classification."""
    return module_status(
        settings,
        MODULE,
        company="ads",
        serves="classifySentiment, negativeSentimentReport (A6), ads.comment_sentiment",
        stored=("comments_classified", "ads.comment_sentiment"),
    )

"""Social comments on PromptAds' ads, as text (SPEC A6, I1; issue 18, docs/ai.md "Sentiment").

Social listening counts mentions per ad × day × polarity (``ads.sentiment_observations``, drawn by
:mod:`promptsales.ads.model` with each campaign's negative episode). A share :data:`COMMENT_RATE` of those
mentions are comments whose text is kept: :func:`comment_tables` writes each of them in the ad's language from
the frames of :mod:`promptsales.ads.comment_vocabulary` — plain, negated, mixed and sarcastic — expressing the
polarity (and kind of negative sentiment) of the mention it stands for, and records that intent as the
comment's annotation (``ads.comment_annotations``: the labelled data the sentiment model learns from). The
sentiment model then classifies every comment (``ads.comment_sentiment``), which the A6 report reads.

Everything is drawn from its own random stream seeded by the seed's value, so the rest of the history does
not change and a seed gives the same comments.
"""

from __future__ import annotations

import random
import re
import unicodedata

import numpy as np

from promptsales.ads.catalog import WINDOW_START
from promptsales.ads.comment_vocabulary import FRAMES, SLOTS
from promptsales.ads.model import Nullable
from promptsales.seeding import SeedContext

#: Share of the counted mentions whose text is stored as a comment.
COMMENT_RATE = 0.1
#: Relative weight of each case among the frames of a polarity (and kind of negative sentiment).
CASE_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {
    ("positive", "-"): {"plain": 0.68, "negation": 0.15, "mixed": 0.13, "sarcasm": 0.04},
    ("neutral", "-"): {"plain": 0.85, "negation": 0.15},
    ("negative", "anger"): {"plain": 0.6, "negation": 0.22, "mixed": 0.18},
    ("negative", "distrust"): {"plain": 0.55, "negation": 0.2, "mixed": 0.13, "sarcasm": 0.12},
    ("negative", "disappointment"): {"plain": 0.55, "negation": 0.25, "mixed": 0.2},
    ("negative", "mockery"): {"plain": 0.4, "sarcasm": 0.6},
}
_SLOT = re.compile(r"\{(\w+)\}")
_AGREE = {"good": "aspect", "bad": "aspect", "minor": "aspect", "good2": "aspect2", "bad2": "aspect2"}


class CommentWriter:
    """Writes one comment at a time from the frames of a language (one random stream for all)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def case(self, polarity: str, negative_type: str) -> str:
        """A case (plain, negation, mixed, sarcasm) for a comment of this polarity and kind."""
        weights = CASE_WEIGHTS[(polarity, negative_type)]
        return self.rng.choices(list(weights), list(weights.values()))[0]

    def write(self, language: str, polarity: str, negative_type: str, case: str, product: str) -> tuple[str, str]:
        """(text, frame id) of one comment about ``product`` with this polarity, kind and case."""
        frames = FRAMES[language][(polarity, case, negative_type)]
        index = self.rng.randrange(len(frames))
        slots = SLOTS[language]
        chosen: dict[str, str] = {}
        genders: dict[str, str] = {}

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            key = name.lower()
            if key == "product":
                value = product
            elif key in ("aspect", "aspect2"):
                if key not in chosen:
                    options = [a for a in slots["aspect"] if a != chosen.get("aspect" if key == "aspect2" else "")]
                    picked, _, gender = self.rng.choice(options).partition("|")
                    chosen[key], genders[key] = picked, gender or "m"
                value = chosen[key]
            elif key in _AGREE:
                word = self.rng.choice(slots[key.rstrip("2")])
                masculine, _, feminine = word.partition("|")
                value = feminine if genders.get(_AGREE[key]) == "f" and feminine else masculine
            else:
                value = self.rng.choice(slots[key])
            return value[:1].upper() + value[1:] if name[0].isupper() else value

        opener, body = self.rng.choice(slots["opener"]), _SLOT.sub(fill, frames[index])
        if opener and body[1:2].islower():
            body = body[:1].lower() + body[1:]
        text = opener + body
        return self.noise(language, text), f"{language}.{polarity}.{case}.{negative_type}.{index}"

    def noise(self, language: str, text: str) -> str:
        """How people type: lower case, no accents, no final stop, a stretched vowel."""
        rng = self.rng
        if text[:1].islower() or rng.random() < 0.12:
            text = text.lower()
        else:
            text = text[:1].upper() + text[1:]
        if language == "es" and rng.random() < 0.25:
            text = "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")
        if text.endswith(".") and rng.random() < 0.5:
            text = text[:-1]
        if rng.random() < 0.05:
            vowels = [i for i, c in enumerate(text) if c in "aeiouo"]
            if vowels:
                i = rng.choice(vowels)
                text = text[:i] + text[i] * 3 + text[i + 1 :]
        return text


def comment_tables(tables: dict[str, dict[str, np.ndarray]], seed: int) -> dict[str, dict[str, np.ndarray]]:
    """``ads.social_comments`` and ``ads.comment_annotations`` for the generated ``tables`` (the ads, products,
    campaigns and sentiment observations of one history), drawn from ``seed``."""
    counts_rng = np.random.default_rng([seed, 18, 4])
    writer = CommentWriter(random.Random(seed * 1000 + 184))
    observations = tables["ads.sentiment_observations"]
    ads, campaigns, products = tables["ads.ads"], tables["ads.campaigns"], tables["ads.products"]
    kept = counts_rng.binomial(np.asarray(observations["mentions"]), COMMENT_RATE)
    row = np.repeat(np.arange(len(kept)), kept)
    ad_index = np.asarray(observations["ad_id"])[row] - 1
    language = np.asarray(ads["language"])[ad_index]
    product_of_campaign = np.asarray(campaigns["product_id"]) - 1
    product = np.asarray(products["name"])[product_of_campaign[np.asarray(ads["campaign_id"])[ad_index] - 1]]
    polarity = np.asarray(observations["polarity"])[row]
    negative_type = np.asarray(observations["negative_type"])[row]
    texts, cases, frames, types = [], [], [], []
    for lang, pol, kind, name in zip(language.tolist(), polarity.tolist(), negative_type.tolist(), product.tolist()):
        kind = kind or "-"
        case = writer.case(pol, kind)
        text, frame = writer.write(lang, pol, kind, case, name)
        texts.append(text)
        cases.append(case)
        frames.append(frame)
        types.append("" if kind == "-" else kind)
    ids = np.arange(1, len(row) + 1)
    days = np.asarray(observations["observed_on"])[row]
    posted = (np.datetime64(WINDOW_START.isoformat()) + days.astype("timedelta64[D]")).astype(str)
    return {
        "ads.social_comments": {
            "comment_id": ids,
            "ad_id": ad_index + 1,
            "channel_id": np.asarray(observations["channel_id"])[row],
            "posted_on": posted,
            "language": language,
            "body": np.array(texts, dtype=object),
        },
        "ads.comment_annotations": {
            "comment_id": ids,
            "polarity": polarity,
            "negative_type": Nullable(np.array(types)),
            "case_kind": np.array(cases),
            "frame": np.array(frames),
        },
    }


def example_comments(seed: int, per_class: int, language: str, product: str = "the product") -> list[dict]:
    """``per_class`` generated comments of each polarity (negatives spread over their kinds) in ``language``,
    with their annotation — a small labelled sample for tests and the docs."""
    writer = CommentWriter(random.Random(seed))
    rows = []
    for polarity, kind in CASE_WEIGHTS:
        count = per_class if polarity != "negative" else max(1, per_class // 4)
        for _ in range(count):
            case = writer.case(polarity, kind)
            text, frame = writer.write(language, polarity, kind, case, product)
            rows.append({"text": text, "polarity": polarity, "negative_type": None if kind == "-" else kind,
                         "case": case, "frame": frame})  # fmt: skip
    return rows


def classify(ctx: SeedContext) -> int:
    """Classify the seeded comments with the newest sentiment model (training a first one when none is stored);
    returns the comments classified."""
    from promptsales.ai.sentiment.training import classify_with_newest  # scikit-learn: imported when seeding

    return classify_with_newest(ctx.settings, dbname=ctx.database("ads"))

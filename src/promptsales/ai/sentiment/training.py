"""Training and re-evaluation of the sentiment model on PromptAds' annotated comments (docs/ai.md, "Sentiment").

:func:`run_training` reads the annotated comments, holds out whole sentence frames (:func:`split_by_frame`: the
held-out comments are phrased in ways the model never saw), fits one model per language on the rest, measures
it and its baselines on the held-out frames, stores it as the next version and classifies every stored comment
with it; :func:`run_evaluation` re-measures the newest version on the held-out frames of its split.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from promptsales.ai import registry
from promptsales.ai.modules import actor
from promptsales.ai.sentiment.model import PARAMS, SentimentModel, evaluate_language, fit_language
from promptsales.ai.sentiment.serving import CURRENT, MODULE, classify_stored
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

#: Share of each (language, polarity, case, kind) group's sentence frames held out for testing.
HELD_OUT_FRAMES = 0.25
#: At most this many training comments per language (a random sample; the frames are what varies).
MAX_TRAIN_PER_LANGUAGE = 15_000
#: Fewest annotated comments per language (and negatives among them) a training accepts.
MIN_COMMENTS = 200
MIN_NEGATIVES = 20
SPLIT_SEED = 18


@dataclass
class Annotated:
    """Annotated comments of one language, in parallel lists."""

    texts: list[str]
    polarity: list[str]
    negative_type: list[str | None]
    cases: list[str]
    frames: list[str]

    def take(self, index: list[int]) -> Annotated:
        """The comments at ``index``."""
        return Annotated(*([column[i] for i in index] for column in self.columns()))

    def columns(self) -> tuple[list, ...]:
        """The five parallel lists."""
        return self.texts, self.polarity, self.negative_type, self.cases, self.frames


def read_annotated(settings: Settings, dbname: str | None = None) -> dict[str, Annotated]:
    """Every annotated comment of PromptAds by language (read as the read-only ETL role)."""
    with connect("ads", "etl", settings=settings, dbname=dbname) as conn:
        rows = conn.execute(
            "SELECT c.language, c.body, a.polarity, a.negative_type, a.case_kind, a.frame"
            " FROM ads.social_comments c JOIN ads.comment_annotations a USING (comment_id) ORDER BY c.comment_id"
        ).fetchall()
    data: dict[str, Annotated] = {}
    for language, body, polarity, kind, case, frame in rows:
        bucket = data.setdefault(language, Annotated([], [], [], [], []))
        for column, value in zip(bucket.columns(), (body, polarity, kind, case, frame)):
            column.append(value)
    return data


def split_by_frame(frames: list[str], share: float = HELD_OUT_FRAMES, seed: int = SPLIT_SEED) -> set[str]:
    """The held-out frames: ``share`` of the frames of each group (the frame id without its index), at least
    one of every group with two or more frames, drawn from ``seed``."""
    groups: dict[str, list[str]] = {}
    for frame in sorted(set(frames)):
        groups.setdefault(frame.rsplit(".", 1)[0], []).append(frame)
    rng = random.Random(seed)
    held: set[str] = set()
    for group in sorted(groups):
        members = groups[group]
        if len(members) >= 2:
            held.update(rng.sample(members, max(1, round(share * len(members)))))
    return held


def fit_and_measure(data: dict[str, Annotated], params: dict | None = None) -> tuple[SentimentModel, dict, dict]:
    """Fit one model per language on the training frames and measure it on the held-out frames; returns the
    model, the held-out metrics and what the split was."""
    models, metrics, described = {}, {}, {}
    for language, annotated in sorted(data.items()):
        held = split_by_frame(annotated.frames)
        test = [i for i, f in enumerate(annotated.frames) if f in held]
        train = [i for i, f in enumerate(annotated.frames) if f not in held]
        if len(train) > MAX_TRAIN_PER_LANGUAGE:
            train = sorted(random.Random(SPLIT_SEED).sample(train, MAX_TRAIN_PER_LANGUAGE))
        _check_enough(language, annotated.take(train), annotated.take(test))
        fitting, testing = annotated.take(train), annotated.take(test)
        models[language] = fit_language(language, fitting.texts, fitting.polarity, fitting.negative_type, params)
        metrics[language] = evaluate_language(
            models[language], testing.texts, testing.polarity, testing.negative_type, testing.cases, fitting.polarity
        )
        described[language] = {
            "train_rows": len(train),
            "test_rows": len(test),
            "frames": len(set(annotated.frames)),
            "held_out_frames": sorted(held),
        }
    return SentimentModel(models), metrics, described


def run_training(
    settings: Settings, *, dbname: str | None = None, params: dict | None = None, classify: bool = True
) -> registry.ModelVersion:
    """Fit, measure on held-out frames, store the new version and (``classify``) classify every stored comment."""
    data = read_annotated(settings, dbname)
    if not data:
        raise UserError("No annotated comments in PromptAds: seed it first (`promptsales seed`).")
    model, metrics, described = fit_and_measure(data, params)
    metrics["headline"] = {
        **{f"{lang} macro-F1": m["model"]["macro_f1"] for lang, m in metrics.items()},
        **{f"{lang} majority F1": m["majority_class"]["macro_f1"] for lang, m in metrics.items()},
    }
    if "en" in metrics:
        metrics["headline"]["en VADER F1"] = metrics["en"]["vader_alone"]["macro_f1"]
    version = registry.save_model(
        settings,
        MODULE,
        model,
        algorithm=ALGORITHM,
        trained_by=actor(),
        params={**PARAMS, **(params or {})},
        data={
            "split": f"held-out sentence frames ({HELD_OUT_FRAMES:.0%} of each group)",
            "languages": described,
            "dbname": dbname,
            "trained_on": date.today().isoformat(),
        },
        metrics=metrics,
    )
    CURRENT.forget()  # this process serves the new version at once
    if classify:
        classify_stored(settings, dbname=dbname)
    return version


def classify_with_newest(settings: Settings, *, dbname: str | None = None) -> int:
    """Classify every stored comment with the newest version, training a first one when none is stored (the
    seed of PromptAds does this); returns the comments classified."""
    if registry.latest_version(settings, MODULE) is None:
        run_training(settings, dbname=dbname, classify=False)
    return classify_stored(settings, dbname=dbname)


ALGORITHM = (
    "TF-IDF words (negation-marked) + char 2-5-grams → logistic regression; Spanish + Snowball stems; "
    "English + VADER scores"
)


def run_evaluation(settings: Settings, *, dbname: str | None = None) -> dict[str, Any]:
    """Held-out metrics of the newest version on the held-out frames of its split (recorded in the registry)."""
    version, model = registry.load_model(settings, MODULE)
    data = read_annotated(settings, dbname if dbname is not None else version.data.get("dbname"))
    result: dict[str, Any] = {"model": version.label}
    for language, annotated in sorted(data.items()):
        held = set(version.data["languages"].get(language, {}).get("held_out_frames", []))
        test = annotated.take([i for i, f in enumerate(annotated.frames) if f in held])
        if test.texts and language in model.languages:
            measured = evaluate_language(model.languages[language], test.texts, test.polarity, test.negative_type)
            result[language] = measured["model"]
    if len(result) == 1:
        raise UserError(f"No held-out comments to evaluate {version.label} on.")
    registry.record_evaluation(settings, version, actor(), result)
    return result


def _check_enough(language: str, train: Annotated, test: Annotated) -> None:
    for name, part in (("training", train), ("held-out", test)):
        negatives = sum(p == "negative" for p in part.polarity)
        if len(part.texts) < MIN_COMMENTS or negatives < MIN_NEGATIVES or len(set(part.polarity)) < 3:
            raise UserError(
                f"Too few {name} comments in {language!r} to train sentiment ({len(part.texts)} comments, "
                f"{negatives} negative): seed PromptAds first (`promptsales seed`)."
            )

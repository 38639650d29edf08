"""Training and re-evaluation of the lead-scoring model on PromptCRM's leads (docs/ai.md, "Lead scoring").

:func:`run_training` reads every lead's features (or those of some campaigns — tests train on a few), splits
them by time, fits the model and its baselines, measures all of them on the held-out leads, stores the model
as the next version with those metrics and stores every lead's score; :func:`run_evaluation` re-measures the
newest version on the held-out leads of its split and records the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import numpy as np

from promptsales.ai import registry
from promptsales.ai.lead_scoring import features
from promptsales.ai.lead_scoring.model import (
    BOOSTER_PARAMS,
    Split,
    fit,
    logistic_baseline,
    logistic_probabilities,
    metrics,
    source_rates,
)
from promptsales.ai.lead_scoring.serving import MODULE, store_scores
from promptsales.ai.modules import actor
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

#: Fewest training and held-out leads (and buyers among them) a training accepts.
MIN_ROWS = 500
MIN_BUYERS = 50


@dataclass
class Dataset:
    """Leads with their features and campaign profiles, and the interest vocabulary."""

    leads: features.Leads
    profiles: dict[int, features.CampaignProfile]
    interests: list[str]


def read_dataset(settings: Settings, campaign_ids: list[int] | None = None) -> Dataset:
    """Every lead of PromptCRM (or of ``campaign_ids``) with its features, read as the read-only ETL role."""
    with connect("crm", "etl", settings=settings) as conn:
        interests = features.interest_vocabulary(conn)
        return Dataset(
            features.read_leads(conn, interests, campaign_ids=campaign_ids),
            features.campaign_profiles(conn),
            interests,
        )


def run_training(
    settings: Settings,
    *,
    split: Split | None = None,
    params: dict[str, Any] | None = None,
    campaign_ids: list[int] | None = None,
    store: bool = True,
) -> registry.ModelVersion:
    """Fit, measure against the baselines on held-out leads, store the new version and (``store``) every lead's
    score. ``campaign_ids`` restricts the data to those campaigns' leads (small, fast runs)."""
    split = split or Split()
    data = read_dataset(settings, campaign_ids)
    leads, labels = data.leads, data.leads.columns["converted"]
    train, test = split.masks(leads)
    _check_enough(labels, train, test, split)
    spec = features.FeatureSpec.fit(leads.take(np.flatnonzero(train)), data.profiles, data.interests)
    matrix = spec.matrix(leads, data.profiles)
    model = fit(matrix[train], labels[train], spec, params)
    probabilities = model.probabilities(matrix)

    logistic = logistic_baseline(matrix[train], labels[train], spec)
    rates = source_rates(leads.columns["source_id"][train], labels[train])
    base = float(labels[train].mean())
    by_source = np.array([rates.get(int(s), base) for s in leads.columns["source_id"][test]])
    held_out = {
        "model": metrics(labels[test], probabilities[test]),
        "logistic_regression": metrics(labels[test], logistic_probabilities(logistic, matrix[test], spec)),
        "source_only": metrics(labels[test], by_source),
        "rule_score_auc": metrics(labels[test], leads.columns["rule_score"][test] / 100.0)["auc"],
        "fit": model.info,
    }
    ours, lr, src = held_out["model"], held_out["logistic_regression"], held_out["source_only"]
    held_out["beats_baselines"] = bool(
        ours["auc"] > max(lr["auc"], src["auc"]) and ours["brier"] < min(lr["brier"], src["brier"])
    )
    held_out["headline"] = {
        "AUC": ours["auc"],
        "Brier": ours["brier"],
        "ECE": ours["ece"],
        "top-decile lift": ours["top_decile_lift"],
        "LR AUC": lr["auc"],
        "source AUC": src["auc"],
    }
    version = registry.save_model(
        settings,
        MODULE,
        model,
        algorithm=model.algorithm,
        trained_by=actor(),
        params={**BOOSTER_PARAMS, **(params or {})},
        data={
            **split.as_dict(),
            "campaign_ids": campaign_ids,
            "train_rows": int(train.sum()),
            "test_rows": int(test.sum()),
            "train_buyer_rate": round(base, 4),
            "columns": spec.columns,
            "trained_on": date.today().isoformat(),
        },
        metrics=held_out,
    )
    if store:
        store_scores(settings, version.version, leads.columns["lead_id"], probabilities)
    return version


def run_evaluation(settings: Settings) -> dict[str, Any]:
    """Held-out metrics of the newest version on the test leads of its own split (recorded in the registry)."""
    version, model = registry.load_model(settings, MODULE)
    stored = version.data
    split = Split(
        train_from=_day(stored["train_from"]),
        test_from=_day(stored["test_from"]),
        outcome_days=int(stored["outcome_days"]),
    )
    data = read_dataset(settings, stored.get("campaign_ids"))
    leads, labels = data.leads, data.leads.columns["converted"]
    _, test = split.masks(leads)
    if not test.any():
        raise UserError(f"No held-out leads (created from {stored['test_from']}) to evaluate {version.label} on.")
    matrix = model.spec.matrix(leads.take(np.flatnonzero(test)), data.profiles)
    result = {"model": version.label, **metrics(labels[test], model.probabilities(matrix))}
    registry.record_evaluation(settings, version, actor(), result)
    return result


def _check_enough(labels: np.ndarray, train: np.ndarray, test: np.ndarray, split: Split) -> None:
    for name, mask in (("training", train), ("held-out", test)):
        if mask.sum() < MIN_ROWS or labels[mask].sum() < MIN_BUYERS or labels[mask].sum() == mask.sum():
            raise UserError(
                f"Too few {name} leads to train lead scoring ({int(mask.sum())} leads, {int(labels[mask].sum())} "
                f"buyers; split {split.as_dict()}): seed PromptCRM first (`promptsales seed`)."
            )


def _day(text: str) -> datetime:
    return datetime.fromisoformat(text + "T00:00:00+00:00")

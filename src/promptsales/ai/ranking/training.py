"""Training and re-evaluation of the performance ranking on the warehouse (docs/ai.md, "Performance ranking").

Time split: each month k gives one query — the campaigns that spent in month k, their features from months
≤ k, and their order by ROI in month k+1. The last ``test_months`` target months are held out (never used to
fit or to choose anything); the earlier ones train. On the
held-out months the learned order is compared with raw ROI (of month k and cumulative) and the shrunk ROI.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from promptsales.ai import registry
from promptsales.ai.modules import actor
from promptsales.ai.ranking import features
from promptsales.ai.ranking.model import ALGORITHM, RANKER_PARAMS, RankingModel, fit, ranking_metrics
from promptsales.ai.ranking.panel import Panel, read_panel
from promptsales.ai.ranking.serving import MODULE, store_scores
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

#: Fewest campaigns with a known next month for a month to count as a query.
MIN_CANDIDATES = 10
#: Fewest training months (queries) a training accepts.
MIN_TRAIN_MONTHS = 2
#: The baselines and methods compared on the held-out months (feature column that orders them, or the model).
METHODS = {
    "raw_roi_month": "roi_month",
    "raw_roi_cumulative": "roi_cumulative",
    "shrunk_roi": "shrunk_roi_cumulative",
}


@dataclass
class Query:
    """One month k with a known month k+1: candidates' features and next month's ROI."""

    label: str  # the target month, YYYY-MM
    month: features.MonthFeatures
    matrix: np.ndarray
    next_roi: np.ndarray


def queries(panel: Panel) -> list[Query]:
    """Every month k of ``panel`` whose month k+1 is in the panel, with ≥ :data:`MIN_CANDIDATES` candidates
    that spent in both months."""
    found = []
    for k in range(len(panel.months) - 1):
        month = features.month_features(panel, k)
        assert month.next_roi is not None
        known = np.isfinite(month.next_roi)
        if known.sum() >= MIN_CANDIDATES:
            label = panel.months[k + 1].strftime("%Y-%m")
            found.append(Query(label, month, month.matrix[known], month.next_roi[known]))
    return found


def split(found: list[Query], test_months: int) -> tuple[list[Query], list[Query]]:
    """(train, test): the last ``test_months`` queries are the test, the earlier ones train."""
    if len(found) < test_months + MIN_TRAIN_MONTHS:
        raise UserError(
            f"Too few months to train the ranking: {len(found)} months with ≥ {MIN_CANDIDATES} campaigns active in "
            f"two consecutive months; {test_months + MIN_TRAIN_MONTHS} needed. Seed and load the warehouse "
            "first (`promptsales seed`, `promptsales etl run`)."
        )
    return found[:-test_months], found[-test_months:]


def compare(model: RankingModel, test: list[Query]) -> dict[str, Any]:
    """NDCG@10 and Spearman of every method on the held-out months."""
    result = {
        name: ranking_metrics([(q.label, q.matrix[:, features.COLUMNS.index(column)], q.next_roi) for q in test])
        for name, column in METHODS.items()
    }
    result["learned"] = ranking_metrics([(q.label, model.scores(q.matrix), q.next_roi) for q in test])
    return result


def run_training(
    settings: Settings, *, test_months: int = 3, params: dict[str, Any] | None = None, store: bool = True
) -> registry.ModelVersion:
    """Fit the ranker, compare it with raw and shrunk ROI on the held-out months, store the version and
    (``store``) the latest month's scores."""
    with connect("sales", "etl", settings=settings) as conn:
        panel = read_panel(conn)
    found = queries(panel)
    train, test = split(found, test_months)
    model = fit([(q.matrix, q.next_roi) for q in train], params)
    held_out = compare(model, test)
    raw = held_out["raw_roi_month"]
    learned, shrunk = held_out["learned"], held_out["shrunk_roi"]
    held_out["beats_raw_roi"] = bool(
        learned["ndcg_at_10"] > raw["ndcg_at_10"] and learned["spearman"] > raw["spearman"]
    )
    held_out["shrunk_beats_raw_roi"] = bool(
        shrunk["ndcg_at_10"] > raw["ndcg_at_10"] and shrunk["spearman"] > raw["spearman"]
    )
    held_out["fit"] = model.info
    held_out["headline"] = {
        "NDCG@10": learned["ndcg_at_10"],
        "Spearman": learned["spearman"],
        "shrunk NDCG@10": shrunk["ndcg_at_10"],
        "shrunk Spearman": shrunk["spearman"],
        "raw ROI NDCG@10": raw["ndcg_at_10"],
        "raw ROI Spearman": raw["spearman"],
    }
    version = registry.save_model(
        settings,
        MODULE,
        model,
        algorithm=ALGORITHM,
        trained_by=actor(),
        params={**RANKER_PARAMS, **(params or {})},
        data={
            "train_months": [q.label for q in train],
            "test_months": [q.label for q in test],
            "train_rows": int(sum(len(q.next_roi) for q in train)),
            "test_rows": int(sum(len(q.next_roi) for q in test)),
            "campaigns": len(panel.campaign_ids),
            "columns": list(features.COLUMNS),
            "target": "order of the campaigns that spent in months k and k+1 by their ROI in month k+1",
            "trained_on": date.today().isoformat(),
        },
        metrics=held_out,
    )
    if store:
        store_scores(settings, version, model, panel)
    return version


def run_evaluation(settings: Settings) -> dict[str, Any]:
    """The newest version re-measured on the held-out months of its own split (recorded in the registry)."""
    version, model = registry.load_model(settings, MODULE)
    with connect("sales", "etl", settings=settings) as conn:
        panel = read_panel(conn)
    wanted = set(version.data.get("test_months", []))
    test = [q for q in queries(panel) if q.label in wanted]
    if not test:
        raise UserError(f"None of the held-out months of {version.label} ({sorted(wanted)}) is in the warehouse.")
    result = {"model": version.label, **compare(model, test)}
    registry.record_evaluation(settings, version, actor(), result)
    return result

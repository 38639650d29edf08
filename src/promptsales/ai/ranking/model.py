"""The learned ranker (LightGBM lambdarank, one query per month) and the ranking metrics.

Relevance of a campaign in month k = its decile (0–9) of next month's ROI among the month's candidates;
the ranker learns the order from :mod:`promptsales.ai.ranking.features`. :func:`ranking_metrics` scores an
order against next month's actual ROI: NDCG@10 (gain = decile) and Spearman's rank correlation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from promptsales.ai.ranking.features import COLUMNS

ALGORITHM = "LightGBM LGBMRanker (lambdarank)"
RANKER_PARAMS: dict[str, Any] = {
    "objective": "lambdarank",
    "n_estimators": 300,
    "learning_rate": 0.03,
    "num_leaves": 15,
    "min_child_samples": 40,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 1.0,
    "lambdarank_truncation_level": 20,
    "random_state": 20260131,
    "n_jobs": 1,
    "verbose": -1,
}
GRADES = 10
NDCG_AT = 10


def grades(next_roi: np.ndarray) -> np.ndarray:
    """Decile (0 … 9) of each campaign's next-month ROI within its month."""
    if len(next_roi) == 0:
        return np.zeros(0, dtype=int)
    ranks = np.argsort(np.argsort(next_roi, kind="stable"), kind="stable")
    return np.minimum((ranks * GRADES) // len(next_roi), GRADES - 1).astype(int)


@dataclass
class RankingModel:
    """The fitted ranker and the feature columns it was fitted on."""

    booster: Any
    columns: tuple[str, ...] = COLUMNS
    info: dict[str, Any] = field(default_factory=dict)

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """A score per row; higher = expected higher in next month's ROI order."""
        if matrix.shape[1] != len(self.columns):
            raise ValueError(f"expected {len(self.columns)} feature columns, got {matrix.shape[1]}")
        if len(matrix) == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(matrix, num_threads=1), dtype=float)


def fit(train: list[tuple[np.ndarray, np.ndarray]], params: dict[str, Any] | None = None) -> RankingModel:
    """Fit on months given as (features, next-month ROI) of the campaigns with a known next month. The number
    of trees is fixed (:data:`RANKER_PARAMS`, chosen on the training months): early stopping on one month of
    40–100 campaigns stopped after 3 trees on noise."""
    import lightgbm  # imported with the first training or model, not by every MCP server

    settings = {**RANKER_PARAMS, **(params or {})}
    x = np.vstack([m for m, _ in train])
    y = np.concatenate([grades(r) for _, r in train])
    ranker = lightgbm.LGBMRanker(**settings)
    ranker.fit(x, y, group=[len(r) for _, r in train])
    importance = dict(zip(COLUMNS, (int(v) for v in ranker.booster_.feature_importance("gain"))))
    top = dict(sorted(importance.items(), key=lambda item: -item[1])[:8])
    info = {"trees": settings["n_estimators"], "train_rows": len(y), "gain_importance_top": top}
    return RankingModel(ranker.booster_, info={**info, "lightgbm": lightgbm.__version__})


def ndcg_at(scores: np.ndarray, next_roi: np.ndarray, k: int = NDCG_AT) -> float:
    """NDCG@k of the order by ``scores`` with gain = decile of ``next_roi`` (ties broken by position)."""
    relevance = grades(next_roi).astype(float)
    order = np.argsort(-scores, kind="stable")[:k]
    discounts = 1.0 / np.log2(np.arange(2, len(order) + 2))
    ideal = np.sort(relevance)[::-1][:k]
    best = float((ideal * discounts[: len(ideal)]).sum())
    return float((relevance[order] * discounts).sum() / best) if best > 0 else 0.0


def spearman(scores: np.ndarray, next_roi: np.ndarray) -> float:
    """Spearman's rank correlation of ``scores`` with ``next_roi``."""
    from scipy.stats import spearmanr

    if len(scores) < 3:
        return float("nan")
    return float(spearmanr(scores, next_roi).statistic)


def ranking_metrics(months: list[tuple[str, np.ndarray, np.ndarray]]) -> dict[str, Any]:
    """Mean NDCG@10 and Spearman over months given as (label, scores, next ROI), and each month's figures."""
    ndcg = [ndcg_at(s, r) for _, s, r in months]
    rho = [spearman(s, r) for _, s, r in months]
    per_month = [
        {"month": label, "campaigns": len(r), "ndcg_at_10": round(n, 4), "spearman": round(c, 4)}
        for (label, _, r), n, c in zip(months, ndcg, rho)
    ]
    return {
        "ndcg_at_10": round(float(np.mean(ndcg)), 4) if ndcg else None,
        "spearman": round(float(np.nanmean(rho)), 4) if rho else None,
        "per_month": per_month,
    }

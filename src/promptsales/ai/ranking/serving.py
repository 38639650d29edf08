"""Ranking campaigns for PromptSales' ``topCampaigns`` (option ``ranking``) and size-adjusted questions.

:func:`rank_campaigns` orders the campaigns of a period by their shrunk ROI or conversion rate (empirical
Bayes, with a 90 % interval) or by the learned ranker's expected order in the month after the period, and
writes one AI-usage row per call; :func:`store_scores` writes ``wh.campaign_rank_scores`` after a training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import psycopg

from promptsales.ai.calls import logged_call
from promptsales.ai.ranking import shrinkage
from promptsales.ai.ranking.panel import Panel, read_panel
from promptsales.ai.registry import CurrentModel, ModelVersion
from promptsales.config import Settings
from promptsales.db.bulk import copy_rows
from promptsales.db.connect import connect
from promptsales.errors import UserError

if TYPE_CHECKING:
    from promptsales.ai.ranking.model import RankingModel

MODULE = "ranking"
OPERATION = "rankCampaigns"
SHRUNK_LABEL = "empirical Bayes (normal-normal ROI weighted by spend, beta-binomial conversion)"
Method = Literal["shrunk", "learned"]
SHRINKABLE = ("roi", "conversion_rate")

CURRENT = CurrentModel(MODULE)


@dataclass
class RankedCampaign:
    """One campaign of a ranking: its figures over the period and, per method, its estimate or score."""

    campaign_id: int
    campaign: str
    estimate: float  # shrunk estimate (shrunk) or ranker score (learned)
    low: float | None
    high: float | None
    raw: float | None  # the period's raw ROI / conversion rate
    weight: float  # spend (ROI) or leads (conversion) over the period
    own_share: float | None  # share of the estimate that is the campaign's own figure


@dataclass
class Ranking:
    """A ranking and how it was made."""

    method: Method
    metric: str
    model: str
    prior: dict[str, Any]
    as_of_month: str  # the period's last month with results, YYYY-MM-DD
    campaigns_ranked: int
    rows: list[RankedCampaign] = field(default_factory=list)


def rank_campaigns(
    settings: Settings,
    conn: psycopg.Connection,
    *,
    method: Method,
    metric: str = "roi",
    month_from: date | None = None,
    until: date | None = None,
    n: int = 10,
    ascending: bool = False,
) -> Ranking:
    """The ``n`` best (``ascending``: worst) campaigns of months ``[month_from, until)`` by ``method``: the
    shrunk ``metric`` (roi or conversion_rate), or the learned ranker's order for the month after the period
    (roi only). ``conn`` reads the warehouse."""
    arguments = {
        "method": method,
        "metric": metric,
        "month_from": month_from,
        "until": until,
        "n": n,
        "ascending": ascending,
    }
    provider = "lightgbm" if method == "learned" else "numpy/scipy"
    with logged_call(MODULE, OPERATION, arguments, settings=settings, provider=provider) as call:
        if method == "shrunk" and metric not in SHRINKABLE:
            raise UserError(f"ranking 'shrunk' applies to roi or conversion_rate, not {metric!r}.")
        if method == "learned" and metric != "roi":
            raise UserError(
                f"ranking 'learned' predicts next month's order by ROI; metric must be roi, not {metric!r}."
            )
        if not 1 <= n <= 100:
            raise UserError(f"n must be between 1 and 100, got {n}.")
        panel = read_panel(conn, until=until)
        if not panel.months:
            raise UserError("No campaign results in the warehouse before the end of the period.")
        if method == "shrunk":
            ranking = _shrunk(panel, metric, month_from)
            call.label = f"{MODULE}/shrunk ({SHRUNK_LABEL})"
            call.validation_method = (
                "estimates finite and inside their 90 % interval; prior fitted on the period's campaigns "
                f"({ranking.prior}); noise scale from months up to the period's end only"
            )
        else:
            version, model = CURRENT.get(settings)
            call.model = version
            ranking = _learned(panel, version, model)
            call.validation_method = (
                "features from months up to the period's last month only, checked against the model's columns; "
                f"scores finite; held-out NDCG@10 {version.metrics.get('learned', {}).get('ndcg_at_10')} at training"
            )
        _check(ranking)
        order = sorted(ranking.rows, key=lambda r: (r.estimate, -r.campaign_id), reverse=not ascending)
        ranking.rows = order[:n]
        call.output = {
            "model": ranking.model,
            "campaigns_ranked": ranking.campaigns_ranked,
            "top": [{"campaign_id": r.campaign_id, "estimate": r.estimate} for r in ranking.rows],
        }
        call.optimizations = "panel read once per call (one indexed scan of wh.campaign_months); MCP read-tool cache"
        return ranking


def _shrunk(panel: Panel, metric: str, month_from: date | None) -> Ranking:
    values = panel.values
    inside = np.array([month_from is None or month >= month_from for month in panel.months])
    if not inside.any():
        raise UserError("No campaign results in the period.")
    if metric == "roi":
        spend, sales = values["spend"], values["sales_amount"]
        active = spend > 0
        campaign_of = np.repeat(np.arange(len(panel.campaign_ids)), len(panel.months)).reshape(active.shape)
        sigma2 = shrinkage.roi_noise(campaign_of[active], spend[active], sales[active])
        weight, amount = spend[:, inside].sum(axis=1), sales[:, inside].sum(axis=1)
        rows = np.flatnonzero(weight > 0)
        result = shrinkage.shrink_roi(weight[rows], amount[rows], sigma2)
        raw = amount[rows] / weight[rows] - 1
    else:
        weight = values["leads"][:, inside].sum(axis=1)
        count = values["sales_count"][:, inside].sum(axis=1)
        rows = np.flatnonzero(weight > 0)
        result = shrinkage.shrink_conversion(count[rows], weight[rows])
        raw = count[rows] / weight[rows]
    ranked = [
        RankedCampaign(
            int(panel.campaign_ids[r]),
            panel.names[r],
            float(result.estimate[i]),
            float(result.low[i]),
            float(result.high[i]),
            float(raw[i]),
            float(weight[r]),
            float(result.weight_own[i]),
        )
        for i, r in enumerate(rows)
    ]
    prior = {key: round(value, 6) if isinstance(value, float) else value for key, value in result.prior.items()}
    return Ranking("shrunk", metric, f"{MODULE}/shrunk", prior, panel.months[-1].isoformat(), len(rows), ranked)


def _learned(panel: Panel, version: ModelVersion, model: RankingModel) -> Ranking:
    from promptsales.ai.ranking.features import month_features

    k = panel.latest_spent_month()
    month = month_features(panel, k)
    scores = model.scores(month.matrix)
    spend = panel.values["spend"][month.rows, k]
    raw = panel.values["sales_amount"][month.rows, k] / spend - 1
    ranked = [
        RankedCampaign(
            int(panel.campaign_ids[r]),
            panel.names[r],
            float(scores[i]),
            None,
            None,
            float(raw[i]),
            float(spend[i]),
            None,
        )
        for i, r in enumerate(month.rows)
    ]
    if not ranked:
        raise UserError(f"No campaign spent in {panel.months[k]:%Y-%m}, the period's last month.")
    return Ranking("learned", "roi", version.label, {}, panel.months[k].isoformat(), len(ranked), ranked)


def _check(ranking: Ranking) -> None:
    for row in ranking.rows:
        if not np.isfinite(row.estimate):
            raise RuntimeError(f"ranking produced a non-finite estimate for campaign {row.campaign_id}")
        if row.low is not None and row.high is not None and not row.low - 1e-9 <= row.estimate <= row.high + 1e-9:
            raise RuntimeError(f"estimate outside its interval for campaign {row.campaign_id}")


def store_scores(settings: Settings, version: ModelVersion, model: RankingModel, panel: Panel) -> int:
    """Replace ``wh.campaign_rank_scores`` with the scores of the campaigns that spent in the panel's latest
    month (learned score, shrunk cumulative ROI and conversion with their intervals) under ``version``."""
    from promptsales.ai.ranking.features import month_features

    k = panel.latest_spent_month()
    month = month_features(panel, k)
    scores = model.scores(month.matrix)
    roi, conversion = month.shrunk_roi, month.shrunk_conversion
    with connect("sales", "app", settings=settings) as conn, conn.transaction():
        conn.execute("DELETE FROM wh.campaign_rank_scores")
        names = (
            "campaign_id", "as_of_month", "model_version", "learned_score", "shrunk_roi", "roi_low", "roi_high",
            "shrunk_conversion", "conversion_low", "conversion_high",
        )  # fmt: skip
        columns = (scores, roi.estimate, roi.low, roi.high, conversion.estimate, conversion.low, conversion.high)
        rows = [
            (int(panel.campaign_ids[r]), panel.months[k], version.version, *(_finite(c[i]) for c in columns))
            for i, r in enumerate(month.rows)
        ]
        copy_rows(conn, "wh.campaign_rank_scores", names, rows)
    return len(month.rows)


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None

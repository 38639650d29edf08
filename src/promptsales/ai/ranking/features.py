"""What is known about each campaign at the end of month k — its features — and how it did in month k+1.

Only months ≤ k are read for the features, the empirical-Bayes estimates included (their prior is fitted
on the campaigns' figures up to month k). The candidates of month k are the campaigns that spent in month
k; the target is the ROI of month k+1, known for the candidates that also spent in month k+1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from promptsales.ai.ranking import shrinkage
from promptsales.ai.ranking.panel import Panel

COLUMNS = (
    "roi_month",
    "roi_cumulative",
    "roi_previous_month",
    "shrunk_roi_cumulative",
    "shrunk_roi_month",
    "own_weight_cumulative",
    "shrunk_conversion_cumulative",
    "conversion_month",
    "log_spend_month",
    "log_spend_cumulative",
    "spend_change",
    "ctr_month",
    "cost_per_lead_month",
    "order_value_cumulative",
    "months_active",
    "months_left",
    "budget_used",
    "log_budget",
    "channels",
    "markets",
)


@dataclass
class MonthFeatures:
    """The candidates of one month k: their rows of the panel, features, shrunk estimates and (when month
    k+1 is in the panel) next month's ROI (NaN where the campaign did not spend in k+1)."""

    k: int
    rows: np.ndarray
    matrix: np.ndarray
    shrunk_roi: shrinkage.Shrunk
    shrunk_conversion: shrinkage.Shrunk
    next_roi: np.ndarray | None


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    return np.divide(top, bottom, out=np.full(top.shape, np.nan), where=bottom > 0)


def month_features(panel: Panel, k: int) -> MonthFeatures:
    """Features of every campaign that spent in month ``k`` from months ≤ ``k`` of ``panel``."""
    v = panel.values
    spend, sales = v["spend"][:, : k + 1], v["sales_amount"][:, : k + 1]
    rows = np.flatnonzero(spend[:, k] > 0)
    spend_cum, sales_cum = spend.sum(axis=1), sales.sum(axis=1)
    count_cum, leads_cum = v["sales_count"][:, : k + 1].sum(axis=1), v["leads"][:, : k + 1].sum(axis=1)

    active = spend > 0
    campaign_of = np.repeat(np.arange(len(panel.campaign_ids)), k + 1).reshape(active.shape)
    sigma2 = shrinkage.roi_noise(campaign_of[active], spend[active], sales[active])
    ever = spend_cum > 0
    shrunk_cum = _take(shrinkage.shrink_roi(spend_cum[ever], sales_cum[ever], sigma2), ever, rows)
    shrunk_month = _take(shrinkage.shrink_roi(spend[rows, k], sales[rows, k], sigma2), None, None)
    had_leads = leads_cum > 0
    conversion = _take(shrinkage.shrink_conversion(count_cum[had_leads], leads_cum[had_leads]), had_leads, rows)

    previous = spend[rows, k - 1] if k > 0 else np.zeros(len(rows))
    columns = {
        "roi_month": sales[rows, k] / spend[rows, k] - 1,
        "roi_cumulative": sales_cum[rows] / spend_cum[rows] - 1,
        "roi_previous_month": _ratio(sales[rows, k - 1], previous) - 1 if k > 0 else np.full(len(rows), np.nan),
        "shrunk_roi_cumulative": shrunk_cum.estimate,
        "shrunk_roi_month": shrunk_month.estimate,
        "own_weight_cumulative": shrunk_cum.weight_own,
        "shrunk_conversion_cumulative": conversion.estimate,
        "conversion_month": _ratio(v["sales_count"][rows, k], v["leads"][rows, k]),
        "log_spend_month": np.log1p(spend[rows, k]),
        "log_spend_cumulative": np.log1p(spend_cum[rows]),
        "spend_change": _ratio(spend[rows, k], previous),
        "ctr_month": _ratio(v["clicks"][rows, k], v["impressions"][rows, k]),
        "cost_per_lead_month": _ratio(spend[rows, k], v["leads"][rows, k]),
        "order_value_cumulative": _ratio(sales_cum[rows], count_cum[rows]),
        "months_active": active[rows].sum(axis=1).astype(float),
        "months_left": panel.months_left(k)[rows],
        "budget_used": _ratio(spend_cum[rows], panel.budget[rows]),
        "log_budget": np.log1p(np.nan_to_num(panel.budget[rows])),
        "channels": panel.channels[rows],
        "markets": panel.markets[rows],
    }
    matrix = np.column_stack([columns[name] for name in COLUMNS]) if len(rows) else np.zeros((0, len(COLUMNS)))
    next_roi = None
    if k + 1 < len(panel.months):
        next_spend, next_sales = v["spend"][rows, k + 1], v["sales_amount"][rows, k + 1]
        next_roi = _ratio(next_sales, next_spend) - 1
    return MonthFeatures(k, rows, matrix, shrunk_cum, conversion, next_roi)


def _take(shrunk: shrinkage.Shrunk, where: np.ndarray | None, rows: np.ndarray | None) -> shrinkage.Shrunk:
    """``shrunk`` (computed for the panel rows ``where``) re-indexed to ``rows``; NaN for rows outside."""
    if where is None or rows is None:
        return shrunk
    position = np.full(len(where), -1)
    position[np.flatnonzero(where)] = np.arange(int(where.sum()))
    picked = position[rows]
    inside = picked >= 0

    def pick(values: np.ndarray) -> np.ndarray:
        out = np.full(len(rows), np.nan)
        out[inside] = values[picked[inside]]
        return out

    return shrinkage.Shrunk(
        pick(shrunk.estimate), pick(shrunk.low), pick(shrunk.high), pick(shrunk.weight_own), shrunk.prior
    )

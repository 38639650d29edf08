"""The backtest of the budget split: fit the curves on months 1…k, allocate month k+1, compare.

For every test month k+1 and every campaign that spent in at least two channel × market cells that month, the
campaign's actual spend that month is re-split three ways over the same cells (with the ad-days its ads were
scheduled for): as it was (the historical split), equally, and by the curves fitted on months before k+1
(:class:`~promptsales.ai.ad_optimisation.allocate.Allocator`, the default share limits). The three are valued
by the *hindsight* curves — fitted on the whole history, the test month included, which the allocation never
saw — and the historical split also by what it really earned (conversions recorded). The headline is the
uplift of the optimised split over the equal split at equal budget (target ≥ 10 %).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from promptsales.ai.ad_optimisation.allocate import Allocator, ShareLimits, equal_split, expected
from promptsales.ai.ad_optimisation.curves import ResponseCurves, fit_curves
from promptsales.ai.ad_optimisation.data import CellMonths, month_label

#: Campaign-months with less spend than this (USD) are left out (nothing to split).
MIN_SPEND = 100.0


@dataclass
class MonthResult:
    """Totals of one test month over its campaigns."""

    month: str
    campaigns: int
    spend: float
    actual: float  # conversions the historical split earned
    historical: float  # the hindsight curves' expectation of the historical split
    equal: float
    optimised: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, rounded."""
        return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


#: What :func:`backtest` can report per campaign-month: (month, campaign, cells, historical spend, optimised spend).
Record = Callable[[int, int, list[tuple[int, int]], np.ndarray, np.ndarray], None]


def backtest(
    rows: CellMonths,
    test_months: list[int],
    limits: ShareLimits,
    hindsight: ResponseCurves | None = None,
    record: Record | None = None,
) -> dict[str, Any]:
    """Backtest over ``test_months`` (each allocated from a fit on the months before it); returns per-month
    totals and the pooled uplifts. ``record`` receives every campaign-month's splits (e.g. to value them
    another way)."""
    hindsight = hindsight or fit_curves(rows)
    months = []
    for month in test_months:
        train = rows.take(rows.month < month)
        curves = fit_curves(train)
        months.append(_month(rows.take(rows.month == month), month, curves, hindsight, limits, record))
    total = {f: sum(getattr(m, f) for m in months) for f in ("spend", "actual", "historical", "equal", "optimised")}
    return {
        "test_months": [m.month for m in months],
        "months": [m.as_dict() for m in months],
        "campaign_months": sum(m.campaigns for m in months),
        "spend": round(total["spend"], 2),
        "conversions_actual": round(total["actual"], 1),
        "conversions_historical_expected": round(total["historical"], 1),
        "conversions_equal_expected": round(total["equal"], 1),
        "conversions_optimised_expected": round(total["optimised"], 1),
        "uplift_vs_equal": round(total["optimised"] / total["equal"] - 1.0, 4),
        "uplift_vs_historical": round(total["optimised"] / total["historical"] - 1.0, 4),
        "hindsight_calibration": round(total["historical"] / max(total["actual"], 1e-9), 4),
    }


def _month(
    rows: CellMonths,
    month: int,
    curves: ResponseCurves,
    hindsight: ResponseCurves,
    limits: ShareLimits,
    record: Record | None,
) -> MonthResult:
    result = MonthResult(month_label(month), 0, 0.0, 0.0, 0.0, 0.0, 0.0)
    season = month % 12 + 1
    allocators: dict[tuple, Allocator] = {}
    for campaign in np.unique(rows.campaign):
        mask = rows.campaign == campaign
        spend = rows.spend[mask]
        cells = list(zip(rows.channel[mask].tolist(), rows.market[mask].tolist()))
        if len(cells) < 2 or spend.sum() < MIN_SPEND or not all(curves.knows(c, m) for c, m in cells):
            continue
        budget, ad_days = float(spend.sum()), rows.ad_days[mask]
        a, beta = curves.curve(cells, ad_days, season, int(campaign))
        key = (tuple(c for c, _ in cells), tuple(np.round(beta, 3)))
        if key not in allocators:
            allocators[key] = Allocator([c for c, _ in cells], beta, limits)
        optimised = allocators[key].solve(a, budget)
        if record is not None:
            record(month, int(campaign), cells, spend, optimised)
        true_a, true_beta = hindsight.curve(cells, ad_days, season, int(campaign))
        result.campaigns += 1
        result.spend += budget
        result.actual += float(rows.conversions[mask].sum())
        result.historical += float(expected(true_a, true_beta, spend))
        result.equal += float(expected(true_a, true_beta, equal_split(len(cells), budget)))
        result.optimised += float(expected(true_a, true_beta, optimised))
    return result

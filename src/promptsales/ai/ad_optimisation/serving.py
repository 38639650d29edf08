"""Splitting a campaign's budget for the next period with the newest fitted response curves (PromptAds' MCP tool
``optimizeBudget``): the split across channel × market, the expected conversions with an interval, and why —
the curves' marginal returns. A live campaign's last days update the curves first (Thompson sampling,
:mod:`~promptsales.ai.ad_optimisation.bandit`). Each call writes one AI-usage row.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import psycopg
from pydantic import BaseModel, Field

from promptsales.ai.ad_optimisation.data import Campaign, month_index, month_label, read_campaign
from promptsales.ai.calls import logged_call
from promptsales.ai.registry import CurrentModel
from promptsales.config import Settings
from promptsales.errors import UserError

if TYPE_CHECKING:
    from promptsales.ai.ad_optimisation.curves import ResponseCurves

MODULE = "ad_optimisation"
OPERATION = "optimizeBudget"
#: Default share limits of every channel of a campaign (min, max), unless the caller sets them.
DEFAULT_MIN_SHARE = 0.05
DEFAULT_MAX_SHARE = 0.6
#: Draws of the curves' uncertainty behind an interval, and the interval's coverage.
DRAWS = 400
COVERAGE = 0.9
MIN_BUDGET = 1.0
MAX_BUDGET = 1e9

CURRENT = CurrentModel(MODULE)


@dataclass
class Constraints:
    """What the caller may constrain: the channels' share limits, which channels and markets, the period."""

    min_channel_share: float = DEFAULT_MIN_SHARE
    max_channel_share: float = DEFAULT_MAX_SHARE
    channel_limits: dict[str, tuple[float, float]] = field(default_factory=dict)  # channel code → (min, max)
    channels: list[str] | None = None  # channel codes (default: the campaign's)
    markets: list[int] | None = None  # market ids (default: the campaign's)
    period: str | None = None  # YYYY-MM (default: the month after the campaign's last results)


# Models of the MCP tool's published schema: no class docstrings (a docstring would change the schema).
class CellSplit(BaseModel):
    channel: str
    market: str
    spend: float = Field(description="Recommended spend, USD.")
    share: float = Field(description="Share of the budget.")
    expected_conversions: float
    marginal_per_100: float = Field(description="Conversions one more 100 USD would bring at this spend.")
    marginal_per_100_equal_split: float = Field(description="The same at the equal split.")
    live_factor: float | None = Field(
        None, description="Live campaigns: how the campaign's recent results scale the fitted curve (1 = as fitted)."
    )


class Outcome(BaseModel):
    conversions: float = Field(description="Expected conversions (sales).")
    low: float
    high: float


class BudgetSplit(BaseModel):
    model: str = Field(description="The model version that answered, e.g. ad_optimisation@v2.")
    algorithm: str
    campaign_id: int
    campaign: str
    status: str
    period: str = Field(description="The month the budget is for (YYYY-MM).")
    budget: float
    method: str
    interval: str
    split: list[CellSplit]
    channel_shares: dict[str, float]
    expected: Outcome = Field(description="Of the recommended split.")
    equal_split: Outcome = Field(description="Of the same budget split equally over the same cells.")
    current_split: Outcome | None = Field(None, description="Of the campaign's recent split, scaled to the budget.")
    uplift_vs_equal: float = Field(description="Expected conversions of the split ÷ the equal split's − 1.")
    why: list[str]
    held_out: dict[str, float] = Field(description="The model's backtest and simulation figures at training.")


def optimize_budget(
    settings: Settings, conn: psycopg.Connection, campaign: int | str, budget: float, constraints: Constraints
) -> BudgetSplit:
    """Split ``budget`` USD of ``campaign`` (id or exact name) over its channels × markets for the next period,
    within ``constraints``, by the newest fitted response curves (updated by a live campaign's last days).
    ``conn`` reads PromptAds (read-only is enough)."""
    arguments = {"campaign": campaign, "budget": budget, "constraints": constraints.__dict__}
    with logged_call(MODULE, OPERATION, arguments, settings=settings, provider="cvxpy+mabwiser") as call:
        if not (isinstance(budget, (int, float)) and math.isfinite(budget) and MIN_BUDGET <= budget <= MAX_BUDGET):
            raise UserError(f"The budget must be between {MIN_BUDGET:,.0f} and {MAX_BUDGET:,.0f} USD.")
        version, curves = CURRENT.get(settings)
        call.model = version
        plan = read_campaign(conn, campaign)
        answer = _split(curves, plan, float(budget), constraints, version.label, version.algorithm, version.metrics)
        call.output = {
            "model": answer.model,
            "campaign_id": answer.campaign_id,
            "period": answer.period,
            "method": answer.method,
            "split": {f"{c.channel}×{c.market}": c.spend for c in answer.split},
            "expected": answer.expected.model_dump(),
            "equal_split": answer.equal_split.conversions,
        }
        call.validation_method = (
            "constraints checked before solving; split non-negative, summing to the budget, channel shares within "
            "their limits (checked after solving); expected conversions finite with a "
            f"{COVERAGE:.0%} interval from {DRAWS} draws of the curves' Laplace posterior; artefact SHA-256 checked"
        )
        call.optimizations = "curves kept in memory per process; MCP read-tool cache for repeated arguments"
        return answer


def _split(
    curves: ResponseCurves,
    plan: Campaign,
    budget: float,
    constraints: Constraints,
    label: str,
    algorithm: str,
    metrics: dict,
) -> BudgetSplit:
    from promptsales.ai.ad_optimisation.allocate import Allocator, equal_split, expected, marginal_returns
    from promptsales.ai.ad_optimisation.bandit import TRIALS_PER_CONVERSION, CurveBandit

    cells, limits, skipped = _cells_and_limits(curves, plan, constraints)
    period = _period(curves, constraints)
    season = period % 12 + 1
    days = calendar.monthrange(period // 12, season)[1]
    ad_days = np.array([plan.ads_per_channel.get(c, 1) * days for c, _ in cells], dtype=float)
    a, beta = curves.curve(cells, ad_days, season, plan.campaign_id)
    channels = [c for c, _ in cells]
    allocator = Allocator(channels, beta, limits)
    seed = plan.campaign_id * 100_003 + period
    live = plan.status == "active" and any(cell in plan.recent for cell in cells)
    factor = np.ones(len(cells))
    if live:
        bandit = CurveBandit([f"{c}:{m}" for c, m in cells], seed=seed)
        assert plan.last_result is not None  # live: it has recent results
        daily_a, _ = curves.curve(cells, np.ones(len(cells)), plan.last_result.month, plan.campaign_id)
        seen = np.zeros(len(cells))  # what the fitted curve expected from the spend of the last days, per cell
        conversions = np.zeros(len(cells), dtype=int)
        for i, cell in enumerate(cells):
            for spend, converted, cell_days in plan.recent.get(cell, []):
                seen[i] += daily_a[i] * cell_days ** (1 - beta[i]) * spend ** beta[i]
                conversions[i] += converted
        bandit.update(seen, conversions)
        x = allocator.solve(a * bandit.draw(), budget)
        factor = bandit.mean()
    else:
        x = allocator.solve(a, budget)
    x = np.where(x < 1e-4 * budget, 0.0, x)  # the solver's crumbs (cents) are no spend
    x = x / x.sum() * budget
    _check(x, budget, channels, limits)
    rng = np.random.default_rng(seed)
    draws_a, draws_beta = curves.draw(cells, ad_days, season, plan.campaign_id, DRAWS, rng)
    if live:
        draws_a = draws_a * rng.beta(bandit.successes, bandit.trials - bandit.successes, (DRAWS, len(cells)))
        draws_a = draws_a * TRIALS_PER_CONVERSION
    flat = equal_split(len(cells), budget)
    point_a = a * factor

    def outcome(split: np.ndarray) -> Outcome:
        values = expected(draws_a, draws_beta, split)
        tail = (1 - COVERAGE) / 2
        return Outcome(
            conversions=round(float(expected(point_a, beta, split)), 1),
            low=round(float(np.quantile(values, tail)), 1),
            high=round(float(np.quantile(values, 1 - tail)), 1),
        )

    current = _current_split(plan, cells, budget)
    best, equal = outcome(x), outcome(flat)
    margins = marginal_returns(point_a, beta, x)
    margins_equal = marginal_returns(point_a, beta, flat)
    split = [
        CellSplit(
            channel=plan.channels[c],
            market=plan.markets[m],
            spend=round(float(x[i]), 2),
            share=round(float(x[i] / budget), 4),
            expected_conversions=round(float(point_a[i] * x[i] ** beta[i]), 2),
            marginal_per_100=round(float(margins[i]), 3),
            marginal_per_100_equal_split=round(float(margins_equal[i]), 3),
            live_factor=round(float(factor[i]), 3) if live else None,
        )
        for i, (c, m) in enumerate(cells)
    ]
    shares = {plan.channels[c]: round(float(x[[i for i, ch in enumerate(channels) if ch == c]].sum() / budget), 4)
              for c in sorted(set(channels))}  # fmt: skip
    backtest = metrics.get("backtest", {})
    regret = metrics.get("simulation", {}).get("final_regret_pct", {})
    return BudgetSplit(
        model=label,
        algorithm=algorithm,
        campaign_id=plan.campaign_id,
        campaign=plan.name,
        status=plan.status,
        period=month_label(period),
        budget=round(budget, 2),
        method=(
            "Thompson sampling (mabwiser): the fitted curves updated with the campaign's last days, one posterior "
            "draw split by convex optimisation (cvxpy)"
            if live
            else "convex optimisation (cvxpy) over the fitted response curves"
        ),
        interval=f"{COVERAGE:.0%} interval of expected conversions from the curves' uncertainty",
        split=split,
        channel_shares=shares,
        expected=best,
        equal_split=equal,
        current_split=outcome(current) if current is not None else None,
        uplift_vs_equal=round(best.conversions / equal.conversions - 1, 4) if equal.conversions > 0 else 0.0,
        why=_why(plan, cells, beta, x, margins, margins_equal, shares, limits, skipped, live, factor),
        held_out={
            k: float(v)
            for k, v in {
                "backtest_uplift_vs_equal": backtest.get("uplift_vs_equal"),
                "backtest_uplift_vs_historical": backtest.get("uplift_vs_historical"),
                "thompson_regret_pct": regret.get("thompson"),
            }.items()
            if v is not None
        },
    )


def _cells_and_limits(curves: ResponseCurves, plan: Campaign, constraints: Constraints):
    from promptsales.ai.ad_optimisation.allocate import ShareLimits

    codes = {code: cid for cid, code in plan.channels.items()}
    low, high = constraints.min_channel_share, constraints.max_channel_share
    if not (0 <= low <= 1 and 0 <= high <= 1) or low > high:
        raise UserError("Channel shares must be between 0 and 1, the minimum not above the maximum.")
    chosen = (
        plan.channels.keys() if constraints.channels is None else [_channel(codes, c) for c in constraints.channels]
    )
    markets = plan.markets.keys() if constraints.markets is None else list(constraints.markets)
    for market in markets:
        if market not in plan.markets:
            raise UserError(
                f"Market {market} is not one of campaign {plan.campaign_id}'s markets {sorted(plan.markets)}."
            )
    per_channel = []
    for code, bounds in constraints.channel_limits.items():
        channel = _channel(codes, code)
        lo, hi = bounds
        if not (0 <= lo <= hi <= 1):
            raise UserError(f"The share limits of {code!r} must satisfy 0 ≤ min ≤ max ≤ 1 (got {lo}, {hi}).")
        if channel in chosen:
            per_channel.append((channel, float(lo), float(hi)))
    cells = [(c, m) for c in sorted(set(chosen)) for m in sorted(set(markets))]
    known = [cell for cell in cells if curves.knows(*cell)]
    skipped = [cell for cell in cells if cell not in known]
    if not known:
        raise UserError("None of the chosen channels × markets has history to fit a response curve from.")
    return known, ShareLimits((low, high), tuple(per_channel)), skipped


def _channel(codes: dict[str, int], code: str) -> int:
    if code not in codes:
        raise UserError(f"Channel {code!r} is not one of this campaign's channels: {', '.join(sorted(codes))}.")
    return codes[code]


def _period(curves: ResponseCurves, constraints: Constraints) -> int:
    """The month asked for, else the month after the history the curves were fitted on."""
    if constraints.period is not None:
        return month_index(constraints.period)
    return int(curves.info["last_month"]) + 1


def _current_split(plan: Campaign, cells: list[tuple[int, int]], budget: float) -> np.ndarray | None:
    spent = np.array([sum(s for s, _, _ in plan.recent.get(cell, [])) for cell in cells])
    return spent / spent.sum() * budget if spent.sum() > 0 else None


def _check(x: np.ndarray, budget: float, channels: list[int], limits) -> None:
    if not np.all(np.isfinite(x)) or x.min() < -1e-6 or abs(x.sum() - budget) > max(0.01, 1e-6 * budget):
        raise RuntimeError("the budget split does not add up to the budget")
    groups = sorted(set(channels))
    for c in groups:
        share = x[[i for i, ch in enumerate(channels) if ch == c]].sum() / budget
        low, high = limits.of(c, len(groups))
        if share < low - 1e-3 or share > high + 1e-3:
            raise RuntimeError(f"channel {c} got {share:.3f} of the budget, outside its limits [{low}, {high}]")


def _why(plan, cells, beta, x, margins, margins_equal, shares, limits, skipped, live, factor) -> list[str]:
    names = [f"{plan.channels[c]} × {plan.markets[m]}" for c, m in cells]
    groups = sorted(set(c for c, _ in cells))
    bound = []
    for c in groups:
        low, high = limits.of(c, len(groups))
        share = shares[plan.channels[c]]
        if high < 1 and share >= high - 1e-3:
            bound.append(f"{plan.channels[c]} is held at its maximum share ({high:.0%}): its marginal return is still "
                         "above the other cells'")  # fmt: skip
        elif low > 0 and share <= low + 1e-3:
            bound.append(f"{plan.channels[c]} is kept at its minimum share ({low:.0%}): its marginal return there is "
                         "below the other cells'")  # fmt: skip
    free = [i for i in range(len(cells)) if x[i] > 1e-3 * x.sum()]
    lo, hi = int(np.argmin(margins_equal)), int(np.argmax(margins_equal))
    lines = [
        f"Each cell's conversions grow as spend^β (β {min(beta):.2f}–{max(beta):.2f} by channel): diminishing "
        "returns, so the next dollar goes where it still buys the most.",
        f"At an equal split one more 100 USD would bring {margins_equal[hi]:.2f} conversions in {names[hi]} but "
        f"{margins_equal[lo]:.2f} in {names[lo]}; moving money from low to high marginal returns raises the total.",
        "At the recommended split the funded cells' marginal returns are "
        + (f"{min(margins[free]):.2f}–{max(margins[free]):.2f}" if free else "—")
        + " conversions per extra 100 USD"
        + (
            " at the posterior mean (the split is optimal for one posterior draw, so they differ)."
            if live
            else " (equal where no limit binds: no move of money would gain)."
        ),
        *bound,
    ]
    if live:
        moved = sorted(range(len(cells)), key=lambda i: -abs(math.log(max(factor[i], 1e-9))))[:3]
        lines.append(
            "The campaign's own last days (Thompson sampling) scale the fitted curves: "
            + ", ".join(f"{names[i]} × {factor[i]:.2f}" for i in moved)
            + "; the split is the optimum for one posterior draw, so uncertain cells keep being tried."
        )
    if skipped:
        lines.append(
            "Left out (no history to fit a curve): "
            + ", ".join(f"{plan.channels[c]} × {plan.markets[m]}" for c, m in skipped)
        )
    return lines

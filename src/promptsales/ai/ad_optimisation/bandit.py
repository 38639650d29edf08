"""Thompson-sampling reallocation for live campaigns (``mabwiser``), and its regret in simulation.

The arms are a campaign's channel × market cells. The fitted curve gives each cell its shape (``a · x^β``); what
is uncertain for one campaign is the cell's level — a factor λ on ``a`` (its audience may answer better on
e-mail than the history's average). λ has a Beta–Bernoulli posterior in ``mabwiser``'s Thompson sampling: a
*trial* is the spend the fitted curve expects 1/:data:`TRIALS_PER_CONVERSION` conversion from, a success is a
conversion, so ``λ = p · TRIALS_PER_CONVERSION``. The prior is the fitted curve itself, worth
:data:`PRIOR_CONVERSIONS` expected conversions (λ = 1); every day's spend and conversions update it. Each
decision draws one λ per cell and splits the budget optimally for that draw
(:class:`~promptsales.ai.ad_optimisation.allocate.Allocator`): cells whose level is uncertain get tried, cells
that disappoint lose budget.

:func:`simulate` measures the regret of that policy on curves where the truth is known: the fitted curves of
real campaigns, each cell's level multiplied by a hidden factor; the oracle splits by the true curves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from promptsales.ai.ad_optimisation.allocate import Allocator, ShareLimits, equal_split, expected
from promptsales.ai.ad_optimisation.curves import ResponseCurves
from promptsales.ai.ad_optimisation.data import CellMonths

#: A trial is the spend the fitted curve expects 1/this conversion from (keeps p well below 1).
TRIALS_PER_CONVERSION = 20
#: Weight of the fitted curve in the posterior, in expected conversions.
PRIOR_CONVERSIONS = 5.0
#: Spread (log-normal σ) of the hidden per-cell level factors in the simulation.
TRUTH_SD = 0.35
#: Days simulated and campaigns simulated (full training; tests pass fewer).
SIM_DAYS = 28
SIM_CAMPAIGNS = 30


class CurveBandit:
    """Thompson sampling over the level factors λ of a campaign's cells (one ``mabwiser`` arm per cell)."""

    def __init__(self, arms: list[str], seed: int) -> None:
        from mabwiser.mab import MAB, LearningPolicy  # imported with the first live reallocation

        self.arms = list(arms)
        self.successes = np.full(len(arms), 1.0 + PRIOR_CONVERSIONS)
        self.trials = np.full(len(arms), 2.0 + PRIOR_CONVERSIONS * TRIALS_PER_CONVERSION)
        self.mab = MAB(arms=self.arms, learning_policy=LearningPolicy.ThompsonSampling(), seed=seed)
        prior = np.full(len(arms), PRIOR_CONVERSIONS)
        self.mab.fit(*self._trials(prior, prior))

    def update(self, curve_expected: np.ndarray, conversions: np.ndarray) -> None:
        """Learn from spend the fitted curve expected ``curve_expected`` conversions from (per cell), which brought
        ``conversions``."""
        decisions, rewards = self._trials(curve_expected, conversions)
        if len(decisions):
            self.mab.partial_fit(decisions, rewards)
        counts = np.maximum(np.round(np.asarray(curve_expected) * TRIALS_PER_CONVERSION), 0)
        self.successes += np.minimum(conversions, counts)
        self.trials += counts

    def draw(self) -> np.ndarray:
        """One Thompson draw of λ per cell."""
        sampled = self.mab.predict_expectations()
        assert isinstance(sampled, dict)
        return np.array([float(sampled[arm]) for arm in self.arms]) * TRIALS_PER_CONVERSION

    def mean(self) -> np.ndarray:
        """Posterior mean of λ per cell."""
        return self.successes / self.trials * TRIALS_PER_CONVERSION

    def _trials(self, curve_expected: np.ndarray, conversions: np.ndarray) -> tuple[list[str], list[int]]:
        decisions: list[str] = []
        rewards: list[int] = []
        for arm, e, y in zip(self.arms, curve_expected, conversions):
            count = int(max(round(float(e) * TRIALS_PER_CONVERSION), 0))
            hits = int(min(y, count))
            decisions += [arm] * count
            rewards += [1] * hits + [0] * (count - hits)
        return decisions, rewards


@dataclass
class SimulatedCampaign:
    """A campaign of the simulation: its cells, daily ad-days and budget, the month, and its fitted curves."""

    campaign: int
    cells: list[tuple[int, int]]
    ad_days: np.ndarray
    budget: float
    month_of_year: int


def simulation_campaigns(rows: CellMonths, count: int, seed: int) -> list[SimulatedCampaign]:
    """``count`` campaign-months of the newest month with at least three cells (daily budget and ad-days =
    the month's over 30), chosen at random from ``seed``."""
    newest = rows.take(rows.month == rows.month.max())
    candidates = [c for c in np.unique(newest.campaign) if (newest.campaign == c).sum() >= 3]
    rng = np.random.default_rng(seed)
    chosen: list[int] = (
        rng.choice(candidates, size=min(count, len(candidates)), replace=False).tolist() if candidates else []
    )
    result = []
    for campaign in sorted(int(c) for c in chosen):
        mask = newest.campaign == campaign
        result.append(
            SimulatedCampaign(
                campaign,
                list(zip(newest.channel[mask].tolist(), newest.market[mask].tolist())),
                np.maximum(newest.ad_days[mask] / 30.0, 1.0),
                float(newest.spend[mask].sum()) / 30.0,
                int(newest.month.max()) % 12 + 1,
            )
        )
    return result


def simulate(
    curves: ResponseCurves,
    campaigns: list[SimulatedCampaign],
    limits: ShareLimits,
    days: int = SIM_DAYS,
    seed: int = 18,
) -> dict[str, Any]:
    """Cumulative regret (expected conversions lost against the oracle, % of the oracle's) after each day of
    Thompson sampling, of the fitted curves' static split and of the equal split, averaged over campaigns."""
    rng = np.random.default_rng(seed)
    policies = ("thompson", "fitted_curve", "equal")
    regret = {p: np.zeros(days) for p in policies}
    oracle_total = np.zeros(days)
    for index, sim in enumerate(campaigns):
        a, beta = curves.curve(sim.cells, sim.ad_days, sim.month_of_year, sim.campaign)
        truth = a * rng.lognormal(0.0, TRUTH_SD, len(a))
        allocator = Allocator([c for c, _ in sim.cells], beta, limits)
        best = float(expected(truth, beta, allocator.solve(truth, sim.budget)))
        static = float(expected(truth, beta, allocator.solve(a, sim.budget)))
        flat = float(expected(truth, beta, equal_split(len(a), sim.budget)))
        bandit = CurveBandit([f"{c}:{m}" for c, m in sim.cells], seed=seed + index)
        lost = np.zeros(days)
        for day in range(days):
            x = allocator.solve(a * bandit.draw(), sim.budget)
            lost[day] = best - float(expected(truth, beta, x))
            bandit.update(a * np.power(x, beta), rng.poisson(truth * np.power(x, beta)))
        oracle_total += best * np.arange(1, days + 1)
        regret["thompson"] += np.cumsum(lost)
        regret["fitted_curve"] += (best - static) * np.arange(1, days + 1)
        regret["equal"] += (best - flat) * np.arange(1, days + 1)
    share = {p: (regret[p] / np.maximum(oracle_total, 1e-9)) for p in policies}
    return {
        "campaigns": len(campaigns),
        "days": days,
        "truth_sd": TRUTH_SD,
        "cumulative_regret_pct": {p: np.round(100 * share[p], 3).tolist() for p in policies},
        "final_regret_pct": {p: round(float(100 * share[p][-1]), 3) for p in policies},
        "last_week_regret_pct": {
            p: round(float(100 * (regret[p][-1] - regret[p][-8]) / max(oracle_total[-1] - oracle_total[-8], 1e-9)), 3)
            for p in policies
        }
        if days >= 8
        else {},
    }

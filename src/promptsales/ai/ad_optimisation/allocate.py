"""The budget split that maximises expected conversions over concave response curves (``cvxpy``).

Cells are channel × market pairs; cell ``i`` expects ``a_i · x_i^β_i`` conversions for ``x_i`` USD (0 < β ≤ 1:
diminishing returns). The split solves::

    maximise Σ a_i · x_i^β_i   subject to   Σ x_i = budget,  x ≥ 0,
                                            min_c · budget ≤ Σ_{i in channel c} x_i ≤ max_c · budget

— a convex problem (power cones, solved by Clarabel). :class:`Allocator` compiles it once per cell layout with
the levels ``a`` and the budget as parameters, so the Thompson-sampling loop re-solves it cheaply.
At the optimum every cell that is not held by a limit has the same marginal return (conversions per extra
dollar, ``a β x^(β−1)``); :func:`marginal_returns` is the "why" of an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from promptsales.errors import UserError


@dataclass(frozen=True)
class ShareLimits:
    """Share of the budget each channel may take: ``limits[channel] = (min, max)``; ``default`` for the rest."""

    default: tuple[float, float] = (0.0, 1.0)
    limits: tuple[tuple[int, float, float], ...] = ()

    def of(self, channel: int, channels: int) -> tuple[float, float]:
        """(min, max) share of ``channel`` among ``channels`` channels: its own limits, else the default widened
        to be feasible (with k channels no default maximum below 1/k, no default minimum above it)."""
        for c, low, high in self.limits:
            if c == channel:
                return low, high
        low, high = self.default
        return min(low, 1.0 / channels), max(high, 1.0 / channels)


class Allocator:
    """The optimisation for one layout of cells (their channels and exponents) and share limits."""

    def __init__(self, channels: list[int], beta: np.ndarray, limits: ShareLimits) -> None:
        import cvxpy as cp  # 1–5 s to import: loaded with the first allocation, not with the MCP server

        self.channels = list(channels)
        groups = sorted(set(self.channels))
        bounds = {c: limits.of(c, len(groups)) for c in groups}
        if sum(low for low, _ in bounds.values()) > 1.0 + 1e-9:
            raise UserError("The channels' minimum shares add up to more than 100 % of the budget.")
        if sum(high for _, high in bounds.values()) < 1.0 - 1e-9:
            raise UserError("The channels' maximum shares add up to less than 100 %: the budget cannot be spent.")
        k = len(self.channels)
        self.x = cp.Variable(k, nonneg=True)
        self.a = cp.Parameter(k, nonneg=True)
        self.budget = cp.Parameter(nonneg=True)
        # cells with one exponent share one power atom (cvxpy's exponent must be a constant)
        rounded = np.round(np.asarray(beta, dtype=float), 3)
        terms = []
        for value in sorted(set(rounded.tolist())):
            idx = np.flatnonzero(rounded == value)
            power = self.x[idx] if value >= 1.0 else cp.power(self.x[idx], value, approx=False)
            terms.append(self.a[idx] @ power)
        constraints = [cp.sum(self.x) == self.budget]
        for c in groups:
            members = [i for i, ch in enumerate(self.channels) if ch == c]
            low, high = bounds[c]
            if high < 1.0:
                constraints.append(cp.sum(self.x[members]) <= high * self.budget)
            if low > 0.0:
                constraints.append(cp.sum(self.x[members]) >= low * self.budget)
        self.beta = rounded
        self.problem = cp.Problem(cp.Maximize(cp.sum(terms)), constraints)

    def solve(self, a: np.ndarray, budget: float) -> np.ndarray:
        """The split of ``budget`` over the cells for levels ``a`` (USD per cell)."""
        # solved for shares u = x / budget: a·x^β = (a·budget^β)·u^β, levels scaled to at most 1 for the solver
        levels = np.maximum(np.asarray(a, dtype=float), 0.0) * np.power(budget, self.beta)
        self.a.value = levels / (float(np.max(levels)) or 1.0)
        self.budget.value = 1.0
        self.problem.solve(solver="CLARABEL")
        if self.problem.status not in ("optimal", "optimal_inaccurate") or self.x.value is None:
            raise UserError(f"The budget split could not be solved ({self.problem.status}); check the share limits.")
        x = np.maximum(np.asarray(self.x.value, dtype=float), 0.0)
        return x / x.sum() * budget


def expected(a: np.ndarray, beta: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Expected conversions ``Σ a x^β`` (over the last axis: draws × cells gives one total per draw)."""
    return np.sum(a * np.power(np.maximum(x, 0.0), beta), axis=-1)


def marginal_returns(a: np.ndarray, beta: np.ndarray, x: np.ndarray, per: float = 100.0) -> np.ndarray:
    """Conversions one more ``per`` USD brings in each cell at spend ``x`` (the curve's slope × ``per``)."""
    safe = np.maximum(x, 1e-6)
    return a * beta * np.power(safe, beta - 1.0) * per


def equal_split(cells: int, budget: float) -> np.ndarray:
    """The same spend in every cell."""
    return np.full(cells, budget / cells)


def describe(limits: ShareLimits) -> dict[str, Any]:
    """The limits as JSON."""
    return {
        "default": list(limits.default),
        "by_channel": {str(c): [low, high] for c, low, high in limits.limits},
    }

"""Empirical-Bayes shrinkage of campaign ROI and conversion toward the mean (docs/ai.md, "Performance ranking").

* **ROI, normal-normal on log ROAS with spend as the weight.** A campaign's log ROAS over a period is its true
  value plus noise whose variance is ``sigma2 / spend``: a month of a campaign is a draw around the campaign's
  own value, and a dollar spent is one unit of evidence. ``sigma2`` is pooled from the month-to-month spread of
  each campaign's log ROAS around its own spend-weighted mean (:func:`roi_noise`); the spread of true values
  ``tau2`` and their mean come from the DerSimonian-Laird moment estimator. Each campaign's estimate is the
  precision-weighted blend of its own figure and the mean, with a normal interval, returned as ROI (= ROAS − 1).
  The log scale keeps a heavy-tailed ratio (monthly ROI from −100 % to +10,000 %) from dominating the moments.
* **Conversion, beta-binomial.** Sales of a campaign out of its leads are binomial around its own rate, the
  rates beta-distributed across campaigns; the beta prior is fitted by maximum marginal likelihood and each
  campaign's estimate is its beta posterior (mean and equal-tailed interval).

Pure numpy/scipy over arrays; the callers read the sums from the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Two-sided coverage of the intervals.
COVERAGE = 0.90
_Z90 = 1.6448536269514722  # standard normal quantile of 0.95
#: Dollars added to sales and spend before taking log ROAS (a campaign that sold nothing has a finite value);
#: chosen on the training months (docs/ai.md), never on the held-out ones.
PSEUDO_USD = 100.0


@dataclass(frozen=True)
class Shrunk:
    """Per campaign: the shrunk estimate, its interval, and the prior it was shrunk toward."""

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    weight_own: np.ndarray  # share of the estimate that is the campaign's own figure (1 - shrinkage)
    prior: dict[str, float]


def log_roas(sales: np.ndarray, spend: np.ndarray) -> np.ndarray:
    """log((sales + c) / (spend + c)) with c = :data:`PSEUDO_USD`: log ROAS, finite when nothing was sold."""
    return np.log((np.asarray(sales, dtype=float) + PSEUDO_USD) / (np.asarray(spend, dtype=float) + PSEUDO_USD))


def roi_noise(campaign_index: np.ndarray, spend: np.ndarray, sales: np.ndarray) -> float:
    """``sigma2``: the pooled spend-weighted variance of monthly log ROAS around each campaign's own
    (spend-weighted) mean — the noise of one dollar's evidence.

    ``campaign_index``, ``spend`` and ``sales`` are one entry per campaign × month with spend > 0. Falls back
    to the spend-weighted spread across all rows when no campaign has two months."""
    keep = spend > 0
    index, spend, sales = campaign_index[keep], spend[keep], sales[keep]
    if len(index) == 0:
        return 1.0
    y = log_roas(sales, spend)
    _, inverse, months = np.unique(index, return_inverse=True, return_counts=True)
    own = np.bincount(inverse, weights=spend * y)[inverse] / np.bincount(inverse, weights=spend)[inverse]
    dof = float((months - 1).sum())
    if dof <= 0:
        mean = float((spend * y).sum() / spend.sum())
        return max(float((spend * (y - mean) ** 2).sum() / max(len(y) - 1, 1)), 1e-9)
    return max(float((spend * (y - own) ** 2).sum() / dof), 1e-9)


def shrink_roi(spend: np.ndarray, sales: np.ndarray, sigma2: float) -> Shrunk:
    """Shrunk ROI per campaign from its total ``spend`` and ``sales`` (amount) in a period: log ROAS shrunk
    toward the campaigns' mean with noise variance ``sigma2 / spend``, returned as ROI (posterior median and
    90 % interval). Campaigns with no spend get the prior mean and the prior's interval."""
    spend = np.asarray(spend, dtype=float)
    sales = np.asarray(sales, dtype=float)
    has = spend > 0
    y = log_roas(sales, spend)
    variance = np.where(has, sigma2 / np.where(has, spend, 1.0), np.inf)
    mu, tau2 = _random_effects(y[has], variance[has])
    own = np.where(has, tau2 / (tau2 + variance), 0.0) if tau2 > 0 else np.zeros_like(y)
    estimate = mu + own * (y - mu)
    posterior_sd = np.sqrt(np.where(has, own * variance, tau2))
    return Shrunk(
        np.exp(estimate) - 1,
        np.exp(estimate - _Z90 * posterior_sd) - 1,
        np.exp(estimate + _Z90 * posterior_sd) - 1,
        own,
        {"mean": float(np.exp(mu) - 1), "log_mean": mu, "tau2": tau2, "sigma2": sigma2, "campaigns": int(has.sum())},
    )


def _random_effects(values: np.ndarray, variance: np.ndarray) -> tuple[float, float]:
    """(mean, between-campaign variance) by DerSimonian-Laird."""
    if len(values) == 0:
        return 0.0, 0.0
    weights = 1.0 / variance
    fixed = float((weights * values).sum() / weights.sum())
    if len(values) < 2:
        return fixed, 0.0
    q = float((weights * (values - fixed) ** 2).sum())
    scale = float(weights.sum() - (weights**2).sum() / weights.sum())
    tau2 = max(0.0, (q - (len(values) - 1)) / scale) if scale > 0 else 0.0
    random_weights = 1.0 / (variance + tau2)
    return float((random_weights * values).sum() / random_weights.sum()), tau2


def fit_beta(successes: np.ndarray, trials: np.ndarray) -> tuple[float, float]:
    """The beta prior (alpha, beta) of conversion rates by maximum beta-binomial marginal likelihood: Newton's
    method on (log alpha, log beta) with the exact gradient and Hessian and a backtracking line search (about
    ten steps; a gradient step where the Hessian is not negative definite)."""
    from scipy.special import betaln, digamma, polygamma

    keep = trials > 0
    s, n = successes[keep].astype(float), trials[keep].astype(float)
    if len(s) == 0:
        return 1.0, 1.0
    rate = min(max(float(s.sum() / n.sum()), 1e-4), 1 - 1e-4)

    def log_likelihood(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        return float((betaln(s + a, n - s + b) - betaln(a, b)).sum())

    theta = np.log([rate * 10.0, (1 - rate) * 10.0])
    current = log_likelihood(theta)
    for _ in range(30):  # about ten steps; no overdispersion sends alpha + beta to the bound instead
        a, b = np.exp(theta)
        common = (digamma(n + a + b) - digamma(a + b)).sum()
        gradient = np.array(
            [(digamma(s + a) - digamma(a)).sum() - common, (digamma(n - s + b) - digamma(b)).sum() - common]
        )
        curvature = (polygamma(1, n + a + b) - polygamma(1, a + b)).sum()
        hessian = np.array(
            [
                [(polygamma(1, s + a) - polygamma(1, a)).sum() - curvature, -curvature],
                [-curvature, (polygamma(1, n - s + b) - polygamma(1, b)).sum() - curvature],
            ]
        )
        scale = np.array([a, b])
        grad_theta = gradient * scale
        hess_theta = hessian * np.outer(scale, scale) + np.diag(grad_theta)
        if np.all(np.linalg.eigvalsh(hess_theta) < 0):
            step = -np.linalg.solve(hess_theta, grad_theta)
        else:
            step = grad_theta / max(1.0, float(np.abs(grad_theta).max()))
        step = np.clip(step, -2.0, 2.0)
        for _ in range(30):
            candidate = np.clip(theta + step, -7.0, 14.0)
            value = log_likelihood(candidate)
            if value >= current - 1e-12:
                break
            step = step / 2
        converged = abs(value - current) < 1e-10 * max(1.0, abs(current)) and np.abs(candidate - theta).max() < 1e-9
        theta, current = candidate, max(value, current)
        if converged:
            break
    a, b = np.exp(theta)
    return float(a), float(b)


def shrink_conversion(sales_count: np.ndarray, leads: np.ndarray) -> Shrunk:
    """Beta-binomial posterior of each campaign's conversion rate (sales ÷ leads; sales beyond the leads of
    the period — closed from earlier leads — are capped at the leads)."""
    from scipy.special import betaincinv  # the beta quantile, without scipy.stats' per-call overhead

    leads = np.asarray(leads, dtype=float)
    sales = np.minimum(np.asarray(sales_count, dtype=float), leads)
    a, b = fit_beta(sales, leads)
    post_a, post_b = a + sales, b + leads - sales
    estimate = post_a / (post_a + post_b)
    tail = (1 - COVERAGE) / 2
    return Shrunk(
        estimate,
        betaincinv(post_a, post_b, tail),
        betaincinv(post_a, post_b, 1 - tail),
        leads / (leads + a + b),
        {"alpha": a, "beta": b, "mean": a / (a + b), "prior_leads": a + b, "campaigns": int((leads > 0).sum())},
    )

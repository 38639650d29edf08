"""Response curves fitted from PromptAds' history: expected conversions of a channel × market as a concave power
of its spend, with the uncertainty of the fit.

One Poisson regression (log link) over every campaign × channel × market × month::

    log E[conversions] = log(ad-days) + b0 + channel + market + channel×market + month of year + campaign
                         + β_channel · (log(spend / ad-days) − centre)

so a cell with ``n`` ad-days (ad × market × day result rows) that spends ``x`` expects ``a · x^β`` conversions,
``a = exp(level − β · centre) · n^(1 − β)``: diminishing returns per channel (β < 1), a level per channel ×
market. The campaign term absorbs what is common to a campaign's cells (its product, audience, quality); it
scales all of a campaign's curves alike, so the split does not depend on it — only the expected total does.

The coefficients are the posterior mode under Gaussian priors (ridge penalties of known scale: channel × market
interactions and campaigns shrunk toward zero like random effects), found with L-BFGS; the Laplace approximation
(the inverse Hessian at the mode) gives their uncertainty, from which :meth:`ResponseCurves.draw` samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, sparse

from promptsales.ai.ad_optimisation.data import CellMonths
from promptsales.errors import UserError

#: Prior standard deviations of the coefficient blocks (the ridge penalty is 1 / (2σ²) per coefficient).
PRIOR_SD = {"intercept": 10.0, "channel": 2.0, "market": 2.0, "pair": 0.5, "season": 0.5, "campaign": 1.0, "slope": 1.0}
#: Prior mean of the saturation exponents β (no diminishing returns would be 1, pure saturation 0).
PRIOR_SLOPE = 0.7
#: The exponents are kept in this range so every curve is concave and increasing.
SLOPE_RANGE = (0.05, 1.0)
#: Fewest cell-months (and conversions among them) a fit accepts.
MIN_ROWS = 60
MIN_CONVERSIONS = 100


@dataclass
class ResponseCurves:
    """Fitted curves: coefficient blocks by id, their covariance (without campaigns) and the fit's summary."""

    channels: list[int]
    markets: list[int]
    intercept: float
    channel: np.ndarray
    market: np.ndarray
    pair: np.ndarray  # channels × markets
    season: np.ndarray  # 12 months of the year
    slope: np.ndarray  # β per channel (clipped to SLOPE_RANGE)
    centre: float
    campaign: dict[int, float]
    campaign_sd: float  # spread of the campaign effects: the uncertainty of an unseen campaign's level
    covariance: np.ndarray  # of [intercept, channel, market, pair, season, slope]
    campaign_var: dict[int, float]
    info: dict[str, Any] = field(default_factory=dict)

    def _index(self, channel: int, market: int) -> tuple[int, int]:
        try:
            return self.channels.index(channel), self.markets.index(market)
        except ValueError:
            raise UserError(f"No response curve for channel {channel} × market {market}: no history there.") from None

    def knows(self, channel: int, market: int) -> bool:
        """Whether the history had this channel and market."""
        return channel in self.channels and market in self.markets

    def curve(
        self, cells: list[tuple[int, int]], ad_days: np.ndarray, month_of_year: int, campaign: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(a, β)`` per cell (channel, market): the cell expects ``a · x^β`` conversions for ``x`` USD over
        ``ad_days`` ad × market days in a month ``month_of_year`` (1–12) of ``campaign`` (None: a typical one)."""
        a, beta = self._curve_from(self._vector(), cells, ad_days, month_of_year)
        return a * np.exp(self.campaign.get(campaign, 0.0) if campaign is not None else 0.0), beta

    def draw(
        self,
        cells: list[tuple[int, int]],
        ad_days: np.ndarray,
        month_of_year: int,
        campaign: int | None,
        n: int,
        rng: np.random.Generator,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``n`` draws of ``(a, β)`` (arrays n × cells) from the fit's uncertainty: the Laplace posterior of the
        shared coefficients and of the campaign's level (an unseen campaign: the spread of campaign levels)."""
        vectors = self._vector() + rng.standard_normal((n, len(self._vector()))) @ self._factor().T
        known = campaign is not None and campaign in self.campaign
        level = self.campaign.get(campaign, 0.0) if known else 0.0  # type: ignore[arg-type]
        sd = np.sqrt(self.campaign_var[campaign]) if known else self.campaign_sd  # type: ignore[index]
        a, beta = self._curve_from(vectors, cells, ad_days, month_of_year)
        return a * np.exp(rng.normal(level, sd, size=(n, 1))), beta

    def _factor(self) -> np.ndarray:
        """The Cholesky factor of the covariance (computed once: a serving process draws from it on every call)."""
        factor = self.__dict__.get("_cholesky")
        if factor is None:
            factor = self.__dict__["_cholesky"] = np.linalg.cholesky(
                self.covariance + 1e-10 * np.eye(len(self.covariance))
            )
        return factor

    def _vector(self) -> np.ndarray:
        return np.concatenate([[self.intercept], self.channel, self.market, self.pair.ravel(), self.season, self.slope])

    def _curve_from(
        self, vector: np.ndarray, cells: list[tuple[int, int]], ad_days: np.ndarray, month_of_year: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """``(a, β)`` of ``cells`` for one coefficient vector, or for a batch of them (rows) at once."""
        nc, nm = len(self.channels), len(self.markets)
        batch = np.atleast_2d(vector)
        index = [self._index(c, m) for c, m in cells]
        ci = np.array([i for i, _ in index], dtype=int)
        mi = np.array([j for _, j in index], dtype=int)
        starts = np.cumsum([0, 1, nc, nm, nc * nm, 12])  # intercept, channel, market, pair, season, slope
        beta = np.clip(batch[:, starts[5] + ci], *SLOPE_RANGE)
        level = (
            batch[:, :1]
            + batch[:, starts[1] + ci]
            + batch[:, starts[2] + mi]
            + batch[:, starts[3] + ci * nm + mi]
            + batch[:, starts[4] + month_of_year - 1 : starts[4] + month_of_year]
        )
        days = np.maximum(np.asarray(ad_days, dtype=float), 1.0)
        a = np.exp(level - beta * self.centre) * days ** (1.0 - beta)
        return (a, beta) if np.ndim(vector) == 2 else (a[0], beta[0])

    def summary(self) -> dict[str, Any]:
        """β per channel and the fit's figures (for the registry)."""
        return {"slope_by_channel": dict(zip(map(str, self.channels), np.round(self.slope, 3).tolist())), **self.info}


def fit_curves(rows: CellMonths) -> ResponseCurves:
    """Fit the curves on ``rows`` (see the module docstring); a clear error when there is too little history."""
    if len(rows) < MIN_ROWS or rows.conversions.sum() < MIN_CONVERSIONS:
        raise UserError(
            f"Too little PromptAds history to fit response curves ({len(rows)} campaign × channel × market × months, "
            f"{int(rows.conversions.sum())} conversions): seed PromptAds first (`promptsales seed`)."
        )
    channels = sorted(set(rows.channel.tolist()))
    markets = sorted(set(rows.market.tolist()))
    campaigns = sorted(set(rows.campaign.tolist()))
    nc, nm, ng = len(channels), len(markets), len(campaigns)
    ci = np.searchsorted(channels, rows.channel)
    mi = np.searchsorted(markets, rows.market)
    gi = np.searchsorted(campaigns, rows.campaign)
    si = rows.month % 12
    intensity = np.log(rows.spend / rows.ad_days)
    centre = float(np.average(intensity, weights=rows.spend))
    z = intensity - centre
    n = len(rows)
    blocks = [("intercept", 1), ("channel", nc), ("market", nm), ("pair", nc * nm), ("season", 12), ("slope", nc),
              ("campaign", ng)]  # fmt: skip
    starts = np.cumsum([0] + [size for _, size in blocks])
    offset = dict(zip([name for name, _ in blocks], starts[:-1]))
    columns = np.column_stack(
        [
            np.zeros(n, dtype=int),
            offset["channel"] + ci,
            offset["market"] + mi,
            offset["pair"] + ci * nm + mi,
            offset["season"] + si,
            offset["slope"] + ci,
            offset["campaign"] + gi,
        ]
    )
    values = np.column_stack([np.ones(n)] * 5 + [z, np.ones(n)])
    x = sparse.csr_matrix(
        (values.ravel(), (np.repeat(np.arange(n), columns.shape[1]), columns.ravel())), shape=(n, starts[-1])
    )
    precision = np.concatenate([np.full(size, 1.0 / PRIOR_SD[name] ** 2) for name, size in blocks])
    prior_mean = np.zeros(starts[-1])
    prior_mean[offset["slope"] : offset["slope"] + nc] = PRIOR_SLOPE
    y = rows.conversions.astype(float)
    log_exposure = np.log(rows.ad_days.astype(float))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        eta = x @ w + log_exposure
        mu = np.exp(np.minimum(eta, 30.0))
        d = w - prior_mean
        value = float(np.sum(mu - y * eta) + 0.5 * np.sum(precision * d * d))
        return value, x.T @ (mu - y) + precision * d

    start = prior_mean.copy()
    start[0] = np.log(max(y.sum(), 1.0) / rows.ad_days.sum())
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 5000, "gtol": 1e-6})
    w = result.x
    mu = np.exp(np.minimum(x @ w + log_exposure, 30.0))
    hessian = (x.T @ sparse.diags(mu) @ x).toarray() + np.diag(precision)
    shared = starts[-2]  # every block but the campaigns
    covariance = np.linalg.inv(hessian)
    shared_cov = covariance[:shared, :shared]
    campaign_var = np.diag(covariance)[shared:]
    camp = w[shared:]
    deviance = 2.0 * np.sum(np.where(y > 0, y * np.log(np.maximum(y, 1e-12) / mu), 0.0) - (y - mu))
    null_mu = np.full(n, y.sum() / n)
    null_deviance = 2.0 * np.sum(np.where(y > 0, y * np.log(np.maximum(y, 1e-12) / null_mu), 0.0) - (y - null_mu))
    parts = np.split(w[:shared], np.cumsum([1, nc, nm, nc * nm, 12]))
    curves = ResponseCurves(
        channels=channels,
        markets=markets,
        intercept=float(parts[0][0]),
        channel=parts[1],
        market=parts[2],
        pair=parts[3].reshape(nc, nm),
        season=parts[4],
        slope=np.clip(parts[5], *SLOPE_RANGE),
        centre=centre,
        campaign=dict(zip(campaigns, camp.tolist())),
        campaign_sd=float(np.std(camp)) if ng > 1 else PRIOR_SD["campaign"],
        covariance=(shared_cov + shared_cov.T) / 2.0,
        campaign_var=dict(zip(campaigns, campaign_var.tolist())),
        info={
            "rows": n,
            "last_month": int(rows.month.max()),
            "conversions": int(y.sum()),
            "campaigns": ng,
            "converged": bool(result.success),
            "iterations": int(result.nit),
            "deviance_explained": round(float(1.0 - deviance / null_deviance), 4) if null_deviance > 0 else None,
            "slope_raw": np.round(parts[5], 3).tolist(),
        },
    )
    curves._factor()  # stored with the artefact
    return curves

"""The response model of the PromptAds generator (docs/data.md): what a campaign's spend buys and how a
campaign's spend is planned.

* **Targeting** (:func:`draw_targeting`): each campaign's audience, objective, a campaign quality (creative and
  offer, log-normal) and the lead target its marketer plans the spend for.
* **Rates per result row** (:func:`row_rates`): the channel's CPM, saturation, CTR, leads per click and sales
  per lead (:data:`promptsales.ads.catalog.CHANNELS`) times the market (media cost index, region and segment),
  the industry (cost index, close index), the audience (interests that fit the industry; narrow age bands
  cost more and click more), the month (:data:`~promptsales.ads.catalog.SEASON`), the objective and the
  campaign and ad quality.
* **Views with diminishing returns** (:func:`expected_views`): up to the reference daily spend REF of an ad in a
  market a dollar buys ``1000 / CPM`` views; beyond it views grow as ``REF^(1−β) × cost^β``, β < 1 per channel.
* **Planning** (:func:`plan_spend`): the spend for which the expected leads of a campaign's rows reach its
  target (solved per campaign), so leads respond to spend through the response curve and campaigns stay in
  R2's 400–1,000 clients; the marketer's estimate is off by a log-normal error, which is what makes the
  curve identifiable from the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from promptsales.ads import catalog

#: Daily spend of one ad in one market at which a channel's nominal CPM holds (USD).
REFERENCE_DAILY_SPEND = 25.0
#: Leads the marketers plan a campaign's spend to date for (uniform), and the spread of their cost estimate.
TARGET_LEADS = (500, 880)
PLAN_ERROR_SIGMA = 0.15
#: Campaign totals of leads are kept in R2's range (a tail beyond it is clipped; docs/data.md gives the share).
LEADS_PER_CAMPAIGN = (400, 1000)

Columns = dict[str, np.ndarray]


@dataclass
class Targeting:
    """Whom each campaign targets and how well it is made, drawn before its results (0-based indices)."""

    audiences: Columns  # rows of ads.audiences
    audience: np.ndarray  # audience index per campaign
    objective: np.ndarray  # objective name per campaign
    industry: np.ndarray  # index into INDUSTRY_NAMES per campaign
    fit: np.ndarray  # the audience's interests include one of the industry's
    narrow: np.ndarray  # the audience's age band spans at most 10 years
    quality: np.ndarray  # campaign quality (creative and offer), log-normal around 1
    target_leads: np.ndarray  # leads planned for the spend to date
    plan_error: np.ndarray  # multiplicative error of the marketer's spend estimate


INDUSTRY_NAMES: tuple[str, ...] = tuple(catalog.INDUSTRIES)


def industry_array(field: str) -> np.ndarray:
    """One response field of every industry, indexed like :data:`INDUSTRY_NAMES`."""
    return np.array([catalog.INDUSTRIES[name][field] for name in INDUSTRY_NAMES], dtype=float)


def draw_targeting(rng: np.random.Generator, audiences: Columns, industry: np.ndarray) -> Targeting:
    """Audience, objective, quality and lead target of each of ``len(industry)`` campaigns."""
    n = len(industry)
    audience = rng.integers(0, len(audiences["audience_id"]), n)
    objective = np.array(catalog.OBJECTIVES)[rng.integers(0, len(catalog.OBJECTIVES), n)]
    fits = np.array(
        [
            [
                bool(set(interests.strip("{}").split(",")) & set(catalog.INDUSTRIES[name]["interests"]))
                for name in INDUSTRY_NAMES
            ]
            for interests in audiences["interests"].tolist()
        ]
    )
    fit = fits[audience, industry]
    narrow = (audiences["age_max"] - audiences["age_min"] <= 10)[audience]
    quality = rng.lognormal(0.0, 0.25, n)
    target = rng.uniform(*TARGET_LEADS, n)
    plan_error = rng.lognormal(0.0, PLAN_ERROR_SIGMA, n)
    return Targeting(audiences, audience, objective, industry, fit, narrow, quality, target, plan_error)


@dataclass
class RowRates:
    """The response of each result row: effective CPM, saturation exponent and the three conversion rates."""

    cpm: np.ndarray
    saturation: np.ndarray
    ctr: np.ndarray
    lead_rate: np.ndarray
    close_rate: np.ndarray


def row_rates(
    targeting: Targeting,
    r_campaign: np.ndarray,
    r_channel: np.ndarray,
    r_market: np.ndarray,
    r_month: np.ndarray,
    ad_quality: np.ndarray,
) -> RowRates:
    """The channel rates of every row times its market, industry, audience, season, objective and quality."""
    ch = {f: np.array([getattr(c, f) for c in catalog.CHANNELS]) for f in ("cpm", "ctr", "lead_rate", "close_rate")}
    saturation = np.array([c.saturation for c in catalog.CHANNELS])
    markets = catalog.MARKETS
    cost_index = np.array([m.cost_index for m in markets])
    segment = [catalog.SEGMENT_RESPONSE.get(m.segment, (1.0, 1.0)) for m in markets]
    market_lead = np.array([s[0] for s in segment])
    market_close = np.array([catalog.REGION_CLOSE[m.region] * s[1] for m, s in zip(markets, segment)])
    season = np.array([catalog.SEASON[m] for m in range(1, 13)])[r_month - 1]
    industry = targeting.industry[r_campaign]
    fit = targeting.fit[r_campaign]
    narrow = targeting.narrow[r_campaign]
    quality = np.sqrt(targeting.quality[r_campaign])
    objective = np.array([catalog.OBJECTIVE_LEADS[o] for o in targeting.objective])[r_campaign]
    cpm = (
        ch["cpm"][r_channel]
        * cost_index[r_market]
        * industry_array("cpc_index")[industry]
        * season[:, 0]
        * np.where(narrow, 1.15, 1.0)
    )
    ctr = ch["ctr"][r_channel] * ad_quality * quality * np.where(fit, 1.2, 1.0) * np.where(narrow, 1.1, 1.0)
    lead_rate = ch["lead_rate"][r_channel] * market_lead[r_market] * season[:, 1] * objective * np.where(fit, 1.1, 1.0)
    close_rate = (
        ch["close_rate"][r_channel]
        * market_close[r_market]
        * industry_array("close_index")[industry]
        * season[:, 2]
        * quality
        * np.where(fit, 1.2, 1.0)
    )
    return RowRates(cpm, saturation[r_channel], ctr, lead_rate, np.clip(close_rate, 0.0, 0.9))


def expected_views(rates: RowRates, cost: np.ndarray) -> np.ndarray:
    """Expected views of each row for ``cost`` USD: ``1000 / CPM × cost`` up to the reference daily spend REF,
    ``1000 / CPM × REF^(1−β) × cost^β`` beyond it (each further dollar reaches fewer new people)."""
    saturated = REFERENCE_DAILY_SPEND ** (1.0 - rates.saturation) * np.power(cost, rates.saturation)
    return 1000.0 / rates.cpm * np.where(cost <= REFERENCE_DAILY_SPEND, cost, saturated)


def plan_spend(n: int, r_campaign: np.ndarray, rates: RowRates, unit: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Spend per campaign at which its rows' expected leads add up to ``target``.

    ``unit`` is each row's part of one dollar of its campaign's spend; a row spending ``unit · S`` brings
    ``expected_views · CTR · leads per click`` leads. The total is increasing in S (linear, then as S^β per
    row), so Newton's method on log S converges in a few steps.
    """
    per_view = rates.ctr * rates.lead_rate
    log_target = np.log(target)
    x = np.log(target * 10.0)  # start at a 10 USD cost per lead
    for _ in range(50):
        cost = unit * np.exp(x[r_campaign])
        leads = expected_views(rates, cost) * per_view
        elasticity = np.where(cost <= REFERENCE_DAILY_SPEND, 1.0, rates.saturation)
        total = np.bincount(r_campaign, leads, n)
        slope = np.bincount(r_campaign, elasticity * leads, n) / np.maximum(total, 1e-300)
        step = (np.log(np.maximum(total, 1e-300)) - log_target) / np.maximum(slope, 1e-6)
        x -= np.clip(step, -2.0, 2.0)
        if np.max(np.abs(step)) < 1e-9:
            break
    return np.exp(x)


def lead_totals(rng: np.random.Generator, n: int, r_campaign: np.ndarray, expected_leads: np.ndarray) -> np.ndarray:
    """Leads per campaign: Poisson around the expected leads of its rows, kept in R2's 400–1,000."""
    low, high = LEADS_PER_CAMPAIGN
    return np.clip(rng.poisson(np.bincount(r_campaign, expected_leads, n)), low, high)

"""Who buys: the purchase propensity of the PromptCRM generator (docs/data.md, "Conversion depends on the lead").

PromptAds fixes how many of each result row's leads buy (its ``sales``); this module makes *which* people they
are depend on the lead, so that a model can learn it. Conversion follows a logistic propensity
``logit P(buy) = row base rate + z`` whose terms are:

* the client (:func:`client_logit`): age inside the campaign audience's band, closeness to the industry's typical
  buyer age, interests shared with the industry and with the audience, consent to be contacted;
* the lead (:func:`lead_logit`): its source (a reply to an e-mail or a chatbot conversation beats a bare ad
  click) and the hour it arrived;
* engagement and history, drawn in :mod:`promptsales.crm.generate` (longer ad views and more follow-ups for
  buyers; buyers are more often returning clients, recently seen).

Because the number of buyers per row is given, the features are drawn *given* the outcome by
sampling-importance-resampling (:func:`resample`): ``K`` candidates from the population, one kept with weight
``σ(BASE + z)`` for a buyer and ``1 − σ(BASE + z)`` for the others. By Bayes' rule this is the logistic
propensity above, with each row keeping PromptAds' count (R3 to the cent).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from promptsales.crm import vocabulary as vocab

#: Intercept of the propensity weights (σ(BASE) ≈ 0.14, the share of leads that buy).
BASE = -1.8
#: Candidates drawn per resampled attribute.
CANDIDATES = 6
#: Log-odds of a lead source (ids of crm.lead_sources).
SOURCE_LOGIT = {1: -0.25, 2: 0.15, 3: 0.45, 4: 0.7, 5: -0.1, 6: 1.0, 7: 0.6}
#: How often each paid source occurs among generated leads before resampling.
SOURCE_P = {1: 0.45, 2: 0.25, 3: 0.12, 4: 0.10, 5: 0.08}
#: Hour of the day a lead arrives: the population's profile and its log-odds (evening browsers buy more,
#: night-time clicks less).
HOUR_P = np.array(
    [1, 0.6, 0.4, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4.5, 5, 5.5, 5, 4.5, 4.5, 4.5, 5, 5.5, 6.5, 7, 6.5, 4.5, 2.5]
)
HOUR_LOGIT = np.array([-0.2] * 6 + [0.0] * 3 + [0.1] * 9 + [0.35] * 5 + [0.0])
#: Interest words of PromptAds audiences (Spanish catalogue) → PromptCRM client interests.
AD_INTEREST_TO_CRM = {
    "deportes": "sports",
    "tecnología": "technology",
    "moda": "fashion",
    "viajes": "travel",
    "cocina": "food",
    "finanzas": "finance",
    "familia": "parenting",
    "gaming": "gaming",
    "música": "music",
    "salud": "fitness",
    "negocios": "finance",
    "belleza": "beauty",
}
#: Industry of the campaign's brand → (typical buyer age, client interests that make a buyer).
INDUSTRY_BUYERS: dict[str, tuple[int, tuple[str, ...]]] = {
    "food_beverage": (35, ("food", "parenting")),
    "beauty": (28, ("beauty", "fashion")),
    "apparel": (26, ("fashion", "sports")),
    "electronics": (30, ("technology", "gaming")),
    "finance": (45, ("finance",)),
    "home": (40, ("home", "parenting")),
    "travel": (38, ("travel", "outdoors")),
    "education": (25, ("education", "technology")),
    "health_fitness": (35, ("fitness", "sports")),
    "telecom": (30, ("technology", "music")),
    "automotive": (42, ("automotive", "outdoors")),
}


def interest_mask(names) -> int:
    """Bit mask of PromptCRM interests (bit j = ``vocab.INTERESTS[j]``); unknown names are ignored."""
    return sum(1 << vocab.INTERESTS.index(name) for name in set(names) if name in vocab.INTERESTS)


@dataclass
class CampaignAudiences:
    """What the propensity needs to know of each PromptAds campaign, indexed by campaign_id."""

    age_min: np.ndarray
    age_max: np.ndarray
    peak_age: np.ndarray
    industry_mask: np.ndarray  # client interests that fit the industry
    audience_mask: np.ndarray  # the audience's interests, as client interests

    @classmethod
    def from_rows(cls, rows: list[tuple[int, int, int, list[str], str]]) -> CampaignAudiences:
        """From (campaign_id, age_min, age_max, audience interests, industry) rows of PromptAds."""
        size = max((row[0] for row in rows), default=0) + 1
        age_min, age_max = np.full(size, 18), np.full(size, 70)
        peak, industry_mask, audience_mask = np.full(size, 35), np.zeros(size, np.int64), np.zeros(size, np.int64)
        for campaign, low, high, interests, industry in rows:
            buyer_age, buyer_interests = INDUSTRY_BUYERS.get(industry, (35, ()))
            age_min[campaign], age_max[campaign], peak[campaign] = low, high, buyer_age
            industry_mask[campaign] = interest_mask(buyer_interests)
            audience_mask[campaign] = interest_mask(AD_INTEREST_TO_CRM.get(i, "") for i in interests or ())
        return cls(age_min, age_max, peak, industry_mask, audience_mask)


def client_logit(
    audiences: CampaignAudiences,
    campaign: np.ndarray,
    age: np.ndarray,
    interests: np.ndarray,
    consents: np.ndarray,
) -> np.ndarray:
    """Log-odds a client adds to a lead of ``campaign``: ``age`` in years, ``interests`` as bit masks,
    ``consents`` as booleans (e-mail, SMS, WhatsApp, phone, social) in the last axis."""
    low, high = audiences.age_min[campaign], audiences.age_max[campaign]
    outside = np.maximum(low - age, 0) + np.maximum(age - high, 0)
    in_band = np.where(outside == 0, 0.45, -np.minimum(0.04 * outside, 0.7))
    typical = 0.9 * np.exp(-(((age - audiences.peak_age[campaign]) / 8.0) ** 2))
    shared_industry = _bits(interests & audiences.industry_mask[campaign])
    shared_audience = _bits(interests & audiences.audience_mask[campaign])
    interest = 0.7 * np.minimum(shared_industry, 2) + 0.2 * np.minimum(shared_audience, 2)
    contact = consents @ np.array([0.2, 0.05, 0.3, 0.1, 0.0])
    return in_band + typical + interest + contact


def lead_logit(source: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Log-odds of a lead's source and hour of arrival."""
    logit = np.zeros(max(SOURCE_LOGIT) + 1)
    logit[list(SOURCE_LOGIT)] = list(SOURCE_LOGIT.values())
    return logit[source] + HOUR_LOGIT[hour]


def resample(rng: np.random.Generator, logits: np.ndarray, converted: np.ndarray) -> np.ndarray:
    """For each row of ``logits`` (n × K candidates) the index of the candidate kept: weight ``σ(BASE + z)``
    when the lead converted, ``1 − σ(BASE + z)`` when not (Gumbel-max sampling)."""
    p = 1.0 / (1.0 + np.exp(-(BASE + logits)))
    weight = np.where(converted[:, None], p, 1.0 - p)
    return np.argmax(np.log(weight) + rng.gumbel(size=weight.shape), axis=1)


def _bits(mask: np.ndarray) -> np.ndarray:
    """Number of set bits of each integer (masks up to 32 bits)."""
    mask = mask.astype(np.int64)
    count = np.zeros(mask.shape, dtype=np.int64)
    for j in range(len(vocab.INTERESTS)):
        count += (mask >> j) & 1
    return count

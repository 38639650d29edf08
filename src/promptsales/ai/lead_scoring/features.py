"""The lead-scoring features: what PromptCRM knows of a lead 24 hours after it arrived, as a numeric matrix.

``features.sql`` reads the leads (client, history before the lead, engagement and stage in its first 24 h);
:func:`campaign_profiles` reads each campaign's industry, objective, list price and audience age band from
PromptAds through PromptCRM's linked server; :class:`FeatureSpec` turns both into the columns of
:data:`COLUMNS` — categorical columns as small integer codes (unknown → NaN), the rest as numbers, missing as
NaN — with the vocabularies fixed at training time and stored with the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from typing import Any

import numpy as np
import psycopg

#: Categorical columns (integer codes).
CATEGORICAL = ("source", "channel", "market", "industry", "objective", "weekday", "month")
#: Numeric columns besides the interest flags (added per vocabulary word as ``interest:<word>``).
NUMERIC = (
    "hour",
    "age",
    "audience_age_min",
    "audience_age_max",
    "years_outside_audience",
    "n_interests",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_phone",
    "consent_social",
    "prior_leads",
    "days_since_prior_lead",
    "prior_purchases",
    "first_view_seconds",
    "followups_24h",
    "chats_24h",
    "calls_24h",
    "stage_24h",
    "lost_24h",
    "log_list_price",
)
#: How the columns are grouped when a score is explained (one contribution per group).
GROUPS: dict[str, tuple[str, ...]] = {
    "lead source": ("source",),
    "channel": ("channel",),
    "market": ("market",),
    "industry": ("industry",),
    "campaign objective": ("objective",),
    "arrival time": ("hour", "weekday"),
    "season": ("month",),
    "age": ("age",),
    "age vs audience": ("audience_age_min", "audience_age_max", "years_outside_audience"),
    "interests": ("n_interests", "interest:*"),
    "contact consents": ("consent_email", "consent_sms", "consent_whatsapp", "consent_phone", "consent_social"),
    "earlier leads": ("prior_leads", "days_since_prior_lead"),
    "earlier purchases": ("prior_purchases",),
    "ad view time": ("first_view_seconds",),
    "follow-ups in 24 h": ("followups_24h", "chats_24h", "calls_24h"),
    "stage after 24 h": ("stage_24h", "lost_24h"),
    "product price": ("log_list_price",),
}
SQL = (resources.files("promptsales.ai.lead_scoring") / "features.sql").read_text()
#: The columns ``features.sql`` returns, in order.
ROW = (
    "lead_id",
    "campaign_id",
    "created_epoch",
    "source_id",
    "channel_id",
    "market_id",
    "hour",
    "weekday",
    "month",
    "age",
    "interest_mask",
    "n_interests",
    "consent_email",
    "consent_sms",
    "consent_whatsapp",
    "consent_phone",
    "consent_social",
    "prior_leads",
    "days_since_prior_lead",
    "prior_purchases",
    "first_view_seconds",
    "followups_24h",
    "chats_24h",
    "calls_24h",
    "stage_24h",
    "lost_24h",
    "rule_score",
    "converted",
)
CAMPAIGNS_SQL = (
    "SELECT c.campaign_id, b.industry, c.objective, p.list_price, a.age_min, a.age_max"
    " FROM ads_link.campaigns c JOIN ads_link.brands b ON b.brand_id = c.brand_id"
    " LEFT JOIN ads_link.products p ON p.product_id = c.product_id"
    " LEFT JOIN ads_link.audiences a ON a.audience_id = c.audience_id"
)


@dataclass
class Leads:
    """Rows of ``features.sql`` as columns (numpy arrays), in time order."""

    columns: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.columns["lead_id"])

    def take(self, index: np.ndarray) -> Leads:
        """The rows at ``index``."""
        return Leads({name: values[index] for name, values in self.columns.items()})


@dataclass(frozen=True)
class CampaignProfile:
    """What a lead's campaign adds: industry, objective, list price and audience age band."""

    industry: str
    objective: str
    list_price: float | None
    age_min: int | None
    age_max: int | None


def campaign_profiles(conn: psycopg.Connection) -> dict[int, CampaignProfile]:
    """Every PromptAds campaign's profile, read through PromptCRM's linked server."""
    return {
        row[0]: CampaignProfile(row[1], row[2], float(row[3]) if row[3] is not None else None, row[4], row[5])
        for row in conn.execute(CAMPAIGNS_SQL).fetchall()
    }


def read_leads(
    conn: psycopg.Connection,
    interests: list[str],
    *,
    lead_ids: list[int] | None = None,
    campaign_ids: list[int] | None = None,
    open_only: bool = False,
) -> Leads:
    """The leads matching the filters (all of them by default), with their features and label."""
    rows = conn.execute(
        SQL,
        {
            "interests": interests,
            "lead_ids": lead_ids,
            "campaign_ids": campaign_ids,
            "open_only": open_only,
        },
    ).fetchall()
    data = np.array(rows, dtype=float).reshape(len(rows), len(ROW))
    columns = {name: data[:, j] for j, name in enumerate(ROW)}
    for name in ("lead_id", "campaign_id"):
        columns[name] = columns[name].astype(np.int64)
    return Leads(columns)


def interest_vocabulary(conn: psycopg.Connection) -> list[str]:
    """The distinct client interests (sorted; at most 62 — the bit mask is a bigint)."""
    rows = conn.execute("SELECT DISTINCT unnest(interests) FROM crm.clients ORDER BY 1 LIMIT 62").fetchall()
    return [row[0] for row in rows]


@dataclass
class FeatureSpec:
    """The columns and vocabularies of a trained model: turns leads and campaign profiles into a matrix."""

    interests: list[str]
    industries: list[str]
    objectives: list[str]
    reference: dict[str, float] = field(default_factory=dict)  # per column: the training median / mode

    @classmethod
    def fit(cls, leads: Leads, profiles: dict[int, CampaignProfile], interests: list[str]) -> FeatureSpec:
        """Vocabularies from the training leads; the reference value of each column from their matrix."""
        campaigns = [profiles.get(int(c)) for c in leads.columns["campaign_id"]]
        spec = cls(
            interests,
            sorted({p.industry for p in campaigns if p}),
            sorted({p.objective for p in campaigns if p}),
        )
        matrix = spec.matrix(leads, profiles)
        for j, name in enumerate(spec.columns):
            values = matrix[:, j][~np.isnan(matrix[:, j])]
            if not len(values):
                spec.reference[name] = float("nan")
            elif name in CATEGORICAL:
                codes, counts = np.unique(values, return_counts=True)
                spec.reference[name] = float(codes[np.argmax(counts)])
            else:
                spec.reference[name] = float(np.median(values))
        return spec

    @property
    def columns(self) -> list[str]:
        """Column names of the matrix, in order."""
        return [*CATEGORICAL, *NUMERIC, *(f"interest:{word}" for word in self.interests)]

    @property
    def categorical_mask(self) -> np.ndarray:
        """True for the categorical columns (for HistGradientBoostingClassifier)."""
        return np.array([name in CATEGORICAL for name in self.columns])

    def group_columns(self) -> dict[str, list[int]]:
        """Column indices of each explanation group (:data:`GROUPS`)."""
        names = self.columns
        groups: dict[str, list[int]] = {}
        for group, members in GROUPS.items():
            groups[group] = [
                j
                for j, name in enumerate(names)
                if name in members or ("interest:*" in members and name.startswith("interest:"))
            ]
        return groups

    def matrix(self, leads: Leads, profiles: dict[int, CampaignProfile]) -> np.ndarray:
        """The feature matrix (rows = leads, columns = :attr:`columns`), float with NaN for missing."""
        c = leads.columns
        n = len(leads)
        campaigns = [profiles.get(int(cid)) for cid in c["campaign_id"]]

        def code(values: list[str | None], vocabulary: list[str]) -> np.ndarray:
            index = {word: float(i) for i, word in enumerate(vocabulary)}
            return np.array([index.get(v, np.nan) if v is not None else np.nan for v in values])

        industry = code([p.industry if p else None for p in campaigns], self.industries)
        objective = code([p.objective if p else None for p in campaigns], self.objectives)
        price = np.array([p.list_price if p and p.list_price else np.nan for p in campaigns], dtype=float)
        age_min = np.array([p.age_min if p and p.age_min is not None else np.nan for p in campaigns], dtype=float)
        age_max = np.array([p.age_max if p and p.age_max is not None else np.nan for p in campaigns], dtype=float)
        age = c["age"]
        outside = np.maximum(age_min - age, 0) + np.maximum(age - age_max, 0)
        mask = np.nan_to_num(c["interest_mask"]).astype(np.int64)
        derived: dict[str, np.ndarray] = {
            "source": c["source_id"],
            "channel": c["channel_id"],
            "market": c["market_id"],
            "industry": industry,
            "objective": objective,
            "weekday": c["weekday"] - 1,
            "month": c["month"] - 1,
            "audience_age_min": age_min,
            "audience_age_max": age_max,
            "years_outside_audience": outside,
            "log_list_price": np.log1p(price),
        }
        matrix = np.empty((n, len(self.columns)))
        for j, name in enumerate(self.columns):
            if name.startswith("interest:"):
                matrix[:, j] = (mask >> self.interests.index(name.removeprefix("interest:"))) & 1
            elif name in derived:
                matrix[:, j] = derived[name]
            else:
                matrix[:, j] = c[name]
        return matrix

    def describe_group(self, group: str, row: np.ndarray) -> Any:
        """The values of an explanation group's columns in ``row`` as a person reads them: one value for a
        single-column group, the held interests as a list, else a name → value mapping."""
        index = self.group_columns()[group]
        names = [self.columns[j] for j in index]
        if group == "interests":
            return [
                name.removeprefix("interest:")
                for name, j in zip(names, index)
                if name.startswith("interest:") and row[j] == 1
            ]
        values = {name: self.describe(name, float(row[j])) for name, j in zip(names, index)}
        return next(iter(values.values())) if len(values) == 1 else values

    def describe(self, name: str, value: float) -> Any:
        """A column's value as a person reads it (category names, flags as yes/no)."""
        if np.isnan(value):
            return None
        if name == "industry":
            return self.industries[int(value)]
        if name == "objective":
            return self.objectives[int(value)]
        if name == "weekday":
            return ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[int(value)]
        if name == "month":
            return int(value) + 1
        if name == "age":  # a ten-year band, not the birth year
            low = int(value) // 10 * 10
            return f"{low}–{low + 9}"
        if name == "log_list_price":
            return round(float(np.expm1(value)), 2)
        if name.startswith("consent_") or name.startswith("interest:") or name == "lost_24h":
            return bool(value)
        return round(float(value), 2) if not float(value).is_integer() else int(value)


def created_before(leads: Leads, moment: datetime) -> np.ndarray:
    """True for the leads created before ``moment`` (an aware datetime)."""
    return leads.columns["created_epoch"] < moment.timestamp()

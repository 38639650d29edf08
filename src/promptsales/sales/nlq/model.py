"""The typed query model that every campaign question is turned into (SPEC S5).

A :class:`StructuredQuery` is what the parser produces and what the query builder consumes; it never
holds SQL, only whitelisted enums, resolved entity ids and dates, so a question can never inject SQL.
A question the system cannot answer becomes a :class:`NotAnswerable` with what was understood.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, model_validator

from promptsales.warehouse.measures import askable

_METRIC_DOC = (
    "Every figure a question can ask for: the askable measures of the registry (promptsales.warehouse.measures)."
)
if TYPE_CHECKING:  # the members come from the registry at run time; type checkers see a plain str enum

    class Metric(str, Enum):
        """Every figure a question can ask for: the askable measures of the registry."""

else:
    Metric = Enum("Metric", [(m.name, m.name) for m in askable()], type=str, module=__name__, qualname="Metric")
    Metric.__doc__ = _METRIC_DOC


class Dimension(str, Enum):
    """What results can be filtered or grouped by."""

    campaign = "campaign"
    brand = "brand"
    channel = "channel"
    market = "market"
    country = "country"  # the markets of one country together
    month = "month"
    week = "week"  # a week (Monday to Sunday) of the daily table, cut at the period's bounds
    day = "day"  # a day of the daily table
    status = "status"
    objective = "objective"  # the campaign's objective (awareness, leads, sales …)
    industry = "industry"  # the industry of the campaign's brand


class Intent(str, Enum):
    """The shape of the answer: one value, a breakdown, a top-n ranking, a comparison or a funnel."""

    value = "value"
    breakdown = "breakdown"
    ranking = "ranking"
    comparison = "comparison"
    funnel = "funnel"


class Period(BaseModel):
    """A half-open range of whole months ``[start, end)`` with a human label, or of days that are not whole
    months (:attr:`in_days`: the daily figures that can be summed over them, D163)."""

    start: date
    end: date
    label: str

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.end <= self.start:
            raise ValueError(f"period {self.label!r} ends before it starts")
        return self

    @property
    def in_days(self) -> bool:
        """Days that are not whole months ("week 50 of 2025"): answered from the daily table (D163)."""
        return self.start.day != 1 or self.end.day != 1


class EntityRef(BaseModel):
    """A campaign, brand, channel or market the question names, resolved to its warehouse key."""

    dimension: Dimension
    key: int | str
    name: str
    matched_text: str = ""
    score: float = 1.0


Status = Literal["active", "finished", "paused", "cancelled", "draft"]


class Lifecycle(BaseModel):
    """Campaigns by their flight dates: started in, ended in, or running at some time of a period."""

    event: Literal["started", "ended", "running"]
    period: Period


class Threshold(BaseModel):
    """A condition on each group's figure ("brands with more than 8 campaigns"): only the groups of
    ``dimension`` whose ``metric`` meets it are kept; a query without a breakdown answers how many groups do."""

    dimension: Dimension
    metric: Metric
    op: Literal["gt", "ge", "lt", "le"]
    value: float
    text: str = Field(default="", description="The words of the question that set it ('more than 8').")


class SubjectRef(BaseModel):
    """An entity named by a question of its own ("the brand with the most campaigns"): a ranking resolved
    first, whose rows (ties included) become the filter on ``dimension``."""

    dimension: Dimension
    query: StructuredQuery
    text: str = Field(default="", description="The words of the question that name it.")


#: At most this many periods side by side: the quarters of three years ("quarterly revenue 2024 and 2025" is 8).
MAX_COMPARED_PERIODS = 12


class StructuredQuery(BaseModel):
    """A question in structured form: what to compute, over which rows, grouped and ordered how."""

    intent: Intent
    metrics: list[Metric] = Field(min_length=1, max_length=6)
    group_by: list[Dimension] = Field(default_factory=list, max_length=2)
    filters: list[EntityRef] = Field(default_factory=list, max_length=20)
    period: Period | None = None
    compare_periods: list[Period] = Field(default_factory=list, max_length=MAX_COMPARED_PERIODS)
    status: Status | None = None
    statuses: list[Status] = Field(
        default_factory=list, description="Several statuses named: rows of any of them, by status."
    )
    lifecycle: list[Lifecycle] = Field(default_factory=list, max_length=3)
    subjects: list[SubjectRef] = Field(
        default_factory=list, max_length=4, description="Entities named by a ranking, resolved before the query."
    )
    having: Threshold | None = Field(
        default=None,
        description="Keep only the groups meeting a threshold; with no group_by, count the groups that do.",
    )
    share_of: Dimension | None = Field(
        default=None,
        description="Each row's figure also as a share of the total over this dimension's values; the filters on "
        "it pick the part ('what share of 2025 leads came from TikTok': share_of channel, filter TikTok).",
    )
    per: Literal["campaign", "day", "month"] | None = Field(
        default=None, description="Totals averaged per campaign, per day or per month of the rows asked for."
    )
    advertised: bool = Field(
        default=False,
        description="Only rows with advertising in them (spend or impressions): 'brands that ran ads in Chile'.",
    )
    over_time: Literal["running", "change"] | None = Field(
        default=None,
        description="With a breakdown by month, week or day: also each figure's running total from the first "
        "row ('running', additive figures only), or its change from the previous row, absolute and in percent "
        "('change').",
    )
    as_of: date | None = None
    order_by: Metric | None = None
    rank_change: Literal["absolute", "relative"] | None = Field(
        default=None,
        description="A ranking by the change of order_by between the two compare_periods (earlier to later).",
    )
    descending: bool = True
    limit: int | None = Field(default=None, ge=1, le=100)
    language: Literal["en", "es"] = "en"
    notes: list[str] = Field(default_factory=list)
    words: dict[str, list[str]] = Field(
        default_factory=dict, description="The words of the question each part of the query read (parser only)."
    )
    ignored: list[str] = Field(
        default_factory=list, description="Content words of the question no part read; the answer states them."
    )

    def filter_values(self, dimension: Dimension) -> list[EntityRef]:
        """The filters on one dimension."""
        return [ref for ref in self.filters if ref.dimension == dimension]


class NotAnswerable(BaseModel):
    """Why a question cannot be answered: what was understood and what is missing."""

    reason: str
    understood: dict[str, object] = Field(default_factory=dict)
    needs: str = ""
    language: Literal["en", "es"] = "en"
    refusal: str = Field(
        default="not-understood",
        description="Why: privacy, read-only, forecast, out-of-scope, unknown-name, not-understood, grain.",
    )
    not_understood: list[str] = Field(default_factory=list, description="The words of the question not understood.")


SubjectRef.model_rebuild()

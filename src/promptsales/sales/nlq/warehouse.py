"""THE mapping between the question model and the warehouse's real tables and columns (one module).

Every identifier the query builder may emit comes from here (whitelist); nothing from a question ever
becomes an identifier. Bound to the warehouse of ``sales/migrations/0004_warehouse.sql`` (schema ``wh``):
``wh.campaigns`` (one row per campaign, with brand, status, budget, goal, clients), the summaries
``wh.campaign_months`` / ``wh.campaign_channels`` / ``wh.campaign_markets``, and ``wh.campaign_facts``
(campaign × channel × market × month), and ``wh.campaign_days`` (the additive figures per campaign × channel × market × day, D163, D171) for
a period of days that are not whole months. The builder picks the coarsest table that has every dimension and
measure a question needs. Which measure each table holds comes from the measure registry
(:mod:`promptsales.warehouse.measures`); the dimensions, names and statuses are here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from promptsales.sales.nlq.model import Dimension
from promptsales.warehouse.measures import BY_NAME, DAY_TABLE, FACT_TABLE, KEY_TABLES, stored_in
from promptsales.warehouse.measures import CAMPAIGN_TABLE as CAMPAIGN_TABLE
from promptsales.warehouse.measures import SCHEMA as SCHEMA

#: Additive measures present in every summary and in the fact table.
ADDITIVE: tuple[str, ...] = tuple(m.name for m in stored_in(FACT_TABLE))


@dataclass(frozen=True)
class Grain:
    """A warehouse table usable as the FROM of a question, with what it can group and sum."""

    table: str
    dimensions: frozenset[Dimension]
    measures: dict[str, str]  # base measure → column
    keys: dict[Dimension, str] = field(default_factory=dict)  # dimension → key column in this table
    is_campaign_table: bool = False


#: The campaign table: names, brand, status and per-campaign figures.
CAMPAIGN_COLUMNS = {
    "key": "campaign_id",
    "name": "campaign_name",
    "brand_key": "brand_id",
    "brand_name": "brand_name",
    "status": "status",
    "start_date": "start_date",
    "end_date": "end_date",
    "objective": "objective",
    "industry": "industry",
}
#: Dimensions that are a column of the campaign table, whose value is also their name: the campaign's
#: objective and its brand's industry (loaded by the ETL from ads.campaigns and ads.brands).
CAMPAIGN_CLASSES: dict[Dimension, str] = {Dimension.objective: "objective", Dimension.industry: "industry"}
#: The warehouse's status values a question can name (PromptAds campaign statuses).
STATUS_VALUES = ("active", "finished", "paused", "cancelled", "draft")
#: The column of each dimension's key in the parts of a query (and in its results).
GROUP_KEYS: dict[Dimension, str] = {
    Dimension.campaign: "campaign_id",
    Dimension.brand: "brand_id",
    Dimension.channel: "channel_id",
    Dimension.market: "market_id",
    Dimension.month: "month",
    Dimension.week: "week",
    Dimension.day: "day",
    Dimension.status: "status",
    Dimension.country: "country",
    Dimension.objective: "objective",
    Dimension.industry: "industry",
}
#: Where a market's country is: the by-market summary, with one country per market.
COUNTRY_SOURCE = ("campaign_markets", "market_id", "country")
#: The column of a market's city in the by-market summary (a market is also named by its city).
MARKET_CITY = "city"
#: Spanish for what an average is per.
PER_ES = {"campaign": "campaña", "day": "día", "month": "mes", "ad": "anuncio"}
MONTH_COLUMN = "month"

_BASE_DIMENSIONS = frozenset({Dimension.campaign, Dimension.brand})


def _summed_columns(table: str) -> dict[str, str]:
    """The measures a question can sum on ``table`` → their columns (same names)."""
    return {m.name: m.name for m in stored_in(table) if m.kind == "sum"}


#: Coarsest first: the builder takes the first grain that covers the question.
GRAINS: tuple[Grain, ...] = (
    Grain(
        CAMPAIGN_TABLE,
        _BASE_DIMENSIONS,
        _summed_columns(CAMPAIGN_TABLE),
        {Dimension.campaign: "campaign_id"},
        is_campaign_table=True,
    ),
    Grain(
        "campaign_months",
        _BASE_DIMENSIONS | {Dimension.month},
        _summed_columns("campaign_months"),
        {Dimension.campaign: "campaign_id", Dimension.month: "month"},
    ),
    Grain(
        "campaign_channels",
        _BASE_DIMENSIONS | {Dimension.channel},
        _summed_columns("campaign_channels"),
        {Dimension.campaign: "campaign_id", Dimension.channel: "channel_id"},
    ),
    Grain(
        "campaign_markets",
        _BASE_DIMENSIONS | {Dimension.market},
        _summed_columns("campaign_markets"),
        {Dimension.campaign: "campaign_id", Dimension.market: "market_id"},
    ),
    Grain(
        FACT_TABLE,
        _BASE_DIMENSIONS | {Dimension.channel, Dimension.market, Dimension.month},
        _summed_columns(FACT_TABLE),
        {
            Dimension.campaign: "campaign_id",
            Dimension.channel: "channel_id",
            Dimension.market: "market_id",
            Dimension.month: "month",
        },
    ),
)

#: Days that are not whole months ("week 50 of 2025", "15–31 December 2025", "LinkedIn leads last week"): the
#: additive figures per campaign × channel × market × day (D163, D171). Its ``month`` key is the day, so a period's
#: bounds (days) filter it; only sums — a distinct count, a budget or a goal is not additive over days and is
#: refused by the parser. Its weeks and days are the breakdowns only it can give ("weekly sales in December 2025").
DAY_GRAIN = Grain(
    DAY_TABLE,
    _BASE_DIMENSIONS | {Dimension.channel, Dimension.market, Dimension.month, Dimension.week, Dimension.day},
    _summed_columns(DAY_TABLE),
    {
        Dimension.campaign: "campaign_id",
        Dimension.channel: "channel_id",
        Dimension.market: "market_id",
        Dimension.month: "day",
        Dimension.week: "day",
        Dimension.day: "day",
    },
)
#: Breakdowns by week or by day: read from the daily table only.
DAILY_BREAKDOWNS = frozenset({Dimension.week, Dimension.day})
#: What a question over days may break down, rank or filter by: the campaign and its attributes, the channel, the
#: market and its country, the week, the day.
DAY_DIMENSIONS = frozenset(
    {
        Dimension.campaign,
        Dimension.brand,
        Dimension.status,
        Dimension.channel,
        Dimension.market,
        Dimension.country,
        *CAMPAIGN_CLASSES,
        *DAILY_BREAKDOWNS,
    }
)
#: The kinds of figure computed from sums only, so exact over any days (ratios of sums, ROI).
DAY_KINDS = ("sum", "ratio", "roi")


def by_day(metric: str) -> bool:
    """Whether a metric is exact over any days: a sum or a ratio of sums of the daily table's figures."""
    measure = BY_NAME[metric]
    return measure.kind in DAY_KINDS and set(measure.inputs) <= set(DAY_GRAIN.measures)


_FACT_KEYS = {
    Dimension.campaign: "campaign_id",
    Dimension.channel: "channel_id",
    Dimension.market: "market_id",
    Dimension.month: "month",
}
#: The key tables (buyers, ads): distinct keys per fact cell, counted by the metrics that count them.
KEY_GRAINS: dict[str, Grain] = {
    table: Grain(table, _BASE_DIMENSIONS | {Dimension.channel, Dimension.market, Dimension.month}, {}, _FACT_KEYS)
    for table in KEY_TABLES
}

#: Where the names of channels and markets come from: (table, key column, name column).
LABEL_SOURCES: dict[Dimension, tuple[str, str, str]] = {
    Dimension.channel: ("campaign_channels", "channel_id", "channel_name"),
    Dimension.market: ("campaign_markets", "market_id", "market_name"),
}

#: Human descriptions of the tables, for the schema resource.
TABLE_DESCRIPTIONS = {
    "campaigns": "One row per campaign: name, brand, status, objective, industry, dates, budget, goal, every total, "
    "clients.",
    "campaign_months": "Per campaign × month: additive measures.",
    "campaign_days": "Per campaign × channel × market × day: the additive measures only (no ratios).",
    "campaign_channels": "Per campaign × channel (with channel_name): additive measures.",
    "campaign_markets": "Per campaign × market (with market_name, country, city): additive measures.",
    "campaign_facts": "Per campaign × channel × market × month: additive measures (finest grain).",
    "campaign_funnel": "View: reach → interactions → leads → clients → sales per campaign.",
    "campaign_buyers": "Per campaign × channel × market × month: the distinct PromptCRM clients who bought (ids only).",
    "campaign_ads": "Per campaign × channel × market × month: the distinct PromptAds ads with results.",
}

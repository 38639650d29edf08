"""Definitions of every metric a question can ask for (published as an MCP resource).

A metric is a formula over *base measures* (additive columns of the warehouse, named in
:mod:`.warehouse`): a plain sum, a ratio of sums, ROI, or a count of distinct keys. Ratios are computed
from the sums of the rows asked for — never as averages of per-row ratios — so they stay correct at every
grain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from promptsales.sales.nlq.model import Dimension, Metric

Kind = Literal["sum", "ratio", "roi", "success", "distinct"]


@dataclass(frozen=True)
class MetricDefinition:
    """How a metric is computed and how to present it."""

    metric: Metric
    kind: Kind
    measures: tuple[str, ...]  # base measures: (summed,) or (numerator, denominator)
    unit: Literal["count", "usd", "ratio"]
    en: str
    es: str
    definition: str
    distinct_dimension: Dimension | None = None


def _sum(metric: Metric, measure: str, unit: str, en: str, es: str, definition: str) -> MetricDefinition:
    return MetricDefinition(metric, "sum", (measure,), unit, en, es, definition)  # type: ignore[arg-type]


DEFINITIONS: dict[Metric, MetricDefinition] = {
    d.metric: d
    for d in (
        _sum(
            Metric.reach,
            "reach",
            "count",
            "reach",
            "alcance",
            "Audience reached: sum of PromptAds audience_reached over the ad results asked for.",
        ),
        _sum(
            Metric.impressions,
            "impressions",
            "count",
            "impressions",
            "impresiones",
            "Views of the ads (PromptAds views).",
        ),
        _sum(Metric.reactions, "reactions", "count", "reactions", "reacciones", "Likes/reactions to the ads."),
        _sum(
            Metric.interactions,
            "interactions",
            "count",
            "interactions",
            "interacciones",
            "Comments, shares and saves on the ads.",
        ),
        _sum(Metric.clicks, "clicks", "count", "clicks", "clics", "Clicks on the ads."),
        _sum(Metric.leads, "leads", "count", "leads", "leads", "PromptCRM leads created by the campaign."),
        _sum(
            Metric.clients,
            "clients",
            "count",
            "clients",
            "clientes",
            "Distinct buying clients over the whole campaign (PromptCRM); known per campaign only.",
        ),
        _sum(
            Metric.sales_count,
            "sales_count",
            "count",
            "number of sales",
            "número de ventas",
            "Sales closed in PromptCRM.",
        ),
        _sum(
            Metric.sales_amount,
            "sales_amount",
            "usd",
            "sales amount",
            "monto de ventas",
            "Amount of the sales closed in PromptCRM, USD.",
        ),
        _sum(Metric.revenue, "revenue", "usd", "revenue", "ingresos", "Revenue reported by PromptAds, USD."),
        _sum(Metric.spend, "spend", "usd", "spend", "gasto", "Media cost of the ads, USD."),
        _sum(Metric.budget, "budget", "usd", "budget", "presupuesto", "Budget of the campaigns, USD (per campaign)."),
        MetricDefinition(
            Metric.roi, "roi", ("sales_amount", "spend"), "ratio", "ROI", "ROI", "(sales amount − spend) / spend."
        ),
        MetricDefinition(
            Metric.conversion_rate,
            "ratio",
            ("sales_count", "leads"),
            "ratio",
            "conversion rate",
            "tasa de conversión",
            "Sales / leads.",
        ),
        MetricDefinition(
            Metric.success_rate,
            "success",
            ("sales_amount", "goal_amount"),
            "ratio",
            "success rate",
            "tasa de éxito",
            "Sales amount / sales goal, over the campaigns that have a goal (per campaign only).",
        ),
        MetricDefinition(
            Metric.ctr,
            "ratio",
            ("clicks", "impressions"),
            "ratio",
            "click-through rate",
            "tasa de clics",
            "Clicks / impressions.",
        ),
        MetricDefinition(
            Metric.channels_used,
            "distinct",
            (),
            "count",
            "channels used",
            "canales usados",
            "Distinct channels with results.",
            Dimension.channel,
        ),
        MetricDefinition(
            Metric.markets_used,
            "distinct",
            (),
            "count",
            "markets used",
            "mercados usados",
            "Distinct markets with results.",
            Dimension.market,
        ),
        MetricDefinition(
            Metric.campaigns,
            "distinct",
            (),
            "count",
            "campaigns",
            "campañas",
            "Distinct campaigns (with results in the period when one is given).",
            Dimension.campaign,
        ),
    )
}


def required_measures(metric: Metric) -> tuple[str, ...]:
    """The base measures a metric needs from the table it is computed on."""
    return DEFINITIONS[metric].measures

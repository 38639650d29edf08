"""Unit tests of the query builder (SPEC S5, N4): identifiers only from the mapping module, every value a
bound parameter, the coarsest table that covers the question, refusals for per-campaign figures."""

from __future__ import annotations

from datetime import date

import pytest

from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.builder import Unanswerable, build, choose_grain
from promptsales.sales.nlq.catalog import Catalog, Named
from promptsales.sales.nlq.model import Dimension, EntityRef, Intent, Metric, NotAnswerable, Period, StructuredQuery
from promptsales.sales.nlq.parser import QuestionParser

CATALOG = Catalog(
    campaigns=[Named(1, "Nova Foods · Granola · Navidad 2025")],
    brands=[Named(10, "Nova Foods")],
    channels=[Named(2, "Instagram"), Named(3, "TikTok")],
    markets=[Named(5, "Mexico / consumer")],
)


def _sql(query: StructuredQuery) -> tuple[str, list]:
    built = build(query)
    return built.statement.as_string(None), built.params


def test_mcpnet_builder_binds_every_value():
    """Names, ids, dates, statuses and limits are parameters; the SQL text holds none of them."""
    query = QuestionParser(CATALOG, date(2026, 1, 31)).parse(
        "Top 3 campaigns of Nova Foods by ROI on Instagram in Mexico in December 2025"
    )
    text, params = _sql(query)
    assert "Nova" not in text and "2025" not in text and "Instagram" not in text
    assert text.count("%s") == len(params) and date(2025, 12, 1) in params and 3 in params
    assert [10] in params and [2] in params and [5] in params
    identifiers = {part for part in text.replace('"', " ").replace(".", " ").split() if part.isidentifier()}
    allowed_tables = {g.table for g in wh.GRAINS} | {t for t, _, _ in wh.LABEL_SOURCES.values()} | {wh.SCHEMA}
    assert {"campaign_facts", "campaigns"} <= identifiers and "campaign_facts" in allowed_tables


def test_mcpnet_builder_injection_text_never_reaches_sql():
    """A question carrying SQL finds no campaign and builds nothing."""
    result = QuestionParser(CATALOG, date(2026, 1, 31)).parse('Reach of campaign "x\'; DROP TABLE wh.campaigns; --"')
    assert isinstance(result, NotAnswerable) and "No campaign matches" in result.reason


@pytest.mark.parametrize(
    "dimensions, period, expected",
    [
        ([], None, "campaigns"),
        ([Dimension.month], None, "campaign_months"),
        ([], Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025"), "campaign_months"),
        ([Dimension.channel], None, "campaign_channels"),
        ([Dimension.market], None, "campaign_markets"),
        ([Dimension.channel], Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025"), "campaign_facts"),
        ([Dimension.channel, Dimension.market], None, "campaign_facts"),
    ],
)
def test_mcpnet_builder_picks_the_coarsest_table(dimensions, period, expected):
    """The FROM table is the coarsest one holding every dimension the question needs."""
    query = StructuredQuery(
        intent=Intent.breakdown if dimensions else Intent.value,
        metrics=[Metric.reach],
        group_by=dimensions,
        period=period,
    )
    assert choose_grain(query).table == expected


def test_mcpnet_builder_refuses_per_campaign_figures_at_finer_grain():
    """Distinct clients and budgets cannot be split by month/channel/market: an explanation, in both languages."""
    query = StructuredQuery(intent=Intent.breakdown, metrics=[Metric.clients], group_by=[Dimension.channel])
    with pytest.raises(Unanswerable) as refused:
        build(query)
    assert "per whole campaign" in refused.value.reason("en") and "por campaña" in refused.value.reason("es")


def test_mcpnet_builder_ratios_are_ratios_of_sums():
    """ROI is (Σ sales − Σ spend) / Σ spend, never an average of per-row ROIs."""
    text, _ = _sql(
        StructuredQuery(
            intent=Intent.value,
            metrics=[Metric.roi],
            filters=[EntityRef(dimension=Dimension.brand, key=10, name="Nova Foods")],
        )
    )
    assert 'sum("c"."sales_amount") - sum("c"."spend")' in text and "avg(" not in text

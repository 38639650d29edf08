"""The parser's rules for the gaps found by issue 16's second round (docs/decisions.md D123, D124), over an
in-memory catalog: days and weeks of additive figures answered from the daily table (D163), other figures over
days refused naming their months, channels and markets over days answered (D171), whole-month dates answered, relative years and
nested periods, tied campaign names, countries, rankings by a change, and the read-only and privacy rules."""

from __future__ import annotations

from datetime import date

import pytest

from promptsales.sales.nlq.builder import Unanswerable, build
from promptsales.sales.nlq.catalog import Catalog, Named
from promptsales.sales.nlq.model import Dimension, Intent, Metric, NotAnswerable, Period, StructuredQuery
from promptsales.sales.nlq.parser import QuestionParser
from promptsales.sales.nlq.text import normalize_name


def _word_matcher(fragment: str) -> list[tuple[int | str, str, float]]:
    """Like the warehouse's pg_trgm matcher: a fragment whose words are all in a name fits it fully (1.0)."""
    words = set(normalize_name(fragment).split())
    scored = [
        (campaign.key, campaign.name, 1.0 if words <= set(normalize_name(campaign.name).split()) else 0.2)
        for campaign in CATALOG.campaigns
    ]
    return sorted(scored, key=lambda item: (-item[2], item[1]))


CATALOG = Catalog(
    campaigns=[
        Named(1, "Casa Casa · Sofá Modular · Buen Fin 2025"),
        Named(2, "Banco Caribe · Seguro de Vida · Buen Fin 2025"),
        Named(3, "Nova Foods · Granola · Navidad 2025"),
    ],
    brands=[Named(10, "Casa Casa"), Named(11, "Banco Caribe"), Named(12, "Nova Foods")],
    channels=[Named(2, "Instagram"), Named(3, "TikTok")],
    markets=[Named(5, "Mexico / consumer"), Named(6, "Mexico / business")],
)
CATALOG.campaign_matcher = _word_matcher


@pytest.fixture(scope="module")
def parser() -> QuestionParser:
    return QuestionParser(CATALOG, date(2026, 1, 31))


@pytest.mark.parametrize(
    ("question", "start", "end", "metric"),
    [
        ("How many leads did we get in week 50 of 2025?", date(2025, 12, 8), date(2025, 12, 15), Metric.leads),
        ("leads de la semana del 8 al 14 de diciembre de 2025", date(2025, 12, 8), date(2025, 12, 15), Metric.leads),
        (
            "How much did we spend between December 15 and December 31, 2025?",
            date(2025, 12, 15),
            date(2026, 1, 1),
            Metric.spend,
        ),
        ("alcance primera quincena de enero 2026", date(2026, 1, 1), date(2026, 1, 16), Metric.reach),
        ("CTR del 24 de noviembre al 7 de diciembre de 2025", date(2025, 11, 24), date(2025, 12, 8), Metric.ctr),
        ("sales in the last 2 weeks", date(2026, 1, 18), date(2026, 2, 1), Metric.sales_amount),
    ],
)
def test_days_of_additive_figures_are_answered_from_the_daily_table(parser, question, start, end, metric):
    """A week, days inside a month or days across two months (D163): the period is those days, and the
    builder reads wh.campaign_days between them (the day column, bound dates)."""
    result = parser.parse(question)
    assert isinstance(result, StructuredQuery), getattr(result, "reason", result)
    assert result.metrics == [metric] and result.period is not None and result.period.in_days
    assert (result.period.start, result.period.end) == (start, end)
    built = build(result)
    assert built.grain == "campaign_days"
    text = built.statement.as_string(None)
    assert '"f"."day" >= %s::date AND "f"."day" < %s::date' in text
    assert start in built.params and end in built.params


def test_days_by_brand_are_answered_but_month_aligned_days_stay_monthly(parser):
    """A breakdown by brand over days reads the daily table; whole months still read wh.campaign_months."""
    by_brand = parser.parse("gasto por marca en la semana 50 de 2025")
    assert isinstance(by_brand, StructuredQuery) and by_brand.group_by == [Dimension.brand]
    assert build(by_brand).grain == "campaign_days"
    months = parser.parse("How much did we spend from July 1 to September 30, 2025?")
    assert isinstance(months, StructuredQuery) and not months.period.in_days
    assert build(months).grain == "campaign_months"


@pytest.mark.parametrize(
    ("question", "months"),
    [
        ("How many distinct clients bought from December 1 to December 15, 2025?", "December 2025"),
        ("clientes únicos de la semana 50 de 2025", "diciembre 2025"),
        ("budget in week 50 of 2025", "December 2025"),
        ("average monthly spend from December 15, 2025 to January 14, 2026", "December 2025"),
    ],
)
def test_days_of_figures_that_do_not_add_up_are_refused_naming_their_months(parser, question, months):
    """Distinct clients or a budget over days that are not whole months: not additive over days, so refused as
    grain, naming the months that hold the days."""
    result = parser.parse(question)
    assert isinstance(result, NotAnswerable) and result.refusal == "grain", result
    assert months in result.reason


def test_the_builder_refuses_distinct_counts_over_days():
    """Defence in depth: a query over days that asks a distinct count is refused by the builder too."""
    query = StructuredQuery(
        intent=Intent.value,
        metrics=[Metric.clients],
        period=Period(start=date(2025, 12, 8), end=date(2025, 12, 15), label="week 50"),
    )
    with pytest.raises(Unanswerable):
        build(query)


@pytest.mark.parametrize(
    ("question", "dimension"),
    [
        ("weekly sales in December 2025", Dimension.week),
        ("¿Cuántas ventas hubo cada semana de diciembre de 2025?", Dimension.week),
        ("gasto por semana de noviembre 2025", Dimension.week),
        ("Daily leads from January 1 to January 7, 2026", Dimension.day),
        ("leads por día del 1 al 7 de enero de 2026", Dimension.day),
    ],
)
def test_weekly_and_daily_breakdowns_read_the_daily_table(parser, question, dimension):
    """ "weekly", "cada semana", "por día" (D164): a breakdown by week (its Monday) or day of the daily table,
    the period's bounds still filtering the days (a week at an edge holds only the period's days)."""
    result = parser.parse(question)
    assert isinstance(result, StructuredQuery), getattr(result, "reason", result)
    assert result.group_by == [dimension]
    built = build(result)
    assert built.grain == "campaign_days" and dimension.value in built.columns
    text = built.statement.as_string(None)
    assert '"f"."day" >= %s::date AND "f"."day" < %s::date' in text
    assert ('date_trunc(\'week\', "f"."day")' in text) is (dimension is Dimension.week)


@pytest.mark.parametrize(
    "question",
    [
        "clientes distintos por semana en diciembre 2025",  # not additive over days
        "presupuesto semanal en diciembre 2025",  # a budget is per campaign
    ],
)
def test_weekly_breakdowns_of_figures_that_do_not_add_up_are_refused(parser, question):
    result = parser.parse(question)
    assert isinstance(result, NotAnswerable) and result.refusal == "grain", result


@pytest.mark.parametrize(
    ("question", "group_by", "filtered"),
    [
        ("spend by channel in week 50 of 2025", [Dimension.channel], []),
        ("gasto por mercado del 24 de noviembre al 7 de diciembre de 2025", [Dimension.market], []),
        ("weekly spend by channel in December 2025", [Dimension.week, Dimension.channel], []),
        ("TikTok leads in the first half of January 2026", [], [Dimension.channel]),
        ("leads por día en México la semana pasada", [Dimension.day], [Dimension.market]),
    ],
)
def test_channels_and_markets_over_days_read_the_daily_table(parser, question, group_by, filtered):
    """The daily table holds channel × market × day (D171): a breakdown or a filter by channel, market or country
    over days that are not whole months is answered from it, not refused."""
    result = parser.parse(question)
    assert isinstance(result, StructuredQuery), getattr(result, "reason", result)
    assert sorted(result.group_by) == sorted(group_by)
    assert sorted({ref.dimension for ref in result.filters}) == sorted(filtered)
    built = build(result)
    assert built.grain == "campaign_days"
    for dimension in (*group_by, *filtered):
        if dimension in (Dimension.channel, Dimension.market):
            assert f'"f"."{dimension.value}_id"' in built.statement.as_string(None)


def test_a_daily_average_is_not_a_daily_breakdown(parser):
    """ "average daily sales" is the month's total over its days, not one row per day."""
    average = parser.parse("average daily sales in December 2025")
    assert isinstance(average, StructuredQuery) and average.per == "day" and not average.group_by


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("How much did we spend from July 1 to September 30, 2025?", date(2025, 7, 1), date(2025, 10, 1)),
        ("¿Cuánto gastamos del 1 de julio al 30 de septiembre de 2025?", date(2025, 7, 1), date(2025, 10, 1)),
        ("ventas de diciembre del año pasado", date(2025, 12, 1), date(2026, 1, 1)),
        ("leads in Q4 of last year", date(2025, 10, 1), date(2026, 1, 1)),
        ("reach in the last 3 months of 2025", date(2025, 10, 1), date(2026, 1, 1)),
        ("spend in the first two months of 2025", date(2025, 1, 1), date(2025, 3, 1)),
        ("ventas de diciembre en 2025", date(2025, 12, 1), date(2026, 1, 1)),
    ],
)
def test_whole_months_relative_years_and_nested_periods_are_one_period(parser, question, start, end):
    """Never a comparison of a period with the year that holds it."""
    result = parser.parse(question)
    assert isinstance(result, StructuredQuery) and not result.compare_periods
    assert result.period is not None and (result.period.start, result.period.end) == (start, end)


def test_a_campaign_fragment_several_campaigns_fit_is_settled_by_the_name_or_refused(parser):
    """ "Buen Fin 2025" fits two campaigns: the brand written next to it settles it; alone it is refused."""
    settled = parser.parse("ventas de la campaña Buen Fin 2025 de Casa Casa")
    assert isinstance(settled, StructuredQuery)
    assert [ref.key for ref in settled.filters if ref.dimension is Dimension.campaign] == [1]
    ambiguous = parser.parse("reach of campaign buen fin 2025")
    assert isinstance(ambiguous, NotAnswerable) and ambiguous.refusal == "unknown-name"
    assert "Casa Casa" in ambiguous.reason and "Banco Caribe" in ambiguous.reason


def test_which_campaign_is_a_ranking_not_a_name(parser):
    """ "¿Qué campaña generó más ventas?": no fuzzy name is read from "generó" (it is close to "enero")."""
    result = parser.parse("¿Qué campaña generó más ventas en diciembre?")
    assert isinstance(result, StructuredQuery) and result.intent is Intent.ranking and not result.filters


def test_countries_break_down_as_a_dimension_and_filter_as_a_name(parser):
    """Markets are a country and a segment: "por país" breaks down by whole country (D158), "en México"
    totals Mexico's markets."""
    by_country = parser.parse("ventas por país en 2025")
    assert isinstance(by_country, StructuredQuery) and by_country.group_by == [Dimension.country]
    mexico = parser.parse("ventas en Mexico / consumer en 2025")
    assert isinstance(mexico, StructuredQuery)


def test_a_ranking_by_a_change_ranks_from_the_earlier_period(parser):
    """ "which channel grew the most …": rank_change, the two periods earlier first; a fall ranks ascending."""
    grew = parser.parse("¿Qué canal tuvo el mayor crecimiento en ventas de noviembre a diciembre de 2025?")
    assert isinstance(grew, StructuredQuery) and grew.rank_change == "absolute" and grew.descending
    assert grew.group_by == [Dimension.channel] and grew.order_by is Metric("sales_amount")
    fell = parser.parse("which channel's spend fell the most in percent from Q3 to Q4 2025")
    assert isinstance(fell, StructuredQuery) and fell.rank_change == "relative" and not fell.descending


def test_bare_campaigns_are_listed_unless_a_count_is_asked(parser):
    """ "campañas de Nova Foods que cerraron en 2025" lists them; "cuántas campañas …" counts them."""
    listed = parser.parse("campañas de Nova Foods que cerraron en 2025")
    assert isinstance(listed, StructuredQuery) and listed.group_by == [Dimension.campaign]
    counted = parser.parse("¿Cuántas campañas de Nova Foods cerraron en 2025?")
    assert isinstance(counted, StructuredQuery) and counted.metrics == [Metric("campaigns")]


def test_closing_sales_is_not_campaigns_that_ended(parser):
    """ "How many sales have we closed so far this year" has no lifecycle filter."""
    result = parser.parse("How many sales have we closed so far this year?")
    assert isinstance(result, StructuredQuery) and not result.lifecycle


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("Please increase the budget of the best campaign by 10%", "read-only"),
        ("¿Puedes subirle el presupuesto a la campaña con más ventas?", "read-only"),
        ("Quiero que borres los leads de diciembre", "read-only"),
        ("reasigna el gasto de facebook a instagram", "read-only"),
        ("¿Quién fue el cliente que más compró en 2025?", "privacy"),
        ("cuanto gastó el cliente 12345", "privacy"),
        ("the client with the most purchases", "privacy"),
    ],
)
def test_writes_and_personal_data_are_refused_by_their_rule(parser, question, rule):
    """The rule's own reason, not "no figure found" (and before a subject inside the question is read)."""
    result = parser.parse(question)
    assert isinstance(result, NotAnswerable) and result.refusal == rule


def test_reads_that_start_like_writes_are_still_answered(parser):
    """ "dame las ventas …" is a read (give me), not a write."""
    assert isinstance(parser.parse("dame las ventas de diciembre 2025"), StructuredQuery)

"""Unit tests of the query builder (SPEC S5, N4): identifiers only from the mapping module, every value a
bound parameter, the coarsest table that covers the question, refusals for per-campaign figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from psycopg import sql

from promptsales.db.connect import connect
from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.builder import Unanswerable, build, choose_grain
from promptsales.sales.nlq.catalog import Catalog, Named
from promptsales.sales.nlq.model import (
    Dimension,
    EntityRef,
    Intent,
    Lifecycle,
    Metric,
    NotAnswerable,
    Period,
    StructuredQuery,
)
from promptsales.sales.nlq.parser import QuestionParser

CATALOG = Catalog(
    campaigns=[Named(1, "Nova Foods · Granola · Navidad 2025")],
    brands=[Named(10, "Nova Foods")],
    channels=[Named(2, "Instagram"), Named(3, "TikTok")],
    markets=[Named(5, "Mexico / consumer")],
)


#: Table aliases and part names the builder writes, and the SQL words (keywords, functions, types) its
#: statements may contain.
ALIASES = {"c", "f", "m", "r", "p", "rank", "ord", "label", "starts", "ends", "days", "months", "period"}
SQL_WORDS = {
    *("WITH SELECT AS FROM JOIN LEFT FULL CROSS USING ON WHERE AND ANY GROUP BY ORDER DESC ASC NULLS LAST".split()),
    *("FIRST LIMIT DISTINCT OVER PARTITION VALUES".split()),
    *("round sum nullif numeric count rank to_char date int text".split()),
}


def _allowed_identifiers() -> set[str]:
    """Every name the mapping module offers, plus the model's metric and dimension names (result labels)."""
    names = {wh.SCHEMA, wh.MONTH_COLUMN, *wh.CAMPAIGN_COLUMNS.values(), *ALIASES}
    for grain in (*wh.GRAINS, wh.DAY_GRAIN):
        names |= {grain.table, *grain.measures.values(), *grain.keys.values()}
    for table, key, label in wh.LABEL_SOURCES.values():
        names |= {table, key, label}
    names |= {*wh.GROUP_KEYS.values(), *(f"l_{dimension.value}" for dimension in Dimension)}
    names |= {f"k_{table}" for table in wh.KEY_GRAINS}
    return names | {metric.value for metric in Metric} | {dimension.value for dimension in Dimension}


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
    quoted = set(re.findall(r'"([^"]*)"', text))
    assert {"campaign_facts", "campaigns"} <= quoted
    assert quoted <= _allowed_identifiers(), quoted - _allowed_identifiers()
    bare = set(re.findall(r"[A-Za-z_]\w*", re.sub(r'"[^"]*"|%s', " ", text)))  # outside quotes and placeholders
    assert bare <= SQL_WORDS | ALIASES, bare - SQL_WORDS - ALIASES


def test_mcpnet_builder_injection_text_never_reaches_sql():
    """A question carrying SQL builds nothing: the read-only rule refuses it (issue 16: the rules come before
    an unknown name), and without SQL words the quoted text finds no campaign."""
    parser = QuestionParser(CATALOG, date(2026, 1, 31))
    result = parser.parse('Reach of campaign "x\'; DROP TABLE wh.campaigns; --"')
    assert isinstance(result, NotAnswerable) and result.refusal == "read-only"
    result = parser.parse('Reach of campaign "x\'; SELECT 1; --"')
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


def test_mcpnet_builder_binds_every_value_of_a_share_and_computes_it_from_two_parts():
    """ "What share of our 2025 leads came from TikTok": the part (filtered on TikTok) and the whole (without the
    filter) are two statements whose values are all parameters; the share is the part over the whole."""
    query = QuestionParser(CATALOG, date(2026, 1, 31)).parse("What share of our 2025 leads came from TikTok?")
    assert isinstance(query, StructuredQuery) and query.share_of is Dimension.channel
    built = build(query)
    text = built.statement.as_string(None)
    assert "TikTok" not in text and "2025" not in text
    assert text.count("%s") == len(built.params)
    assert built.params.count([3]) == 1  # the channel filters the part only
    assert built.params.count(date(2025, 1, 1)) == 2  # the period bounds both
    assert built.columns == ["leads", "leads_total", "leads_share"]
    assert 'NULLIF(w."leads", 0)' in text


def test_mcpnet_builder_refuses_shares_of_figures_that_are_not_totals():
    """A CTR or a count of distinct buyers does not add up over channels: no share of a whole is made up."""
    for metric in (Metric.ctr, Metric.clients):
        query = StructuredQuery(
            intent=Intent.breakdown, metrics=[metric], group_by=[Dimension.channel], share_of=Dimension.channel
        )
        with pytest.raises(Unanswerable) as refused:
            build(query)
        assert "totals only" in refused.value.reason("en") and "solo para totales" in refused.value.reason("es")


def test_mcpnet_builder_refuses_per_campaign_figures_at_finer_grain():
    """Budgets cannot be split by month/channel/market: an explanation, in both languages."""
    query = StructuredQuery(intent=Intent.breakdown, metrics=[Metric.budget], group_by=[Dimension.channel])
    with pytest.raises(Unanswerable) as refused:
        build(query)
    assert "per whole campaign" in refused.value.reason("en") and "por campaña" in refused.value.reason("es")


def test_mcpnet_builder_ratios_are_ratios_of_sums(settings, clone_db):
    """ROI is (Σ sales − Σ spend) / Σ spend, never an average of per-row ROIs: run on two campaigns whose
    ROIs are 2 and 0 (average 1), the built query answers (1200 − 1000) / 1000 = 0.2."""
    brand = 990_001  # a brand no seeded campaign has
    dbname = clone_db("sales")
    with connect("sales", "owner", settings=settings, dbname=dbname) as conn:
        for campaign_id, spend, sales in ((990_001, 100, 300), (990_002, 900, 900)):
            conn.execute(
                "INSERT INTO wh.campaigns (campaign_id, campaign_name, brand_id, brand_name, status, start_date,"
                " budget, spend, revenue, roi, reach, impressions, reactions, interactions, clicks, exposure_hours,"
                " leads, clients, sales_count, sales_amount, channels, markets, content_items, updated_run)"
                " VALUES (%s, %s, %s, 'Ratio Brand', 'finished', '2025-01-01', 1000, %s, %s, (%s - %s) / %s,"
                " 0, 0, 0, 0, 0, 0, 0, 0, 1, %s, 1, 1, 0, 0)",
                (campaign_id, f"Ratio {campaign_id}", brand, spend, sales, sales, spend, spend, sales),
            )
        conn.commit()
    built = build(
        StructuredQuery(
            intent=Intent.value,
            metrics=[Metric.roi],
            filters=[EntityRef(dimension=Dimension.brand, key=brand, name="Ratio Brand")],
        )
    )
    with connect("sales", "analyst", settings=settings, dbname=dbname) as conn:
        assert conn.execute(built.statement, built.params).fetchall() == [(Decimal("0.200000"),)]


def test_mcpnet_builder_ranks_by_the_change_from_the_earlier_period():
    """ "Which channel grew the most in sales, December 2025 vs November 2025?": the two compared periods
    ordered earlier first, each channel's two totals, the change and the relative change, ranked by the
    change (a fall first when the question asks which fell the most); every value bound."""
    parser = QuestionParser(CATALOG, date(2026, 1, 31))
    query = parser.parse("Which channel grew the most in sales, December 2025 vs November 2025?")
    assert isinstance(query, StructuredQuery) and query.rank_change == "absolute"
    assert [period.start for period in query.compare_periods] == [date(2025, 11, 1), date(2025, 12, 1)]
    built = build(query)
    text = built.statement.as_string(None)
    assert built.columns == ["channel_id", "channel", "earlier", "later", "change", "relative_change"]
    assert "FILTER (WHERE ord = 0)" in text and "ORDER BY later - earlier DESC" in text
    assert text.count("%s") == len(built.params) and "2025" not in text
    fell = parser.parse("which channel's spend fell the most in percent from Q3 to Q4 2025")
    assert isinstance(fell, StructuredQuery) and fell.rank_change == "relative" and not fell.descending


def test_mcpnet_builder_divides_a_ratio_over_a_key_table_after_joining_its_parts():
    """Sales per client = Σ sales amount (the measure table) ÷ distinct clients (the buyers' key table), divided
    once both parts are joined by the breakdown's keys — never a sum of per-row ratios, never clients summed."""
    query = StructuredQuery(
        intent=Intent.ranking,
        metrics=[Metric("sales_per_client")],
        group_by=[Dimension.channel],
        order_by=Metric("sales_per_client"),
        limit=3,
        period=Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025"),
    )
    built = build(query)
    text = built.statement.as_string(None)
    assert built.columns == ["channel_id", "channel", "sales_per_client"]
    assert '"m" AS (' in text and '"k_campaign_buyers" AS (' in text
    assert 'round("sales_amount"::numeric / nullif("clients", 0), 6) AS "sales_per_client"' in text
    assert 'ORDER BY "sales_per_client" DESC' in text


@pytest.mark.parametrize("over_time", ["running", "change"])
def test_mcpnet_builder_running_totals_and_changes_follow_each_series_in_time_order(warehouse, over_time):
    """Over leads by month and channel in 2025 (the loaded warehouse): the running total of each channel is the
    sum of its months so far, and the change is each month minus the channel's previous month (percent of it),
    none for a channel's first month — the window never crosses from one channel to another."""
    common = {
        "intent": Intent.breakdown,
        "metrics": [Metric("leads")],
        "group_by": [Dimension.month, Dimension.channel],
        "period": Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025"),
    }
    plain, windowed = build(StructuredQuery(**common)), build(StructuredQuery(**common, over_time=over_time))
    with connect("sales", "analyst", settings=warehouse) as conn:
        rows = [dict(zip(plain.columns, row)) for row in conn.execute(plain.statement, plain.params)]
        found = [dict(zip(windowed.columns, row)) for row in conn.execute(windowed.statement, windowed.params)]
    assert len(rows) > 12 and [(r["month"], r["channel_id"], r["leads"]) for r in found] == [
        (r["month"], r["channel_id"], r["leads"]) for r in rows
    ]
    previous: dict[int, float] = {}
    totals: dict[int, float] = {}
    for row in sorted(found, key=lambda r: (r["channel_id"], r["month"])):
        channel, leads = row["channel_id"], float(row["leads"])
        if over_time == "running":
            totals[channel] = totals.get(channel, 0.0) + leads
            assert float(row["leads_running"]) == pytest.approx(totals[channel])
        elif channel not in previous:
            assert row["leads_change"] is None and row["leads_change_pct"] is None
        else:
            assert float(row["leads_change"]) == pytest.approx(leads - previous[channel])
            if previous[channel]:
                expected = 100 * (leads - previous[channel]) / abs(previous[channel])
                assert float(row["leads_change_pct"]) == pytest.approx(expected, abs=0.006)
        previous[channel] = leads


@pytest.mark.parametrize(
    "fields",
    [
        {"group_by": [Dimension.channel], "over_time": "change"},
        {"group_by": [Dimension.month], "metrics": [Metric("ctr")], "over_time": "running"},
        {
            "group_by": [Dimension.month],
            "over_time": "change",
            "compare_periods": [
                Period(start=date(2024, 1, 1), end=date(2025, 1, 1), label="2024"),
                Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025"),
            ],
        },
    ],
)
def test_mcpnet_builder_refuses_a_running_total_or_change_it_cannot_give(fields):
    """A structured query (from a client, not the parser) asking a running total or a change without a time
    breakdown, of a ratio, or across compared periods is refused, never built without the columns asked."""
    query = StructuredQuery(**{"intent": Intent.breakdown, "metrics": [Metric("leads")], **fields})
    with pytest.raises(Unanswerable):
        build(query)


@pytest.mark.parametrize("event, column", [("started", "start_date"), ("ended", "end_date")])
def test_mcpnet_builder_counts_campaigns_by_the_month_they_started_or_ended(warehouse, event, column):
    """ "Campaigns launched per month in 2025": each campaign in the month of its start (the campaign table),
    as the sources count them — once answered with the months each campaign had results, silently (a campaign
    counted in every month it ran). Compared with ads.campaigns (SPEC G2)."""
    year = Period(start=date(2025, 1, 1), end=date(2026, 1, 1), label="2025")
    query = StructuredQuery(
        intent=Intent.breakdown,
        metrics=[Metric("campaigns")],
        group_by=[Dimension.month],
        lifecycle=[Lifecycle(event=event, period=year)],
    )
    built = build(query)
    with connect("sales", "analyst", settings=warehouse) as conn:
        found = {row[0]: row[1] for row in conn.execute(built.statement, built.params)}
    with connect("ads", "app", settings=warehouse) as conn:
        expected = dict(
            conn.execute(
                sql.SQL(
                    "SELECT to_char({c}, 'YYYY-MM'), count(*) FROM ads.campaigns "
                    "WHERE {c} >= '2025-01-01' AND {c} < '2026-01-01' GROUP BY 1"
                ).format(c=sql.Identifier(column))
            ).fetchall()
        )
    assert len(expected) == 12 and found == expected


@pytest.mark.parametrize("dimension, key", [(Dimension.market, 16), (Dimension.channel, 3)])
def test_mcpnet_builder_picks_the_campaigns_in_a_market_or_channel_for_a_per_campaign_figure(warehouse, dimension, key):
    """ "The total budget of our active campaigns in Chile": a budget is recorded per whole campaign, so the market
    picks the campaigns (assigned to it in PromptAds, or with results there) instead of splitting the figure —
    it was refused as a budget split by market. Compared with ads.campaigns (SPEC G2)."""
    query = StructuredQuery(
        intent=Intent.value,
        metrics=[Metric("budget")],
        filters=[EntityRef(dimension=dimension, key=key, name="x")],
        status="active",
    )
    built = build(query)
    with connect("sales", "analyst", settings=warehouse) as conn:
        (found,) = conn.execute(built.statement, built.params).fetchone()
    column = sql.Identifier(f"{dimension.value}_id")
    assigned = sql.Identifier(f"campaign_{dimension.value}s")
    with connect("ads", "app", settings=warehouse) as conn:
        (expected,) = conn.execute(
            sql.SQL(
                "SELECT sum(budget) FROM ads.campaigns WHERE status = 'active' AND campaign_id IN ("
                "SELECT campaign_id FROM ads.{} WHERE {c} = %(key)s "
                "UNION SELECT campaign_id FROM ads.ad_results WHERE {c} = %(key)s)"
            ).format(assigned, c=column),
            {"key": key},
        ).fetchone()
    assert expected and found == expected


def test_mcpnet_builder_still_refuses_a_budget_split_by_channel():
    with pytest.raises(Unanswerable):
        build(StructuredQuery(intent=Intent.breakdown, metrics=[Metric("budget")], group_by=[Dimension.channel]))


def test_mcpnet_builder_counts_the_campaigns_that_ran_ads_in_a_market_in_a_period(warehouse):
    """ "How many campaigns had ad spend in Ecuador in H2 2025": those with ad results there then — a row holding
    only a CRM sale attributed to the market is not one (24 were counted for 22). Compared with ads.ad_results."""
    query = StructuredQuery(
        intent=Intent.value,
        metrics=[Metric("campaigns")],
        filters=[EntityRef(dimension=Dimension.market, key=15, name="x")],
        period=Period(start=date(2025, 7, 1), end=date(2026, 1, 1), label="H2 2025"),
    )
    built = build(query)
    with connect("sales", "analyst", settings=warehouse) as conn:
        (found,) = conn.execute(built.statement, built.params).fetchone()
    with connect("ads", "app", settings=warehouse) as conn:
        (expected,) = conn.execute(
            "SELECT count(DISTINCT campaign_id) FROM ads.ad_results WHERE market_id = 15 "
            "AND result_date >= '2025-07-01' AND result_date < '2026-01-01'"
        ).fetchone()
    assert expected and found == expected

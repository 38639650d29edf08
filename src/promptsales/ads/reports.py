"""Read-only answers over PromptAds (SPEC A2, A6): a campaign's results, the negative-sentiment report and
the channel, market and brand catalogues.

Plain functions over an open connection (the read-only ``etl`` role is enough); the MCP tools
``campaignResults``, ``negativeSentimentReport``, ``listChannels``, ``listMarkets`` and ``listBrands``
call them. Bad input is a UserError.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from importlib import resources

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel

from promptsales.db.fetch import lookup, one
from promptsales.errors import UserError

#: Longest date range the negative-sentiment report accepts.
MAX_REPORT_DAYS = 366


# Models of the MCP tools' published schemas: no class docstrings (a docstring would change the schema).
class Totals(BaseModel):
    views: int = 0
    likes: int = 0
    interactions: int = 0
    clicks: int = 0
    leads: int = 0
    sales: int = 0
    hours_of_exposure: float = 0
    audience_reached: int = 0
    cost: float = 0
    revenue: float = 0


class BreakdownRow(Totals):
    name: str


class CampaignResults(BaseModel):
    campaign_id: int
    name: str
    brand: str
    status: str
    objective: str
    budget: float
    start_date: date
    end_date: date
    totals: Totals
    by_channel: list[BreakdownRow]
    by_market: list[BreakdownRow]


class SentimentRow(BaseModel):
    channel: str
    influencer: str
    negative_type: str
    negative_share: float
    reactions_before: int
    reactions_during: int
    drop_pct: float


class SentimentReport(BaseModel):
    brand_id: int
    brand: str
    start: date
    end: date
    rows: list[SentimentRow]


class Channel(BaseModel):
    channel_id: int
    code: str
    name: str
    kind: str


class Market(BaseModel):
    market_id: int
    country_code: str
    country: str
    region: str
    segment: str
    city: str
    language: str


class Brand(BaseModel):
    brand_id: int
    name: str
    industry: str
    country_code: str


class ChannelList(BaseModel):
    channels: list[Channel]


class MarketList(BaseModel):
    markets: list[Market]


class BrandList(BaseModel):
    brands: list[Brand]


_SUMS = (
    "sum(views)::bigint AS views, sum(likes)::bigint AS likes, sum(interactions)::bigint AS interactions, "
    "sum(clicks)::bigint AS clicks, sum(leads)::bigint AS leads, sum(sales)::bigint AS sales, "
    "coalesce(sum(hours_of_exposure), 0)::float AS hours_of_exposure, "
    "sum(audience_reached)::bigint AS audience_reached, coalesce(sum(cost), 0)::float AS cost, "
    "coalesce(sum(revenue), 0)::float AS revenue"
)


def _totals(row: dict) -> dict:
    return {k: (v if v is not None else 0) for k, v in row.items()}


def campaign_results(conn: psycopg.Connection, campaign_id: int) -> CampaignResults:
    """A campaign's attributes and its results in total, by channel and by market (a channel or market
    without results shows zeros); an unknown campaign is a UserError."""
    with conn.cursor(row_factory=dict_row) as cur:
        head = lookup(
            cur,
            "SELECT c.campaign_id, c.name, b.name AS brand, c.status, c.objective, c.budget::float AS budget,"
            " c.start_date, c.end_date FROM ads.campaigns c JOIN ads.brands b USING (brand_id) WHERE c.campaign_id = %s",
            (campaign_id,),
            f"No campaign has id {campaign_id}.",
        )
        totals = one(cur, f"SELECT {_SUMS} FROM ads.ad_results WHERE campaign_id = %s", (campaign_id,))
        by_channel = cur.execute(
            f"SELECT ch.name, {_SUMS} FROM ads.campaign_channels cc JOIN ads.channels ch USING (channel_id) "
            "LEFT JOIN ads.ad_results r ON r.campaign_id = cc.campaign_id AND r.channel_id = cc.channel_id "
            "WHERE cc.campaign_id = %s GROUP BY ch.channel_id, ch.name ORDER BY ch.name",
            (campaign_id,),
        ).fetchall()
        by_market = cur.execute(
            f"SELECT m.country || ' / ' || m.segment AS name, {_SUMS} FROM ads.campaign_markets cm "
            "JOIN ads.markets m USING (market_id) LEFT JOIN ads.ad_results r ON r.campaign_id = cm.campaign_id "
            "AND r.market_id = cm.market_id WHERE cm.campaign_id = %s GROUP BY m.market_id, m.country, m.segment "
            "ORDER BY 1",
            (campaign_id,),
        ).fetchall()
    return CampaignResults(
        **head,
        totals=Totals(**_totals(totals)),
        by_channel=[BreakdownRow(**_totals(r)) for r in by_channel],
        by_market=[BreakdownRow(**_totals(r)) for r in by_market],
    )


def _sentiment_sql() -> str:
    return resources.files("promptsales.ads").joinpath("lab", "negative_sentiment_drop.sql").read_text()


def negative_sentiment_report(
    conn: psycopg.Connection, brand: str, start: date, end: date, min_negative_share: float
) -> SentimentReport:
    """A brand's ads (``brand``: name, any case, or id) that caused negative sentiment between ``start`` and
    ``end`` and the drop in influencers' reactions against the preceding period of equal length (the A6
    lab query). A reversed or longer than a year range, or an unknown brand (with the closest names), is a
    UserError."""
    if end < start:
        raise UserError(f"end {end} is before start {start}.")
    if (end - start).days > MAX_REPORT_DAYS:
        raise UserError(f"The date range may span at most {MAX_REPORT_DAYS} days.")
    with conn.cursor(row_factory=dict_row) as cur:
        if brand.strip().isdigit():
            row = cur.execute("SELECT brand_id, name FROM ads.brands WHERE brand_id = %s", (int(brand),)).fetchone()
        else:
            row = cur.execute(
                "SELECT brand_id, name FROM ads.brands WHERE lower(name) = lower(%s)", (brand.strip(),)
            ).fetchone()
        if row is None:
            close = cur.execute(
                "SELECT name FROM ads.brands ORDER BY similarity(lower(name), lower(%s)) DESC, name LIMIT 3", (brand,)
            ).fetchall()
            raise UserError(f"Unknown brand {brand!r}. Closest: {', '.join(repr(r['name']) for r in close)}.")
        rows = cur.execute(
            _sentiment_sql(),
            {"brand_id": row["brand_id"], "start": start, "end": end, "min_negative_share": min_negative_share},
        ).fetchall()
    return SentimentReport(
        brand_id=row["brand_id"],
        brand=row["name"],
        start=start,
        end=end,
        rows=[SentimentRow(**{k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items()}) for r in rows],
    )


def list_channels(conn: psycopg.Connection) -> ChannelList:
    """Every channel ads can run on, by id."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute("SELECT channel_id, code, name, kind FROM ads.channels ORDER BY channel_id").fetchall()
    return ChannelList(channels=[Channel(**r) for r in rows])


def list_markets(conn: psycopg.Connection) -> MarketList:
    """Every market (country × segment, with its main city and language), by id."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT market_id, country_code, country, region, segment, city, language "
            "FROM ads.markets ORDER BY market_id"
        ).fetchall()
    return MarketList(markets=[Market(**r) for r in rows])


def list_brands(conn: psycopg.Connection, search: str | None = None) -> BrandList:
    """Brands by name (at most 200), optionally those whose name contains ``search`` (any case)."""
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT brand_id, name, industry, country_code FROM ads.brands "
            "WHERE %(s)s::text IS NULL OR name ILIKE '%%' || %(s)s || '%%' ORDER BY name LIMIT 200",
            {"s": search},
        ).fetchall()
    return BrandList(brands=[Brand(**r) for r in rows])

"""The PromptAds MCP server (G1, A2, A6): create campaigns, read their results, negative-sentiment report,
channel and market catalogues.

Thin layer over :mod:`promptsales.ads.service` and the A6 lab query; ``createCampaign`` (scope
``ads:write``) goes through ``ads.adssp_create_campaign`` (arrays of composite types = TVPs). Reads use
the read-only ``promptads_etl`` role. Run with ``promptsales mcp serve ads --transport stdio|http``.
"""

from __future__ import annotations

import threading
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Annotated, Literal

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from promptsales.ads.service import AdInput, CampaignError, CampaignRequest, ChannelInput, MarketInput, create_campaign
from promptsales.config import get_settings
from promptsales.db.connect import conninfo
from promptsales.mcpkit import ToolInputError, ToolKit

_pools: dict[str, ConnectionPool] = {}
_pool_lock = threading.Lock()


def pool(role: str) -> ConnectionPool:
    """A small pool of PromptAds connections for ``role`` (etl: reads, app: the procedure)."""
    with _pool_lock:
        if role not in _pools:
            _pools[role] = ConnectionPool(
                conninfo(get_settings(), "ads", role), min_size=1, max_size=4, open=True, kwargs={"connect_timeout": 5}
            )
        return _pools[role]


kit = ToolKit(
    "ads",
    title="PromptAds",
    instructions=(
        "PromptAds runs campaigns across social networks, email, SMS, LinkedIn, search and influencers. "
        "createCampaign creates a campaign with its channels, markets and ads in one all-or-nothing call; "
        "campaignResults reads its results; negativeSentimentReport lists a brand's ads that caused negative "
        "sentiment and the drop in influencer reactions; listChannels/listMarkets/listBrands are the catalogues."
    ),
)


# -- models --------------------------------------------------------------------------------------------
class ChannelSpec(BaseModel):
    channel_id: int = Field(ge=1, le=32767)
    budget_share: float = Field(default=0.0, ge=0, le=1)


class AdSpec(BaseModel):
    channel_id: int = Field(ge=1, le=32767)
    format: Literal["image", "carousel", "video", "story", "reel", "text", "email", "sms", "search", "sponsored_post"]
    headline: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000, description="The ad copy.")
    content_ref: str | None = Field(default=None, max_length=200)
    call_to_action: str | None = Field(default=None, max_length=100)
    language: str | None = Field(default=None, max_length=10)


class CreatedCampaign(BaseModel):
    campaign_id: int
    name: str
    created: bool = Field(description="False when the idempotency key named an existing campaign (a replay).")
    channels: int
    markets: int
    ads: int


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


# -- tools ---------------------------------------------------------------------------------------------
@kit.tool(scope="ads:write", read_only=False, title="Create a campaign")
def createCampaign(
    brand_id: Annotated[int, Field(ge=1, description="Brand (client company) id, see listBrands.")],
    name: Annotated[str, Field(min_length=3, max_length=200, description="Unique campaign name.")],
    objective: Annotated[
        Literal["awareness", "consideration", "traffic", "engagement", "leads", "sales"],
        Field(description="Campaign objective."),
    ],
    budget: Annotated[float, Field(ge=0, le=1e9, description="Budget in USD.")],
    start_date: date,
    end_date: date,
    channels: Annotated[list[ChannelSpec], Field(min_length=1, max_length=20)],
    markets: Annotated[list[int], Field(min_length=1, max_length=50, description="Market ids, see listMarkets.")],
    ads: Annotated[list[AdSpec], Field(max_length=200)] = [],  # noqa: B006 (pydantic copies defaults)
    product_id: int | None = None,
    audience_id: int | None = None,
    idempotency_key: Annotated[
        str | None,
        Field(
            max_length=100,
            description=(
                "Retry safety: when a campaign with this exact name already exists for this brand, it is returned "
                "instead of failing, so a retried call never creates a second campaign."
            ),
        ),
    ] = None,
) -> CreatedCampaign:
    """Creates a campaign with its channels, markets and ads in one all-or-nothing call to the stored
    procedure ads.adssp_create_campaign (arrays of composite types). Refusals carry the procedure's
    custom error code (PA001…PA007) and write nothing."""
    if idempotency_key:
        with pool("app").connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute(
                "SELECT c.campaign_id, c.brand_id, (SELECT count(*) FROM ads.campaign_channels x WHERE x.campaign_id = c.campaign_id) AS channels,"
                " (SELECT count(*) FROM ads.campaign_markets x WHERE x.campaign_id = c.campaign_id) AS markets,"
                " (SELECT count(*) FROM ads.ads x WHERE x.campaign_id = c.campaign_id) AS ads"
                " FROM ads.campaigns c WHERE c.name = %s",
                (name,),
            ).fetchone()
        if row is not None:
            if row["brand_id"] != brand_id:
                raise ToolInputError(f"Campaign name {name!r} is taken by another brand.")
            return CreatedCampaign(
                campaign_id=row["campaign_id"],
                name=name,
                created=False,
                channels=row["channels"],
                markets=row["markets"],
                ads=row["ads"],
            )
    request = CampaignRequest(
        brand_id=brand_id,
        name=name,
        objective=objective,
        budget=Decimal(str(budget)),
        start_date=start_date,
        end_date=end_date,
        product_id=product_id,
        audience_id=audience_id,
        channels=[ChannelInput(c.channel_id, Decimal(str(c.budget_share))) for c in channels],
        markets=[MarketInput(m) for m in markets],
        ads=[
            AdInput(a.channel_id, a.format, a.headline, a.body, a.content_ref, a.call_to_action, a.language)
            for a in ads
        ],
    )
    with pool("app").connection() as conn:
        conn.autocommit = True
        try:
            campaign_id = create_campaign(conn, request)
        except CampaignError as error:
            raise ToolInputError(str(error)) from None
        finally:
            conn.autocommit = False
    return CreatedCampaign(
        campaign_id=campaign_id, name=name, created=True, channels=len(channels), markets=len(markets), ads=len(ads)
    )


_SUMS = (
    "sum(views)::bigint AS views, sum(likes)::bigint AS likes, sum(interactions)::bigint AS interactions, "
    "sum(clicks)::bigint AS clicks, sum(leads)::bigint AS leads, sum(sales)::bigint AS sales, "
    "coalesce(sum(hours_of_exposure), 0)::float AS hours_of_exposure, "
    "sum(audience_reached)::bigint AS audience_reached, coalesce(sum(cost), 0)::float AS cost, "
    "coalesce(sum(revenue), 0)::float AS revenue"
)


def _totals(row: dict) -> dict:
    return {k: (v if v is not None else 0) for k, v in row.items()}


@kit.tool(scope="ads:read", read_only=True, title="Campaign results")
def campaignResults(campaign_id: Annotated[int, Field(ge=1, description="Campaign id.")]) -> CampaignResults:
    """A campaign's attributes and its results (views, likes, interactions, clicks, leads, sales, hours of
    exposure, audience reached, cost, revenue) in total, by channel and by market."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as conn:
        head = conn.execute(
            "SELECT c.campaign_id, c.name, b.name AS brand, c.status, c.objective, c.budget::float AS budget,"
            " c.start_date, c.end_date FROM ads.campaigns c JOIN ads.brands b USING (brand_id) WHERE c.campaign_id = %s",
            (campaign_id,),
        ).fetchone()
        if head is None:
            raise ToolInputError(f"No campaign has id {campaign_id}.")
        totals = conn.execute(f"SELECT {_SUMS} FROM ads.ad_results WHERE campaign_id = %s", (campaign_id,)).fetchone()
        by_channel = conn.execute(
            f"SELECT ch.name, {_SUMS} FROM ads.campaign_channels cc JOIN ads.channels ch USING (channel_id) "
            "LEFT JOIN ads.ad_results r ON r.campaign_id = cc.campaign_id AND r.channel_id = cc.channel_id "
            "WHERE cc.campaign_id = %s GROUP BY ch.channel_id, ch.name ORDER BY ch.name",
            (campaign_id,),
        ).fetchall()
        by_market = conn.execute(
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


@kit.tool(scope="ads:read", read_only=True, title="Negative sentiment report (SPEC A6)")
def negativeSentimentReport(
    brand: Annotated[str, Field(min_length=1, max_length=200, description="Brand name or id.")],
    start: date,
    end: date,
    min_negative_share: Annotated[
        float, Field(ge=0, le=1, description="Share of negative mentions that flags an ad.")
    ] = 0.25,
) -> SentimentReport:
    """For a brand and a date range: its ads that caused negative sentiment on social networks and the
    drop in influencers' reactions against the preceding period of equal length — channel, influencer,
    type of negative sentiment and % drop."""
    if end < start:
        raise ToolInputError(f"end {end} is before start {start}.")
    if (end - start).days > 366:
        raise ToolInputError("The date range may span at most 366 days.")
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as conn:
        if brand.strip().isdigit():
            row = conn.execute("SELECT brand_id, name FROM ads.brands WHERE brand_id = %s", (int(brand),)).fetchone()
        else:
            row = conn.execute(
                "SELECT brand_id, name FROM ads.brands WHERE lower(name) = lower(%s)", (brand.strip(),)
            ).fetchone()
        if row is None:
            close = conn.execute(
                "SELECT name FROM ads.brands ORDER BY similarity(lower(name), lower(%s)) DESC, name LIMIT 3", (brand,)
            ).fetchall()
            raise ToolInputError(f"Unknown brand {brand!r}. Closest: {', '.join(repr(r['name']) for r in close)}.")
        rows = conn.execute(
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


@kit.tool(scope="ads:read", read_only=True, title="Channel catalogue")
def listChannels() -> ChannelList:
    """Every channel ads can run on (social networks, email, SMS, LinkedIn, search, influencers…)."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as conn:
        rows = conn.execute("SELECT channel_id, code, name, kind FROM ads.channels ORDER BY channel_id").fetchall()
    return ChannelList(channels=[Channel(**r) for r in rows])


@kit.tool(scope="ads:read", read_only=True, title="Market catalogue")
def listMarkets() -> MarketList:
    """Every market (country × segment, with its main city and language)."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT market_id, country_code, country, region, segment, city, language "
            "FROM ads.markets ORDER BY market_id"
        ).fetchall()
    return MarketList(markets=[Market(**r) for r in rows])


@kit.tool(scope="ads:read", read_only=True, title="Brand catalogue")
def listBrands(
    search: Annotated[str | None, Field(max_length=100, description="Part of the brand name.")] = None,
) -> BrandList:
    """Brands (client companies), optionally those whose name contains ``search``."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as conn:
        rows = conn.execute(
            "SELECT brand_id, name, industry, country_code FROM ads.brands "
            "WHERE %(s)s::text IS NULL OR name ILIKE '%%' || %(s)s || '%%' ORDER BY name LIMIT 200",
            {"s": search},
        ).fetchall()
    return BrandList(brands=[Brand(**r) for r in rows])

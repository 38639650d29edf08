"""The PromptAds MCP server (G1, A2, A6, I1): create campaigns, read their results, negative-sentiment report,
sentiment of comments, channel and market catalogues.

Thin layer: each tool validates its arguments, calls one function of :mod:`promptsales.ads.service`
(``createCampaign``, through ``ads.adssp_create_campaign`` with arrays of composite types = TVPs; scope
``ads:write``) or :mod:`promptsales.ads.reports` (the reads, as the read-only ``promptads_etl`` role) on a
pooled connection (:mod:`promptsales.db.pools`) and returns its model. Run with
``promptsales mcp serve ads --transport stdio|http``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from promptsales.ads.charts import results_chart
from promptsales.ads.reports import (
    BrandList,
    CampaignResults,
    ChannelList,
    MarketList,
    SentimentReport,
    campaign_results,
    list_brands,
    list_channels,
    list_markets,
    negative_sentiment_report,
)
from promptsales.ads.service import (
    AdInput,
    CampaignRequest,
    ChannelInput,
    CreatedCampaign,
    MarketInput,
    create_or_replay_campaign,
)
from promptsales.ai.ad_optimisation.serving import MODULE as AD_OPTIMISATION
from promptsales.ai.ad_optimisation.serving import OPERATION as OPTIMIZE_BUDGET
from promptsales.ai.ad_optimisation.serving import BudgetSplit, Constraints, optimize_budget
from promptsales.ai.calls import log_cached_call
from promptsales.ai.sentiment.serving import MODULE as SENTIMENT
from promptsales.ai.sentiment.serving import OPERATION as CLASSIFY_SENTIMENT
from promptsales.ai.sentiment.serving import SentimentAnswer, classify_texts
from promptsales.cache import Scope
from promptsales.cache.mcp import CachePolicy
from promptsales.config import get_settings
from promptsales.db.pools import pool
from promptsales.mcpkit import ToolKit
from promptsales.mcpkit.errors import tool_input_errors

kit = ToolKit(
    "ads",
    title="PromptAds",
    instructions=(
        "PromptAds runs campaigns across social networks, email, SMS, LinkedIn, search and influencers. "
        "createCampaign creates a campaign with its channels, markets and ads in one all-or-nothing call; "
        "campaignResults reads its results; negativeSentimentReport lists a brand's ads that caused negative "
        "sentiment and the drop in influencer reactions; classifySentiment tells the polarity of comments in Spanish "
        "or English; optimizeBudget splits a campaign's budget across channels and markets by fitted response "
        "curves; listChannels/listMarkets/listBrands are the catalogues."
    ),
)


# -- input models ----------------------------------------------------------------------------------------
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


# -- tools ---------------------------------------------------------------------------------------------
@kit.tool(
    scope="ads:write",
    read_only=False,
    title="Create a campaign",
    idempotent=True,
    destructive=False,
    invalidates=lambda args, result: [Scope("ads", "campaign", result.campaign_id)],
)  # the name is unique per brand: the same call again changes nothing (refused, or replayed with a key)
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
    """Create a campaign with its channels, markets and ads, all at once or not at all. A refusal (unknown
    brand, budget shares over 100 %, dates out of order…) says why, with its code (PA001…PA007), and
    creates nothing."""
    # one call to the stored procedure ads.adssp_create_campaign with arrays of composite types (TVPs)
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
    with tool_input_errors(), pool("ads", "app").connection() as conn:
        return create_or_replay_campaign(conn, request, replay=bool(idempotency_key))


@kit.tool(
    scope="ads:read",
    read_only=True,
    title="Campaign results",
    chart=results_chart,
    cache=CachePolicy(depends=lambda a: [Scope("ads", "campaign", a["campaign_id"])]),
)
def campaignResults(campaign_id: Annotated[int, Field(ge=1, description="Campaign id.")]) -> CampaignResults:
    """A campaign's details and results — views, likes, interactions, clicks, leads, sales, hours of
    exposure, audience reached, cost, revenue — in total, by channel and by market, with a chart of its
    funnel and its revenue by channel."""
    with tool_input_errors(), pool("ads", "etl").connection() as conn:
        return campaign_results(conn, campaign_id)


@kit.tool(scope="ads:read", read_only=True, title="Negative sentiment report")
def negativeSentimentReport(
    brand: Annotated[str, Field(min_length=1, max_length=200, description="Brand name or id.")],
    start: date,
    end: date,
    min_negative_share: Annotated[
        float, Field(ge=0, le=1, description="Share of negative mentions that flags an ad.")
    ] = 0.25,
) -> SentimentReport:
    """A brand's ads that caused negative sentiment on social networks in a date range, and how much
    influencers' reactions dropped against the period of the same length before — by channel, influencer
    and kind of negative sentiment."""
    with tool_input_errors(), pool("ads", "etl").connection() as conn:
        return negative_sentiment_report(conn, brand, start, end, min_negative_share)


def log_cached_sentiment(arguments: Mapping[str, Any], result: SentimentAnswer) -> None:
    """The AI-usage row of a classifySentiment answer served from the cache (the model did not run)."""
    comments = [{"language": c.language, "polarity": c.polarity, "negative_type": c.negative_type}
                for c in result.comments]  # fmt: skip
    log_cached_call(
        SENTIMENT,
        CLASSIFY_SENTIMENT,
        dict(arguments),
        {"model": result.model, "comments": comments},
        model=result.model,
    )


@kit.tool(
    scope="ads:read",
    read_only=True,
    title="Classify the sentiment of comments",
    cache=CachePolicy(depends=lambda a: [Scope("ads", "ai_model", SENTIMENT)], on_hit=log_cached_sentiment),
)
def classifySentiment(
    texts: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=2000)]],
        Field(min_length=1, max_length=100, description="Comments to classify (1 to 100)."),
    ],
    language: Annotated[
        Literal["es", "en"] | None, Field(description="Their language; empty: detected per comment.")
    ] = None,
) -> SentimentAnswer:
    """The sentiment of social comments in Spanish or English: negative, neutral or positive, with the
    model's confidence and, for negatives, the kind (anger, distrust, disappointment, mockery). The answer
    names the model version and its macro-F1 on comments phrased in ways it never saw."""
    with tool_input_errors():
        return classify_texts(get_settings(), texts, language)


class ChannelLimit(BaseModel):
    channel: str = Field(min_length=1, max_length=50, description="Channel code, e.g. 'email' (see listChannels).")
    min_share: float = Field(default=0.0, ge=0, le=1)
    max_share: float = Field(default=1.0, ge=0, le=1)


class BudgetConstraints(BaseModel):
    min_channel_share: float = Field(default=0.05, ge=0, le=1, description="Least share of each channel.")
    max_channel_share: float = Field(default=0.6, ge=0, le=1, description="Largest share of each channel.")
    channel_limits: list[ChannelLimit] = Field(default=[], max_length=20, description="Per-channel share limits.")
    channels: list[str] | None = Field(default=None, max_length=20, description="Only these channel codes.")
    markets: list[int] | None = Field(default=None, max_length=50, description="Only these market ids.")
    period: str | None = Field(default=None, pattern=r"^\d{4}-\d{2}$", description="Month YYYY-MM (default: next).")


def log_cached_budget(arguments: Mapping[str, Any], result: BudgetSplit) -> None:
    """The AI-usage row of an optimizeBudget answer served from the cache (the optimiser did not run)."""
    split = {f"{c.channel}×{c.market}": c.spend for c in result.split}
    log_cached_call(
        AD_OPTIMISATION,
        OPTIMIZE_BUDGET,
        dict(arguments),
        {"model": result.model, "period": result.period, "split": split, "expected": result.expected.model_dump()},
        model=result.model,
    )


@kit.tool(
    scope="ads:read",
    read_only=True,
    title="Optimise a campaign's budget split",
    cache=CachePolicy(
        depends=lambda a: [Scope("ads", "ai_model", AD_OPTIMISATION), Scope.any_change("ads")],
        on_hit=log_cached_budget,
    ),
)
def optimizeBudget(
    campaign: Annotated[int | str, Field(description="Campaign id or exact name.")],
    budget: Annotated[float, Field(ge=1, le=1e9, description="Budget for the period, USD.")],
    constraints: Annotated[
        BudgetConstraints | None, Field(description="Share limits per channel, channels/markets, period.")
    ] = None,
) -> BudgetSplit:
    """Where a campaign's next budget should go: the split across its channels × markets that maximises
    expected conversions by response curves fitted on PromptAds' history (diminishing returns, share limits
    per channel), the expected conversions with an interval against an equal split, and why (the curves'
    marginal returns). A live campaign's last two weeks update the curves first (Thompson sampling)."""
    given = constraints or BudgetConstraints()
    wanted = Constraints(
        min_channel_share=given.min_channel_share,
        max_channel_share=given.max_channel_share,
        channel_limits={limit.channel: (limit.min_share, limit.max_share) for limit in given.channel_limits},
        channels=given.channels,
        markets=given.markets,
        period=given.period,
    )
    with tool_input_errors(), pool("ads", "etl").connection() as conn:
        return optimize_budget(get_settings(), conn, campaign, budget, wanted)


@kit.tool(scope="ads:read", read_only=True, title="Channel catalogue")
def listChannels() -> ChannelList:
    """Every channel ads can run on (social networks, email, SMS, LinkedIn, search, influencers…)."""
    with pool("ads", "etl").connection() as conn:
        return list_channels(conn)


@kit.tool(scope="ads:read", read_only=True, title="Market catalogue")
def listMarkets() -> MarketList:
    """Every market (country × segment, with its main city and language)."""
    with pool("ads", "etl").connection() as conn:
        return list_markets(conn)


@kit.tool(scope="ads:read", read_only=True, title="Brand catalogue")
def listBrands(
    search: Annotated[str | None, Field(max_length=100, description="Part of the brand name.")] = None,
) -> BrandList:
    """Brands (client companies), optionally those whose name contains ``search``."""
    with pool("ads", "etl").connection() as conn:
        return list_brands(conn, search)

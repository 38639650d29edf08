"""The PromptSales MCP server (SPEC S5, G1, G3): campaign questions, structured analytics, proposals.

Read tools run as the read-only ``promptsales_analyst`` role; the proposal tools as ``promptsales_app``.
Tools: ``askCampaignPerformance`` (Spanish/English questions), ``campaignPerformance``, ``topCampaigns``,
``campaignFunnel``, ``proposeCampaign``, ``approveProposal``, ``proposalStatus``; the four performance tools
add a chart (:mod:`promptsales.sales.charts`). Resources: the metric definitions and the warehouse schema,
and templates for one metric and one campaign. Prompts: :mod:`promptsales.sales.prompts`; completion of
campaign, brand, channel, market, product and metric names: :mod:`promptsales.sales.names`. Run with
``promptsales mcp serve sales --transport stdio|http``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from psycopg_pool import ConnectionPool
from pydantic import Field

from promptsales.ai.calls import log_cached_call
from promptsales.ai.ranking.serving import MODULE as RANKING
from promptsales.ai.ranking.serving import OPERATION as RANK_CAMPAIGNS
from promptsales.cache import Scope
from promptsales.cache.mcp import CachePolicy
from promptsales.config import get_settings
from promptsales.db import pools
from promptsales.db.connect import Role
from promptsales.errors import UserError
from promptsales.mcpkit import ToolInputError, ToolKit, current_caller
from promptsales.sales import names, prompts
from promptsales.sales.charts import answer_chart
from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.dbcatalog import catalog_for, data_as_of
from promptsales.sales.nlq.metrics import DEFINITIONS, formula
from promptsales.sales.nlq.model import Dimension, EntityRef, Metric
from promptsales.sales.nlq.parser import CAMPAIGN_MATCH_THRESHOLD
from promptsales.sales.nlq.service import Answer, answer_query, ask, log_cached_answer
from promptsales.sales.nlq.structured import (
    PerformanceFilters,
    funnel_query,
    parse_period,
    performance_query,
    top_campaigns_query,
)
from promptsales.sales.proposals import ProposalView, StrategyInput
from promptsales.sales.ranking import ranked_answer, size_adjusted_question

METRICS_URI = "promptsales://sales/metrics"
SCHEMA_URI = "promptsales://sales/warehouse-schema"
METRIC_TEMPLATE = "promptsales://sales/metrics/{metric}"
CAMPAIGN_TEMPLATE = "promptsales://sales/campaigns/{campaign}"
#: What a warehouse answer depends on besides PromptSales' company generation (part of every key, bumped by an
#: ETL pass that wrote the warehouse): the campaign collection, bumped by a pass that names the campaigns it
#: changed. Proposals are not in the warehouse, so proposing or approving one leaves these answers cached.
WAREHOUSE = Scope("sales", "campaign")


def pool(role: Role) -> ConnectionPool:
    """The shared connection pool of the PromptSales database for ``role`` (analyst: reads, app: writes)."""
    return pools.pool("sales", role)


kit = ToolKit(
    "sales",
    title="PromptSales",
    instructions=(
        "PromptSales consolidates every campaign's performance. Ask askCampaignPerformance in Spanish or English "
        "(reach, sales, ROI, conversion, channels, markets, rankings, comparisons, funnels); it answers with a "
        "short text, the table and the SQL it ran. Clients with their own AI can call campaignPerformance, "
        "topCampaigns and campaignFunnel, and read the metric and schema resources. proposeCampaign stores an AI "
        "proposal for review; approveProposal (scope sales:approve) launches it across PromptAds, PromptContent "
        "and PromptCRM."
    ),
)


def _metric_definition(metric: Metric) -> dict[str, Any]:
    d = DEFINITIONS[metric]
    return {
        "en": d.en,
        "es": d.es,
        "unit": d.unit,
        "definition": d.definition,
        "formula": formula(metric, "en") or None,
        "formula_es": formula(metric, "es") or None,
        "note": d.note or None,
        "note_es": d.note_es or None,
        "kind": d.kind,
        "measures": list(d.inputs),
        "phrases": list(d.phrases),
    }


@kit.resource(
    METRICS_URI,
    name="metrics",
    title="Metric definitions",
    description="Every metric you can ask about: what it means, its unit, its English and Spanish names.",
)
def metrics_resource() -> str:
    """Every metric's definition as JSON."""
    return json.dumps(
        {metric.value: _metric_definition(metric) for metric in DEFINITIONS}, ensure_ascii=False, indent=2
    )


@kit.resource(
    METRIC_TEMPLATE,
    name="metric",
    title="One metric's definition",
    description="What one metric means and how it is computed (e.g. promptsales://sales/metrics/roi).",
)
def metric_resource(metric: str) -> str:
    """One metric's definition as JSON."""
    try:
        return json.dumps({metric: _metric_definition(Metric(metric))}, ensure_ascii=False, indent=2)
    except ValueError:
        raise ToolInputError(f"No metric is called {metric!r}; the metrics resource lists them all.") from None


@kit.resource(
    CAMPAIGN_TEMPLATE,
    name="campaign",
    title="One campaign's funnel",
    description="A campaign's funnel from reach to sales, found by its name or part of it.",
)
def campaign_resource(campaign: str) -> str:
    """The campaign's funnel answer as JSON."""
    return campaignFunnel(campaign).model_dump_json(indent=2)


@kit.resource(
    SCHEMA_URI,
    name="warehouse-schema",
    title="Warehouse schema",
    description="The tables and columns of the warehouse the answers are computed from.",
)
def schema_resource() -> str:
    """The warehouse tables with their columns and types, read from the catalog."""
    with pool("analyst").connection() as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
            "ORDER BY table_name, ordinal_position",
            (wh.SCHEMA,),
        ).fetchall()
    tables: dict[str, dict] = {}
    for table, column, kind in rows:
        entry = tables.setdefault(
            f"{wh.SCHEMA}.{table}", {"description": wh.TABLE_DESCRIPTIONS.get(table, ""), "columns": {}}
        )
        entry["columns"][column] = kind
    return json.dumps(
        {
            "schema": wh.SCHEMA,
            "tables": tables,
            "grains": [
                {"table": f"{wh.SCHEMA}.{g.table}", "dimensions": sorted(d.value for d in g.dimensions)}
                for g in wh.GRAINS
            ],
        },
        indent=2,
    )


def _reads_warehouse(arguments: Mapping[str, Any]) -> list[Scope]:
    return [WAREHOUSE]


def _record_tokens_saved(arguments: Mapping[str, Any], answer: Answer) -> None:
    """An askCampaignPerformance answer served from the MCP cache: log the model tokens it did not spend."""
    log_cached_answer(get_settings(), actor=current_caller().actor, question=arguments["question"], result=answer)


@kit.tool(
    scope="sales:read",
    read_only=True,
    title="Ask about campaign performance",
    cache=CachePolicy(kind="report", depends=_reads_warehouse, on_hit=_record_tokens_saved),
    chart=answer_chart,
)
def askCampaignPerformance(
    question: Annotated[
        str,
        Field(
            description="A question in Spanish or English, e.g. '¿Qué canal tuvo más "
            "alcance en diciembre 2025?' (1 to 500 characters)."
        ),
    ],
    as_of: Annotated[
        date | None, Field(description="Date that 'last quarter' etc. are relative to; default: the latest data month.")
    ] = None,
) -> Answer:
    """Ask a question about your campaigns in Spanish or English — reach, sales, ROI, conversion, channels,
    markets, rankings, comparisons, funnels. You get a short answer, the figures as a table, a chart when the
    answer is a trend, a ranking or a funnel, and the query that produced them. A question it cannot answer
    gets an explanation of what it understood and what it needs — never a made-up number."""
    caller = current_caller()
    with pool("analyst").connection() as conn:
        try:
            adjusted = size_adjusted_question(question, conn, get_settings(), _as_of(conn, as_of))
            if adjusted is not None:
                return adjusted
            return ask(question, conn, as_of=as_of, settings=get_settings(), actor=caller.actor)
        except ValueError as error:
            raise ToolInputError(str(error)) from None


def _as_of(conn, as_of: date | None) -> date:
    return as_of or data_as_of(conn)


@kit.tool(
    scope="sales:read",
    read_only=True,
    title="Campaign performance by filter",
    chart=answer_chart,
    cache=CachePolicy(kind="report", depends=_reads_warehouse),
)
def campaignPerformance(
    metrics: Annotated[list[Metric], Field(description="Metrics to compute (1 to 6).")],
    filters: Annotated[
        PerformanceFilters, Field(description="Campaigns, brands, channels, markets, months, status.")
    ] = PerformanceFilters(),
    group_by: Annotated[list[Dimension], Field(description="Up to 2 of campaign, brand, channel, market, month.")] = [],  # noqa: B006 (pydantic copies defaults)
) -> Answer:
    """Compute chosen metrics for the campaigns, brands, channels, markets and months you pick, optionally
    by month (drawn as a line chart) or by campaign, brand, channel or market (bars). Names are matched
    exactly, ignoring case and accents; a market also accepts a country."""
    if not 1 <= len(metrics) <= 6:
        raise ToolInputError(f"metrics must name 1 to 6 metrics, got {len(metrics)}.")
    if len(group_by) > 2:
        raise ToolInputError(f"group_by takes at most 2 dimensions, got {len(group_by)}.")
    with pool("analyst").connection() as conn:
        try:
            query = performance_query(catalog_for(conn), filters, metrics, group_by)
        except UserError as error:
            raise ToolInputError(str(error)) from None
        return answer_query(conn, query, _as_of(conn, None))


def _log_cached_ranking(arguments: Mapping[str, Any], answer: Answer) -> None:
    """A shrunk or learned topCampaigns answer served from the cache: its AI-usage row (the model did not run)."""
    if arguments.get("ranking", "raw") == "raw":
        return
    log_cached_call(
        RANKING,
        RANK_CAMPAIGNS,
        dict(arguments),
        {"campaigns": [row[2] for row in answer.rows]},
        model=str(answer.understood.get("model", RANKING)),
    )


@kit.tool(
    scope="sales:read",
    read_only=True,
    title="Top campaigns",
    chart=answer_chart,
    cache=CachePolicy(
        kind="report", depends=lambda a: [Scope("sales", "ai_model", RANKING), WAREHOUSE], on_hit=_log_cached_ranking
    ),
)
def topCampaigns(
    metric: Annotated[Metric, Field(description="The metric to rank by.")] = Metric("sales_amount"),
    period: Annotated[
        str | None,
        Field(
            description="'Q4 2025', 'December 2025', '2025', 'last quarter', "
            "'diciembre 2025' or 'YYYY-MM..YYYY-MM'; none = all time."
        ),
    ] = None,
    n: Annotated[int, Field(description="How many campaigns (1 to 50).")] = 10,
    ascending: Annotated[bool, Field(description="True for the lowest first.")] = False,
    ranking: Annotated[
        Literal["raw", "shrunk", "learned"],
        Field(
            description="raw: the metric as measured (default). shrunk: ROI or conversion_rate adjusted for size "
            "(empirical Bayes — small campaigns pulled toward the mean), with a 90% interval. learned: the "
            "expected order by ROI in the month after the period (a trained ranker; metric roi)."
        ),
    ] = "raw",
) -> Answer:
    """The best (or worst) campaigns by a metric in a period, as a ranked table and a bar chart — as measured,
    adjusted for size (``ranking="shrunk"``) or as expected next month (``ranking="learned"``)."""
    if not 1 <= n <= 50:
        raise ToolInputError(f"n must be between 1 and 50, got {n}.")
    with pool("analyst").connection() as conn:
        as_of = _as_of(conn, None)
        try:
            chosen = parse_period(period, as_of)
            if ranking != "raw":
                return ranked_answer(
                    conn, get_settings(), method=ranking, metric=metric, period=chosen, n=n, ascending=ascending,
                    as_of=as_of,
                )  # fmt: skip
            query = top_campaigns_query(metric, chosen, n, ascending)
        except UserError as error:
            raise ToolInputError(str(error)) from None
        return answer_query(conn, query, as_of)


@kit.tool(
    scope="sales:read",
    read_only=True,
    title="Campaign funnel",
    chart=answer_chart,
    cache=CachePolicy(kind="report", depends=_reads_warehouse),
)
def campaignFunnel(
    campaign: Annotated[str, Field(description="Campaign name (fuzzy) or id.")],
) -> Answer:
    """One campaign's funnel — reach, interactions, leads, clients, sales — with the share kept at each
    stage, as a table and a funnel chart."""
    campaign = campaign.strip()
    if not campaign or len(campaign) > 200:
        raise ToolInputError("campaign must be a campaign name or id (1 to 200 characters).")
    with pool("analyst").connection() as conn:
        catalog = catalog_for(conn)
        ref = _find_campaign(catalog, campaign)
        return answer_query(conn, funnel_query(ref), _as_of(conn, None))


def _find_campaign(catalog, campaign: str) -> EntityRef:
    if campaign.isdigit():
        for entity in catalog.campaigns:
            if str(entity.key) == campaign:
                return EntityRef(dimension=Dimension.campaign, key=entity.key, name=entity.name, matched_text=campaign)
        raise ToolInputError(f"No campaign has id {campaign}.")
    best = catalog.match_campaign(campaign)
    if not best or best[0][2] < CAMPAIGN_MATCH_THRESHOLD:
        close = ", ".join(repr(name) for _, name, _ in best[:3])
        raise ToolInputError(f"No campaign matches {campaign!r} closely enough. Closest: {close}.")
    key, name, score = best[0]
    return EntityRef(dimension=Dimension.campaign, key=key, name=name, matched_text=campaign, score=score)


# -- proposals (G1, G3) ----------------------------------------------------------------------------------
def _flow():
    from promptsales.sales.proposals import ProposalFlow

    return ProposalFlow(get_settings())


@kit.tool(
    scope="sales:write",
    read_only=False,
    title="Propose a campaign",
    idempotent=False,
    destructive=False,
    invalidates=lambda args, result: [Scope("sales", "proposal", result.proposal_id)],
)
def proposeCampaign(
    strategy: Annotated[
        StrategyInput,
        Field(
            description="The marketing strategy: brand, intent, key message, "
            "audiences, countries, budget, flight dates."
        ),
    ],
    requested_by: Annotated[str, Field(min_length=3, max_length=200, description="E-mail of the portal user asking.")],
) -> ProposalView:
    """Store a marketing strategy and an AI-drafted campaign proposal for it — channels, markets, ads,
    messages, timing, suggestions — for an approver to review. Nothing is launched or spent until it is
    approved; each call stores a new proposal."""
    try:
        return _flow().propose(strategy, requested_by, current_caller().actor)
    except UserError as error:
        raise ToolInputError(str(error)) from None


@kit.tool(
    scope="sales:approve",
    read_only=False,
    title="Approve and launch a proposal",
    idempotent=True,
    destructive=True,
    open_world=True,
    invalidates=lambda args, result: [Scope("sales", "proposal", args["proposal_id"])],
)  # launches in PromptAds, PromptContent and PromptCRM and commits the budget: clients should confirm first
def approveProposal(
    proposal_id: Annotated[int, Field(ge=1)],
    approver: Annotated[str, Field(min_length=3, max_length=200, description="E-mail of the approving portal user.")],
    note: Annotated[str | None, Field(max_length=1000)] = None,
) -> ProposalView:
    """Approve a proposal and launch it: the campaign is created in PromptAds, its content registered in
    PromptContent and lead capture prepared in PromptCRM. Only an approver may approve. Each step's outcome
    is returned; calling again retries only the steps that failed."""
    try:
        return _flow().approve(proposal_id, approver, current_caller().actor, note)
    except UserError as error:
        raise ToolInputError(str(error)) from None


@kit.tool(scope="sales:read", read_only=True, title="Proposal status", cache=False)
def proposalStatus(proposal_id: Annotated[int, Field(ge=1)]) -> ProposalView:
    """Where a proposal stands: its review status, what it proposes and the outcome of each launch step."""
    try:
        return _flow().view(proposal_id)
    except UserError as error:
        raise ToolInputError(str(error)) from None


# -- prompts and completion ------------------------------------------------------------------------------
kit.prompt(title="Weekly performance review")(prompts.weekly_performance_review)
kit.prompt(title="Explain a campaign's drop")(prompts.explain_campaign_drop)
kit.prompt(title="Plan a campaign for a product")(prompts.plan_campaign_for_product)
kit.completion("campaign")(names.campaign_names)
kit.completion("brand")(names.brand_names)
kit.completion("channel")(names.channel_names)
kit.completion("market")(names.market_names)
kit.completion("product")(names.product_names)
kit.completion("metric")(names.metric_names)

"""The PromptSales MCP server (SPEC S5, G1, G3): campaign questions, structured analytics, proposals.

Read tools run as the read-only ``promptsales_analyst`` role; the proposal tools as ``promptsales_app``.
Tools: ``askCampaignPerformance`` (Spanish/English questions), ``campaignPerformance``, ``topCampaigns``,
``campaignFunnel``, ``proposeCampaign``, ``approveProposal``, ``proposalStatus``. Resources: the metric
definitions and the warehouse schema. Run with ``promptsales mcp serve sales --transport stdio|http``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from psycopg_pool import ConnectionPool
from pydantic import Field

from promptsales.cache.mcp import CachePolicy
from promptsales.config import get_settings
from promptsales.db import pools
from promptsales.db.connect import Role
from promptsales.errors import UserError
from promptsales.mcpkit import ToolInputError, ToolKit, current_caller
from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.dbcatalog import catalog_for, data_as_of
from promptsales.sales.nlq.metrics import DEFINITIONS
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

METRICS_URI = "promptsales://sales/metrics"
SCHEMA_URI = "promptsales://sales/warehouse-schema"


def pool(role: Role) -> ConnectionPool:
    """The shared connection pool of the PromptSales database for ``role`` (analyst: reads, app: writes)."""
    return pools.pool("sales", role)


class SalesKit(ToolKit):
    """The kit plus the two read-only resources (metric definitions, warehouse schema)."""

    def build(self, token_verifier=None, auth=None):
        server = super().build(token_verifier=token_verifier, auth=auth)
        server.resource(
            METRICS_URI,
            name="metrics",
            title="Metric definitions",
            mime_type="application/json",
            description="Every metric a question can ask for: formula, unit, Spanish and English names.",
        )(metrics_resource)
        server.resource(
            SCHEMA_URI,
            name="warehouse-schema",
            title="Warehouse schema",
            mime_type="application/json",
            description="The wh.* tables and columns the questions are answered from.",
        )(schema_resource)
        return server


kit = SalesKit(
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


def metrics_resource() -> str:
    """Every metric's definition as JSON."""
    return json.dumps(
        {
            metric.value: {
                "en": d.en,
                "es": d.es,
                "unit": d.unit,
                "definition": d.definition,
                "kind": d.kind,
                "measures": list(d.inputs),
            }
            for metric, d in DEFINITIONS.items()
        },
        ensure_ascii=False,
        indent=2,
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


def _record_tokens_saved(arguments: Mapping[str, Any], answer: Answer) -> None:
    """An askCampaignPerformance answer served from the MCP cache: log the model tokens it did not spend."""
    log_cached_answer(get_settings(), actor=current_caller().actor, question=arguments["question"], result=answer)


@kit.tool(
    scope="sales:read",
    read_only=True,
    title="Ask about campaign performance",
    cache=CachePolicy(on_hit=_record_tokens_saved),
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
    """Answers a natural-language question about campaign performance from the warehouse: a short answer,
    the data as a table and the parameterised SQL it ran (read-only, row and time limits). A question it
    cannot answer gets an explanation of what it understood and what it needs — never a made-up number."""
    caller = current_caller()
    with pool("analyst").connection() as conn:
        try:
            return ask(question, conn, as_of=as_of, settings=get_settings(), actor=caller.actor)
        except ValueError as error:
            raise ToolInputError(str(error)) from None


def _as_of(conn, as_of: date | None) -> date:
    return as_of or data_as_of(conn)


@kit.tool(scope="sales:read", read_only=True, title="Campaign performance (structured)")
def campaignPerformance(
    metrics: Annotated[list[Metric], Field(description="Metrics to compute (1 to 6).")],
    filters: Annotated[
        PerformanceFilters, Field(description="Campaigns, brands, channels, markets, months, status.")
    ] = PerformanceFilters(),
    group_by: Annotated[list[Dimension], Field(description="Up to 2 of campaign, brand, channel, market, month.")] = [],  # noqa: B006 (pydantic copies defaults)
) -> Answer:
    """Computes metrics over the warehouse with explicit filters and groupings (for clients that bring their
    own AI). Names are matched exactly (case and accents ignored); markets also accept a country."""
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


@kit.tool(scope="sales:read", read_only=True, title="Top campaigns")
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
) -> Answer:
    """The n campaigns with the highest (or lowest) value of a metric in a period."""
    if not 1 <= n <= 50:
        raise ToolInputError(f"n must be between 1 and 50, got {n}.")
    with pool("analyst").connection() as conn:
        try:
            query = top_campaigns_query(metric, parse_period(period, _as_of(conn, None)), n, ascending)
        except UserError as error:
            raise ToolInputError(str(error)) from None
        return answer_query(conn, query, _as_of(conn, None))


@kit.tool(scope="sales:read", read_only=True, title="Campaign funnel")
def campaignFunnel(
    campaign: Annotated[str, Field(description="Campaign name (fuzzy) or id.")],
) -> Answer:
    """Reach → interactions → leads → clients → sales of one campaign, with each stage's conversion."""
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


@kit.tool(scope="sales:write", read_only=False, title="Propose a campaign")
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
    """Stores the strategy and an AI proposal for it (campaign, channels, markets, ads, messages drafted by
    PromptContent, timing, suggestions), pending review by an approver. Nothing runs until it is approved."""
    try:
        return _flow().propose(strategy, requested_by, current_caller().actor)
    except UserError as error:
        raise ToolInputError(str(error)) from None


@kit.tool(scope="sales:approve", read_only=False, title="Approve and launch a proposal")
def approveProposal(
    proposal_id: Annotated[int, Field(ge=1)],
    approver: Annotated[str, Field(min_length=3, max_length=200, description="E-mail of the approving portal user.")],
    note: Annotated[str | None, Field(max_length=1000)] = None,
) -> ProposalView:
    """Approves a proposal (only an approver; the database enforces it) and launches it: PromptSales, with its
    own OAuth client, creates the campaign in PromptAds, registers the content in PromptContent and prepares
    lead capture in PromptCRM. Each step's outcome is returned; calling again retries only failed steps."""
    try:
        return _flow().approve(proposal_id, approver, current_caller().actor, note)
    except UserError as error:
        raise ToolInputError(str(error)) from None


@kit.tool(scope="sales:read", read_only=True, title="Proposal status", cache=False)
def proposalStatus(proposal_id: Annotated[int, Field(ge=1)]) -> ProposalView:
    """A proposal's review status, payload and launch steps."""
    try:
        return _flow().view(proposal_id)
    except UserError as error:
        raise ToolInputError(str(error)) from None

"""The PromptCRM MCP server (G1, R1, R5, N4): register leads, follow them, campaign sales, client 360.

``client360`` returns the decrypted national ID and context data only to a caller whose token has scope
``crm:pii``; it is cached (kind ``pii``, 60 s) with the caller's holding of ``crm:pii`` in the key, and
every PII read — from the cache or not — is written to PromptCRM's checksummed log (``crmsp_write_log``,
through :func:`promptsales.crm.service.log_client_reveal`) and to the central audit trail (docs/cache.md §10).
``prepareLeadCapture`` records how a new campaign captures leads (sources, channels, markets), idempotently.
``scoreLeads`` answers with the lead-scoring AI module (:mod:`promptsales.ai.lead_scoring`): cached with the
model version among its dependencies, one AI-usage row per call, cache hits included.

Each tool validates its arguments, calls one service function (:mod:`promptsales.crm.leads`,
:mod:`promptsales.crm.clients`, :mod:`promptsales.crm.campaigns`) on a pooled connection
(:mod:`promptsales.db.pools`) and returns its model; SQL and encryption live in those modules.
Run with ``promptsales mcp serve crm --transport stdio|http``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from promptsales.ai.calls import log_cached_call
from promptsales.ai.lead_scoring.serving import MODULE as LEAD_SCORING
from promptsales.ai.lead_scoring.serving import OPERATION as SCORE_LEADS
from promptsales.ai.lead_scoring.serving import LeadScores, score_leads
from promptsales.audit import trail
from promptsales.cache import Scope
from promptsales.cache.mcp import CachePolicy
from promptsales.config import get_settings
from promptsales.crm.campaigns import CampaignSales, campaign_sales
from promptsales.crm.clients import Client360, Person, client_360
from promptsales.crm.leads import (
    LeadCapture,
    LeadSource,
    LeadTimeline,
    RegisteredLead,
    lead_timeline,
    prepare_lead_capture,
    register_lead,
)
from promptsales.crm.service import log_client_reveal
from promptsales.db.pools import pool
from promptsales.mcpkit import ToolKit, current_caller
from promptsales.mcpkit.errors import tool_input_errors

PII_SCOPE = "crm:pii"

kit = ToolKit(
    "crm",
    title="PromptCRM",
    instructions=(
        "PromptCRM follows every person a campaign reaches until the sale. registerLead adds a person (and their "
        "lead for a campaign); leadTimeline shows a lead's stages, interactions and sale; campaignSales sums a "
        "campaign's sales by channel and market; client360 shows a client (sensitive fields only with scope "
        "crm:pii, audited); prepareLeadCapture sets up lead capture for a new campaign; scoreLeads tells how "
        "likely leads are to buy (one lead, a campaign's open leads, or the most likely buyers) and why."
    ),
)


@kit.tool(
    scope="crm:write",
    read_only=False,
    title="Register a lead",
    idempotent=True,
    destructive=False,
    invalidates=lambda args, result: [
        Scope("crm", "client", result.client_id),
        Scope("crm", "campaign", args["campaign_id"]),
    ],
)  # + their collections and the any-change counter
def registerLead(
    campaign_id: Annotated[int, Field(ge=1)],
    channel_id: Annotated[int, Field(ge=1, le=32767)],
    market_id: Annotated[int, Field(ge=1, le=32767)],
    person: Person,
    source: Annotated[LeadSource, Field(description="How the person arrived.")] = "landing_form",
    ad_id: Annotated[
        int | None,
        Field(
            ge=1,
            description="The ad that reached the person; default: the campaign's "
            "first ad on the channel (through the linked server).",
        ),
    ] = None,
    score: Annotated[int, Field(ge=0, le=100, description="Purchase-intent score.")] = 50,
) -> RegisteredLead:
    """Register a person a campaign reached, as a lead for that campaign at stage 'new' — found by e-mail,
    or added as a new client (the national ID and personal context are stored encrypted). Registering the
    same person for the same campaign again returns the existing lead; nothing is duplicated."""
    with tool_input_errors(), pool("crm", "app").connection() as conn:
        return register_lead(
            conn,
            get_settings(),
            campaign_id=campaign_id,
            channel_id=channel_id,
            market_id=market_id,
            person=person,
            source=source,
            ad_id=ad_id,
            score=score,
            actor=current_caller().actor,
        )


@kit.tool(scope="crm:read", read_only=True, title="Lead timeline")
def leadTimeline(lead_id: Annotated[int, Field(ge=1)]) -> LeadTimeline:
    """A lead's history in time order: the funnel stages it went through, its interactions and its sale."""
    with tool_input_errors(), pool("crm", "etl").connection() as conn:
        return lead_timeline(conn, lead_id)


@kit.tool(
    scope="crm:read",
    read_only=True,
    title="Campaign sales",
    cache=CachePolicy(depends=lambda a: [Scope("crm", "campaign", a["campaign_id"])]),
)
def campaignSales(campaign_id: Annotated[int, Field(ge=1)]) -> CampaignSales:
    """What a campaign sold: its leads, buying clients, number and amount of sales, in total and by
    channel and market."""
    with tool_input_errors(), pool("crm", "etl").connection() as conn:
        return campaign_sales(conn, campaign_id)


def log_cached_scores(arguments: Mapping[str, Any], result: LeadScores) -> None:
    """The AI-usage row of a scoreLeads answer served from the cache (the model did not run; G4 still
    records who asked, what and which model version answered)."""
    leads = [{"lead_id": s.lead_id, "probability": s.probability} for s in result.leads]
    log_cached_call(
        LEAD_SCORING,
        SCORE_LEADS,
        dict(arguments),
        {"model": result.model, "scope": result.scope, "leads_scored": result.leads_scored, "leads": leads},
        model=result.model,
    )


@kit.tool(
    scope="crm:read",
    read_only=True,
    title="Score leads: purchase intent",
    cache=CachePolicy(
        depends=lambda a: [Scope("crm", "ai_model", LEAD_SCORING), Scope.any_change("crm")],
        on_hit=log_cached_scores,
    ),
)
def scoreLeads(
    lead_id: Annotated[int | None, Field(ge=1, description="Score this lead.")] = None,
    campaign_id: Annotated[int | None, Field(ge=1, description="Score the open leads of this campaign.")] = None,
    top: Annotated[int, Field(ge=1, le=100, description="How many leads to return, most likely buyers first.")] = 10,
    explain: Annotated[int, Field(ge=0, le=10, description="Feature groups shown per lead.")] = 3,
) -> LeadScores:
    """How likely leads are to buy: one lead (lead_id), the open leads of a campaign (campaign_id; the most
    likely buyers first, all of them counted in expected_buyers) or, with neither, the CRM's most likely
    buyers among open leads. Each lead comes with its calibrated probability and the features that moved it
    most; the answer names the model version and its accuracy on leads it never saw."""
    with tool_input_errors(), pool("crm", "etl").connection() as conn:
        return score_leads(get_settings(), conn, lead_id=lead_id, campaign_id=campaign_id, top=top, explain=explain)


def audit_pii_read(arguments: Mapping[str, Any], result: Client360) -> None:
    """The trace of one client360 answer that carried decrypted PII — written on every call, cache hit or
    miss: PromptCRM's checksummed log (security row: client, data key, actor; synchronous, so PII is never
    returned unlogged) and the central audit trail (``client360.pii``: who, which client, which fields)."""
    if not result.sensitive_included:
        return
    caller = current_caller()
    if PII_SCOPE not in caller.scopes:  # defence in depth: the cache key already separates permission levels
        raise RuntimeError("client360: an answer with PII reached a caller without crm:pii")
    client_id = arguments["client_id"]
    with pool("crm", "app").connection() as conn:
        log_client_reveal(conn, client_id, caller.actor)
    trail.record(
        caller.actor,
        "crm",
        "client360.pii",
        "ok",
        0.0,
        {"client_id": client_id, "fields": ["national_id", "context"], "transport": caller.transport},
        category="pii",
        scope=PII_SCOPE,
    )


@kit.tool(
    scope="crm:read",
    read_only=True,
    title="Client 360",
    cache=CachePolicy(
        kind="pii",
        permission_scopes=(PII_SCOPE,),
        depends=lambda a: [Scope("crm", "client", a["client_id"]), Scope("crm", "ai_model", LEAD_SCORING)],
        every_call=audit_pii_read,
    ),
)
def client360(client_id: Annotated[int, Field(ge=1)]) -> Client360:
    """Everything about one client: profile, consents, campaigns, leads, sales and interactions. The
    national ID and personal context are shown only to callers allowed to see personal data (scope
    crm:pii), and every such view is recorded in the audit trail."""
    # only a token with crm:pii unlocks PII (stdio callers have no token: use `promptsales crm reveal`);
    # the read is logged by audit_pii_read, on cache hits too
    include_pii = PII_SCOPE in current_caller().scopes
    with tool_input_errors(), pool("crm", "etl").connection() as conn:
        return client_360(conn, get_settings(), client_id, include_pii)


@kit.tool(
    scope="crm:write",
    read_only=False,
    title="Prepare lead capture for a campaign",
    idempotent=True,
    destructive=False,
    invalidates=lambda args, result: [Scope("crm", "campaign", args["campaign_id"])],
)
def prepareLeadCapture(
    campaign_id: Annotated[int, Field(ge=1)],
    sources: Annotated[list[LeadSource], Field(min_length=1, max_length=7)],
    channels: Annotated[list[int], Field(min_length=1, max_length=20)],
    markets: Annotated[list[int], Field(min_length=1, max_length=50)],
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)],
) -> LeadCapture:
    """Set up how a new campaign captures leads — sources, channels, markets. A retry with the same
    idempotency key returns the capture already prepared instead of setting up a second one."""
    with tool_input_errors(), pool("crm", "app").connection() as conn:
        return prepare_lead_capture(conn, campaign_id, sources, channels, markets, idempotency_key)


@kit.prompt(title="Review a lead")
def review_lead(
    lead_id: Annotated[str, Field(description="The lead's id, e.g. '1042'.")],
    goal: Annotated[str | None, Field(description="What the review is for, e.g. 'decide the next call'.")] = None,
) -> str:
    """Review one lead: where it stands in the funnel, how it got there, how its campaign is selling, and the
    next step to take with it."""
    return (
        f"Review lead {lead_id}{f' to {goal}' if goal else ''}.\n\n"
        f"1. Call leadTimeline with lead_id {lead_id}: its stage, score, source, the stages it went through, "
        "its interactions and any sale.\n"
        "2. Call campaignSales with that lead's campaign_id: how the campaign sells, by channel and market.\n"
        "3. Call client360 with the lead's client_id for the client's other campaigns and purchases (personal "
        "data appear only if you are allowed to see them; do not ask for them).\n"
        "4. Summarise in five lines: where the lead stands, what moved it, how likely it is to buy compared "
        "with the campaign's other leads, and the next step (who, what, when)."
    )

"""The PromptSales server's prompts: ready-made workflows a person picks in an MCP client, with arguments.
Each returns the message the client sends to its model; the message names the tools to call and how, so
the workflow runs the same in any client. The warehouse holds monthly figures: a review compares months."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field


def _brand_scope(brand: str | None, channel: str | None = None) -> str:
    parts = [f"brand {brand!r}" if brand else "", f"channel {channel!r}" if channel else ""]
    scope = " and ".join(p for p in parts if p)
    return f" for {scope}" if scope else " across every brand"


def weekly_performance_review(
    brand: Annotated[str | None, Field(description="Brand to review (empty: every brand).")] = None,
    channel: Annotated[str | None, Field(description="Only this channel (empty: every channel).")] = None,
) -> str:
    """A weekly review of campaign performance: the latest month against the one before, the campaigns
    that lead and lag, and what to do this week."""
    filters = {"brands": [brand] if brand else [], "channels": [channel] if channel else []}
    return (
        f"Prepare this week's campaign performance review{_brand_scope(brand, channel)}.\n\n"
        '1. Call campaignPerformance with metrics ["spend", "revenue", "roi", "leads"], '
        f'filters {filters} and group_by ["month"]; compare the latest month with the month before.\n'
        '2. Call topCampaigns with metric "roi", period "last quarter", n 5 — then again with ascending '
        "true — to name the campaigns that lead and lag.\n"
        "3. Write the review for a marketing manager: three headline numbers with their change, what "
        "explains the change, the leading and lagging campaigns, and two or three actions for this week. "
        "Show the charts the tools return; quote figures only from the tool results."
    )


def explain_campaign_drop(
    campaign: Annotated[str, Field(description="The campaign whose results fell (name or part of it).")],
    metric: Annotated[str | None, Field(description="The figure that fell, e.g. 'sales_amount' or 'leads'.")] = None,
) -> str:
    """Explain why a campaign's results dropped: its funnel, its months and its channels, and what to
    change."""
    measure = metric or "sales_amount"
    return (
        f"Explain why the results of the campaign {campaign!r} dropped ({measure}).\n\n"
        f"1. Call campaignFunnel with campaign {campaign!r}: find the stage where people are lost.\n"
        f'2. Call campaignPerformance with metrics ["{measure}", "spend", "reach", "conversion_rate"], '
        f'filters {{"campaigns": [{campaign!r}]}} and group_by ["month"]: find the month the drop started '
        "and whether spend or reach fell with it.\n"
        f'3. Call campaignPerformance with the same metrics and filters, group_by ["channel"]: find the '
        "channels behind the drop.\n"
        "4. Explain the drop in plain words with the numbers that show it, say what the data cannot tell, "
        "and suggest what to change. Quote figures only from the tool results."
    )


def plan_campaign_for_product(
    product: Annotated[str, Field(description="The product to promote.")],
    brand: Annotated[str | None, Field(description="The brand that sells it.")] = None,
    budget: Annotated[str | None, Field(description="Budget in USD, e.g. '25000'.")] = None,
    market: Annotated[str | None, Field(description="Main market, e.g. 'Mexico / consumer'.")] = None,
) -> str:
    """Plan a campaign for a product from what worked before: the best channels and markets for the brand,
    then a proposal stored for review (nothing launches until an approver approves it)."""
    brand_filter = f', filters {{"brands": [{brand!r}]}}' if brand else ""
    return (
        f"Plan a campaign for the product {product!r}{f' of {brand!r}' if brand else ''}"
        f"{f', budget {budget} USD' if budget else ''}{f', main market {market!r}' if market else ''}.\n\n"
        f'1. Call campaignPerformance with metrics ["roi", "conversion_rate", "cost_per_lead"]{brand_filter} '
        'and group_by ["channel"], then the same with group_by ["market"]: which channels and markets '
        "paid back best.\n"
        '2. Call topCampaigns with metric "roi", period "last quarter", n 5 for examples to learn from.\n'
        "3. Draft the plan: objective, key message, two or three audiences, channels with budget shares, "
        "markets, flight dates, and the figures that justify each choice.\n"
        "4. Ask me to confirm; then call proposeCampaign with the strategy (it stores the proposal for an "
        "approver; approveProposal launches it). Do not call approveProposal yourself."
    )

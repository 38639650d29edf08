"""What ``campaignResults`` draws: the campaign's funnel (views → interactions → clicks → leads → sales) and,
when it ran on more than one channel, its revenue by channel."""

from __future__ import annotations

from promptsales.ads.reports import CampaignResults
from promptsales.mcpkit.charts.spec import Chart, Panel, Series


def results_chart(results: CampaignResults) -> Chart | None:
    """The campaign's funnel and revenue-by-channel chart, or None before it has any views."""
    totals = results.totals
    if not totals.views:
        return None
    stages = {
        "Views": totals.views,
        "Interactions": totals.interactions,
        "Clicks": totals.clicks,
        "Leads": totals.leads,
        "Sales": totals.sales,
    }
    panels = [Panel("funnel", "Funnel", tuple(stages), (Series("Funnel", tuple(map(float, stages.values()))),))]
    channels = sorted(results.by_channel, key=lambda row: -row.revenue)
    if len(channels) > 1:
        revenue = Series("Revenue", tuple(row.revenue for row in channels))
        panels.append(Panel("bars", "Revenue by channel", tuple(row.name for row in channels), (revenue,), "usd"))
    footnote = f"{results.brand} · {results.status} · {results.start_date} – {results.end_date} · PromptAds"
    return Chart(results.name, tuple(panels), footnote)

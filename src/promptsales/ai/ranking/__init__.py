"""Performance ranking for PromptSales (SPEC I1; docs/ai.md, "Performance ranking").

A ranking a marketer can trust: each campaign's ROI and conversion rate shrunk toward the mean in
proportion to how little evidence it has (empirical Bayes: normal-normal with spend as the weight for ROI,
beta-binomial for conversion), with a 90 % interval; and a learned ranker (LightGBM lambdarank) that
predicts the campaigns' order by ROI in the next month, trained on a time split and measured against raw
ROI on months it never saw. Served by PromptSales' ``topCampaigns`` (``ranking="shrunk"|"learned"``) and by
size-adjusted questions to ``askCampaignPerformance``; after each training the latest month's scores are
stored in ``wh.campaign_rank_scores`` with the model version.
"""

from __future__ import annotations

from typing import Any

from promptsales.ai.modules import module_status
from promptsales.ai.ranking.serving import MODULE
from promptsales.config import Settings


def status(settings: Settings) -> dict[str, Any]:
    """Ready?, newest version and its held-out figures, and how many campaigns carry its stored score."""
    return module_status(
        settings,
        MODULE,
        company="sales",
        serves="topCampaigns(ranking=shrunk|learned), askCampaignPerformance",
        stored=("scores_stored", "wh.campaign_rank_scores"),
    )

"""Purchase-intent prediction for PromptCRM (SPEC I1; docs/ai.md, "Lead scoring").

The probability that a lead buys, from what PromptCRM knows 24 hours after it arrived: a calibrated
``HistGradientBoostingClassifier`` trained on a time-based split, measured against a logistic-regression
baseline and the lead source alone on held-out leads. Served by PromptCRM's MCP tool ``scoreLeads`` and in
``client360``; every lead's score is stored in ``crm.lead_scores`` after each training.
"""

from __future__ import annotations

from typing import Any

from promptsales.ai.lead_scoring.serving import MODULE
from promptsales.ai.modules import module_status
from promptsales.config import Settings


def status(settings: Settings) -> dict[str, Any]:
    """Ready?, newest version and its held-out figures, and how many leads carry its score."""
    return module_status(
        settings,
        MODULE,
        company="crm",
        serves="scoreLeads, client360.purchase_intent",
        stored=("scores_stored", "crm.lead_scores"),
    )

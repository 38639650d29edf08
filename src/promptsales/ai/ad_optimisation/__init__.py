"""Ad optimisation for PromptAds (SPEC I1; docs/ai.md, "Ad optimisation").

Where the next dollar of a campaign should go: response curves with diminishing returns (conversions ∝ spend^β
per channel × market) fitted on PromptAds' history, a budget split across channel × market that maximises
expected conversions under share limits per channel (``cvxpy``), and for live campaigns a Thompson-sampling
reallocation that updates the curves with the campaign's last days (``mabwiser``). Evaluated by a monthly
backtest against the equal and the historical split and by the regret of Thompson sampling in simulation.
Served by PromptAds' MCP tool ``optimizeBudget``.
"""

from __future__ import annotations

from typing import Any

from promptsales.ai.ad_optimisation.serving import MODULE
from promptsales.ai.modules import module_status
from promptsales.config import Settings


def status(settings: Settings) -> dict[str, Any]:
    """Ready?, newest version and its backtest and regret figures."""
    return module_status(settings, MODULE, company="ads", serves="optimizeBudget")

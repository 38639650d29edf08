"""Benchmark (issue 7): the full proposal → approval flow over MCP (target under 7 s, SPEC N1 "simple").

Needs the data directory of ``PROMPTSALES_DATA_DIR`` with the issuer and the four MCP servers running and
PromptSales' OAuth client (``promptsales-sales``) registered. Each round proposes a campaign (PromptAds
catalogues + PromptContent messages and media) and approves it (campaign in PromptAds, content in
PromptContent, lead capture in PromptCRM), timing both over HTTPS.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "mcpnet"))
from promptsales.config import get_settings  # noqa: E402
from promptsales.testing import proposal_parties  # noqa: E402
from report import write_section  # noqa: E402


def main(rounds: int = 3) -> None:
    """Measure and record the flow's duration."""
    from mcpnet_helpers import Network, call

    settings = get_settings()
    network = Network(settings)
    url = network.url("sales")
    parties = proposal_parties(settings)
    proposes, approves, totals = [], [], []
    for round_ in range(rounds):
        strategy = parties.strategy(f"Bench Flow {int(time.time())}-{round_}")
        started = time.perf_counter()
        proposed = call(
            settings,
            url,
            network.token("bench", ["sales:write"]),
            "proposeCampaign",
            {"strategy": strategy, "requested_by": parties.marketer},
        )
        middle = time.perf_counter()
        assert not proposed.is_error, proposed.content
        approved = call(
            settings,
            url,
            network.token("bench", ["sales:approve"]),
            "approveProposal",
            {"proposal_id": proposed.structured_content["proposal_id"], "approver": parties.approver},
        )
        done = time.perf_counter()
        assert not approved.is_error and approved.structured_content["status"] == "completed", approved.content
        proposes.append(middle - started)
        approves.append(done - middle)
        totals.append(done - started)
    lines = [
        f"{rounds} rounds; 2 audiences, 2 countries; steps: ads, content, crm.",
        "",
        "| phase | median s | max s |",
        "|---|---|---|",
        f"| proposeCampaign (catalogues + 6 messages + media) | {statistics.median(proposes):.2f} | {max(proposes):.2f} |",
        f"| approveProposal (approve + 3 remote steps) | {statistics.median(approves):.2f} | {max(approves):.2f} |",
        f"| full flow | {statistics.median(totals):.2f} | {max(totals):.2f} |",
        "",
        "Target (SPEC N1, simple generation): under 7 s.",
    ]
    lines.append(f"Load average while measuring: {os.getloadavg()[0]:.1f} (other jobs shared the 2 cores).")
    write_section("Proposal → approval flow over MCP (issue 7)", "bench/mcpnet_proposal.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

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
from promptsales.db.connect import connect  # noqa: E402
from report import write_section  # noqa: E402


def main(rounds: int = 3) -> None:
    """Measure and record the flow's duration."""
    from mcpnet_helpers import Network, call

    settings = get_settings()
    network = Network(settings)
    url = network.url("sales")
    with connect("sales", "admin", settings=settings) as conn:
        approver = conn.execute(
            "SELECT u.email FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id "
            "WHERE r.role_code = 'approver' AND u.active ORDER BY u.id LIMIT 1"
        ).fetchone()[0]
        marketer = conn.execute(
            "SELECT u.email FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id "
            "WHERE r.role_code = 'marketer' AND u.active ORDER BY u.id LIMIT 1"
        ).fetchone()[0]
        brand, product = conn.execute(
            "SELECT client_company_id, id FROM portal.products ORDER BY 1, 2 LIMIT 1"
        ).fetchone()
    proposes, approves, totals = [], [], []
    for round_ in range(rounds):
        strategy = {
            "client_company_id": brand,
            "name": f"Bench Flow {int(time.time())}-{round_}",
            "intent": "launch",
            "key_message": "A new product line for people who train outdoors, launched with a starter discount.",
            "audiences": [
                {"audience": "runners", "age_min": 20, "age_max": 40, "interests": ["sports"]},
                {"audience": "hikers", "age_min": 25, "age_max": 55, "interests": ["outdoors"]},
            ],
            "countries": ["MX", "CO"],
            "product_ids": [product],
            "budget": 12000,
            "start_date": "2026-03-01",
            "end_date": "2026-04-15",
        }
        started = time.perf_counter()
        proposed = call(
            settings,
            url,
            network.token("bench", ["sales:write"]),
            "proposeCampaign",
            {"strategy": strategy, "requested_by": marketer},
        )
        middle = time.perf_counter()
        assert not proposed.is_error, proposed.content
        approved = call(
            settings,
            url,
            network.token("bench", ["sales:approve"]),
            "approveProposal",
            {"proposal_id": proposed.structured_content["proposal_id"], "approver": approver},
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

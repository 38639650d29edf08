"""The portal's central flow end to end over MCP (SPEC G1, G3): strategy → proposeCampaign → approveProposal
by an approver → campaign in PromptAds, messages in PromptContent, lead capture in PromptCRM → ETL →
askCampaignPerformance answers about it. A non-approver is refused; a half-failed approval is retried
without duplicating what succeeded."""

from __future__ import annotations

from datetime import date

import pytest
from mcpnet_helpers import call, eventually, rpc_call
from pymongo import MongoClient

from promptsales.db.connect import connect
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.runtime.mongo import MongoServer
from promptsales.testing import proposal_parties


@pytest.fixture
def proposal(network):
    """A fresh proposal of the test's own, stored through proposeCampaign by a marketer (the approval test
    changes its proposal, so no test may share one)."""
    parties = proposal_parties(network.settings)
    result = call(
        network.settings,
        network.url("sales"),
        network.token("portal", ["sales:write"]),
        "proposeCampaign",
        {"strategy": parties.strategy("Mundial Verde 2026"), "requested_by": parties.marketer},
    )
    assert not result.is_error, result.content
    return result.structured_content | {"approver": parties.approver, "marketer": parties.marketer}


def test_mcpnet_propose_stores_pending_proposal(network, proposal):
    """The proposal is in review with channels and markets from PromptAds and 3 messages per audience."""
    assert proposal["status"] == "in_review" and proposal["steps"] == []
    payload = proposal["proposal"]
    assert payload["channels"] and {m["name"].split(" / ")[0] for m in payload["markets"]} == {"Mexico", "Colombia"}
    assert len(payload["messages"]) == 3 * 2 and len(payload["ads"]) == len(payload["channels"])
    with connect("sales", "admin", settings=network.settings) as conn:
        status = conn.execute(
            "SELECT status FROM portal.proposals WHERE id = %s", (proposal["proposal_id"],)
        ).fetchone()[0]

    def logged() -> int:
        with connect("sales", "admin", settings=network.settings) as conn:
            return conn.execute(
                "SELECT count(*) FROM portal.ai_usage_log WHERE operation = 'proposeCampaign' "
                "AND reference->>'proposal_id' = %s",
                (str(proposal["proposal_id"]),),
            ).fetchone()[0]

    assert status == "in_review" and eventually(logged, 1) == 1


def test_mcpnet_non_approver_is_refused(network, proposal):
    """Without sales:approve → 403; with the scope but a user who is not an approver → isError, nothing runs."""
    url = network.url("sales")
    arguments = {"proposal_id": proposal["proposal_id"], "approver": proposal["marketer"]}
    assert (
        rpc_call(
            url, network.token("portal", ["sales:read", "sales:write"]), "approveProposal", arguments, network.settings
        ).status_code
        == 403
    )
    refused = call(network.settings, url, network.token("portal", ["sales:approve"]), "approveProposal", arguments)
    assert refused.is_error and "not an approver" in refused.content[0].text
    with connect("sales", "admin", settings=network.settings) as conn:
        status = conn.execute(
            "SELECT status FROM portal.proposals WHERE id = %s", (proposal["proposal_id"],)
        ).fetchone()[0]
    assert status == "in_review"


def test_mcpnet_approval_launches_and_retry_does_not_duplicate(network, proposal):
    """With PromptCRM down the approval half-fails (ads and content succeed, crm fails); once PromptCRM is
    back a second approveProposal finishes the launch without a second campaign or lead capture; after
    the ETL the warehouse has the campaign and askCampaignPerformance answers about it."""
    url = network.url("sales")
    token = network.token("portal", ["sales:approve", "sales:read"])
    arguments = {"proposal_id": proposal["proposal_id"], "approver": proposal["approver"], "note": "Go"}
    network.stop("crm")
    try:
        first = call(network.settings, url, token, "approveProposal", arguments)
    finally:
        network.start("crm")
    assert not first.is_error, first.content
    steps = {s["step"]: s for s in first.structured_content["steps"]}
    assert first.structured_content["status"] == "running"
    assert steps["ads"]["status"] == "succeeded" and steps["content"]["status"] == "succeeded"
    assert steps["crm"]["status"] == "failed" and steps["crm"]["error"]

    second = call(network.settings, url, token, "approveProposal", arguments)
    assert not second.is_error, second.content
    view = second.structured_content
    steps = {s["step"]: s for s in view["steps"]}
    assert view["status"] == "completed" and all(s["status"] == "succeeded" for s in steps.values())
    assert steps["ads"]["attempts"] == 1 and steps["content"]["attempts"] == 1 and steps["crm"]["attempts"] == 2
    campaign_id = view["ads_campaign_id"]
    name = view["campaign_name"]
    with connect("ads", "admin", settings=network.settings) as conn:
        same_name = conn.execute("SELECT count(*) FROM ads.campaigns WHERE name = %s", (name,)).fetchone()[0]
        links = conn.execute(
            "SELECT (SELECT count(*) FROM ads.campaign_channels WHERE campaign_id = %(c)s), "
            "(SELECT count(*) FROM ads.campaign_markets WHERE campaign_id = %(c)s), "
            "(SELECT count(*) FROM ads.ads WHERE campaign_id = %(c)s)",
            {"c": campaign_id},
        ).fetchone()
    payload = view["proposal"]
    assert same_name == 1 and links == (len(payload["channels"]), len(payload["markets"]), len(payload["ads"]))
    with connect("crm", "admin", settings=network.settings) as conn:
        captures = conn.execute(
            "SELECT count(*) FROM crm.logs WHERE description = 'lead capture prepared' AND reference_id1 = %s",
            (campaign_id,),
        ).fetchone()[0]
    assert captures == 1
    with MongoClient(MongoServer(network.settings).url) as client:
        log = client[network.settings.content_mongo_database].campaign_message_logs.find_one(
            {"_id": steps["content"]["outcome"]["log_id"]}
        )
    assert log is not None and name in log["campaign_description"] and len(log["messages"]) == 3 * 2

    report = run_pass(Sources(network.settings), trigger="test")
    assert report.status == "succeeded"
    with connect("sales", "admin", settings=network.settings) as conn:
        budget = conn.execute("SELECT budget FROM wh.campaigns WHERE campaign_id = %s", (campaign_id,)).fetchone()[0]
    answer = call(
        network.settings,
        url,
        network.token("portal", ["sales:read"]),
        "askCampaignPerformance",
        {"question": f'What is the budget of campaign "{name}"?', "as_of": date(2026, 1, 31).isoformat()},
    )
    assert not answer.is_error and answer.structured_content["rows"] == [[float(budget)]]
    assert float(budget) == 25000.0

    third = call(network.settings, url, token, "approveProposal", arguments)
    assert not third.is_error and third.structured_content["status"] == "completed"
    assert {s["step"]: s["attempts"] for s in third.structured_content["steps"]} == {"ads": 1, "content": 1, "crm": 2}

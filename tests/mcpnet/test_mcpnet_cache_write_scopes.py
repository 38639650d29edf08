"""A write through a tool invalidates what it changes and nothing else (issue 20: the cache hit ratio of the mixed
workload; docs/cache.md §10, D166). The four real MCP servers over HTTPS with OAuth tokens, the real shared cache:

* proposing and approving a campaign (which creates it in PromptAds, registers its messages in PromptContent and
  prepares its lead capture in PromptCRM) leaves cached warehouse answers (``topCampaigns``,
  ``campaignPerformance``), another campaign's ``campaignResults`` and ``campaignSales`` cached;
* ``registerLead`` for campaign A makes A's ``campaignSales`` fresh (one more lead) and leaves B's cached;
* the next ETL pass, which writes the new campaign and lead into the warehouse, makes the warehouse answers fresh.

Hits and misses are read from the cache's own per-tool counters (``ps:stats``)."""

from __future__ import annotations

import uuid

from mcpnet_helpers import call

from crm_probe_clients import remove_clients
from promptsales.cache import get_cache
from promptsales.cache.stats import stat_counters
from promptsales.db.connect import connect
from promptsales.db.pools import close_pools
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.testing import proposal_parties

READS = {
    "topCampaigns": "sales",
    "campaignPerformance": "sales",
    "campaignResults": "ads",
    "campaignSales": "crm",
}


class Reader:
    """Calls the read tools with one token per server and says whether each answer was a hit or a miss."""

    def __init__(self, network) -> None:
        self.network = network
        self.tokens = {server: network.token("portal", [f"{server}:read"]) for server in set(READS.values())}

    def read(self, tool: str, arguments: dict) -> tuple[str, dict]:
        server = READS[tool]
        name = f"{server}.{tool}"
        before = stat_counters(get_cache(self.network.settings))
        result = call(self.network.settings, self.network.url(server), self.tokens[server], tool, arguments)
        assert not result.is_error, result.content
        after = stat_counters(get_cache(self.network.settings))
        hits, misses = (after.get(f"{kind}:{name}", 0) - before.get(f"{kind}:{name}", 0) for kind in ("hits", "misses"))
        assert (hits, misses) in ((1, 0), (0, 1)), (tool, hits, misses)
        return ("hit" if hits else "miss"), result.structured_content


def _two_campaigns_with_leads(settings) -> list[tuple[int, int, int]]:
    """(campaign, channel, market) of two campaigns that have leads in PromptCRM and an ad on that channel."""
    with connect("crm", "etl", settings=settings) as conn:
        return conn.execute(
            "SELECT DISTINCT ON (l.campaign_id) l.campaign_id, l.channel_id, l.market_id FROM crm.leads l"
            " JOIN ads_link.ads a ON a.campaign_id = l.campaign_id AND a.channel_id = l.channel_id"
            " ORDER BY l.campaign_id, l.channel_id, l.market_id LIMIT 2"
        ).fetchall()


def test_writes_leave_unrelated_cached_answers_and_the_etl_refreshes_the_warehouse_ones(network):
    settings = network.settings
    reader = Reader(network)
    (camp_a, channel_a, market_a), (camp_b, _, _) = _two_campaigns_with_leads(settings)
    warehouse_reads = {
        "topCampaigns": {"metric": "sales_amount", "period": "2025", "n": 5, "chart": False},
        "campaignPerformance": {"metrics": ["reach", "sales_amount"], "group_by": ["channel"], "chart": False},
    }
    source_reads = {
        ("campaignResults", camp_b): {"campaign_id": camp_b, "chart": False},
        ("campaignSales", camp_a): {"campaign_id": camp_a},
        ("campaignSales", camp_b): {"campaign_id": camp_b},
    }
    first: dict = {}
    for tool, arguments in warehouse_reads.items():
        reader.read(tool, arguments)  # a miss, or a hit left by an earlier test: either way cached now
        first[tool] = reader.read(tool, arguments)
        assert first[tool][0] == "hit"
    for (tool, campaign), arguments in source_reads.items():
        reader.read(tool, arguments)
        first[(tool, campaign)] = reader.read(tool, arguments)
        assert first[(tool, campaign)][0] == "hit"

    parties = proposal_parties(settings)
    proposed = call(
        settings,
        network.url("sales"),
        network.token("portal", ["sales:write"]),
        "proposeCampaign",
        {"strategy": parties.strategy(f"Cache scopes {uuid.uuid4().hex[:8]}"), "requested_by": parties.marketer},
    )
    assert not proposed.is_error, proposed.content
    approved = call(
        settings,
        network.url("sales"),
        network.token("portal", ["sales:approve"]),
        "approveProposal",
        {"proposal_id": proposed.structured_content["proposal_id"], "approver": parties.approver},
    )
    assert not approved.is_error and approved.structured_content["status"] == "completed", approved.content
    for tool, arguments in warehouse_reads.items():
        assert reader.read(tool, arguments) == first[tool], tool  # still a hit, the same answer
    for (tool, campaign), arguments in source_reads.items():
        assert reader.read(tool, arguments) == first[(tool, campaign)], (tool, campaign)

    tag = uuid.uuid4().hex[:10]
    person = {
        "first_name": "Scope",
        "last_name": f"Probe{tag}",
        "email": f"scope.{tag}@example.com",
        "phone": "+50670000000",
        "birth_year": 1991,
        "country_code": "CR",
        "region": "San José",
        "city": "San José",
        "latitude": 9.93,
        "longitude": -84.08,
        "national_id": f"CR-8-{int(tag[:5], 16) % 10000:04d}-{int(tag[5:], 16) % 10000:04d}",
        "interests": ["sports"],
    }
    lead = call(
        settings,
        network.url("crm"),
        network.token("portal", ["crm:write"]),
        "registerLead",
        {"campaign_id": camp_a, "channel_id": channel_a, "market_id": market_a, "person": person},
    )
    assert not lead.is_error and lead.structured_content["created"], lead.content
    try:
        outcome, sales_a = reader.read("campaignSales", source_reads[("campaignSales", camp_a)])
        assert outcome == "miss" and sales_a["leads"] == first[("campaignSales", camp_a)][1]["leads"] + 1
        assert reader.read("campaignSales", source_reads[("campaignSales", camp_b)]) == first[("campaignSales", camp_b)]
        assert reader.read("campaignResults", source_reads[("campaignResults", camp_b)])[0] == "hit"

        report = run_pass(Sources(settings), trigger="test")
        assert report.status == "succeeded" and sum(report.rows_written.values()) > 0
        for tool, arguments in warehouse_reads.items():
            assert reader.read(tool, arguments)[0] == "miss", tool
    finally:  # leave the shared official data as seeded (R3's consistency check counts leads per group)
        close_pools("crm")  # no idle session on PromptCRM (later tests copy it)
        remove_clients(settings, [lead.structured_content["client_id"]])
        assert run_pass(Sources(settings), trigger="test").status == "succeeded"

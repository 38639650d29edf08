"""Locust user classes of the load benchmark (issue 20, SPEC N2): agents that speak MCP over streamable HTTP
with their own OAuth client's bearer token, TLS with the local CA.

* :class:`MarketingAgent` — the case's mix (:data:`MIX`): marketers' questions, PromptAds and PromptCRM
  reads, content search, and writes (leads, campaigns, proposals then their approval), keys drawn from a
  Zipf law over the real campaigns, clients and phrasings (a realistic cache-hit ratio);
* :class:`CachedReader` — one cached read over and over (``topCampaigns`` on a handful of keys): the cost of
  a cache hit;
* :class:`SessionOpener` — opens a session, makes one cached call and closes it, again and again (a client
  that opens a session per call).

Everything an agent needs comes from the plan file named by ``PROMPTSALES_LOAD_PLAN`` (written by
``bench/load/plan.py``: server URLs, CA, one token per agent, the keys); ``PROMPTSALES_LOAD_PACE`` is each
agent's calls per second (0: no pause, a closed loop); ``PROMPTSALES_LOAD_PROCESSES`` the number of Locust
processes (so agents of different processes take different tokens).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sys
import uuid
from datetime import date, timedelta
from functools import cache
from typing import Any

import gevent
import gevent.util
import locust.runners
from locust import FastHttpUser, constant, constant_throughput, events, task
from mcp_user import McpSession, ca_context_factory, close_all

#: Operations of the mixed workload and their share of calls (percent): questions, reads, writes.
MIX: dict[str, float] = {
    "askCampaignPerformance": 12,
    "topCampaigns": 14,
    "campaignPerformance": 10,
    "campaignResults": 16,
    "campaignSales": 12,
    "client360": 10,
    "getContent": 12,
    "registerLead": 10,
    "createCampaign": 2,
    "proposeCampaign": 2,  # the same agent approves it on its next turn (approveProposal)
}
#: Which MCP server answers each operation.
SERVER_OF: dict[str, str] = {
    "askCampaignPerformance": "sales",
    "topCampaigns": "sales",
    "campaignPerformance": "sales",
    "proposeCampaign": "sales",
    "approveProposal": "sales",
    "campaignResults": "ads",
    "createCampaign": "ads",
    "campaignSales": "crm",
    "client360": "crm",
    "registerLead": "crm",
    "getContent": "content",
}
# A worker busy opening hundreds of TLS sessions on a loaded machine can miss a few one-second heartbeats; the
# default (3 missed → the master stops the test) ended runs that were only slow.
locust.runners.HEARTBEAT_LIVENESS = 60

#: How long a stopping agent waits for its sessions' DELETEs to be answered (a stuck close is a failure).
CLOSE_TIMEOUT = 10.0


@events.init.add_listener
def _dump_greenlets_on_sigusr1(**_: Any) -> None:
    """``kill -USR1 <locust pid>`` prints every greenlet's stack to stderr (what a hung run is waiting on)."""

    def dump() -> None:
        sys.stderr.write("".join(gevent.util.format_run_info()))
        sys.stderr.flush()

    gevent.signal_handler(signal.SIGUSR1, dump)


#: Zipf exponent of the keys (rank r is asked with weight r^-s).
ZIPF_EXPONENT = 1.1


@cache
def plan() -> dict[str, Any]:
    """The plan file of this run (``PROMPTSALES_LOAD_PLAN``)."""
    with open(os.environ["PROMPTSALES_LOAD_PLAN"]) as handle:
        return json.load(handle)


class ZipfKeys:
    """Draws values of a list with a Zipf law over their positions (the plan lists them in random order)."""

    def __init__(self, values: list[Any], exponent: float = ZIPF_EXPONENT) -> None:
        self.values = values
        self.cumulative = list(itertools.accumulate(rank**-exponent for rank in range(1, len(values) + 1)))

    def draw(self) -> Any:
        """One value."""
        return random.choices(self.values, cum_weights=self.cumulative)[0]


@cache
def keys() -> dict[str, ZipfKeys]:
    """The Zipf samplers of every key list of the plan."""
    return {name: ZipfKeys(values) for name, values in plan()["keys"].items()}


def _pace():
    pace = float(os.environ.get("PROMPTSALES_LOAD_PACE", "1"))
    return constant(0) if pace <= 0 else constant_throughput(pace)


_agent_numbers = itertools.count()


class McpAgent(FastHttpUser):
    """An agent with its own OAuth client's token and one MCP session per server it uses."""

    abstract = True
    servers: tuple[str, ...] = ("sales", "ads", "crm", "content")
    wait_time = _pace()
    network_timeout = 120.0
    connection_timeout = 30.0
    concurrency = 1

    def __init__(self, environment) -> None:
        self.ssl_context_factory = ca_context_factory(plan()["ca"])
        self.host = plan()["servers"]["sales"].removesuffix("/mcp")  # requests name absolute URLs of any server
        super().__init__(environment)
        processes = max(1, int(os.environ.get("PROMPTSALES_LOAD_PROCESSES", "1")))
        worker = getattr(environment.runner, "worker_index", 0) or 0
        self.number = next(_agent_numbers) * processes + worker
        tokens = plan()["tokens"]
        self.token = tokens[self.number % len(tokens)]
        self.sessions: dict[str, McpSession] = {}

    def session(self, server: str) -> McpSession:
        """This agent's open session on ``server`` (opened on first use)."""
        found = self.sessions.get(server)
        if found is None:
            found = McpSession(self.client, server, plan()["servers"][server], self.token)
            found.open()
            self.sessions[server] = found
        return found

    def on_start(self) -> None:
        for server in self.servers:
            self.session(server)

    def on_stop(self) -> None:
        close_all(list(self.sessions.values()), self.environment.events.request, CLOSE_TIMEOUT)
        self.sessions.clear()


class MarketingAgent(McpAgent):
    """The case's mixed workload (:data:`MIX`)."""

    def __init__(self, environment) -> None:
        super().__init__(environment)
        self.operations = list(MIX)
        self.cumulative = list(itertools.accumulate(MIX.values()))
        self.proposal_to_approve: int | None = None

    @task
    def operate(self) -> None:
        if self.proposal_to_approve is not None:
            proposal, self.proposal_to_approve = self.proposal_to_approve, None
            self.call("approveProposal", {"proposal_id": proposal, "approver": plan()["parties"]["approver"]})
            return
        operation = random.choices(self.operations, cum_weights=self.cumulative)[0]
        result = self.call(operation, getattr(self, f"_{operation}")())
        if operation == "proposeCampaign" and result:
            self.proposal_to_approve = result.get("proposal_id")

    def call(self, operation: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """Call ``operation`` on its server through this agent's session."""
        return self.session(SERVER_OF[operation]).call(operation, arguments)

    # -- arguments of each operation -------------------------------------------------------------
    def _askCampaignPerformance(self) -> dict[str, Any]:
        template = keys()["question_templates"].draw()
        return {"question": template.format(name=keys()["campaign_names"].draw()), "chart": False}

    def _topCampaigns(self) -> dict[str, Any]:
        metric, period, n = keys()["rankings"].draw()
        return {"metric": metric, "period": period, "n": n, "chart": False}

    def _campaignPerformance(self) -> dict[str, Any]:
        return {
            "metrics": ["reach", "sales_amount", "roi"],
            "filters": {"campaigns": [keys()["campaign_names"].draw()]},
            "group_by": [keys()["breakdowns"].draw()],
            "chart": False,
        }

    def _campaignResults(self) -> dict[str, Any]:
        return {"campaign_id": keys()["campaign_ids"].draw(), "chart": False}

    def _campaignSales(self) -> dict[str, Any]:
        return {"campaign_id": keys()["campaign_ids"].draw()}

    def _client360(self) -> dict[str, Any]:
        return {"client_id": keys()["client_ids"].draw()}

    def _getContent(self) -> dict[str, Any]:
        return {"description": keys()["descriptions"].draw(), "limit": 5}

    def _registerLead(self) -> dict[str, Any]:
        campaign_id, channel_id, market_id = keys()["lead_targets"].draw()
        tag = uuid.uuid4().hex[:10]
        person = {
            "first_name": "Load",
            "last_name": f"Agent{tag}",
            "email": f"load.{tag}@example.com",
            "phone": "+50670000000",
            "birth_year": 1990,
            "country_code": "CR",
            "region": "San José",
            "city": "San José",
            "latitude": 9.93,
            "longitude": -84.08,
            "national_id": f"CR-9-{int(tag[:5], 16) % 10000:04d}-{int(tag[5:], 16) % 10000:04d}",
            "interests": ["sports"],
        }
        return {"campaign_id": campaign_id, "channel_id": channel_id, "market_id": market_id, "person": person}

    def _createCampaign(self) -> dict[str, Any]:
        start = date(2026, 3, 1) + timedelta(days=random.randrange(60))
        return {
            "brand_id": plan()["parties"]["brand_id"],
            "name": f"Load test {uuid.uuid4().hex[:12]}",
            "objective": "leads",
            "budget": 5000.0,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=30)).isoformat(),
            "channels": [{"channel_id": 1, "budget_share": 0.5}, {"channel_id": 2, "budget_share": 0.5}],
            "markets": [1],
        }

    def _proposeCampaign(self) -> dict[str, Any]:
        parties = plan()["parties"]
        return {
            "strategy": {
                "client_company_id": parties["brand_id"],
                "name": f"Load proposal {uuid.uuid4().hex[:10]}",
                "intent": "conversion",
                "key_message": "Eco-friendly gear for fans who follow every match, with free shipping in launch week.",
                "audiences": [{"audience": "young football fans", "age_min": 18, "age_max": 30, "interests": []}],
                "countries": ["MX"],
                "product_ids": [parties["product_id"]],
                "budget": 25000,
                "start_date": "2026-04-01",
                "end_date": "2026-05-15",
            },
            "requested_by": parties["marketer"],
        }


class CachedReader(McpAgent):
    """One cached read (``topCampaigns`` on a few keys, all hits once warm)."""

    servers = ("sales",)

    @task
    def read(self) -> None:
        metric, period, n = random.choice(plan()["keys"]["rankings"][:4])
        self.session("sales").call("topCampaigns", {"metric": metric, "period": period, "n": n, "chart": False})


class SessionOpener(McpAgent):
    """Opens a session on PromptSales, makes one cached call, closes it — on every turn."""

    servers = ()

    @task
    def open_call_close(self) -> None:
        session = McpSession(self.client, "sales", plan()["servers"]["sales"], self.token)
        session.open()
        metric, period, n = plan()["keys"]["rankings"][0]
        session.call("topCampaigns", {"metric": metric, "period": period, "n": n, "chart": False})
        session.close()

"""The plan of a load run: where the MCP servers are, the CA, one OAuth client and token per agent, and the
keys the agents draw from (taken from the data, listed in a seeded random order so the Zipf law's popular
keys are arbitrary campaigns, clients and phrasings).

Each simulated agent is its own OAuth client (``load-agent-NNN``, added to the issuer's clients file of the
data directory), so the per-client rate limit applies to each agent as it would in production: no limit is
raised for the run.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from promptsales.auth.config import clients_path, issuer_url, load_clients
from promptsales.auth.issuer import request_token
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.runtime.state import StateFile
from promptsales.runtime.tls import ensure_tls
from promptsales.testing import proposal_parties

#: What every load agent may do (a marketer's portal client that also registers leads and creates campaigns).
AGENT_SCOPES = [
    "ads:read",
    "ads:write",
    "content:read",
    "crm:read",
    "crm:write",
    "sales:read",
    "sales:write",
    "sales:approve",
]
SERVERS = ("sales", "ads", "crm", "content")
#: Tool calls of the mixed workload (the request names Locust reports for them).
TOOLS = (
    "askCampaignPerformance",
    "topCampaigns",
    "campaignPerformance",
    "campaignResults",
    "campaignSales",
    "client360",
    "getContent",
    "registerLead",
    "createCampaign",
    "proposeCampaign",
    "approveProposal",
)
#: Phrasings of the marketers' questions; ``{name}`` is a campaign drawn from the Zipf law.
QUESTION_TEMPLATES = [
    'What was the reach of campaign "{name}"?',
    '¿Cuánto vendió la campaña "{name}"?',
    'ROI of campaign "{name}" by channel',
    '¿Cuál fue la tasa de conversión de la campaña "{name}" por mercado?',
    'Leads and sales of campaign "{name}" by month',
    'Embudo de la campaña "{name}"',
    'How much did campaign "{name}" spend?',
    '¿Qué canal tuvo más alcance en la campaña "{name}"?',
]
METRICS = ["sales_amount", "reach", "revenue", "roi", "leads", "conversion_rate"]
PERIODS = ["Q4 2025", "December 2025", "2025", "January 2026", "Q3 2025", "November 2025", "2025-01..2025-06"]
SUBJECTS = ["beach", "coffee", "running shoes", "family dinner", "city at night", "mountain hike", "watch", "laptop"]
STYLES = ["at dawn", "minimalist", "warm light", "neon", "autumn colours", "studio photo", "outdoors", "close-up"]


def agent_id(number: int) -> str:
    """The OAuth client id of agent ``number``."""
    return f"load-agent-{number:03d}"


def register_agents(settings: Settings, agents: int) -> list[str]:
    """Add ``agents`` OAuth clients to the issuer's clients file (kept if present); their ids."""
    clients = load_clients(settings)
    ids = [agent_id(number) for number in range(1, agents + 1)]
    missing = [client for client in ids if clients.get(client) != AGENT_SCOPES]
    if missing:
        clients.update({client: AGENT_SCOPES for client in ids})
        clients_path(settings).write_text(json.dumps({"clients": clients}, indent=2, sort_keys=True))
    return ids


def server_urls(settings: Settings) -> dict[str, str]:
    """Each MCP server's ``https://…/mcp`` URL (the servers ``promptsales up`` runs)."""
    state = StateFile(settings.data_path)
    return {server: f"https://127.0.0.1:{state.get(f'mcp-{server}')['port']}/mcp" for server in SERVERS}


def data_keys(settings: Settings, rng: random.Random) -> tuple[dict[str, list[Any]], dict[str, int]]:
    """The key lists the agents draw from, and the data's size (active campaigns, clients)."""
    with connect("ads", "etl", settings=settings) as conn:
        active = [row[0] for row in conn.execute("SELECT campaign_id FROM ads.campaigns WHERE status = 'active'")]
        campaigns = conn.execute("SELECT count(*) FROM ads.campaigns").fetchone()[0]
        targets = conn.execute(
            "SELECT cc.campaign_id, min(cc.channel_id), min(cm.market_id) FROM ads.campaign_channels cc "
            "JOIN ads.campaign_markets cm USING (campaign_id) JOIN ads.campaigns c USING (campaign_id) "
            "WHERE c.status = 'active' GROUP BY cc.campaign_id ORDER BY cc.campaign_id LIMIT 2000"
        ).fetchall()
    with connect("sales", "analyst", settings=settings) as conn:
        names = [row[0] for row in conn.execute("SELECT campaign_name FROM wh.campaigns ORDER BY campaign_id")]
    with connect("crm", "etl", settings=settings) as conn:
        clients = conn.execute("SELECT count(*) FROM crm.clients").fetchone()[0]
        client_ids = [row[0] for row in conn.execute("SELECT client_id FROM crm.clients ORDER BY client_id")]
    for values in (active, names, client_ids):
        rng.shuffle(values)
    rankings = [[metric, period, n] for metric in METRICS for period in PERIODS for n in (5, 10)]
    rng.shuffle(rankings)
    descriptions = [f"{subject} {style}" for subject in SUBJECTS for style in STYLES]
    rng.shuffle(descriptions)
    keys = {
        "campaign_ids": active or [row[0] for row in targets],
        "campaign_names": names[:20000],
        "client_ids": client_ids[:50000],
        "lead_targets": [list(row) for row in targets],
        "rankings": rankings,
        "question_templates": QUESTION_TEMPLATES,
        "breakdowns": ["channel", "market", "month"],
        "descriptions": descriptions,
    }
    size = {"campaigns": campaigns, "active_campaigns": len(active), "clients": clients, "warehouse": len(names)}
    return keys, size


def write_plan(settings: Settings, agents: int, path: Path, seed: int = 20) -> dict[str, Any]:
    """Register the agents, fetch one token each from the issuer, read the keys; write the plan to ``path``."""
    rng = random.Random(seed)
    issuer = issuer_url(settings)
    tokens = [
        request_token(settings, client, [], issuer)["access_token"] for client in register_agents(settings, agents)
    ]
    keys, size = data_keys(settings, rng)
    parties = proposal_parties(settings)
    plan = {
        "servers": server_urls(settings),
        "ca": str(ensure_tls(settings).ca_cert),
        "tokens": tokens,
        "keys": keys,
        "size": size,
        "parties": {
            "approver": parties.approver,
            "marketer": parties.marketer,
            "brand_id": parties.brand_id,
            "product_id": parties.product_id,
        },
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plan))
    return plan

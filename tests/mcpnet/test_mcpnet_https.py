"""The three new MCP servers over real HTTPS + OAuth (SPEC G1, N4, S5): scope checks, PII only with
crm:pii (audited), bad input → isError with nothing written, the AI-usage log of askCampaignPerformance."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mcpnet_helpers import call, eventually, rpc_call
from psycopg.rows import dict_row

from crm_log_checksum import canonical_checksum
from promptsales.auth.config import audience_for
from promptsales.crm import vocabulary
from promptsales.crm.generate import national_ids
from promptsales.crm.service import reveal_client
from promptsales.db.connect import connect

# server → (a tool, its arguments, the scope it needs, a scope of the same server that is not enough)
SCOPE_CASES = {
    "sales": ("approveProposal", {"proposal_id": 1, "approver": "x@example.com"}, "sales:approve", "sales:read"),
    "ads": ("createCampaign", {"brand_id": 1}, "ads:write", "ads:read"),
    "crm": ("client360", {"client_id": 1}, "crm:read", "crm:write"),
}


@pytest.mark.parametrize("server", sorted(SCOPE_CASES))
def test_mcpnet_scope_checks(network, server):
    """No token → 401 with WWW-Authenticate; token for another server → 401; missing scope → 403."""
    tool, arguments, needed, other = SCOPE_CASES[server]
    url = network.url(server)
    response = rpc_call(url, None, tool, arguments, network.settings)
    assert response.status_code == 401 and "Bearer" in response.headers.get("www-authenticate", "")
    wrong_audience = network.token("portal", [needed], audience=audience_for("content"))
    assert rpc_call(url, wrong_audience, tool, arguments, network.settings).status_code == 401
    expired = network.token("portal", [needed], ttl=-60)
    assert rpc_call(url, expired, tool, arguments, network.settings).status_code == 401
    missing = network.token("portal", [other])
    response = rpc_call(url, missing, tool, arguments, network.settings)
    assert response.status_code == 403 and f'scope="{needed}"' in response.headers["www-authenticate"]


def test_mcpnet_client360_pii_only_with_scope_and_audited(network):
    """Without crm:pii no sensitive field comes back; with it the national ID and context do, and the read
    is in the central audit trail and PromptCRM's checksummed log."""
    url = network.url("crm")
    plain = call(network.settings, url, network.token("agent", ["crm:read"]), "client360", {"client_id": 7})
    assert not plain.is_error
    data = plain.structured_content
    assert data["sensitive_included"] is False and data["national_id"] is None and data["context"] is None
    assert 'national_id": "' not in json.dumps(data)
    with connect("crm", "admin", settings=network.settings) as conn:
        logs_before = conn.execute("SELECT count(*) FROM crm.logs WHERE reference_id1 = 7").fetchone()[0]
    revealed = call(
        network.settings, url, network.token("privacy-officer", ["crm:read", "crm:pii"]), "client360", {"client_id": 7}
    )
    assert not revealed.is_error
    secret = revealed.structured_content
    assert secret["sensitive_included"] is True
    with connect("crm", "admin", settings=network.settings) as conn:
        country, data_key = conn.execute(
            "SELECT country_code, data_key_id FROM crm.clients WHERE client_id = 7"
        ).fetchone()
    # the values, not only their shape: the generator's national ID of client 7 (its formula, computed
    # here) and the context the library decrypts from the same row
    assert secret["national_id"] == national_ids([country], np.array([7]))[0]
    assert secret["context"] == reveal_client(network.settings, 7, log=False)["context"]
    context = secret["context"]
    assert context["occupation"] in vocabulary.OCCUPATIONS and context["income_band"] in vocabulary.INCOME_BANDS
    assert context["note"] in vocabulary.CONTEXT_NOTES and 1 <= context["household_size"] <= 6

    def audited() -> int:
        with connect("sales", "admin", settings=network.settings) as conn:
            return conn.execute(
                "SELECT count(*) FROM portal.audit_log WHERE actor = 'privacy-officer' "
                "AND action = 'client360.pii' AND detail->>'client_id' = '7'"
            ).fetchone()[0]

    with connect("crm", "admin", settings=network.settings) as conn:
        logs_after = conn.execute("SELECT count(*) FROM crm.logs WHERE reference_id1 = 7").fetchone()[0]
        row = (
            conn.cursor(row_factory=dict_row)
            .execute("SELECT * FROM crm.logs WHERE reference_id1 = 7 ORDER BY log_id DESC LIMIT 1")
            .fetchone()
        )
    assert eventually(audited, 1) == 1 and logs_after == logs_before + 1
    assert (row["description"], row["reference_id2"], row["value1"]) == (
        "sensitive fields of a client revealed",
        data_key,
        "privacy-officer",
    )
    assert row["checksum"] == canonical_checksum(row)  # recomputed independently of the database function


def test_mcpnet_ask_over_https_logs_ai_usage(network):
    """askCampaignPerformance over HTTPS answers with a table and the SQL, and writes one AI-usage row (counted
    for this test's own client: other tests' servers write their rows in the background at any time)."""

    def logged() -> int:
        with connect("sales", "admin", settings=network.settings) as conn:
            return conn.execute(
                "SELECT count(*) FROM portal.ai_usage_log WHERE operation = 'askCampaignPerformance'"
                " AND actor = 'analyst-app'"
            ).fetchone()[0]

    before = logged()
    with connect("sales", "admin", settings=network.settings) as conn:
        expected = conn.execute("SELECT count(*) FROM wh.campaigns WHERE status = 'active'").fetchone()[0]
    result = call(
        network.settings,
        network.url("sales"),
        network.token("analyst-app", ["sales:read"]),
        "askCampaignPerformance",
        {"question": "¿Cuántas campañas activas hay?"},
    )
    assert not result.is_error
    answer = result.structured_content
    assert answer["rows"] == [[expected]] and "SELECT" in answer["sql"] and answer["language"] == "es"
    assert eventually(logged, before + 1) == before + 1


BAD_INPUT = [
    ("sales", ["sales:read"], "askCampaignPerformance", {"question": ""}, "empty"),
    ("sales", ["sales:read"], "askCampaignPerformance", {"question": "x" * 600}, "limit"),
    ("sales", ["sales:read"], "campaignPerformance", {"metrics": []}, "metric"),
    (
        "sales",
        ["sales:read"],
        "campaignPerformance",
        {"metrics": ["reach"], "filters": {"brands": ["No Such Brand"]}},
        "Unknown brand",
    ),
    (
        "sales",
        ["sales:read"],
        "campaignPerformance",
        {"metrics": ["reach"], "filters": {"month_from": "2025-13"}},
        "YYYY-MM",
    ),
    ("sales", ["sales:read"], "campaignPerformance", {"metrics": ["happiness"]}, "metric"),
    ("sales", ["sales:read"], "topCampaigns", {"metric": "reach", "n": 0}, "n"),
    ("sales", ["sales:read"], "topCampaigns", {"metric": "reach", "period": "someday"}, "period"),
    ("sales", ["sales:read"], "campaignFunnel", {"campaign": "Zebra Quantum Blaster"}, "No campaign"),
    ("sales", ["sales:read"], "proposalStatus", {"proposal_id": 987654}, "No proposal"),
    (
        "sales",
        ["sales:write"],
        "proposeCampaign",
        {
            "strategy": {
                "client_company_id": 1,
                "name": "X",
                "intent": "launch",
                "key_message": "short",
                "audiences": [],
                "countries": ["MX"],
                "budget": 1,
                "start_date": "2026-03-01",
                "end_date": "2026-02-01",
            },
            "requested_by": "nobody@example.com",
        },
        "strategy",
    ),
    ("sales", ["sales:approve"], "approveProposal", {"proposal_id": 987654, "approver": "nobody@example.com"}, "No "),
    (
        "ads",
        ["ads:write"],
        "createCampaign",
        {
            "brand_id": 1,
            "name": "Bad channel campaign",
            "objective": "sales",
            "budget": 10,
            "start_date": "2026-03-01",
            "end_date": "2026-03-10",
            "channels": [{"channel_id": 999}],
            "markets": [1],
        },
        "PA002",
    ),
    (
        "ads",
        ["ads:write"],
        "createCampaign",
        {
            "brand_id": 1,
            "name": "Bad dates campaign",
            "objective": "sales",
            "budget": 10,
            "start_date": "2026-03-10",
            "end_date": "2026-03-01",
            "channels": [{"channel_id": 1}],
            "markets": [1],
        },
        "PA001",
    ),
    ("ads", ["ads:read"], "campaignResults", {"campaign_id": 99999999}, "No campaign"),
    (
        "ads",
        ["ads:read"],
        "negativeSentimentReport",
        {"brand": "No Such Brand", "start": "2025-01-01", "end": "2025-02-01"},
        "Unknown brand",
    ),
    (
        "ads",
        ["ads:read"],
        "negativeSentimentReport",
        {"brand": "1", "start": "2025-02-01", "end": "2025-01-01"},
        "before",
    ),
    (
        "crm",
        ["crm:write"],
        "registerLead",
        {
            "campaign_id": 1,
            "channel_id": 1,
            "market_id": 1,
            "person": {
                "first_name": "A",
                "last_name": "B",
                "email": "a.b@example.com",
                "phone": "+15550000",
                "birth_year": 1990,
                "country_code": "US",
                "region": "NY",
                "city": "NYC",
                "latitude": 40.7,
                "longitude": -74.0,
                "national_id": "not-an-id",
            },
        },
        "national ID",
    ),
    ("crm", ["crm:read"], "leadTimeline", {"lead_id": 999999999}, "No lead"),
    ("crm", ["crm:read"], "campaignSales", {"campaign_id": 99999999}, "no lead"),
    ("crm", ["crm:read"], "client360", {"client_id": 999999999}, "No client"),
    (
        "crm",
        ["crm:write"],
        "prepareLeadCapture",
        {
            "campaign_id": 99999999,
            "sources": ["chatbot"],
            "channels": [1],
            "markets": [1],
            "idempotency_key": "bad-input",
        },
        "does not exist",
    ),
]


def _write_counts(settings) -> tuple:
    with connect("ads", "admin", settings=settings) as conn:
        ads = conn.execute("SELECT (SELECT count(*) FROM ads.campaigns), (SELECT count(*) FROM ads.ads)").fetchone()
    with connect("crm", "admin", settings=settings) as conn:
        crm = conn.execute(
            "SELECT (SELECT count(*) FROM crm.clients), (SELECT count(*) FROM crm.leads), "
            "(SELECT count(*) FROM crm.logs WHERE description = 'lead capture prepared')"
        ).fetchone()
    with connect("sales", "admin", settings=settings) as conn:
        sales = conn.execute(
            "SELECT (SELECT count(*) FROM portal.proposals), (SELECT count(*) FROM portal.strategies)"
        ).fetchone()
    return ads, crm, sales


def test_mcpnet_bad_input_is_error_and_writes_nothing(network):
    """Every tool of the three servers answers bad input with isError and a specific message; no row changes."""
    before = _write_counts(network.settings)
    failures = []
    for server, scopes, tool, arguments, fragment in BAD_INPUT:
        result = call(network.settings, network.url(server), network.token("tester", scopes), tool, arguments)
        text = " ".join(getattr(block, "text", "") for block in result.content)
        if not result.is_error or fragment.lower() not in text.lower():
            failures.append((tool, arguments, text[:200]))
    assert failures == []
    assert _write_counts(network.settings) == before
    assert {tool for _, _, tool, _, _ in BAD_INPUT} >= {
        "askCampaignPerformance",
        "campaignPerformance",
        "topCampaigns",
        "campaignFunnel",
        "proposalStatus",
        "proposeCampaign",
        "approveProposal",
        "createCampaign",
        "campaignResults",
        "negativeSentimentReport",
        "registerLead",
        "leadTimeline",
        "campaignSales",
        "client360",
        "prepareLeadCapture",
    }

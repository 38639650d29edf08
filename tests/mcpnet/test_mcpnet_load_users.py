"""The load benchmark's Locust user classes (bench/load, issue 20) against the real MCP servers for a few seconds:
each speaks MCP over streamable HTTP + TLS with its own OAuth client's token, every call is answered without an
error, and the audit holds one row per tool call (no timing is asserted)."""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import signal
import ssl
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from mcpnet_helpers import eventually

from crm_probe_clients import remove_clients
from promptsales.db.connect import connect

LOAD = Path(__file__).resolve().parents[2] / "bench" / "load"
sys.path.insert(0, str(LOAD))
from plan import TOOLS, write_plan  # noqa: E402
from run import audit_rows, cache_counters, served_calls  # noqa: E402


def _locust(plan: Path, out: Path, user_class: str, users: int, seconds: int, pace: float) -> dict[str, dict]:
    """Run Locust headless on ``user_class``; its CSV rows by request name, and its failures."""
    env = dict(os.environ, PROMPTSALES_LOAD_PLAN=str(plan), PROMPTSALES_LOAD_PACE=str(pace))
    prefix = out / user_class
    command = [sys.executable, "-m", "locust", "-f", str(LOAD / "locustfile.py"), user_class, "--headless"]
    command += [
        "-u",
        str(users),
        "-r",
        str(users),
        "-t",
        f"{seconds}s",
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "20",
        "--exit-code-on-error",
        "0",
    ]
    locust = subprocess.Popen(command, env=env, cwd=LOAD, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        stdout, stderr = locust.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        locust.send_signal(signal.SIGUSR1)  # the locustfile prints every greenlet's stack: what it waits on
        with contextlib.suppress(subprocess.TimeoutExpired):
            locust.wait(timeout=3)
        locust.kill()
        stdout, stderr = locust.communicate()
        pytest.fail(f"Locust did not exit within 120 s of a {seconds} s run; its greenlets:\n{stderr[-12000:]}")
    assert locust.returncode == 0, stdout[-2000:] + stderr[-2000:]
    with open(f"{prefix}_stats.csv") as handle:
        stats = {row["Name"]: row for row in csv.DictReader(handle)}
    with open(f"{prefix}_failures.csv") as handle:
        failures = list(csv.DictReader(handle))
    return {"stats": stats, "failures": failures}


@pytest.fixture(scope="module", autouse=True)
def _agents_clients_removed(network):
    """The agents' registerLead calls add clients to the shared PromptCRM; they are removed after the module."""
    yield
    with connect("crm", "owner", settings=network.settings) as conn:
        found = conn.execute("SELECT client_id FROM crm.clients WHERE email LIKE %s", ("load.%@example.com",))
        remove_clients(network.settings, [row[0] for row in found])


@pytest.fixture(scope="module")
def load_plan(network, tmp_path_factory) -> Path:
    """A plan with 4 agents (4 OAuth clients registered with the issuer) over the test's servers and data."""
    path = tmp_path_factory.mktemp("load") / "plan.json"
    plan = write_plan(network.settings, 4, path)
    assert len(set(plan["tokens"])) == 4 and plan["keys"]["campaign_ids"] and plan["keys"]["client_ids"]
    return path


def test_load_user_classes_call_every_server_without_errors_and_are_audited(network, load_plan, tmp_path):
    """Mixed agents, a cached reader and a session opener, a few seconds each: calls answered, no failure
    (the agents' own clients are far below the rate limit), one audit row per tool call."""
    with connect("sales", "admin", settings=network.settings) as conn:
        since = conn.execute("SELECT extract(epoch FROM now())").fetchone()[0]
    counters = cache_counters(network.settings)
    mixed = _locust(load_plan, tmp_path, "MarketingAgent", 4, 8, 2.0)
    cached = _locust(load_plan, tmp_path, "CachedReader", 2, 3, 0)
    opened = _locust(load_plan, tmp_path, "SessionOpener", 2, 3, 0)
    assert mixed["failures"] == [], mixed["failures"]
    # A closed loop of cache hits goes over an agent's limit (100/s), and the session opener uses the same agents'
    # clients right after: those refusals are the only failures allowed.
    for failure in cached["failures"] + opened["failures"]:
        assert "rate-limited" in failure["Error"], failure
    tool_rows = {name: int(row["Request Count"]) for name, row in mixed["stats"].items() if name in TOOLS}
    assert sum(tool_rows.values()) > 0, mixed["stats"]
    for server in ("sales", "ads", "crm", "content"):
        assert int(mixed["stats"][f"initialize {server}"]["Request Count"]) == 4
    assert int(cached["stats"]["topCampaigns"]["Request Count"]) > 0
    opened_sessions = int(opened["stats"]["initialize sales"]["Request Count"])
    assert opened_sessions > 0
    assert opened_sessions - 2 <= int(opened["stats"]["close sales"]["Request Count"]) <= opened_sessions
    counted = sum(tool_rows.values()) + sum(
        int(row["Request Count"]) for run in (cached, opened) for name, row in run["stats"].items() if name in TOOLS
    )
    # Every call the servers served (the agents', and PromptSales' own calls for a proposal) took one rate-limit
    # token and has one audit row; Locust's own totals may miss calls still in flight when it stopped.
    served = served_calls(counters, cache_counters(network.settings))
    assert served >= counted > 0
    assert eventually(lambda: audit_rows(network.settings, float(since)), served, timeout=20) == served


def _mcp_client(plan: dict, timeout: httpx.Timeout | float = 60) -> httpx.Client:
    context = ssl.create_default_context(cafile=plan["ca"])
    return httpx.Client(verify=context, timeout=timeout)


def _open_sales_session(http: httpx.Client, plan: dict, token: str) -> dict[str, str]:
    """Headers of an initialised MCP session on the sales server (raw JSON-RPC, as the load users speak it)."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    params = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "accounting", "version": "1"}}
    answer = http.post(
        plan["servers"]["sales"],
        json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    headers["MCP-Protocol-Version"] = answer.json()["result"]["protocolVersion"]
    if answer.headers.get("mcp-session-id"):
        headers["mcp-session-id"] = answer.headers["mcp-session-id"]
    note = http.post(
        plan["servers"]["sales"], json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers
    )
    assert note.status_code == 202, note.text
    return headers


#: JSON-RPC ids, unique within the session: the server routes each answer to the request of the same id, so two
#: requests in flight with one id (the burst below runs 8 at once) would leave one of them unanswered.
_REQUEST_IDS = itertools.count(1)


def _call(http: httpx.Client, plan: dict, headers: dict[str, str], tool: str, arguments: dict) -> dict:
    params = {"name": tool, "arguments": arguments}
    payload = {"jsonrpc": "2.0", "id": next(_REQUEST_IDS), "method": "tools/call", "params": params}
    answer = http.post(plan["servers"]["sales"], json=payload, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def test_audit_rows_equal_calls_served_with_refusals_hits_misses_and_cut_off_clients(network, load_plan):
    """Issue 20's "audit rows = calls", exactly: one agent's cache misses and hits, a burst past its rate limit
    (refused calls are audited too) and clients that hang up before the answer — every call that took a rate-limit
    token (the benchmark's "calls served") has one audit row, and no row is written without one."""
    plan = json.loads(load_plan.read_text())
    with connect("sales", "admin", settings=network.settings) as conn:
        since = conn.execute("SELECT extract(epoch FROM now())").fetchone()[0]
    counters = cache_counters(network.settings)
    token = plan["tokens"][-1]
    rankings = [tuple(r) for r in plan["keys"]["rankings"]]
    with _mcp_client(plan) as http:
        headers = _open_sales_session(http, plan, token)
        # Misses, then hits of the same arguments (fast path), and a question (the SDK's path).
        unseen = [(metric, period, n) for (metric, period, _), n in zip(rankings[:3], (7, 8, 9), strict=True)]
        for metric, period, n in unseen * 2:  # n = 7, 8, 9: keys the load users never ask for
            result = _call(
                http, plan, headers, "topCampaigns", {"metric": metric, "period": period, "n": n, "chart": False}
            )
            assert not result.get("isError"), result
        question = plan["keys"]["question_templates"][0].format(name=plan["keys"]["campaign_names"][0])
        _call(http, plan, headers, "askCampaignPerformance", {"question": question, "chart": False})
        # A burst from 8 threads until the limiter has refused some calls (100/s, burst 200): bounded by count.
        refused = 0

        def burst(_: int) -> bool:
            metric, period, n = rankings[0]
            result = _call(
                http, plan, headers, "topCampaigns", {"metric": metric, "period": period, "n": n, "chart": False}
            )
            return bool(result.get("isError"))

        with ThreadPoolExecutor(8) as pool:
            for _ in range(20):
                refused += sum(pool.map(burst, range(100)))
                if refused >= 5:
                    break
        assert refused >= 5
    # Clients that hang up right after sending: on the fast path (a hit) and on the SDK's (a question).
    for tool, arguments in [
        ("topCampaigns", {"metric": rankings[0][0], "period": rankings[0][1], "n": rankings[0][2], "chart": False}),
        ("askCampaignPerformance", {"question": question, "chart": False}),
    ] * 3:
        with _mcp_client(plan, httpx.Timeout(60, read=0.001)) as cut:
            with contextlib.suppress(httpx.TimeoutException):
                _call(cut, plan, headers, tool, arguments)
    after = cache_counters(network.settings)
    assert after.get("hits", 0) > counters.get("hits", 0) and after.get("misses", 0) > counters.get("misses", 0)
    assert after.get("rate_limited", 0) - counters.get("rate_limited", 0) >= refused

    def unaccounted() -> tuple[int, int]:
        served = served_calls(counters, cache_counters(network.settings))
        return audit_rows(network.settings, float(since)) - served, served

    # Rows are written in the background (and a hung-up call may still be running): poll until they match.
    eventually(lambda: unaccounted()[0], 0, timeout=30)
    difference, served = unaccounted()
    assert difference == 0, f"{served} calls served, {served + difference} audit rows"
    assert served >= 6 + 1 + 100 + refused

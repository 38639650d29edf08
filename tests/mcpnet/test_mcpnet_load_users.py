"""The load benchmark's Locust user classes (bench/load, issue 20) against the real MCP servers for a few seconds:
each speaks MCP over streamable HTTP + TLS with its own OAuth client's token, every call is answered without an
error, and the audit holds one row per tool call (no timing is asserted)."""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import subprocess
import sys
from pathlib import Path

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

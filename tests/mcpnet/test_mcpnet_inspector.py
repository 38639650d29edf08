"""The official MCP Inspector (npm ``@modelcontextprotocol/inspector``, the release pinned in
``promptsales.commands.mcp_config.INSPECTOR``) against the sales server over HTTPS + OAuth (issue 19): its CLI
lists tools, prompts, resources and resource templates, renders a prompt and calls a tool that answers with a
chart; its connection CLI ``mcpdo`` (same package; the ``--cli`` entry has no completion method) completes a
prompt argument and a resource-template variable. Node.js/npx is required: without it this test fails."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

from promptsales.commands.mcp_config import INSPECTOR
from promptsales.runtime.tls import ensure_tls

TIMEOUT = 240  # the first run downloads the package into npm's cache


@pytest.fixture(scope="module")
def inspector(network, tmp_path_factory):
    """(run(args) → parsed JSON, sales URL, token) for the Inspector's CLIs with the local CA trusted."""
    npx = shutil.which("npx")
    assert npx, "npx (Node.js with npm) is required for the MCP Inspector test; .ci/run installs nodejs and npm"
    home = tmp_path_factory.mktemp("inspector")
    env = {
        **os.environ,
        "NODE_EXTRA_CA_CERTS": str(ensure_tls(network.settings).ca_cert),
        "MCP_INSPECTOR_SECRET_STORE": "memory",  # the bearer header is never written to disk
        "MCP_CATALOG_PATH": str(home / "catalog.json"),
        "MCP_CLIENT_CONFIG_PATH": str(home / "client.json"),
        "npm_config_update_notifier": "false",
    }

    def run(*args: str, package_bin: str | None = None) -> dict:
        command = [npx, "-y", INSPECTOR] if package_bin is None else [npx, "-y", "-p", INSPECTOR, package_bin]
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL
        )
        assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
        return json.loads(done.stdout) if done.stdout.strip().startswith("{") else {"text": done.stdout}

    url = network.url("sales")
    token = network.token("inspector", ["sales:read"])
    yield run, url, token, env


def test_mcpnet_inspector_cli_lists_and_calls(inspector):
    """tools/list (with annotations), prompts/list, prompts/get, resources/list, resources/templates/list and a
    tools/call that returns the chart image, all through the Inspector's CLI."""
    run, url, token, _ = inspector
    base = ["--cli", "-q", "--format", "json", "--transport", "http", "--server-url", url]
    base += ["--header", f"Authorization: Bearer {token}"]
    tools = run(*base, "--method", "tools/list")["result"]["tools"]
    assert {"askCampaignPerformance", "topCampaigns", "campaignFunnel", "proposeCampaign"} <= {t["name"] for t in tools}
    assert all(
        {"readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"} <= set(t["annotations"]) for t in tools
    )
    prompts = run(*base, "--method", "prompts/list")["result"]["prompts"]
    assert {p["name"] for p in prompts} == {
        "weekly_performance_review",
        "explain_campaign_drop",
        "plan_campaign_for_product",
    }
    rendered = run(
        *base,
        "--method",
        "prompts/get",
        "--prompt-name",
        "explain_campaign_drop",
        "--prompt-args",
        "campaign=Año Nuevo",
    )
    assert "Año Nuevo" in rendered["result"]["messages"][0]["content"]["text"]
    resources = run(*base, "--method", "resources/list")["result"]["resources"]
    assert {r["uri"] for r in resources} == {"promptsales://sales/metrics", "promptsales://sales/warehouse-schema"}
    templates = run(*base, "--method", "resources/templates/list")["result"]["resourceTemplates"]
    assert "promptsales://sales/campaigns/{campaign}" in {t["uriTemplate"] for t in templates}
    call = run(
        *base, "--method", "tools/call", "--tool-name", "topCampaigns", "--tool-args-json", '{"metric": "roi", "n": 5}'
    )
    assert [block["type"] for block in call["result"]["content"]] == ["text", "image"]


def test_mcpnet_inspector_completes_arguments(inspector):
    """The Inspector's connection CLI completes an accentless campaign fragment and a metric-id prefix."""
    run, url, token, env = inspector
    private = run("private", package_bin="mcpdo")["text"]  # a private, token-gated daemon for this test
    for line in private.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value.strip("'\"")
    connection = ["--format", "json", "--connection", "sales"]
    try:
        run(
            *connection,
            "connect",
            "--transport",
            "http",
            "--server-url",
            url,
            "--header",
            f"Authorization: Bearer {token}",
            package_bin="mcpdo",
        )
        campaigns = run(
            *connection,
            "prompts/complete",
            "--complete-ref-type", "ref/prompt",
            "--complete-ref", "explain_campaign_drop",
            "--complete-arg-name", "campaign",
            "--complete-arg-value", "ano nuevo",
            package_bin="mcpdo",
        )  # fmt: skip
        metrics = run(
            *connection,
            "prompts/complete",
            "--complete-ref-type", "ref/resource",
            "--complete-ref", "promptsales://sales/metrics/{metric}",
            "--complete-arg-name", "metric",
            "--complete-arg-value", "sales_",
            package_bin="mcpdo",
        )  # fmt: skip
    finally:
        subprocess.run(
            [shutil.which("npx") or "npx", "-y", "-p", INSPECTOR, "mcpdo", "daemon", "stop"],
            env=env, capture_output=True, timeout=TIMEOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
    assert "Año Nuevo" in campaigns["values"][0]  # the best match first; close spellings may follow
    assert metrics["values"][0].startswith("sales_")

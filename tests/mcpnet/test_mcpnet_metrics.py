"""Prometheus metrics on ``/metrics`` of the four MCP servers and the OAuth issuer (real processes over HTTPS):
the metric names, the tool-call counter and latency histogram after a call, and the in-flight gauge — the
HPAs' concurrent-requests metric (deploy/) — rising with concurrent requests and falling back after them."""

from __future__ import annotations

import anyio
import httpx
import pytest
from mcpnet_helpers import Network, call, eventually
from prometheus_client.parser import text_string_to_metric_families

from promptsales.runtime.http_metrics import INFLIGHT_METRIC

#: One cheap read tool per server, with arguments.
READ_CALLS = {
    "ads": ("listChannels", {}),
    "crm": ("campaignSales", {"campaign_id": 1}),
    "sales": ("topCampaigns", {"metric": "roi", "period": "Q4 2025", "n": 3}),
    "content": ("getContent", {"description": "watercolor poster of headphones", "limit": 1}),
}
SCOPES = ["ads:read", "crm:read", "sales:read", "content:read"]


def base_url(network: Network, name: str) -> str:
    """``https://127.0.0.1:<port>`` of an MCP server, or of the issuer for ``issuer``."""
    if name == "issuer":
        from promptsales.auth.config import issuer_url

        return issuer_url(network.settings)
    return network.url(name).removesuffix("/mcp")


def scrape(network: Network, name: str, host: str | None = None) -> dict[tuple[str, tuple], float]:
    """Every sample of the server's ``/metrics``: (sample name, sorted labels) → value."""
    from promptsales.runtime.tls import client_ssl_context

    headers = {"Host": host} if host else {}
    response = httpx.get(
        base_url(network, name) + "/metrics", headers=headers, verify=client_ssl_context(network.settings), timeout=10
    )
    assert response.status_code == 200, response.text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def inflight(network: Network, name: str, server: str) -> float:
    """The in-flight gauge of ``server`` as the process reports it."""
    return scrape(network, name).get((INFLIGHT_METRIC, (("server", server),)), 0.0)


@pytest.mark.parametrize("name", sorted(READ_CALLS))
def test_metrics_names_and_tool_call_counters(network: Network, name: str) -> None:
    tool, arguments = READ_CALLS[name]
    labels_ok = (("outcome", "ok"), ("server", name), ("tool", tool))
    before = scrape(network, name)
    result = call(network.settings, network.url(name), network.token("portal", SCOPES), tool, arguments)
    assert not result.is_error, result.content
    after = scrape(network, name)
    names = {sample for sample, _ in after}
    assert {
        INFLIGHT_METRIC,
        "promptsales_mcp_tool_calls_total",
        "promptsales_mcp_tool_call_duration_seconds_bucket",
        "promptsales_mcp_tool_call_duration_seconds_count",
        "promptsales_cache_lookups_total",
    } <= names
    calls = ("promptsales_mcp_tool_calls_total", labels_ok)
    assert after[calls] == before.get(calls, 0.0) + 1
    count = ("promptsales_mcp_tool_call_duration_seconds_count", (("server", name), ("tool", tool)))
    assert after[count] == before.get(count, 0.0) + 1
    outcomes = {dict(labels)["outcome"] for sample, labels in after if sample == "promptsales_cache_lookups_total"}
    assert outcomes == {"hits", "misses", "coalesced", "bypass"}
    # The read tool went through the shared cache: one more lookup of some outcome in this process.
    lookups = sum(v for (s, _), v in after.items() if s == "promptsales_cache_lookups_total")
    assert lookups >= sum(v for (s, _), v in before.items() if s == "promptsales_cache_lookups_total") + 1


@pytest.mark.parametrize("name", [*sorted(READ_CALLS), "issuer"])
def test_health_and_metrics_answer_any_host_header(network: Network, name: str) -> None:
    """Kubelet probes and Prometheus address a pod by its IP: /health and /metrics answer whatever the Host."""
    from promptsales.runtime.tls import client_ssl_context

    response = httpx.get(
        base_url(network, name) + "/health",
        headers={"Host": "10.42.0.17:8443"},
        verify=client_ssl_context(network.settings),
        timeout=10,
    )
    assert response.status_code == 200
    assert scrape(network, name, host="10.42.0.17:8443")


@pytest.mark.parametrize("name", [*sorted(READ_CALLS), "issuer"])
def test_inflight_gauge_follows_concurrent_requests(network: Network, name: str) -> None:
    """N requests whose bodies are held open are N requests in flight; once released the gauge falls back."""
    from promptsales.runtime.tls import client_ssl_context

    concurrent = 5
    server = "auth-issuer" if name == "issuer" else name
    path = "/token" if name == "issuer" else "/mcp"
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    first, rest = b'{"jsonrpc": "2.0", "id": 1, ', b'"method": "ping"}'
    if name == "issuer":  # a token request: the issuer reads a form body (a JSON one is answered at once)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        first, rest = b"grant_type=client_credentials", b"&scope=ads%3Aread"
    else:
        headers["Authorization"] = f"Bearer {network.token('portal', SCOPES)}"
    baseline = inflight(network, name, server)
    release = anyio.Event()

    async def held_body():
        yield first
        await release.wait()
        yield rest

    async def requests() -> list[int]:
        statuses: list[int] = []
        async with httpx.AsyncClient(verify=client_ssl_context(network.settings), timeout=30) as client:

            async def one() -> None:
                response = await client.post(base_url(network, name) + path, content=held_body(), headers=headers)
                statuses.append(response.status_code)

            async with anyio.create_task_group() as group:
                for _ in range(concurrent):
                    group.start_soon(one)
                seen = await anyio.to_thread.run_sync(
                    lambda: eventually(lambda: inflight(network, name, server), baseline + concurrent, timeout=20)
                )
                assert seen == baseline + concurrent
                release.set()
        return statuses

    statuses = anyio.run(requests)
    assert len(statuses) == concurrent
    assert eventually(lambda: inflight(network, name, server), baseline, timeout=10) == baseline

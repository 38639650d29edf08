"""The MCP kit's Prometheus metrics, served with the HTTP ones on ``GET /metrics`` (SPEC N2).

* ``promptsales_http_inflight_requests{server}`` — MCP requests being served now, the HPA's
  concurrent-requests metric (:mod:`promptsales.runtime.http_metrics`; the kit wraps the ``/mcp`` route);
* ``promptsales_mcp_tool_calls_total{server,tool,outcome}`` — ``tools/call`` handled (``ok`` / ``error``);
* ``promptsales_mcp_tool_call_duration_seconds{server,tool}`` — their latency, as a histogram;
* ``promptsales_cache_lookups_total{outcome}`` — this process's shared-cache outcomes (``hits``, ``misses``,
  ``coalesced``, ``bypass``), read from :attr:`promptsales.cache.core.Cache.local` at scrape time.

One set per process (the default registry): building the app twice in one process (tests) reuses the series.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import REGISTRY, Counter, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from promptsales.mcpkit.toolcall import ObservedCall, ToolCallObserver

TOOL_CALLS = Counter("promptsales_mcp_tool_calls", "MCP tools/call requests handled.", ["server", "tool", "outcome"])
TOOL_LATENCY = Histogram(
    "promptsales_mcp_tool_call_duration_seconds",
    "Latency of MCP tools/call requests (seconds).",
    ["server", "tool"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0),
)


class ToolCallMetrics(ToolCallObserver):
    """MCP middleware: counts every ``tools/call`` by tool and outcome and observes its latency."""

    def __init__(self, server: str) -> None:
        self.server = server

    def observed(self, call: ObservedCall) -> None:
        """Count the call and observe its latency."""
        TOOL_LATENCY.labels(self.server, call.tool).observe(call.seconds)
        TOOL_CALLS.labels(self.server, call.tool, call.outcome).inc()


class CacheLookups(Collector):
    """The process's shared-cache outcome counters, read when Prometheus scrapes."""

    def collect(self) -> Iterator[CounterMetricFamily]:
        """One ``promptsales_cache_lookups_total`` sample per outcome this process has seen."""
        family = CounterMetricFamily(
            "promptsales_cache_lookups", "Shared-cache lookups by outcome.", labels=["outcome"]
        )
        try:
            from promptsales.cache.instances import get_cache

            counts = dict(get_cache().local)
        except Exception:  # no cache configured in this process: nothing to report
            counts = {}
        for outcome in ("hits", "misses", "coalesced", "bypass"):
            family.add_metric([outcome], counts.get(outcome, 0))
        yield family


REGISTRY.register(CacheLookups())

"""Prometheus metrics every HTTPS server of the platform serves on ``GET /metrics`` (SPEC N2).

``promptsales_http_inflight_requests{server}`` counts the requests a server is serving right now; the
Prometheus Adapter turns it into the Pods metric the HorizontalPodAutoscalers scale on ("concurrent requests",
deploy/monitoring). The MCP kit adds its tool and cache metrics to the same registry
(:mod:`promptsales.mcpkit.metrics`). One registry per process: a process serves one server.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Gauge, generate_latest
from starlette.requests import Request
from starlette.responses import Response

#: The path Prometheus scrapes.
METRICS_PATH = "/metrics"
#: The gauge the HPAs' concurrent-requests metric is built from (deploy/monitoring/adapter-config.yaml).
INFLIGHT_METRIC = "promptsales_http_inflight_requests"
#: Requests that are not work: probes and scrapes.
NOT_COUNTED = frozenset({METRICS_PATH, "/health"})

IN_FLIGHT = Gauge(INFLIGHT_METRIC, "HTTP requests being served now (probes and scrapes excluded).", ["server"])


class InFlightRequests:
    """ASGI wrapper that counts the HTTP requests of ``server`` being served (probes and scrapes excluded)."""

    def __init__(self, app: Any, server: str) -> None:
        self.app = app
        self.gauge = IN_FLIGHT.labels(server)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path") in NOT_COUNTED:
            await self.app(scope, receive, send)
            return
        self.gauge.inc()
        try:
            await self.app(scope, receive, send)
        finally:
            self.gauge.dec()


async def metrics_endpoint(_: Request) -> Response:
    """``GET /metrics``: every metric of this process in the Prometheus text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

"""Run a :class:`~promptsales.mcpkit.server.ToolKit` over stdio, or over streamable HTTP behind
OAuth 2.0 (JWKS-verified bearer JWTs, per-tool scopes) and TLS 1.3."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.auth.routes import build_resource_metadata_url
from mcp.server.auth.settings import AuthSettings
from mcp.server.transport_security import TransportSecuritySettings
from pydantic import AnyHttpUrl
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from promptsales.auth.config import audience_for, issuer_url
from promptsales.config import Settings
from promptsales.db.connect import serve_as
from promptsales.mcpkit.auth import JwksTokenVerifier, ToolScopeGuard
from promptsales.mcpkit.fastpath import CachedReads
from promptsales.mcpkit.metrics import ToolCallMetrics
from promptsales.mcpkit.server import ToolKit
from promptsales.mcpkit.settings import McpHttpSettings
from promptsales.runtime.http_metrics import METRICS_PATH, InFlightRequests, metrics_endpoint
from promptsales.runtime.https import configure_stderr_logging, serve_https
from promptsales.runtime.tls import client_ssl_context

MCP_PATH = "/mcp"


def serve_stdio(kit: ToolKit) -> None:
    """Serve on stdin/stdout (logs on stderr); local trust: the caller is the local user. The process connects to
    the databases with the server's least-privilege roles only (:func:`promptsales.db.connect.serve_as`)."""
    configure_stderr_logging()
    serve_as(kit.name)
    kit.build().run("stdio")


def http_app(kit: ToolKit, settings: Settings, host: str, port: int) -> Starlette:
    """The streamable-HTTP ASGI app of ``kit`` as an OAuth 2.0 resource server."""
    issuer = issuer_url(settings)
    audience = audience_for(kit.name)
    addressing = McpHttpSettings()
    resource_url = addressing.public_url or f"https://{host}:{port}{MCP_PATH}"
    verifier = JwksTokenVerifier(issuer, audience, client_ssl_context(settings))
    server = kit.build(
        token_verifier=verifier,
        auth=AuthSettings(issuer_url=issuer, resource_server_url=resource_url, validate_token_resource=False),
    )

    @server.custom_route("/health", methods=["GET"])
    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "server": kit.name, "tools": sorted(kit.tools)})

    server.custom_route(METRICS_PATH, methods=["GET"])(metrics_endpoint)  # Prometheus (deploy/: the HPA's metric)
    server.middleware.append(ToolCallMetrics(kit.name))
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*", *addressing.allowed_hosts],
        allowed_origins=["https://127.0.0.1:*", "https://localhost:*", "https://[::1]:*"]
        + [f"https://{allowed}" for allowed in addressing.allowed_hosts],
    )
    # One JSON body per call, no SSE stream (docs/decisions.md D93); stateless with several workers: a session
    # lives in one process and a client's next connection may reach another (D129).
    stateless = addressing.stateless or addressing.workers > 1
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security,
        host=host,
        json_response=True,
        stateless_http=stateless,
    )
    if kit.start_hooks:
        app.router.lifespan_context = _starting_with(kit.start_hooks, app.router.lifespan_context)
    metadata_url = str(build_resource_metadata_url(AnyHttpUrl(resource_url)))
    for route in app.routes:
        if isinstance(route, Route) and route.path == MCP_PATH:
            served = CachedReads(route.app, kit, server, security, stateless) if addressing.fast_path else route.app
            guarded = ToolScopeGuard(served, kit.tool_scopes(), metadata_url, kit.name)
            route.app = InFlightRequests(guarded, kit.name)
    return app


def serve_http(kit: ToolKit, settings: Settings, host: str, port: int) -> None:
    """Serve ``kit`` on ``https://host:port/mcp`` until stopped, connected to the databases with the server's
    least-privilege roles only (:func:`promptsales.db.connect.serve_as`)."""
    configure_stderr_logging()
    serve_as(kit.name)
    serve_https(http_app(kit, settings, host, port), settings, host, port, workers=McpHttpSettings().workers)


def _starting_with(hooks: list[Callable[[], None]], lifespan: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``lifespan`` preceded by ``hooks``, run in a worker thread: uvicorn runs the lifespan in every worker
    process before that process accepts a connection (the others keep accepting meanwhile)."""

    @contextlib.asynccontextmanager
    async def starting(app: Any):
        for hook in hooks:
            await anyio.to_thread.run_sync(hook)
        async with lifespan(app) as state:
            yield state

    return starting

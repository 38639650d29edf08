"""Helpers for tests and benchmarks of MCP servers: start the issuer and a server over HTTPS, open
client sessions over stdio or HTTPS (real transports, real tokens)."""

from __future__ import annotations

import os
import ssl
import sys
from contextlib import asynccontextmanager

import httpx2
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client

from promptsales.auth.config import issuer_url
from promptsales.auth.issuer import request_token
from promptsales.config import Settings
from promptsales.runtime.https_service import HttpsProcessService
from promptsales.runtime.tls import ensure_tls
from promptsales.wiring import issuer_service, mcp_service


def start_https_server(settings: Settings, name: str) -> tuple[HttpsProcessService, HttpsProcessService]:
    """Start (if needed) the local issuer and the HTTPS MCP server ``name``; returns both services."""
    issuer = issuer_service(settings)
    issuer.start()
    server = mcp_service(settings, name)
    server.start()
    return issuer, server


def token_for(settings: Settings, client_id: str, scopes: list[str] | None = None) -> str:
    """A real access token from the running local issuer (client-credentials grant)."""
    return request_token(settings, client_id, scopes or [], issuer_url(settings))["access_token"]


def ca_context(settings: Settings) -> ssl.SSLContext:
    """A client SSL context trusting the local CA."""
    return ssl.create_default_context(cafile=str(ensure_tls(settings).ca_cert))


@asynccontextmanager
async def https_session(settings: Settings, url: str, token: str):
    """An initialised MCP client session over streamable HTTP + TLS with a bearer token."""
    async with httpx2.AsyncClient(
        verify=ca_context(settings), headers={"Authorization": f"Bearer {token}"}, timeout=120
    ) as http:
        async with streamable_http_client(url.rstrip("/") + "/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


@asynccontextmanager
async def stdio_session(settings: Settings, name: str, extra_env: dict[str, str] | None = None):
    """Spawn ``promptsales mcp serve NAME --transport stdio`` and open an initialised session."""
    env = {k: v for k, v in os.environ.items() if k.startswith("PROMPTSALES_") or k in ("PATH", "HOME", "PYTHONPATH")}
    env["PROMPTSALES_DATA_DIR"] = str(settings.data_path)
    env.update(extra_env or {})
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "promptsales.cli", "mcp", "serve", name, "--transport", "stdio"], env=env
    )
    (settings.data_path / "logs").mkdir(parents=True, exist_ok=True)
    with open(settings.data_path / "logs" / f"stdio-{name}.log", "a") as errlog:
        async with stdio_client(params, errlog=errlog) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session

"""Helpers of the MCP-layer cache tests and benchmark: serve a ToolKit over HTTPS in a thread, with the
real local OAuth issuer, and keep one MCP client session open per OAuth client."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager

import httpx2
import uvicorn
from mcp.client.session import ClientSession
from mcp.client.streamable_http import streamable_http_client

from promptsales.config import Settings
from promptsales.mcpkit.runner import MCP_PATH, http_app
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.tls import client_ssl_context, ensure_tls, server_ssl_context


def start_issuer(settings: Settings) -> bool:
    """Start the local OAuth issuer (if not already running); True when this call started it."""
    from promptsales.wiring import issuer_service

    return issuer_service(settings).start()


def stop_issuer(settings: Settings) -> None:
    """Stop the local OAuth issuer."""
    from promptsales.wiring import issuer_service

    issuer_service(settings).stop()


@contextmanager
def issuer_running(settings: Settings) -> Iterator[None]:
    """The local OAuth issuer for the block: stopped afterwards if the block started it, and the audit
    rows written meanwhile flushed (no idle session is left on a database other tests copy)."""
    from promptsales.db.logwriter import LOG_WRITER

    started = start_issuer(settings)
    try:
        yield
    finally:
        if started:
            stop_issuer(settings)
        LOG_WRITER.flush()


class ThreadedHttpsServer:
    """A kit's streamable-HTTP app on https://127.0.0.1:<port>/mcp, served by uvicorn in a thread."""

    def __init__(self, kit, settings: Settings) -> None:
        self.port = reuse_or_pick(None)
        files = ensure_tls(settings)
        app = http_app(kit, settings, "127.0.0.1", self.port)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            log_config=None,
            ssl_certfile=str(files.server_cert),
            ssl_keyfile=str(files.server_key),
            ssl_context_factory=lambda _c, _d: server_ssl_context(files),
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"https://127.0.0.1:{self.port}{MCP_PATH}"

    def __enter__(self) -> ThreadedHttpsServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test MCP server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


class McpSession:
    """An open MCP session over HTTPS with a bearer token (reuse it for many calls)."""

    def __init__(self, url: str, token: str, settings: Settings) -> None:
        self.url, self.token, self.settings = url, token, settings
        self.stack = AsyncExitStack()
        self.session: ClientSession | None = None

    async def __aenter__(self) -> McpSession:
        http = await self.stack.enter_async_context(
            httpx2.AsyncClient(
                headers={"Authorization": f"Bearer {self.token}"},
                verify=client_ssl_context(self.settings),
                timeout=httpx2.Timeout(30.0, read=60.0),
            )
        )
        read, write = await self.stack.enter_async_context(streamable_http_client(self.url, http_client=http))
        self.session = await self.stack.enter_async_context(ClientSession(read, write))
        await self.session.initialize()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.stack.aclose()

    async def call(self, tool: str, **arguments):
        """``(ok, structured content or error text)`` of one tool call."""
        result = await self.session.call_tool(tool, arguments)
        if result.is_error:
            return False, "".join(getattr(block, "text", "") for block in result.content)
        return True, result.structured_content


def token_for(settings: Settings, client_id: str, scopes: list[str]) -> str:
    """A real client-credentials token from the local issuer."""
    from promptsales.auth.config import issuer_url
    from promptsales.auth.issuer import request_token

    return request_token(settings, client_id, scopes, issuer_url(settings))["access_token"]


def run(coroutine):
    """Run a coroutine to completion from synchronous test code."""
    return asyncio.run(coroutine)

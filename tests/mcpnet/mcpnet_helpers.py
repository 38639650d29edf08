"""Helpers of the MCP-network tests: start MCP servers over HTTPS, mint tokens, call tools."""

from __future__ import annotations

import sys

import httpx

from promptsales.config import Settings

#: MCP server name → module whose ``kit`` it serves.
SERVER_MODULES = {
    "content": "promptsales.content.mcp",
    "ads": "promptsales.ads.mcp",
    "crm": "promptsales.crm.mcp",
    "sales": "promptsales.sales.mcp",
}
SERVE = (
    "import sys; from importlib import import_module; from promptsales.config import get_settings; "
    "from promptsales.mcpkit.runner import serve_http; "
    "serve_http(import_module(sys.argv[1]).kit, get_settings(), '127.0.0.1', int(sys.argv[2]))"
)


class Network:
    """The running issuer and MCP servers of the test session, and tokens for them."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.pids: dict[str, int] = {}

    def url(self, name: str) -> str:
        from promptsales.runtime.state import StateFile

        return f"https://127.0.0.1:{StateFile(self.settings.data_path).get(f'mcp-{name}')['port']}/mcp"

    def start(self, name: str) -> None:
        """Start server ``name`` (HTTPS + OAuth) and wait for its health endpoint."""
        from promptsales.runtime.ports import reuse_or_pick
        from promptsales.runtime.processes import pid_alive, spawn_detached, wait_until
        from promptsales.runtime.state import StateFile
        from promptsales.runtime.tls import client_ssl_context

        state = StateFile(self.settings.data_path)
        record = state.get(f"mcp-{name}")
        context = client_ssl_context(self.settings)

        def healthy(port: int) -> bool:
            try:
                return httpx.get(f"https://127.0.0.1:{port}/health", verify=context, timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        if name not in self.pids and pid_alive(record.get("pid")) and record.get("port") and healthy(record["port"]):
            return  # already served (e.g. by `promptsales up` or another test module): reuse, never stop it
        port = reuse_or_pick(record.get("port"))
        log = self.settings.data_path / "logs" / f"mcp-{name}.log"
        pid = spawn_detached([sys.executable, "-c", SERVE, SERVER_MODULES[name], str(port)], log)
        state.update(f"mcp-{name}", pid=pid, port=port)
        self.pids[name] = pid
        assert wait_until(lambda: healthy(port), timeout=90, interval=0.3), log.read_text()[-3000:]

    def stop(self, name: str) -> None:
        """Stop server ``name`` — whoever started it: a server reused from `up` or another module is stopped
        too, so a test that needs the server down really has it down."""
        from promptsales.runtime.processes import terminate
        from promptsales.runtime.state import StateFile

        terminate(self.pids.pop(name, None))
        terminate(StateFile(self.settings.data_path).get(f"mcp-{name}").get("pid"))

    def token(self, client_id: str, scopes: list[str], audience: str | list[str] | None = None, ttl: int = 600) -> str:
        """An access token signed by the issuer's key (audience: the servers of the scopes by default)."""
        from promptsales.auth.config import issuer_url
        from promptsales.auth.keys import issuer_key, mint_token

        return mint_token(
            issuer_key(self.settings), issuer_url(self.settings), client_id, scopes, ttl, audience=audience
        )


def rpc_call(url: str, token: str | None, tool: str, arguments: dict, settings: Settings) -> httpx.Response:
    """A bare ``tools/call`` POST (for the HTTP status checks that happen before the MCP session)."""
    from promptsales.runtime.tls import client_ssl_context

    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}
    return httpx.post(url, json=body, headers=headers, verify=client_ssl_context(settings), timeout=30)


def call(settings: Settings, url: str, token: str, tool: str, arguments: dict):
    """Call a tool over a real MCP session (streamable HTTP over TLS); returns the CallToolResult."""
    import anyio

    from promptsales.testing import https_session

    async def run():
        async with https_session(settings, url.removesuffix("/mcp"), token) as session:
            return await session.call_tool(tool, arguments)

    return anyio.run(run)


def eventually(read, expected, timeout: float = 10.0):
    """Poll ``read()`` until it returns ``expected`` (audit and AI-usage rows are written in the background)."""
    import time

    deadline = time.monotonic() + timeout
    value = read()
    while value != expected and time.monotonic() < deadline:
        time.sleep(0.2)
        value = read()
    return value

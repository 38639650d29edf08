"""Ready MCP client configurations (``promptsales mcp config claude|inspector|json``).

* stdio (local use): each server is a command, ``promptsales mcp serve NAME --transport stdio``, with the data
  directory in its environment.
* https: each server is ``promptsales mcp bridge NAME --client ID``, which talks to the running HTTPS server,
  trusts the local CA and obtains (and renews) tokens from the OAuth issuer itself — so no token or secret
  is ever written into a configuration or typed on a command line.

Written files are merged into what is there (other servers are kept) and saved with mode 0600.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from promptsales.config import Settings
from promptsales.errors import UserError

#: The official MCP Inspector release the printed commands use.
INSPECTOR = "@modelcontextprotocol/inspector@2.12.0"
CLIENTS = ("claude", "inspector", "json")
TRANSPORTS = ("stdio", "https")


def promptsales_command() -> list[str]:
    """How a client launches this installation's CLI: the ``promptsales`` script next to this Python (absolute,
    since desktop clients do not inherit the shell's PATH), else ``python -m promptsales.cli``."""
    script = Path(sys.executable).with_name("promptsales")
    found = str(script) if script.exists() else shutil.which("promptsales")
    return [found] if found else [sys.executable, "-m", "promptsales.cli"]


def server_entry(settings: Settings, name: str, transport: str, client_id: str) -> dict[str, Any]:
    """One ``mcpServers`` entry: the command a client runs for server ``name``."""
    command = promptsales_command()
    args = (
        ["mcp", "serve", name, "--transport", "stdio"]
        if transport == "stdio"
        else ["mcp", "bridge", name, "--client", client_id]
    )
    return {
        "command": command[0],
        "args": [*command[1:], *args],
        "env": {"PROMPTSALES_DATA_DIR": str(settings.data_path.resolve())},
    }


def mcp_servers(settings: Settings, names: list[str], transport: str, client_id: str) -> dict[str, Any]:
    """The ``{"mcpServers": {...}}`` document (Claude Desktop's format, read by most MCP clients)."""
    if transport not in TRANSPORTS:
        raise UserError(f"Unknown transport {transport!r}; expected stdio or https.")
    return {"mcpServers": {f"promptsales-{n}": server_entry(settings, n, transport, client_id) for n in names}}


def claude_desktop_path() -> Path:
    """Where Claude Desktop reads its configuration on this operating system."""
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "Claude" / "claude_desktop_config.json"
    return Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config")) / "Claude" / "claude_desktop_config.json"


def default_path(settings: Settings, client: str) -> Path:
    """Where ``--write`` saves the configuration of ``client``."""
    if client == "claude":
        return claude_desktop_path()
    if client == "inspector":
        return settings.data_path.resolve() / "mcp" / "inspector.json"
    return Path.cwd() / ".mcp.json"  # the project-level file of Claude Code and other clients


def merge_into(path: Path, document: dict[str, Any]) -> dict[str, Any]:
    """Write ``document``'s servers into the JSON file at ``path`` (created if missing), keeping its other
    servers and settings; mode 0600. Returns what was written."""
    current: dict[str, Any] = {}
    if path.exists():
        try:
            current = json.loads(path.read_text() or "{}")
        except ValueError as error:
            raise UserError(f"{path} is not valid JSON ({error}); fix or move it first.") from None
    current.setdefault("mcpServers", {}).update(document["mcpServers"])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(current, indent=2) + "\n")
    temporary.chmod(0o600)
    temporary.replace(path)
    return current


def inspector_commands(settings: Settings, names: list[str], transport: str, client_id: str, config: Path) -> str:
    """Shell lines that open the official MCP Inspector (UI and CLI) on the servers: over stdio from the
    written config file, or over HTTPS with the CA trusted and a token fetched inside ``$(…)`` (the shell
    records the command, not the token)."""
    from promptsales.runtime.state import StateFile
    from promptsales.runtime.tls import ensure_tls

    lines = [f"# the configuration file (promptsales mcp config inspector --write): {config}"]
    for name in names:
        lines.append(f"npx -y {INSPECTOR} --config {config} --server promptsales-{name}   # UI")
        lines.append(f"npx -y {INSPECTOR} --cli --config {config} --server promptsales-{name} --method tools/list")
    if transport == "https":
        state = StateFile(settings.data_path)
        lines.append(f"export NODE_EXTRA_CA_CERTS={ensure_tls(settings).ca_cert}")
        for name in names:
            port = state.get(f"mcp-{name}").get("port")
            if not port:
                raise UserError(f"mcp-{name} is not running; start it with `promptsales up`.")
            lines.append(
                f"npx -y {INSPECTOR} --cli --transport http --server-url https://127.0.0.1:{port}/mcp "
                f'--header "Authorization: Bearer $(promptsales auth token --client {client_id} --scope {name}:read)" '
                "--method tools/list"
            )
    return "\n".join(lines)

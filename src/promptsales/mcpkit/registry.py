"""The MCP servers of the ecosystem: name → ``module:attribute`` of its :class:`ToolKit`.

Adding a server (issue 7: ads, crm, sales) is one line here plus its ``<company>/mcp.py``; the CLI
(``promptsales mcp serve NAME``), ``promptsales up`` (HTTPS service ``mcp-NAME``) and ``status`` follow.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from promptsales.errors import UserError

if TYPE_CHECKING:
    from promptsales.mcpkit.server import ToolKit

SERVERS: dict[str, str] = {
    "content": "promptsales.content.mcp:kit",
    "ads": "promptsales.ads.mcp:kit",
    "crm": "promptsales.crm.mcp:kit",
    "sales": "promptsales.sales.mcp:kit",
}


def load_kit(name: str) -> ToolKit:
    """Import the kit of server ``name``."""
    if name not in SERVERS:
        raise UserError(f"Unknown MCP server {name!r}; expected one of {', '.join(sorted(SERVERS))}.")
    module, _, attribute = SERVERS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)

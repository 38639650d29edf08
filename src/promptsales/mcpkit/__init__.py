"""The shared MCP kit: every PromptSales MCP server is a :class:`ToolKit` declared in one file.

See :mod:`promptsales.mcpkit.server` (declaring tools, the cache hook), :mod:`promptsales.mcpkit.runner`
(stdio / HTTPS + OAuth), :mod:`promptsales.audit.trail` (the audit trail) and docs/mcp.md.

The names below are imported on first use (PEP 562): ``promptsales up``/``status`` import
:mod:`promptsales.runtime.https_service` to manage the servers, and must not pay for loading the MCP SDK.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from promptsales.caller import Caller as Caller
    from promptsales.caller import current_caller as current_caller
    from promptsales.mcpkit.errors import ToolInputError as ToolInputError
    from promptsales.mcpkit.server import ToolKit as ToolKit
    from promptsales.mcpkit.server import ToolSpec as ToolSpec

_EXPORTS = {
    "Caller": "promptsales.caller",
    "ToolInputError": "promptsales.mcpkit.errors",
    "ToolKit": "promptsales.mcpkit.server",
    "ToolSpec": "promptsales.mcpkit.server",
    "current_caller": "promptsales.caller",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value

"""The shared MCP kit: every PromptSales MCP server is a :class:`ToolKit` declared in one file.

See :mod:`promptsales.mcpkit.server` (declaring tools, the cache hook), :mod:`promptsales.mcpkit.runner`
(stdio / HTTPS + OAuth), :mod:`promptsales.mcpkit.audit` (the audit trail) and docs/mcp.md.
"""

from promptsales.mcpkit.errors import ToolInputError
from promptsales.mcpkit.server import Caller, ToolKit, ToolSpec, current_caller

__all__ = ["Caller", "ToolInputError", "ToolKit", "ToolSpec", "current_caller"]

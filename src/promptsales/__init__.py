"""PromptSales: a marketing-and-sales ecosystem of independent sub-companies tied together by MCP."""

__version__ = "0.1.0"

"""Where an MCP server is reached from outside its process (env prefix ``PROMPTSALES_MCP_``).

Locally every server listens on loopback and these stay empty. In a cluster (deploy/) each server is reached
by its Service name, so its Deployment says which ``Host`` headers it answers (``allowed_hosts``; DNS
rebinding protection stays on), the URL clients see in its OAuth metadata (``public_url``), and where the
other servers are (``server_urls``: PromptSales calls PromptAds, PromptContent and PromptCRM over MCP).
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class McpHttpSettings(BaseSettings):
    """How the HTTPS MCP servers are addressed (JSON for the list and the map in the environment)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_MCP_", env_file=".env", extra="ignore")

    public_url: str | None = Field(
        default=None, description="This server's https://…/mcp URL as clients see it; default: the listen address."
    )
    allowed_hosts: list[str] = Field(
        default_factory=list, description='Extra Host headers accepted, e.g. ["mcp-ads:*"] (loopback always).'
    )
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Worker processes per HTTPS MCP server, sharing its port (docs/performance.md: one per core).",
    )
    stateless: bool = Field(
        default=False,
        description="No MCP sessions (every request stands alone); always so with several workers.",
    )
    fast_path: bool = Field(
        default=True,
        description="Answer cache hits of read tools before the SDK's per-call machinery (mcpkit/fastpath.py).",
    )
    server_urls: dict[str, str] = Field(
        default_factory=dict, description='MCP server name → its https://…/mcp URL, e.g. {"ads": "https://…/mcp"}.'
    )

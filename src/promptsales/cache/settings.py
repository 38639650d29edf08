"""Cache tunables, read from the environment with the prefix ``PROMPTSALES_CACHE_``."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class CacheSettings(BaseSettings):
    """Knobs of the cache layer; defaults are the documented design values (docs/cache.md)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_CACHE_", extra="ignore")

    enabled: bool = Field(default=True, description="False: every call computes from the source.")
    socket_timeout: float = Field(default=0.5, description="Seconds before a Redis command counts as failed.")
    retry_interval: float = Field(default=1.0, description="Seconds the breaker stays open before probing Redis.")
    lock_ttl_ms: int = Field(default=15_000, description="Lifetime of a single-flight lock.")
    rate_per_second: float = Field(default=100.0, description="Sustained MCP calls per second per OAuth client.")
    rate_burst: int = Field(default=200, description="Calls a client may make at once before being limited.")
    semantic_threshold: float = Field(
        default=0.85, description="Cosine similarity above which a paraphrase reuses an AI result."
    )
    semantic_capacity: int = Field(default=2000, description="Vectors kept per semantic-cache namespace.")

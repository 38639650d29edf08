"""Tunables of the HA profile, read from the environment with the prefix ``PROMPTSALES_HA_`` (docs/ha.md)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class HASettings(BaseSettings):
    """What trades failover time against false failovers, and how the replicated nodes are laid out."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_HA_", extra="ignore")

    postgres_nodes: int = Field(default=2, ge=2, le=5, description="Patroni-managed PostgreSQL nodes.")
    ttl: int = Field(default=20, ge=20, description="Patroni leader-key lifetime in seconds (Patroni's minimum: 20).")
    loop_wait: int = Field(default=5, ge=1, description="Seconds between two Patroni HA-loop runs.")
    retry_timeout: int = Field(default=5, ge=3, description="Seconds Patroni retries etcd and PostgreSQL.")
    sentinel_down_after_ms: int = Field(
        default=1500, ge=100, description="Milliseconds without a reply before a Sentinel calls the primary down."
    )
    sentinel_failover_timeout_ms: int = Field(default=10_000, description="Sentinel failover-timeout.")
    network: Literal["loopback", "netns"] = Field(
        default="loopback",
        description="loopback: every node on 127.0.0.1; netns: each PostgreSQL node in its own network namespace "
        "on a bridge (root only) so that a node can be cut off (the pg-partition drill).",
    )

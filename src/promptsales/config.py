"""Configuration of the whole ecosystem, read from the environment (prefix ``PROMPTSALES_``).

Every URL can point at an external server; when it does, ``promptsales up`` does not start the
embedded one and ``promptsales status`` checks the external one instead.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

Company = Literal["ads", "crm", "sales", "content"]
#: How ``up`` runs the engines: one process each, or replicated with automatic failover (docs/ha.md).
Profile = Literal["single", "ha"]

#: The PostgreSQL database that each company owns, by company key.
DATABASE_NAMES: dict[str, str] = {
    "ads": "promptads",
    "crm": "promptcrm",
    "sales": "promptsales",
    "content": "promptcontent",
}


class Settings(BaseSettings):
    """Settings for every component; see ``docs/configuration.md`` for each variable."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path(".promptsales"), description="Where embedded servers keep their data.")

    ads_database_url: str | None = Field(default=None, description="Admin URL of the PromptAds database.")
    crm_database_url: str | None = Field(default=None, description="Admin URL of the PromptCRM database.")
    sales_database_url: str | None = Field(default=None, description="Admin URL of the PromptSales database.")
    content_database_url: str | None = Field(
        default=None, description="Admin URL of the PromptContent PostgreSQL database (vector index)."
    )
    content_mongo_url: str | None = Field(default=None, description="MongoDB URL for PromptContent.")
    content_mongo_database: str = Field(default="promptcontent", description="MongoDB database name.")
    redis_url: str | None = Field(default=None, description="Redis/Valkey URL of the shared cache.")

    profile: Profile | None = Field(
        default=None,
        description="single (one process per engine) or ha (Patroni, Sentinel); unset: what the data directory "
        "was started with (`promptsales up --profile`), else single.",
    )
    ferretdb_binary: str | None = Field(default=None, description="Path to a FerretDB binary to use.")
    connect_timeout: float = Field(default=3.0, description="Seconds to wait when probing a server.")

    @property
    def data_path(self) -> Path:
        """Absolute path of the data directory."""
        return self.data_dir.expanduser().resolve()

    def external_database_url(self, company: str) -> str | None:
        """The configured admin URL of a company's PostgreSQL database, or None for the embedded one."""
        return getattr(self, f"{company}_database_url")

    def uses_embedded_postgres(self) -> bool:
        """True when at least one company database lives in the embedded cluster."""
        return any(self.external_database_url(company) is None for company in DATABASE_NAMES)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; call ``get_settings.cache_clear()`` after changing the env)."""
    return Settings()

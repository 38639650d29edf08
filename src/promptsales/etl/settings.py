"""How often the ETL runs and when its lag is worth a warning (env prefix ``PROMPTSALES_ETL_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from promptsales.etl.sensor import INTERVAL_SECONDS


class EtlSettings(BaseSettings):
    """ETL scheduling and lag settings; read where they are used (the sensor reads them at every tick)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_ETL_", env_file=".env", extra="ignore")

    interval_seconds: float = Field(
        default=INTERVAL_SECONDS, gt=0, description="Seconds between the starts of two scheduled passes (SPEC S3)."
    )
    lag_warn_seconds: float = Field(
        default=2 * INTERVAL_SECONDS,
        gt=0,
        description="Warn when a source's oldest unconsumed change, or an open transaction, is older than this.",
    )

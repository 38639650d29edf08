"""The Dagster instance directory of this installation (``<data_dir>/dagster``)."""

from __future__ import annotations

from pathlib import Path

from promptsales.config import Settings


def dagster_environment(settings: Settings) -> dict[str, str]:
    """Environment for Dagster processes: DAGSTER_HOME under the data dir, and our data dir passed on."""
    home = Path(settings.data_path) / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n")
    return {"DAGSTER_HOME": str(home), "PROMPTSALES_DATA_DIR": str(settings.data_path)}

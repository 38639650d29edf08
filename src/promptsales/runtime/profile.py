"""Which profile a data directory runs: ``single`` (one process per engine) or ``ha`` (docs/ha.md).

``PROMPTSALES_PROFILE`` (or ``promptsales up --profile``) chooses it; ``up`` records it in ``state.json`` so that
every later command and every server process of that data directory (``status``, ``down``, the MCP servers,
the ETL) uses the same engines without being told again. A data directory keeps the profile it was created
with: switching needs ``promptsales reset`` or another ``PROMPTSALES_DATA_DIR``.
"""

from __future__ import annotations

from typing import cast

from promptsales.config import Profile, Settings
from promptsales.errors import UserError
from promptsales.runtime.ha.patroni import PatroniCluster
from promptsales.runtime.ha.sentinel import ReplicatedValkey
from promptsales.runtime.postgres import EmbeddedPostgres
from promptsales.runtime.state import StateFile
from promptsales.runtime.valkey import ValkeyServer

RECORD = "profile"


def recorded_profile(settings: Settings) -> Profile | None:
    """The profile the data directory was started with, or None before its first ``up``."""
    record = StateFile(settings.data_path).get(RECORD)
    if record.get("name"):
        return cast(Profile, record["name"])
    if StateFile(settings.data_path).get("postgres").get("pgdata"):
        return "single"  # started before profiles were recorded
    return None


def active_profile(settings: Settings) -> Profile:
    """The configured profile, else the recorded one, else ``single``."""
    return settings.profile or recorded_profile(settings) or "single"


def record_profile(settings: Settings, profile: Profile) -> None:
    """Remember ``profile`` for this data directory; a UserError when it already runs the other one."""
    recorded = recorded_profile(settings)
    if recorded is not None and recorded != profile:
        raise UserError(
            f"{settings.data_path} was started with the {recorded} profile; `promptsales reset --yes` it or set "
            f"PROMPTSALES_DATA_DIR to another directory to run the {profile} profile."
        )
    StateFile(settings.data_path).update(RECORD, name=profile)


def postgres_server(settings: Settings) -> EmbeddedPostgres | PatroniCluster:
    """The local PostgreSQL of the active profile: the embedded cluster, or the Patroni-managed one."""
    return PatroniCluster(settings) if active_profile(settings) == "ha" else EmbeddedPostgres(settings)


def valkey_server(settings: Settings) -> ValkeyServer | ReplicatedValkey:
    """The shared cache's server: the replicated one of the HA profile, else the single (or external) one."""
    if active_profile(settings) == "ha" and settings.redis_url is None:
        return ReplicatedValkey(settings)
    return ValkeyServer(settings)

"""The HA ecosystem of the failover tests: etcd ×3, PostgreSQL ×2 under Patroni (each node in its own network
namespace when the tests run as root, so that a node can be cut off), FerretDB on it, Valkey + replica +
3 Sentinels, migrated, PromptAds, PromptCRM and PromptSales seeded at small scale, with the OAuth issuer and
PromptAds' MCP server over HTTPS.

It lives in its own data directory with an explicit :class:`Settings`; the environment is switched only while
processes are launched (they read their data directory from it), so the single-node session of the other
tests is never touched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ci_skip import skip_or_fail_in_ci
from promptsales.config import Settings, get_settings
from promptsales.db.migrate import migrate_all
from promptsales.runtime import manager
from promptsales.runtime.ha import network
from promptsales.runtime.ha.patroni import patroni_available
from promptsales.runtime.profile import record_profile
from promptsales.seed import seed_all
from promptsales.testing import start_https_server
from promptsales.wiring import issuer_service, mcp_service

#: Quicker than the defaults (docs/ha.md "Tuning"): Patroni's minimum ttl, a 1-second loop, 1 s for Sentinel.
FAST_FAILOVER = {
    "PROMPTSALES_HA_TTL": "20",
    "PROMPTSALES_HA_LOOP_WAIT": "1",
    "PROMPTSALES_HA_RETRY_TIMEOUT": "3",
    "PROMPTSALES_HA_SENTINEL_DOWN_AFTER_MS": "1000",
}


def _missing() -> str | None:
    if shutil.which("etcd") is None:
        return "etcd is not installed (apt-get install etcd-server)"
    if not patroni_available():
        return "Patroni is not installed (pip install 'patroni[etcd3,psycopg3]')"
    return None


@contextmanager
def ha_environment(settings: Settings, network_mode: str) -> Iterator[None]:
    """The environment of the HA data directory, for launching its processes; the previous one is restored."""
    saved = dict(os.environ)
    os.environ.update(
        PROMPTSALES_DATA_DIR=str(settings.data_path),
        PROMPTSALES_PROFILE="ha",
        PROMPTSALES_HA_NETWORK=network_mode,
        **FAST_FAILOVER,
    )
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        get_settings.cache_clear()


@pytest.fixture(scope="package")
def ha(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings of the running, seeded HA ecosystem."""
    if reason := _missing():
        skip_or_fail_in_ci(f"the HA tests need {reason}")
    settings = Settings(data_dir=tmp_path_factory.mktemp("ha"), profile="ha")
    network_mode = "loopback" if network.unavailable_reason() else "netns"
    extras = [issuer_service(settings), mcp_service(settings, "ads")]
    with ha_environment(settings, network_mode):
        record_profile(settings, "ha")
        try:
            manager.start_databases(settings)
            migrate_all(settings)
            seed_all(settings, "small", companies=["ads", "crm", "sales"])
            start_https_server(settings, "ads")
        except BaseException:
            manager.stop_all(settings, extras)
            raise
    try:
        yield settings
    finally:
        with ha_environment(settings, network_mode):
            manager.wipe(settings, extras)  # three PostgreSQL members: their disk goes with them

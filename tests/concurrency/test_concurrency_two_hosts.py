"""SPEC R11: a deadlock between two clients on different computers, and its fix.

The two computers are Linux network namespaces created by the test, each with its own address on its own
veth link to the machine that runs a dedicated PostgreSQL server (listening on the links' server-side
addresses). Each namespace runs the real CLI, ``promptsales lab deadlock-client --role a|b --dsn …``,
for 20 rounds per mode; the server sees the two clients connect from the two namespace addresses.
"""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from ci_skip import skip_or_fail_in_ci
from promptsales.config import Settings
from promptsales.crm.concurrency import netns
from promptsales.crm.concurrency.harness import find_leaks
from promptsales.crm.concurrency.labs import CLI_CLIENT, run_two_clients_locally
from promptsales.db.connect import role_name, role_password
from promptsales.db.migrate import migrate_company
from promptsales.runtime import manager
from promptsales.runtime.postgres import EmbeddedPostgres

ROUNDS = 20


@pytest.fixture(scope="module")
def two_hosts():
    reason = netns.unavailable_reason()
    if reason:
        skip_or_fail_in_ci(f"two-computer deadlock needs network namespaces: {reason}")
    with netns.TwoHosts() as hosts:
        yield hosts


@pytest.fixture(scope="module")
def server(two_hosts, tmp_path_factory, settings, lab_rows):
    """A dedicated cluster listening on loopback and on the two links' server-side addresses, with the
    CRM migrations and the lab rows."""
    server_settings = Settings(data_dir=tmp_path_factory.mktemp("two-hosts-server"))
    pg = EmbeddedPostgres(server_settings)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PROMPTSALES_POSTGRES_LISTEN", ",".join(["127.0.0.1", *two_hosts.server_addresses]))
        pg.start()
    try:
        migrate_company(server_settings, "crm")
        with psycopg.connect(pg.admin_conninfo("promptcrm"), autocommit=True) as admin:
            admin.execute("SET ROLE promptcrm_app")
            lab_rows(admin)
        yield server_settings, pg
    finally:
        pg.stop()
        manager.wipe(server_settings)


def _dsn(settings: Settings, pg: EmbeddedPostgres, host: str) -> str:
    return make_conninfo(
        host=host,
        port=pg.port,
        dbname="promptcrm",
        user=role_name("crm", "app"),
        password=role_password(settings, "crm", "app"),
        connect_timeout=10,
    )


def test_namespaces_are_separate_hosts(two_hosts, server):
    """From inside host a the server is reachable only through a's link: its loopback is its own."""
    _settings, pg = server
    probe = "import socket,sys\ntry:\n socket.create_connection((sys.argv[1], int(sys.argv[2])), 2)\nexcept OSError: sys.exit(3)\n"
    loopback = subprocess.run(two_hosts.command("a", [sys.executable, "-c", probe, "127.0.0.1", str(pg.port)]))
    link = subprocess.run(
        two_hosts.command("a", [sys.executable, "-c", probe, two_hosts.hosts["a"].server_address, str(pg.port)])
    )
    assert loopback.returncode == 3
    assert link.returncode == 0
    assert two_hosts.hosts["a"].address != two_hosts.hosts["b"].address


@pytest.mark.parametrize("safe", [False, True], ids=["unsafe", "safe"])
def test_deadlock_between_two_computers(two_hosts, server, safe):
    """Unsafe: every round one client is the 40P01 victim (PCC03) and the other commits. Safe (global lock
    order + retry): both commit every round. Final amounts checked every round; clients seen by the server
    at the two namespace addresses; nothing left open or locked."""
    settings, pg = server
    dsns = {role: _dsn(settings, pg, host.server_address) for role, host in two_hosts.hosts.items()}
    result, (report_a, report_b) = run_two_clients_locally(
        dsns["a"],
        safe=safe,
        rounds=ROUNDS,
        deadlock_timeout_ms=50,
        timeout=120,
        client_command=CLI_CLIENT,
        wrap=two_hosts.command,
        dsns=dsns,
    )
    expected_addresses = {role: host.address for role, host in two_hosts.hosts.items()}
    for round_a in report_a["rounds"]:
        assert round_a["addresses"] == expected_addresses
        assert round_a["final_ok"], round_a
    assert len(set(expected_addresses.values())) == 2
    assert len(report_a["rounds"]) == len(report_b["rounds"]) == ROUNDS
    assert result.final_ok, result.checks
    if safe:
        assert not result.anomaly
        assert result.facts["all_committed"]
    else:
        assert result.facts["victims"] == ROUNDS  # exactly one victim per round
        for ra, rb in zip(report_a["rounds"], report_b["rounds"]):
            assert ra["ok"] != rb["ok"]
            assert (ra["sqlstate"] or rb["sqlstate"]) == "PCC03"
    assert result.leaks == []
    with psycopg.connect(pg.admin_conninfo("promptcrm"), autocommit=True) as admin:
        assert find_leaks(admin, dbname="promptcrm") == []

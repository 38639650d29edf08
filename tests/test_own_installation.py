"""One installation of its own, brought up once for the module with a 5-second ETL interval (SPEC G3; issue
17): `up` starts the Dagster code server, webserver and daemon, whose sensor launches ETL passes with no terminal
attached; a crashed daemon is restarted by `up`; `down` stops every process and a second `up` finds the data
kept (PostgreSQL, Valkey, MongoDB protocol); a second `up` changes nothing (SPEC G1, issue 2). The checks share
one `up` from an empty directory — the slowest step — and each leaves the installation up for the others;
`reset --yes` removes it at the end."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pymongo
import pytest
import redis

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.runtime import manager
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.processes import pid_alive, wait_until
from promptsales.runtime.state import StateFile
from promptsales.runtime.valkey import ValkeyServer

DAGSTER = ("dagster-code", "dagster-webserver", "dagster-daemon")


@dataclass
class Installation:
    """The installation's data directory, the environment its CLI runs with, and its settings."""

    data_dir: Path
    env: dict[str, str]
    settings: Settings

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """The real CLI in a child process with no terminal: nothing the daemon does can depend on this process."""
        return subprocess.run(
            [sys.executable, "-m", "promptsales.cli", *args],
            capture_output=True,
            text=True,
            env=self.env,
            timeout=300,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def dagster_runs(self) -> list[tuple[int, str, str]]:
        """ETL passes the Dagster sensor launched (id, status, trigger)."""
        with connect("sales", "app", settings=self.settings) as conn:
            return conn.execute(
                "SELECT id, status, trigger FROM etl.runs WHERE trigger LIKE 'dagster:%%' ORDER BY id"
            ).fetchall()

    def leftover(self) -> list[str]:
        """Processes whose command line names the data directory."""
        return subprocess.run(["pgrep", "-f", str(self.data_dir)], capture_output=True, text=True).stdout.split()


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installation]:
    data_dir = tmp_path_factory.mktemp("own") / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
    env.update({"PROMPTSALES_DATA_DIR": str(data_dir), "PROMPTSALES_ETL_INTERVAL_SECONDS": "5"})
    installation = Installation(data_dir, env, Settings(data_dir=data_dir))
    try:
        up = installation.cli("up")
        assert up.returncode == 0, up.stderr
        assert all(f"started {name}" in up.stdout for name in DAGSTER), up.stdout
        yield installation
    finally:
        reset = installation.cli("reset", "--yes")
        assert reset.returncode == 0, reset.stderr
        assert not data_dir.exists()


def test_up_runs_the_schedule_by_itself_and_restarts_a_crashed_daemon(own: Installation) -> None:
    status = own.cli("status", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    rows = {row["name"]: row for row in json.loads(status.stdout)}
    assert all(rows[name]["healthy"] for name in (*DAGSTER, "etl-lag")), rows
    assert rows["dagster-webserver"]["url"].startswith("http://127.0.0.1:")
    assert "next backup" in rows["dagster-daemon"]["detail"]
    ui = own.cli("etl", "ui")
    assert ui.returncode == 0 and rows["dagster-webserver"]["url"] in ui.stdout

    # The sensor (interval 5 s, so evaluated every 5 s) launches passes; nobody runs `etl run`.
    assert wait_until(lambda: len(own.dagster_runs()) >= 2, timeout=150, interval=2), own.dagster_runs()
    assert [status for _, status, _ in own.dagster_runs()][:2] == ["succeeded", "succeeded"]
    detail = json.loads(own.cli("status", "--json").stdout)
    daemon = next(row for row in detail if row["name"] == "dagster-daemon")
    assert "sensor last tick" in daemon["detail"], daemon

    crashed = StateFile(own.data_dir).get("dagster-daemon")["pid"]
    os.kill(crashed, signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(crashed), timeout=10)
    again = own.cli("up")
    assert again.returncode == 0, again.stderr
    assert "started dagster-daemon" in again.stdout and "started dagster-webserver" not in again.stdout
    restarted = StateFile(own.data_dir).get("dagster-daemon")["pid"]
    assert restarted != crashed and pid_alive(restarted)


def test_down_stops_every_process_and_up_keeps_the_data(own: Installation) -> None:
    with connect("sales", "owner", settings=own.settings, autocommit=True) as conn:
        migrations = conn.execute("SELECT version, checksum FROM meta.schema_migrations ORDER BY 1").fetchall()
        assert len(migrations) >= 1
        conn.execute("CREATE TABLE portal.kept_rows (id int PRIMARY KEY, note text)")
        conn.execute("INSERT INTO portal.kept_rows VALUES (1, 'sigue aquí'), (2, 'también')")
    redis.Redis.from_url(ValkeyServer(own.settings).url).set("kept", "yes")
    with pymongo.MongoClient(MongoServer(own.settings).url) as mongo:
        mongo["keep"]["docs"].insert_one({"kept": True})

    pids = [StateFile(own.data_dir).get(name)["pid"] for name in DAGSTER]
    down = own.cli("down")
    assert down.returncode == 0 and all(name in down.stdout for name in DAGSTER), down.stdout
    assert not any(pid_alive(pid) for pid in pids)
    assert not any(row.healthy for row in manager.statuses(own.settings))
    # the processes `down` signalled may take a moment to exit: wait on the condition, with a deadline
    assert wait_until(lambda: not own.leftover(), timeout=15, interval=0.2), own.leftover()

    restarted = own.cli("up")
    assert restarted.returncode == 0, restarted.stderr
    with connect("sales", "owner", settings=own.settings) as conn:
        assert conn.execute("SELECT id, note FROM portal.kept_rows ORDER BY id").fetchall() == [
            (1, "sigue aquí"),
            (2, "también"),
        ]
        assert conn.execute("SELECT version, checksum FROM meta.schema_migrations ORDER BY 1").fetchall() == migrations
    assert redis.Redis.from_url(ValkeyServer(own.settings).url).get("kept") == b"yes"
    with pymongo.MongoClient(MongoServer(own.settings).url) as mongo:
        assert mongo["keep"]["docs"].count_documents({"kept": True}) == 1


def test_a_second_up_changes_nothing_and_status_json_reports_health(own: Installation) -> None:
    before = {row["name"]: row["pid"] for row in json.loads(own.cli("status", "--json").stdout)}
    again = own.cli("up")
    assert again.returncode == 0, again.stderr
    assert "nothing changed" in again.stdout
    assert "started" not in again.stdout and "migrated" not in again.stdout
    status = own.cli("status", "--json")
    assert status.returncode == 0, status.stderr
    reported = {row["name"]: row for row in json.loads(status.stdout)}
    assert {"postgres", "mongo", "valkey", "auth-issuer", "mcp-sales", *DAGSTER} <= set(reported)
    assert all(row["healthy"] for row in reported.values()), reported
    assert {name: row["pid"] for name, row in reported.items()} == before
    for name in ("auth-issuer", "mcp-content", "mcp-ads", "mcp-crm", "mcp-sales"):
        pid = reported[name]["pid"]
        assert os.getsid(pid) == pid, f"{name} is not detached in a session of its own"
        assert Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"promptsales "), f"{name} is not named in ps"
        assert (own.settings.data_path / "logs" / f"{name}.log").exists()

"""The schedule runs by itself (issue 17): `up` starts the Dagster code server, webserver and daemon; the
daemon's sensor launches ETL passes with no terminal attached; `status` lists them; a crashed daemon is
restarted by `up`; `down` stops them all. Runs in a data directory of its own (own servers)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.runtime.processes import pid_alive, wait_until
from promptsales.runtime.state import StateFile

DAGSTER = ("dagster-code", "dagster-webserver", "dagster-daemon")


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # no terminal: nothing the daemon does can depend on this process
    )


def _dagster_runs(settings: Settings) -> list[tuple[int, str, str]]:
    with connect("sales", "app", settings=settings) as conn:
        return conn.execute(
            "SELECT id, status, trigger FROM etl.runs WHERE trigger LIKE 'dagster:%%' ORDER BY id"
        ).fetchall()


def test_up_runs_the_schedule_by_itself_and_down_stops_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "own"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
    env.update({"PROMPTSALES_DATA_DIR": str(data_dir), "PROMPTSALES_ETL_INTERVAL_SECONDS": "5"})
    own = Settings(data_dir=data_dir)
    try:
        up = _cli(env, "up")
        assert up.returncode == 0, up.stderr
        assert all(f"started {name}" in up.stdout for name in DAGSTER), up.stdout
        status = _cli(env, "status", "--json")
        assert status.returncode == 0, status.stdout + status.stderr
        rows = {row["name"]: row for row in json.loads(status.stdout)}
        assert all(rows[name]["healthy"] for name in (*DAGSTER, "etl-lag")), rows
        assert rows["dagster-webserver"]["url"].startswith("http://127.0.0.1:")
        assert "next backup" in rows["dagster-daemon"]["detail"]
        ui = _cli(env, "etl", "ui")
        assert ui.returncode == 0 and rows["dagster-webserver"]["url"] in ui.stdout

        # The sensor (interval 5 s, so evaluated every 5 s) launches passes; nobody runs `etl run`.
        assert wait_until(lambda: len(_dagster_runs(own)) >= 2, timeout=150, interval=2), _dagster_runs(own)
        assert [status for _, status, _ in _dagster_runs(own)][:2] == ["succeeded", "succeeded"]
        detail = json.loads(_cli(env, "status", "--json").stdout)
        daemon = next(row for row in detail if row["name"] == "dagster-daemon")
        assert "sensor last tick" in daemon["detail"], daemon

        crashed = StateFile(data_dir).get("dagster-daemon")["pid"]
        os.kill(crashed, signal.SIGKILL)
        assert wait_until(lambda: not pid_alive(crashed), timeout=10)
        again = _cli(env, "up")
        assert again.returncode == 0, again.stderr
        assert "started dagster-daemon" in again.stdout and "started dagster-webserver" not in again.stdout
        restarted = StateFile(data_dir).get("dagster-daemon")["pid"]
        assert restarted != crashed and pid_alive(restarted)

        pids = [StateFile(data_dir).get(name)["pid"] for name in DAGSTER]
        down = _cli(env, "down")
        assert down.returncode == 0 and all(name in down.stdout for name in DAGSTER), down.stdout
        assert not any(pid_alive(pid) for pid in pids)

        def leftover() -> list[str]:
            return subprocess.run(["pgrep", "-f", f"{data_dir}"], capture_output=True, text=True).stdout.split()

        # the processes `down` signalled may take a moment to exit: wait on the condition, with a deadline
        assert wait_until(lambda: not leftover(), timeout=15, interval=0.2), leftover()
    finally:
        _cli(env, "reset", "--yes")

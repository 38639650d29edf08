"""The Dagster processes that run the ETL's schedule without a terminal (SPEC S3, S4; docs/etl.md "Scheduler").

``promptsales up`` starts three managed processes with the instance of ``<data_dir>/dagster`` (the one
``etl ui`` used to start by hand):

* ``dagster-code`` — the gRPC code server of :mod:`promptsales.definitions` (the daemon's and the
  webserver's one code location; runs are launched from it);
* ``dagster-webserver`` — the UI on loopback, and the GraphQL API ``status`` asks;
* ``dagster-daemon`` — evaluates the 11-minute sensor and the daily backup schedule, launches the runs.

Each runs as ``promptsales etl dagster <part>``: :func:`serve` sets the Dagster environment and calls the
Dagster command line in-process. The wiring (:mod:`promptsales.wiring`) registers them.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import entry_points
from pathlib import Path

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.etl.dagster_home import dagster_environment
from promptsales.runtime.dagster_service import format_time, port_open, scheduler_report
from promptsales.runtime.processes import wait_until
from promptsales.runtime.state import StateFile, write_atomic

#: The platform's one Dagster code location (a module name; also the location's name in the instance).
DEFINITIONS_MODULE = "promptsales.definitions"
#: Names of the managed services (and of their records in ``state.json``).
CODE_SERVER, WEBSERVER, DAEMON = "dagster-code", "dagster-webserver", "dagster-daemon"
PARTS = ("code-server", "webserver", "daemon")
#: The daemons that must beat for the schedule to run: the sensor's, the schedules', the run queue's.
REQUIRED_DAEMONS = ("SENSOR", "SCHEDULER", "QUEUED_RUN_COORDINATOR")
#: The sensor and schedule ``status`` reports.
ETL_SENSOR, BACKUP_SCHEDULE = "every_eleven_minutes", "daily_backup_schedule"


def dagster_argv(part: str, port: int) -> list[str]:
    """The ``promptsales`` arguments that run one Dagster process."""
    if part not in PARTS:
        raise UserError(f"Unknown Dagster process {part!r}; expected one of {', '.join(PARTS)}.")
    return ["etl", "dagster", part, *(["--port", str(port)] if port else [])]


def write_workspace(settings: Settings, code_port: int) -> Path:
    """``<DAGSTER_HOME>/workspace.yaml``: the one code location, served by ``dagster-code`` on ``code_port``."""
    path = Path(dagster_environment(settings)["DAGSTER_HOME"]) / "workspace.yaml"
    text = (
        "load_from:\n  - grpc_server:\n      host: 127.0.0.1\n"
        f"      port: {code_port}\n      location_name: {DEFINITIONS_MODULE}\n"
    )
    write_atomic(path, text.encode())
    return path


def _console_script(name: str):
    (script,) = entry_points(group="console_scripts", name=name)
    return script.load()


def serve(settings: Settings, part: str, port: int) -> None:
    """Run one Dagster process in this process (``promptsales etl dagster <part>``); returns when it exits."""
    os.environ.update(dagster_environment(settings))
    if part == "code-server":
        argv = ["dagster", "api", "grpc", "-m", DEFINITIONS_MODULE, "-h", "127.0.0.1", "-p", str(port)]
        argv += ["--location-name", DEFINITIONS_MODULE, "--use-python-environment-entry-point"]
    else:
        code_port = StateFile(settings.data_path).get(CODE_SERVER).get("port")
        # Started together with the code server: load the workspace only once it answers.
        if not code_port or not wait_until(lambda: port_open(code_port), timeout=120, interval=0.2):
            raise UserError(f"The Dagster code server ({CODE_SERVER}) does not answer on port {code_port}.")
        workspace = str(write_workspace(settings, code_port))
        if part == "daemon":
            argv = ["dagster-daemon", "run", "-w", workspace]
        elif part == "webserver":
            argv = ["dagster-webserver", "-w", workspace, "-h", "127.0.0.1", "-p", str(port)]
        else:
            raise UserError(f"Unknown Dagster process {part!r}; expected one of {', '.join(PARTS)}.")
    sys.argv = argv
    _console_script(argv[0])()


def webserver_url(settings: Settings) -> str:
    """``http://127.0.0.1:<port>`` of the webserver ``up`` started ('' when it never ran)."""
    port = StateFile(settings.data_path).get(WEBSERVER).get("port")
    return f"http://127.0.0.1:{port}" if port else ""


def code_server_probe(settings: Settings) -> tuple[bool, str]:
    """The code server is healthy when it accepts connections (it binds once the definitions loaded)."""
    port = StateFile(settings.data_path).get(CODE_SERVER).get("port")
    return port_open(port), f"gRPC code location {DEFINITIONS_MODULE}"


def webserver_probe(settings: Settings) -> tuple[bool, str]:
    """The webserver is healthy when it answers ``/server_info``."""
    import httpx

    url = webserver_url(settings)
    try:
        healthy = bool(url) and httpx.get(f"{url}/server_info", timeout=2.0).status_code == 200
    except httpx.HTTPError:
        healthy = False
    return healthy, "Dagster UI, loopback (`promptsales etl ui`)"


def daemon_probe(settings: Settings) -> tuple[bool, str]:
    """The daemon is healthy when its sensor, scheduler and run-queue daemons beat (asked of the webserver).

    The detail names the sensor's last tick and the next backup. Without an answering webserver the
    heartbeat cannot be read: a running process is then taken as healthy and the detail says so.
    """
    report = scheduler_report(webserver_url(settings))
    if report is None:
        return True, "heartbeat not checked (the webserver does not answer)"
    tick = report.sensor_ticks.get(ETL_SENSOR)
    if tick:
        outcome = "requested a run" if tick.get("runIds") else tick["status"].lower()
        outcome += f": {tick['skipReason']}" if tick.get("skipReason") else ""
        last = f"sensor last tick {format_time(tick['timestamp'])} {outcome}"
    else:
        last = "sensor not evaluated yet"
    backup = report.next_schedule_ticks.get(BACKUP_SCHEDULE)
    following = f"next backup {format_time(backup)}" if backup else "no backup scheduled"
    return report.daemon_healthy(*REQUIRED_DAEMONS), f"{last}; {following}"

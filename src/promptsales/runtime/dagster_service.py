"""The Dagster processes ``promptsales up`` runs: the code server, the webserver and the daemon.

Each is a ``promptsales`` subcommand forked by the preloading launcher (docs/decisions.md D5) like the MCP
servers, in a session of its own so that ``down`` stops it with every process it started (a run in
progress included). What each one runs, and with which Dagster instance, is the wiring's business
(:mod:`promptsales.wiring`); this module knows how to start, probe and stop such a process, and how to ask
the webserver's GraphQL API about the daemon, the sensors and the schedules (:func:`scheduler_report`).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.prefork import Job, launch_one
from promptsales.runtime.processes import pid_alive, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus
from promptsales.runtime.state import StateFile

#: What a probe answers: (healthy, detail shown by ``status``).
Probe = Callable[[], tuple[bool, str]]

#: How long ``up`` waits for a Dagster process to become healthy (seconds; the machine may be busy).
READY_TIMEOUT = 120.0


def port_open(port: int | None, timeout: float = 1.0) -> bool:
    """True when something accepts TCP connections on ``127.0.0.1:port``."""
    if not port:
        return False
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout):
            return True
    except OSError:
        return False


class DagsterProcessService:
    """A Dagster process run detached as ``promptsales <argv(port)>``; healthy when ``probe()`` says so.

    ``scheme`` names the protocol of its port in ``status`` ('' for a process that listens nowhere, the
    daemon: ``argv`` then gets 0).
    """

    def __init__(
        self,
        settings: Settings,
        name: str,
        argv: Callable[[int], list[str]],
        entry_point: str,
        preload: tuple[str, ...],
        probe: Probe,
        scheme: str = "http",
    ) -> None:
        self.settings = settings
        self.name = name
        self._argv = argv
        self.entry_point = entry_point
        self.preload = (entry_point.partition(":")[0], *preload)
        self._probe = probe
        self.scheme = scheme
        self.state = StateFile(settings.data_path)

    @property
    def log_path(self) -> Path:
        """Where the process writes its output."""
        return self.settings.data_path / "logs" / f"{self.name}.log"

    @property
    def port(self) -> int | None:
        """The recorded port (None for the daemon or before the first start)."""
        return self.state.get(self.name).get("port")

    @property
    def url(self) -> str:
        """``<scheme>://127.0.0.1:<port>`` ('' for a process without a port)."""
        return f"{self.scheme}://127.0.0.1:{self.port}" if self.scheme and self.port else ""

    def process_alive(self) -> bool:
        """True when the recorded process exists."""
        return pid_alive(self.state.get(self.name).get("pid"))

    def prepare_launch(self) -> Job | None:
        """Record the port and return the job to launch, or None when the process runs and is healthy."""
        if self.process_alive() and self._probe()[0]:
            return None
        self.stop()  # a process that runs but does not answer is replaced, with its children
        port = reuse_or_pick(self.port) if self.scheme else 0
        self.state.update(self.name, port=port or None, pid=None)
        return Job(self.entry_point, self._argv(port), self.log_path)

    def launched(self, pid: int) -> None:
        """Record the pid of the launched process."""
        self.state.update(self.name, pid=pid)

    def wait_ready(self, pid: int) -> None:
        """Wait until the process is healthy; stop it and fail otherwise."""
        if not wait_until(lambda: pid_alive(pid) and self._probe()[0], timeout=READY_TIMEOUT, interval=0.2):
            terminate(pid, group=True)
            raise UserError(f"{self.name} did not become healthy; see {self.log_path}")

    def start(self) -> bool:
        """Start the process unless it already runs; True when started."""
        job = self.prepare_launch()
        if job is None:
            return False
        pid = launch_one(job)
        self.launched(pid)
        self.wait_ready(pid)
        return True

    def stop(self) -> bool:
        """Stop the process and everything it started (its process group)."""
        return stop_process(self.state.get(self.name).get("pid"), group=True)

    def status(self) -> ServiceStatus:
        """Probe the process."""
        pid = self.state.get(self.name).get("pid")
        alive = pid_alive(pid)
        healthy, detail = self._probe() if alive else (False, "not running")
        return ServiceStatus(self.name, self.url, pid if alive else None, alive and healthy, detail=detail)


@dataclass
class SchedulerReport:
    """What the webserver says about the daemon and the automations of the instance."""

    daemons: dict[str, bool] = field(default_factory=dict)  # daemon type → healthy
    sensor_ticks: dict[str, dict] = field(default_factory=dict)  # sensor → last tick (timestamp, status, reason)
    next_schedule_ticks: dict[str, float] = field(default_factory=dict)  # schedule → next tick (epoch seconds)

    def daemon_healthy(self, *types: str) -> bool:
        """True when every daemon of ``types`` reports a recent heartbeat."""
        return all(self.daemons.get(kind, False) for kind in types)


SCHEDULER_QUERY = """
{ instance { daemonHealth { allDaemonStatuses { daemonType healthy } } }
  repositoriesOrError { ... on RepositoryConnection { nodes {
    sensors { name sensorState { ticks(limit: 1) { timestamp status skipReason runIds } } }
    schedules { name futureTicks(limit: 1) { results { timestamp } } }
  } } } }
"""


def scheduler_report(webserver_url: str, timeout: float = 3.0) -> SchedulerReport | None:
    """Ask the webserver's GraphQL API; None when it does not answer."""
    if not webserver_url:
        return None
    try:
        response = httpx.post(f"{webserver_url}/graphql", json={"query": SCHEDULER_QUERY}, timeout=timeout)
        data = response.json()["data"]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None
    report = SchedulerReport()
    for daemon in data["instance"]["daemonHealth"]["allDaemonStatuses"]:
        report.daemons[daemon["daemonType"]] = bool(daemon["healthy"])
    for repository in (data.get("repositoriesOrError") or {}).get("nodes", []):
        for sensor in repository["sensors"]:
            ticks = sensor["sensorState"]["ticks"]
            if ticks:
                report.sensor_ticks[sensor["name"]] = ticks[0]
        for schedule in repository["schedules"]:
            results = schedule["futureTicks"]["results"]
            if results:
                report.next_schedule_ticks[schedule["name"]] = float(results[0]["timestamp"])
    return report


def format_time(epoch: float) -> str:
    """An instant as ``YYYY-MM-DD HH:MM:SS UTC``."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

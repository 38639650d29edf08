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

import httpx

from promptsales.config import Settings
from promptsales.runtime.detached_service import DetachedProcessService

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


class DagsterProcessService(DetachedProcessService):
    """A Dagster process run detached as ``promptsales <argv(port)>``; healthy when ``probe()`` says so.

    ``scheme`` names the protocol of its port in ``status`` ('' for a process that listens nowhere, the
    daemon: ``argv`` then gets 0). Stopping it stops its process group (a run in progress included).
    """

    ready_timeout = READY_TIMEOUT
    ready_interval = 0.2
    stops_group = True

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
        super().__init__(settings, name, argv, entry_point, preload)
        self._probe = probe
        self.scheme = scheme

    def probe(self, timeout: float = 2.0) -> tuple[bool, str]:
        """What the Dagster probe answers (it bounds its own network calls)."""
        return self._probe()

    def before_launch(self) -> None:
        """Stop a process that runs but does not answer, with its children, before replacing it."""
        self.stop()


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

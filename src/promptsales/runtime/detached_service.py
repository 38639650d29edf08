"""A ``promptsales`` subcommand that ``up`` runs detached through the pre-fork launcher (docs/decisions.md D5).

The base of the HTTPS processes (:mod:`.https_service`) and the Dagster processes (:mod:`.dagster_service`):
it records the port and pid in the state file, writes the output to ``logs/<name>.log``, launches, waits until
healthy, stops and reports. A subclass says how the process is probed (:meth:`DetachedProcessService.probe`)
and what must happen before a launch.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.prefork import Job, launch_one
from promptsales.runtime.processes import pid_alive, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus
from promptsales.runtime.state import StateFile


class DetachedProcessService:
    """A process run detached as ``<entry_point> argv(port)``, with its port and pid in the state file.

    ``entry_point`` (``module:function``) is the command line that runs ``argv(port)``; ``preload`` the modules
    the pre-fork launcher imports once for every such process. ``scheme`` names the protocol of its port in
    ``status`` ('' for a process that listens nowhere: ``argv`` then gets 0).
    """

    #: The protocol of the port ('' for none).
    scheme: str = "https"
    #: How long ``wait_ready`` waits for a launched process to become healthy, and how often it probes (seconds).
    ready_timeout: float = 60.0
    ready_interval: float = 0.1
    #: True when stopping the process stops its whole process group (it starts processes of its own).
    stops_group: bool = False
    #: The ``status`` detail of a process that does not run.
    stopped_detail: str = "not running"

    def __init__(
        self,
        settings: Settings,
        name: str,
        argv: Callable[[int], list[str]],
        entry_point: str,
        preload: tuple[str, ...] = (),
    ) -> None:
        self.settings = settings
        self.name = name
        self._argv = argv
        self.entry_point = entry_point
        self.preload = (entry_point.partition(":")[0], *preload)
        self.state = StateFile(settings.data_path)

    def probe(self, timeout: float = 2.0) -> tuple[bool, str]:
        """Whether the running process is healthy, and the detail ``status`` shows; ``timeout`` bounds a network
        probe."""
        raise NotImplementedError

    def before_launch(self) -> None:
        """What must be done before a (re)launch; nothing by default."""

    @property
    def log_path(self) -> Path:
        """Where the process writes its output."""
        return self.settings.data_path / "logs" / f"{self.name}.log"

    @property
    def port(self) -> int | None:
        """The recorded port (None for a process without one, or before the first start)."""
        return self.state.get(self.name).get("port")

    @property
    def url(self) -> str:
        """``<scheme>://127.0.0.1:<port>`` ('' for a process without a port, or before the first start)."""
        return f"{self.scheme}://127.0.0.1:{self.port}" if self.scheme and self.port else ""

    def process_alive(self) -> bool:
        """True when the recorded process exists."""
        return pid_alive(self.state.get(self.name).get("pid"))

    def prepare_launch(self) -> Job | None:
        """Record the port and return the job to launch, or None when the process runs and is healthy."""
        if self.process_alive() and self.probe()[0]:
            return None
        self.before_launch()
        port = reuse_or_pick(self.port) if self.scheme else 0
        self.state.update(self.name, port=port or None, pid=None)
        return Job(self.entry_point, self._argv(port), self.log_path)

    def launched(self, pid: int) -> None:
        """Record the pid of the launched process."""
        self.state.update(self.name, pid=pid)

    def wait_ready(self, pid: int) -> None:
        """Wait until the launched process is healthy; stop it and fail otherwise."""
        ready = wait_until(
            lambda: pid_alive(pid) and self.probe(0.5)[0], timeout=self.ready_timeout, interval=self.ready_interval
        )
        if not ready:
            terminate(pid, group=self.stops_group)
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
        """Stop the process (with its process group when ``stops_group``) if it runs."""
        return stop_process(self.state.get(self.name).get("pid"), group=self.stops_group)

    def status(self) -> ServiceStatus:
        """Probe the process and report."""
        pid = self.state.get(self.name).get("pid")
        alive = pid_alive(pid)
        healthy, detail = self.probe() if alive else (False, self.stopped_detail)
        return ServiceStatus(self.name, self.url, pid if alive else None, alive and healthy, detail=detail)

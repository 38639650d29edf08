"""Managed HTTPS processes (the OAuth issuer, each MCP server) for ``promptsales up/down/status``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.prefork import Job, launch_one
from promptsales.runtime.processes import pid_alive, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus
from promptsales.runtime.state import StateFile
from promptsales.runtime.tls import client_ssl_context, ensure_tls


class HttpsProcessService:
    """A command-line subcommand run detached on a loopback HTTPS port, probed at ``health_path``.

    ``entry_point`` (``module:function``) is the command line that runs ``argv(port)``; ``preload`` the
    modules the pre-fork launcher imports once for every such process (docs/decisions.md D5).
    """

    def __init__(
        self,
        settings: Settings,
        name: str,
        argv: Callable[[int], list[str]],
        entry_point: str,
        preload: tuple[str, ...] = (),
        health_path: str = "/health",
    ) -> None:
        self.settings = settings
        self.name = name
        self._argv = argv
        self.entry_point = entry_point
        self.preload = (entry_point.partition(":")[0], *preload)
        self.health_path = health_path
        self.state = StateFile(settings.data_path)

    @property
    def log_path(self) -> Path:
        """Where the process writes its output."""
        return self.settings.data_path / "logs" / f"{self.name}.log"

    @property
    def url(self) -> str:
        """``https://127.0.0.1:<port>`` of the running process ('' when never started)."""
        port = self.state.get(self.name).get("port")
        return f"https://127.0.0.1:{port}" if port else ""

    def healthy(self, timeout: float = 2.0) -> bool:
        """True when the process answers its health endpoint over TLS 1.3."""
        if not self.url:
            return False
        try:
            response = httpx.get(self.url + self.health_path, verify=client_ssl_context(self.settings), timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def start(self) -> bool:
        """Start the process unless it already runs; True when started."""
        job = self.prepare_launch()
        if job is None:
            return False
        pid = launch_one(job)
        self.launched(pid)
        self.wait_ready(pid)
        return True

    def process_alive(self) -> bool:
        """True when the recorded process exists."""
        return pid_alive(self.state.get(self.name).get("pid"))

    def prepare_launch(self) -> Job | None:
        """Record the port and return the job to launch, or None when the process runs and is healthy."""
        record = self.state.get(self.name)
        if pid_alive(record.get("pid")) and self.healthy():
            return None
        ensure_tls(self.settings)
        port = reuse_or_pick(record.get("port"))
        self.state.update(self.name, port=port, pid=None)
        return Job(self.entry_point, self._argv(port), self.log_path)

    def launched(self, pid: int) -> None:
        """Record the pid of the launched process."""
        self.state.update(self.name, pid=pid)

    def wait_ready(self, pid: int) -> None:
        """Wait until the launched process answers its health endpoint; stop it and fail otherwise."""
        if not wait_until(lambda: pid_alive(pid) and self.healthy(0.5), timeout=60, interval=0.1):
            terminate(pid)
            raise UserError(f"{self.name} did not become healthy; see {self.log_path}")

    def stop(self) -> bool:
        """Stop the process if it runs."""
        return stop_process(self.state.get(self.name).get("pid"))

    def status(self) -> ServiceStatus:
        """Probe the health endpoint."""
        pid = self.state.get(self.name).get("pid")
        alive = pid_alive(pid)
        return ServiceStatus(
            self.name, self.url, pid if alive else None, alive and self.healthy(), detail="https, TLS 1.3"
        )

"""Managed HTTPS processes (the OAuth issuer, each MCP server) for ``promptsales up/down/status``."""

from __future__ import annotations

import sys
from collections.abc import Callable

import httpx

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus
from promptsales.runtime.state import StateFile
from promptsales.tls import client_ssl_context, ensure_tls


class HttpsProcessService:
    """A ``promptsales …`` subcommand run detached on a loopback HTTPS port, probed at ``health_path``."""

    def __init__(self, settings: Settings, name: str, argv: Callable[[int], list[str]], health_path: str = "/health") -> None:
        self.settings = settings
        self.name = name
        self._argv = argv
        self.health_path = health_path
        self.state = StateFile(settings.data_path)

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
        record = self.state.get(self.name)
        if pid_alive(record.get("pid")) and self.healthy():
            return False
        ensure_tls(self.settings)
        port = reuse_or_pick(record.get("port"))
        argv = [sys.executable, "-m", "promptsales.cli", *self._argv(port)]
        log = self.settings.data_path / "logs" / f"{self.name}.log"
        pid = spawn_detached(argv, log)
        self.state.update(self.name, pid=pid, port=port)
        if not wait_until(lambda: pid_alive(pid) and self.healthy(0.5), timeout=60, interval=0.2):
            terminate(pid)
            raise UserError(f"{self.name} did not become healthy; see {log}")
        return True

    def stop(self) -> bool:
        """Stop the process if it runs."""
        return stop_process(self.state.get(self.name).get("pid"))

    def status(self) -> ServiceStatus:
        """Probe the health endpoint."""
        pid = self.state.get(self.name).get("pid")
        alive = pid_alive(pid)
        return ServiceStatus(self.name, self.url, pid if alive else None, alive and self.healthy(), detail="https, TLS 1.3")

"""What the embedded MongoDB-protocol and Redis-protocol servers share: a server that ``up`` runs under
``<data_dir>/<name>`` on a loopback port, unless the user configured a URL of their own, in which case it is
only probed."""

from __future__ import annotations

from promptsales.config import Settings
from promptsales.errors import ServiceUnavailable, UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import StateFile


class LocalServer:
    """Base of a server process we run ourselves; subclasses say how to reach, probe and launch it."""

    #: Service name: the state-file record, the folder under the data directory, the ``status`` row.
    name: str
    #: What the server is called in messages ("MongoDB"), and the setting a user sets to bring their own.
    label: str
    url_setting: str
    #: How long a freshly launched server may take to answer (seconds).
    start_timeout: float = 30.0

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_path / self.name
        self.state = StateFile(settings.data_path)

    def configured_url(self) -> str | None:
        """The URL the user configured, or None to run the embedded server."""
        raise NotImplementedError

    def local_url(self, port: int) -> str:
        """The URL of the embedded server listening on ``port``."""
        raise NotImplementedError

    def answers(self, url: str, timeout: float) -> bool:
        """True when the server at ``url`` answers its protocol's ping within ``timeout`` seconds."""
        raise NotImplementedError

    @property
    def external(self) -> bool:
        """True when the user configured their own server."""
        return self.configured_url() is not None

    @property
    def url(self) -> str:
        """The URL clients should use ('' before the embedded server was first started)."""
        configured = self.configured_url()
        if configured is not None:
            return configured
        port = self.state.get(self.name).get("port")
        return self.local_url(port) if port else ""

    def running(self) -> dict | None:
        """None when there is nothing to start (an external server that answers, or ours already running);
        else the state record of the embedded server. An external server that does not answer is an error."""
        if self.external:
            if not self.answers(self.url, self.settings.connect_timeout):
                raise ServiceUnavailable(f"{self.label} at {redact(self.url)} ({self.url_setting}) does not answer.")
            return None
        record = self.state.get(self.name)
        if pid_alive(record.get("pid")) and self.answers(self.url, self.settings.connect_timeout):
            return None
        return record

    def free_port(self, record: dict) -> int:
        """The port recorded last time if it is free again, else a free one."""
        return reuse_or_pick(record.get("port"))

    def launch(self, argv: list[str], port: int, what: str, **record: object) -> None:
        """Start ``argv`` detached (log in ``server.log``), record it and wait until it answers."""
        self.root.mkdir(parents=True, exist_ok=True)
        pid = spawn_detached(argv, self.root / "server.log", cwd=self.root)
        self.state.update(self.name, pid=pid, port=port, **record)
        if not wait_until(lambda: self.answers(self.url, 0.5), timeout=self.start_timeout):
            terminate(pid)
            raise UserError(f"{what} did not become healthy; see {self.root / 'server.log'}")

    def stop(self) -> bool:
        """Stop the embedded server (data kept); nothing to do for an external one."""
        if self.external:
            return False
        return stop_process(self.state.get(self.name).get("pid"))

    def status(self) -> ServiceStatus:
        """Ping the server."""
        record = self.state.get(self.name)
        healthy = bool(self.url) and self.answers(self.url, self.settings.connect_timeout)
        pid = None if self.external else (record.get("pid") if pid_alive(record.get("pid")) else None)
        return ServiceStatus(
            self.name, redact(self.url), pid, healthy, external=self.external, detail=self.status_detail(record)
        )

    def status_detail(self, record: dict) -> str:
        """The note of the ``status`` row."""
        return ""

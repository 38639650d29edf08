"""The MongoDB-protocol server of PromptContent.

Preference order: an external URL from ``PROMPTSALES_CONTENT_MONGO_URL``; a real ``mongod`` on PATH;
a FerretDB binary (configured, on PATH, or built once with Go); otherwise a clear error.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pymongo
from pymongo.errors import PyMongoError

from promptsales.config import Settings
from promptsales.errors import ServiceUnavailable, UserError
from promptsales.runtime.ferretdb_build import build_ferretdb, cached_binary
from promptsales.runtime.ferretdb_sqlite import index_id_lookups
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, terminate, wait_until
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import StateFile


def mongo_is_healthy(url: str, timeout: float) -> bool:
    """True when a MongoDB-protocol server at ``url`` answers ``ping``."""
    try:
        client: pymongo.MongoClient = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=int(timeout * 1000), connectTimeoutMS=int(timeout * 1000)
        )
        try:
            client.admin.command("ping")
        finally:
            client.close()
        return True
    except PyMongoError:
        return False


class MongoServer:
    """Run ``mongod`` or FerretDB under ``<data_dir>/mongo``, or probe an external MongoDB."""

    name = "mongo"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_path / "mongo"
        self.state = StateFile(settings.data_path)

    @property
    def external(self) -> bool:
        """True when the user configured their own MongoDB."""
        return self.settings.content_mongo_url is not None

    @property
    def url(self) -> str:
        """The URL clients should use."""
        if self.settings.content_mongo_url is not None:
            return self.settings.content_mongo_url
        port = self.state.get(self.name).get("port")
        return f"mongodb://127.0.0.1:{port}/" if port else ""

    def _engine(self) -> tuple[str, Path]:
        mongod = shutil.which("mongod")
        if mongod:
            return "mongod", Path(mongod)
        candidates = [
            self.settings.ferretdb_binary,
            shutil.which("ferretdb"),
            str(cached_binary()),
        ]
        for candidate in candidates:
            if candidate and Path(candidate).exists() and _ferretdb_runs(Path(candidate)):
                return "ferretdb", Path(candidate)
        return "ferretdb", build_ferretdb()

    def start(self) -> bool:
        """Start the embedded server if it is not running (no-op for an external URL)."""
        if self.external:
            if not mongo_is_healthy(self.url, self.settings.connect_timeout):
                raise ServiceUnavailable(
                    f"MongoDB at {redact(self.url)} (PROMPTSALES_CONTENT_MONGO_URL) does not answer."
                )
            return False
        record = self.state.get(self.name)
        if pid_alive(record.get("pid")) and mongo_is_healthy(self.url, self.settings.connect_timeout):
            return False
        engine, binary = self._engine()
        port = reuse_or_pick(record.get("port"))
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        if engine == "mongod":
            argv = [str(binary), "--dbpath", str(data), "--port", str(port), "--bind_ip", "127.0.0.1", "--quiet"]
        else:
            argv = [
                str(binary),
                "--handler=sqlite",
                f"--sqlite-url=file:{data}/",
                f"--state-dir={self.root}",
                f"--listen-addr=127.0.0.1:{port}",
                "--debug-addr=-",
                "--telemetry=disable",
                "--log-level=warn",
            ]
        pid = spawn_detached(argv, self.root / "server.log", cwd=self.root)
        self.state.update(self.name, pid=pid, port=port, engine=engine, binary=str(binary))
        if not wait_until(lambda: mongo_is_healthy(self.url, 0.5), timeout=30):
            terminate(pid)
            raise UserError(f"{engine} did not become healthy; see {self.root / 'server.log'}")
        self.index_id_lookups()
        return True

    def index_id_lookups(self) -> int:
        """With the embedded FerretDB, index ``_id`` lookups of every collection (docs/decisions.md D6)."""
        if self.external or self.state.get(self.name).get("engine") != "ferretdb":
            return 0
        return index_id_lookups(self.root / "data")

    def stop(self) -> bool:
        """Stop the embedded server (data kept)."""
        if self.external:
            return False
        return stop_process(self.state.get(self.name).get("pid"))

    def status(self) -> ServiceStatus:
        """Ping the server."""
        record = self.state.get(self.name)
        healthy = bool(self.url) and mongo_is_healthy(self.url, self.settings.connect_timeout)
        pid = None if self.external else (record.get("pid") if pid_alive(record.get("pid")) else None)
        detail = "external" if self.external else record.get("engine", "")
        return ServiceStatus(self.name, redact(self.url), pid, healthy, external=self.external, detail=detail)


def _ferretdb_runs(binary: Path) -> bool:
    """A ``go install``-built FerretDB panics at start; only accept binaries that print a version."""
    import subprocess

    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "version" in result.stdout.lower() and os.access(binary, os.X_OK)

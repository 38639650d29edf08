"""The MongoDB-protocol server of PromptContent.

Preference order: an external URL from ``PROMPTSALES_CONTENT_MONGO_URL``; a real ``mongod`` on PATH;
a FerretDB binary (configured, on PATH, or built once with Go); otherwise a clear error.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import quote

import pymongo
from pymongo.errors import PyMongoError

from promptsales.config import DATABASE_NAMES
from promptsales.runtime.ferretdb_build import build_ferretdb, cached_binary
from promptsales.runtime.ferretdb_sqlite import index_id_lookups
from promptsales.runtime.local_server import LocalServer
from promptsales.runtime.postgres import SUPERUSER
from promptsales.runtime.profile import active_profile, postgres_server
from promptsales.runtime.state import Secrets


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


class MongoServer(LocalServer):
    """Run ``mongod`` or FerretDB under ``<data_dir>/mongo``, or probe an external MongoDB."""

    name = "mongo"
    label = "MongoDB"
    url_setting = "PROMPTSALES_CONTENT_MONGO_URL"

    def configured_url(self) -> str | None:
        """``PROMPTSALES_CONTENT_MONGO_URL`` when set."""
        return self.settings.content_mongo_url

    def local_url(self, port: int) -> str:
        """``mongodb://127.0.0.1:<port>/``."""
        return f"mongodb://127.0.0.1:{port}/"

    def answers(self, url: str, timeout: float) -> bool:
        """True when the server answers ``ping``."""
        return mongo_is_healthy(url, timeout)

    def _engine(self) -> tuple[str, Path]:
        mongod = shutil.which("mongod")
        if mongod and active_profile(self.settings) == "single":
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
        record = self.running()
        if record is None:
            return False
        engine, binary = self._engine()
        port = self.free_port(record)
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        if engine == "mongod":
            argv = [str(binary), "--dbpath", str(data), "--port", str(port), "--bind_ip", "127.0.0.1", "--quiet"]
        else:
            argv = [
                str(binary),
                *self._ferretdb_backend(data),
                f"--state-dir={self.root}",
                f"--listen-addr=127.0.0.1:{port}",
                "--debug-addr=-",
                "--telemetry=disable",
                "--log-level=warn",
            ]
        self.launch(argv, port, engine, engine=engine, binary=str(binary))
        self.index_id_lookups()
        return True

    def _ferretdb_backend(self, data: Path) -> list[str]:
        """SQLite files under ``data``; in the HA profile, the replicated PostgreSQL (PromptContent's database,
        every node, only the leader accepted), so the documents fail over with it (docs/ha.md)."""
        if active_profile(self.settings) != "ha":
            return ["--handler=sqlite", f"--sqlite-url=file:{data}/"]
        address = postgres_server(self.settings).client_address()
        hosts = ",".join(
            f"{host}:{port}" for host, port in zip(str(address["host"]).split(","), str(address["port"]).split(","))
        )
        password = quote(Secrets(self.settings.data_path).get("postgres_superuser"), safe="")
        url = f"postgres://{SUPERUSER}:{password}@{hosts}/{DATABASE_NAMES['content']}?target_session_attrs=read-write"
        return ["--handler=postgresql", f"--postgresql-url={url}"]

    def index_id_lookups(self) -> int:
        """With the embedded FerretDB, index ``_id`` lookups of every collection (docs/decisions.md D6)."""
        if self.external or self.state.get(self.name).get("engine") != "ferretdb":
            return 0
        return index_id_lookups(self.root / "data")

    def status_detail(self, record: dict) -> str:
        """``external``, or the engine that runs (mongod or ferretdb)."""
        return "external" if self.external else record.get("engine", "")


def _ferretdb_runs(binary: Path) -> bool:
    """A ``go install``-built FerretDB panics at start; only accept binaries that print a version."""
    import subprocess

    try:
        result = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "version" in result.stdout.lower() and os.access(binary, os.X_OK)

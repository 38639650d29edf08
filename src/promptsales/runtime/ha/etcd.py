"""Three etcd members (Debian's ``etcd-server``): the consensus store Patroni keeps its leader key in.

Each member runs under ``<data_dir>/ha/<name>`` on loopback (and on the bridge in netns mode, where the
PostgreSQL nodes reach it). A quorum is two of three, so one member may die without stopping failover.
"""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

import httpx

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.ha import layout as ha_layout
from promptsales.runtime.ha.layout import EtcdMember, Layout
from promptsales.runtime.processes import pid_alive, spawn_detached, stop_process, wait_until
from promptsales.runtime.service import ServiceStatus
from promptsales.runtime.state import StateFile

#: Seconds a member may take to join the others and answer.
START_TIMEOUT = 30.0


def etcd_binary() -> Path:
    """The ``etcd`` binary (apt package ``etcd-server``)."""
    found = shutil.which("etcd")
    if not found:
        raise UserError(
            "The HA profile needs etcd: install Debian's `etcd-server` package (apt-get install etcd-server)."
        )
    return Path(found)


class EtcdCluster:
    """Start, stop and probe the three members of one data directory."""

    name = "etcd"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.state = StateFile(settings.data_path)

    def _layout(self) -> Layout | None:
        return ha_layout.load(self.settings)

    def _dir(self, layout: Layout, member: EtcdMember) -> Path:
        return layout.root / member.name

    def _argv(self, layout: Layout, member: EtcdMember, token: str) -> list[str]:
        clients = ",".join(f"http://{address}:{member.client_port}" for address in layout.etcd_addresses)
        peers = ",".join(f"{m.name}=http://127.0.0.1:{m.peer_port}" for m in layout.etcd)
        return [
            str(etcd_binary()),
            "--name",
            member.name,
            "--data-dir",
            str(self._dir(layout, member) / "data"),
            "--listen-client-urls",
            clients,
            "--advertise-client-urls",
            f"http://{layout.root_address}:{member.client_port}",
            "--listen-peer-urls",
            f"http://127.0.0.1:{member.peer_port}",
            "--initial-advertise-peer-urls",
            f"http://127.0.0.1:{member.peer_port}",
            "--initial-cluster",
            peers,
            "--initial-cluster-state",
            "new",
            "--initial-cluster-token",
            token,
            # Small and quick: a local cluster of three members on one machine.
            "--heartbeat-interval",
            "100",
            "--election-timeout",
            "1000",
            "--quota-backend-bytes",
            str(256 * 1024 * 1024),
            "--log-level",
            "warn",
        ]

    def member_healthy(self, member: EtcdMember, timeout: float = 1.0) -> bool:
        """True when the member answers ``/health`` with a quorum behind it."""
        try:
            response = httpx.get(f"http://127.0.0.1:{member.client_port}/health", timeout=timeout)
            return response.status_code == 200 and response.json().get("health") == "true"
        except (httpx.HTTPError, ValueError):
            return False

    def start(self) -> bool:
        """Start the members that are not running and wait until all answer; True when any was started."""
        layout = ha_layout.ensure(self.settings)
        token = self.state.get(self.name).get("token") or f"promptsales-{secrets.token_hex(4)}"
        self.state.update(self.name, token=token)
        started = []
        for member in layout.etcd:
            if pid_alive(self.state.get(member.name).get("pid")):
                continue
            directory = self._dir(layout, member)
            directory.mkdir(parents=True, exist_ok=True)
            pid = spawn_detached(self._argv(layout, member, token), directory / "etcd.log", cwd=directory)
            self.state.update(member.name, pid=pid, port=member.client_port)
            started.append(member)
        if not wait_until(lambda: all(self.member_healthy(m) for m in layout.etcd), START_TIMEOUT, 0.2):
            raise UserError(f"etcd did not form a healthy cluster; see {layout.root}/etcd-*/etcd.log")
        return bool(started)

    def stop(self) -> bool:
        """Stop every member (data kept)."""
        layout = self._layout()
        if layout is None:
            return False
        stopped = [stop_process(self.state.get(member.name).get("pid")) for member in layout.etcd]
        return any(stopped)

    def statuses(self) -> list[ServiceStatus]:
        """One row per member: healthy when it answers with a quorum."""
        layout = self._layout()
        if layout is None:
            return [ServiceStatus(self.name, "", None, False, detail="HA profile not started")]
        rows = []
        for member in layout.etcd:
            pid = self.state.get(member.name).get("pid")
            healthy = self.member_healthy(member)
            rows.append(
                ServiceStatus(
                    member.name,
                    f"http://127.0.0.1:{member.client_port}",
                    pid if pid_alive(pid) else None,
                    healthy,
                    detail="member" if healthy else "down or no quorum",
                )
            )
        return rows

    def status(self) -> ServiceStatus:
        """Healthy when a quorum of members answers."""
        rows = self.statuses()
        healthy = sum(row.healthy for row in rows) >= 2
        return ServiceStatus(self.name, rows[0].url, None, healthy, detail=f"{sum(r.healthy for r in rows)}/3 members")

"""Where every process of the HA profile lives: directories, addresses and ports, kept in ``state.json``.

The layout is chosen the first time the profile starts (ports free on the machine at that moment, and in
netns mode the namespaces of the PostgreSQL nodes) and reused after, so that connection strings stay the
same across ``down`` and ``up``. ``down`` removes the namespaces; the next ``up`` creates them again with
the same names and addresses when it can.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from promptsales.config import Settings
from promptsales.runtime.ha import network
from promptsales.runtime.ha.network import NodeHost
from promptsales.runtime.ha.settings import HASettings
from promptsales.runtime.ports import distinct_ports
from promptsales.runtime.state import StateFile

#: The state-file record of the layout.
RECORD = "ha"
ETCD_MEMBERS = 3
SENTINELS = 3
#: The name Sentinel monitors the Valkey primary under.
VALKEY_SERVICE = "promptsales"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class EtcdMember:
    """One etcd member: name, client and peer ports (on 127.0.0.1, and on the bridge in netns mode)."""

    name: str
    client_port: int
    peer_port: int


@dataclass(frozen=True)
class PostgresNode:
    """One Patroni-managed PostgreSQL node: its host, PostgreSQL port and Patroni REST API port."""

    name: str
    host: NodeHost
    pg_port: int
    api_port: int

    @property
    def api_url(self) -> str:
        """Base URL of the node's Patroni REST API."""
        return f"http://{self.host.address}:{self.api_port}"


@dataclass(frozen=True)
class Layout:
    """The whole HA topology of one data directory."""

    root: Path
    network: str
    bridge: str | None
    root_address: str
    etcd: list[EtcdMember]
    postgres: list[PostgresNode]
    valkey_ports: list[int]  # primary first, then the replica (as started; Sentinel decides who is primary now)
    sentinel_ports: list[int]

    @property
    def etcd_addresses(self) -> list[str]:
        """Where etcd listens for clients: loopback, and the bridge in netns mode."""
        return [LOOPBACK] + ([self.root_address] if self.network == "netns" else [])

    def etcd_hosts(self, address: str | None = None) -> str:
        """``host:port,…`` of every member, as a client at ``address`` (default: the bridge or loopback) sees them."""
        address = address or self.root_address
        return ",".join(f"{address}:{member.client_port}" for member in self.etcd)

    def node(self, name: str) -> PostgresNode:
        """The PostgreSQL node called ``name``."""
        for node in self.postgres:
            if node.name == name:
                return node
        raise KeyError(name)


def load(settings: Settings) -> Layout | None:
    """The recorded layout, or None before the HA profile first started here."""
    record = StateFile(settings.data_path).get(RECORD)
    if not record.get("nodes"):
        return None
    return _from_record(settings.data_path / "ha", record)


def _from_record(root: Path, record: dict) -> Layout:
    return Layout(
        root=root,
        network=record["network"],
        bridge=record.get("bridge"),
        root_address=record["root_address"],
        etcd=[EtcdMember(**member) for member in record["etcd"]],
        postgres=[
            PostgresNode(node["name"], NodeHost(**node["host"]), node["pg_port"], node["api_port"])
            for node in record["nodes"]
        ],
        valkey_ports=record["valkey_ports"],
        sentinel_ports=record["sentinel_ports"],
    )


def ensure(settings: Settings) -> Layout:
    """The recorded layout, choosing it (ports, namespaces) the first time; in netns mode the namespaces are
    (re)created when missing."""
    state = StateFile(settings.data_path)
    record = state.get(RECORD)
    if record.get("nodes"):
        layout = _from_record(settings.data_path / "ha", record)
        return ensure_network(settings, layout)
    tunables = HASettings()
    bridge, hosts, root_address = None, [NodeHost(LOOPBACK)] * tunables.postgres_nodes, LOOPBACK
    if tunables.network == "netns":
        bridge, hosts, root_address = network.create(tunables.postgres_nodes)
    with distinct_ports() as port:  # no two services are given the same port
        record = {
            "network": tunables.network,
            "bridge": bridge,
            "root_address": root_address,
            "etcd": [
                {"name": f"etcd-{index}", "client_port": port(), "peer_port": port()}
                for index in range(1, ETCD_MEMBERS + 1)
            ],
            "nodes": [
                {"name": f"postgres-{index}", "host": host.as_dict(), "pg_port": port(), "api_port": port()}
                for index, host in enumerate(hosts, start=1)
            ],
            "valkey_ports": [port(), port()],
            "sentinel_ports": [port() for _ in range(SENTINELS)],
        }
    state.update(RECORD, **record)
    return _from_record(settings.data_path / "ha", record)


def ensure_network(settings: Settings, layout: Layout) -> Layout:
    """In netns mode, recreate the bridge and namespaces ``down`` removed (same names and addresses)."""
    if layout.network != "netns" or not layout.bridge:
        return layout
    if Path(f"/sys/class/net/{layout.bridge}").exists():
        return layout
    network.create(
        len(layout.postgres),
        prefix=layout.bridge.removesuffix("br"),
        net=ipaddress.IPv4Network(f"{layout.root_address}/24", strict=False),
    )
    return layout


def remove_network(layout: Layout) -> None:
    """Delete the namespaces and the bridge of a netns layout (``down``)."""
    if layout.network == "netns":
        network.remove(layout.bridge, [node.host for node in layout.postgres])

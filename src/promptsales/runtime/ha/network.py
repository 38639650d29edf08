"""Hosts of their own for the PostgreSQL nodes: network namespaces on one bridge (``PROMPTSALES_HA_NETWORK=netns``).

A node on 127.0.0.1 cannot be cut off from the others, so the partition drill puts each node in a network
namespace (root only, like the concurrency lab's two computers)::

    root namespace: bridge <prefix>br 10.211.N.1/24 — etcd, FerretDB, MCP servers, clients
      ├── veth <prefix>1r ── namespace <prefix>-1: eth 10.211.N.11/24 — Patroni + PostgreSQL node 1
      └── veth <prefix>2r ── namespace <prefix>-2: eth 10.211.N.12/24 — Patroni + PostgreSQL node 2

Nodes reach each other and the root namespace through the bridge; nothing is routed beyond it.
:func:`cut` takes a node's link down (it can reach nothing and nothing reaches it), :func:`heal` brings it
back. Unix sockets are not network-scoped, so clients of a node in a namespace use TCP.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class NodeHost:
    """Where one node runs: its address and, in netns mode, its namespace and the root side of its link."""

    address: str
    namespace: str | None = None
    link: str | None = None

    def command(self, argv: list[str]) -> list[str]:
        """``argv`` wrapped to run inside the node's namespace (unchanged on loopback)."""
        return ["ip", "netns", "exec", self.namespace, *argv] if self.namespace else argv

    def as_dict(self) -> dict:
        """For the state file."""
        return {"address": self.address, "namespace": self.namespace, "link": self.link}


def unavailable_reason() -> str | None:
    """Why network namespaces cannot be created here (tried with a throw-away one), or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if shutil.which("ip") is None:
        return "the `ip` command (iproute2) is not installed"
    probe = f"psprobe{secrets.token_hex(3)}"
    added = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if added.returncode != 0:
        return f"cannot create a network namespace: {added.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def ip(*args: str) -> None:
    """Run ``ip ARGS``; a RuntimeError with its message when it fails."""
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)} failed: {done.stderr.strip()}")


def _free_subnet() -> ipaddress.IPv4Network:
    """A 10.211.N.0/24 that no interface of the root namespace uses yet."""
    used = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True).stdout
    for _ in range(64):
        net = ipaddress.IPv4Network(f"10.211.{secrets.randbelow(250) + 1}.0/24")
        if f" 10.211.{str(net.network_address).split('.')[2]}." not in used:
            return net
    raise RuntimeError("no free 10.211.N.0/24 subnet for the HA nodes' namespaces")


def create(
    count: int, prefix: str | None = None, net: ipaddress.IPv4Network | None = None
) -> tuple[str, list[NodeHost], str]:
    """Create the bridge and ``count`` namespaces on it; returns (the bridge, the node hosts, the root address).

    ``prefix`` and ``net`` recreate a layout recorded earlier (same names and addresses); everything is
    removed again if a step fails.
    """
    if reason := unavailable_reason():
        raise RuntimeError(f"PROMPTSALES_HA_NETWORK=netns: {reason}")
    prefix = prefix or f"psha{secrets.token_hex(2)}"
    net = net or _free_subnet()
    base = int(net.network_address)
    bridge = f"{prefix}br"
    root_address = str(ipaddress.IPv4Address(base + 1))
    hosts: list[NodeHost] = []
    try:
        ip("link", "add", bridge, "type", "bridge")
        ip("addr", "add", f"{root_address}/24", "dev", bridge)
        ip("link", "set", bridge, "up")
        for index in range(1, count + 1):
            namespace, link, inner = f"{prefix}-{index}", f"{prefix}{index}r", f"{prefix}{index}n"
            address = str(ipaddress.IPv4Address(base + 10 + index))
            ip("netns", "add", namespace)
            hosts.append(NodeHost(address, namespace, link))
            ip("link", "add", link, "type", "veth", "peer", "name", inner)
            ip("link", "set", inner, "netns", namespace)
            ip("link", "set", link, "master", bridge)
            ip("link", "set", link, "up")
            ip("-n", namespace, "addr", "add", f"{address}/24", "dev", inner)
            ip("-n", namespace, "link", "set", inner, "up")
            ip("-n", namespace, "link", "set", "lo", "up")
    except BaseException:
        remove(bridge, hosts)
        raise
    return bridge, hosts, root_address


def remove(bridge: str | None, hosts: list[NodeHost]) -> None:
    """Delete the namespaces (their links go with them) and the bridge; missing ones are ignored."""
    for host in hosts:
        if host.namespace:
            subprocess.run(["ip", "netns", "del", host.namespace], capture_output=True)
    if bridge:
        subprocess.run(["ip", "link", "del", bridge], capture_output=True)


def cut(host: NodeHost) -> None:
    """Cut a node off the network: its link goes down, so it reaches nobody and nobody reaches it."""
    if not host.link:
        raise RuntimeError("only a node in its own network namespace can be cut off (PROMPTSALES_HA_NETWORK=netns)")
    ip("link", "set", host.link, "down")


def heal(host: NodeHost) -> None:
    """Bring a node's link back up."""
    if host.link:
        ip("link", "set", host.link, "up")

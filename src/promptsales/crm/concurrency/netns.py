"""Two "computers" on one Linux machine: network namespaces with their own addresses (needs root).

:class:`TwoHosts` creates namespaces ``<prefix>-a`` and ``<prefix>-b``, each joined to the root namespace
(where the database server runs) by a veth pair on its own private /30::

    host a  10.210.N.2/30  ──veth──  10.210.N.1/30  ┐
                                                    ├─ root namespace: PostgreSQL listens on .1 and .5
    host b  10.210.N.6/30  ──veth──  10.210.N.5/30  ┘

A process started with :meth:`TwoHosts.command` runs inside a namespace: its only route to the server is
its veth link, and the server sees it connect from that host's address. Everything is removed on exit
(deleting a namespace deletes its veth pair). Nothing is routed beyond these two links.
"""

from __future__ import annotations

import ipaddress
import secrets
import subprocess
from dataclasses import dataclass

from promptsales.runtime.ha.network import ip, unavailable_reason

__all__ = ["Host", "TwoHosts", "unavailable_reason"]


@dataclass(frozen=True)
class Host:
    """One namespace: its name, its own address and the server's address on its link."""

    namespace: str
    address: str
    server_address: str


def _free_subnet() -> ipaddress.IPv4Network:
    """A 10.210.N.0/29 that no interface of the root namespace uses yet."""
    used = subprocess.run(["ip", "-o", "-4", "addr", "show"], capture_output=True, text=True).stdout
    for _ in range(64):
        net = ipaddress.IPv4Network(f"10.210.{secrets.randbelow(250) + 1}.0/29")
        if not any(str(addr) in used for addr in net):
            return net
    raise RuntimeError("no free 10.210.N.0/29 subnet for the lab's namespaces")


class TwoHosts:
    """Context manager: create hosts ``a`` and ``b``; delete them on exit."""

    def __init__(self, prefix: str | None = None) -> None:
        self.prefix = prefix or f"pslab{secrets.token_hex(2)}"
        self.hosts: dict[str, Host] = {}
        self._created: list[str] = []

    def __enter__(self) -> TwoHosts:
        net = _free_subnet()
        base = int(net.network_address)
        try:
            for index, role in enumerate(("a", "b")):
                namespace = f"{self.prefix}-{role}"
                server_ip = str(ipaddress.IPv4Address(base + 4 * index + 1))
                host_ip = str(ipaddress.IPv4Address(base + 4 * index + 2))
                root_if, ns_if = f"{self.prefix}{role}0", f"{self.prefix}{role}1"
                ip("netns", "add", namespace)
                self._created.append(namespace)
                ip("link", "add", root_if, "type", "veth", "peer", "name", ns_if)
                ip("link", "set", ns_if, "netns", namespace)
                ip("addr", "add", f"{server_ip}/30", "dev", root_if)
                ip("link", "set", root_if, "up")
                ip("-n", namespace, "addr", "add", f"{host_ip}/30", "dev", ns_if)
                ip("-n", namespace, "link", "set", ns_if, "up")
                ip("-n", namespace, "link", "set", "lo", "up")
                self.hosts[role] = Host(namespace, host_ip, server_ip)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        for namespace in reversed(self._created):
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        self._created.clear()

    @property
    def server_addresses(self) -> list[str]:
        """The root-namespace addresses the server must listen on."""
        return [host.server_address for host in self.hosts.values()]

    def command(self, role: str, argv: list[str]) -> list[str]:
        """``argv`` wrapped to run inside host ``role``'s namespace."""
        return ["ip", "netns", "exec", self.hosts[role].namespace, *argv]

"""Ports chosen for local services (runtime/ports.py): several services started together are never given the
same port (CI run 6: a Sentinel was given the Valkey replica's port and the HA fixture failed)."""

from __future__ import annotations

import pytest

from promptsales.config import Settings
from promptsales.runtime.ha import layout
from promptsales.runtime.ports import distinct_ports, port_is_free


def test_distinct_ports_are_distinct_and_free_once_the_block_ends() -> None:
    with distinct_ports() as port:
        ports = [port() for _ in range(40)]
        assert not any(port_is_free(held) for held in ports)  # held while the block runs
    assert len(set(ports)) == 40
    assert all(port_is_free(number) for number in ports)


def test_the_ha_layout_gives_every_service_its_own_port(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTSALES_HA_NETWORK", "loopback")
    chosen = layout.ensure(Settings(data_dir=tmp_path))
    ports = [port for member in chosen.etcd for port in (member.client_port, member.peer_port)]
    ports += [port for node in chosen.postgres for port in (node.pg_port, node.api_port)]
    ports += chosen.valkey_ports + chosen.sentinel_ports
    assert len(ports) == 2 * len(chosen.etcd) + 2 * len(chosen.postgres) + 2 + len(chosen.sentinel_ports)
    assert len(set(ports)) == len(ports), ports

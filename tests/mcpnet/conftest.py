"""Fixtures of the MCP-network tests: a loaded warehouse, the OAuth issuer and the four MCP servers over
HTTPS (real TLS 1.3, real JWTs signed by the issuer's key and checked against its JWKS)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from mcpnet_helpers import SERVER_MODULES, Network

from promptsales.config import Settings


@pytest.fixture(scope="session")
def warehouse(seeded: Settings) -> Settings:
    """The official-scale sources loaded into the warehouse by one ``promptsales etl run`` pass."""
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    report = run_pass(Sources(seeded), trigger="test")
    assert report.status == "succeeded", report
    return seeded


@pytest.fixture(scope="package")
def network(warehouse: Settings) -> Iterator[Network]:
    """Issuer + content, ads, crm and sales MCP servers over HTTPS, PromptSales' own OAuth client registered.

    Package-scoped: the servers' connection pools hold sessions on the company databases, which would
    stop later tests from copying them (``CREATE DATABASE … TEMPLATE`` needs an unused source).
    """
    from promptsales.auth.config import client_secret, clients_path, load_clients
    from promptsales.runtime.tls import ensure_tls
    from promptsales.sales.proposals import DEFAULT_CLIENT, SERVICE_SCOPES
    from promptsales.wiring import issuer_service

    ensure_tls(warehouse)
    clients = load_clients(warehouse)
    clients[DEFAULT_CLIENT] = SERVICE_SCOPES
    clients_path(warehouse).write_text(json.dumps({"clients": clients}, indent=2, sort_keys=True))
    client_secret(warehouse, DEFAULT_CLIENT)  # create the secret now, not concurrently in two server processes
    issuer = issuer_service(warehouse)
    started_issuer = issuer.start()  # False when another module's fixture already runs it
    net = Network(warehouse)
    for name in SERVER_MODULES:
        net.start(name)
    yield net
    # PromptSales first, while the servers it is a client of still answer its closing requests (stopped together,
    # its shutdown could wait on servers already shutting down); then the others at once, each graceful shutdown
    # waiting only on its own clients
    if "sales" in net.pids:
        net.stop("sales")
    with ThreadPoolExecutor(max_workers=max(1, len(net.pids))) as pool:
        list(pool.map(net.stop, list(net.pids)))
    if started_issuer:
        issuer.stop()

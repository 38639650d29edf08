"""NetworkPolicies: default deny, then exactly the flows of deploy/flows.yaml (the architecture's), each between
components that exist and on a port the destination serves."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import of_kind, pod_labels, pod_spec

OVERLAYS = ("single-node", "production")
NAME = "app.kubernetes.io/name"
#: Ports the operator-managed pods serve (CloudNativePG instances and PgBouncer poolers).
POSTGRES_PORTS = {5432, 8000, 9187}
POOLER_PORTS = {5432}


def generator(deploy_root: Path):
    """deploy/tools/network_policies.py as a module."""
    spec = importlib.util.spec_from_file_location("network_policies", deploy_root / "tools" / "network_policies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peer_name(peer: dict[str, Any]) -> str:
    if "namespaceSelector" in peer:
        return "namespace:" + peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
    return peer["podSelector"]["matchLabels"][NAME]


def allowed_edges(resources: list[dict[str, Any]], dns_namespace: str) -> tuple[set, set]:
    """(ingress edges, egress edges) as (from, to, port) that the rendered policies allow (DNS left out)."""
    ingress, egress = set(), set()
    for policy in of_kind(resources, "NetworkPolicy"):
        spec = policy["spec"]
        if not spec["podSelector"]:
            continue
        component = spec["podSelector"]["matchLabels"][NAME]
        for rule in spec.get("ingress", []):
            for port in rule["ports"]:
                for peer in rule.get("from", [{"any": True}]):
                    ingress.add(("any" if "any" in peer else _peer_name(peer), component, port["port"]))
        for rule in spec.get("egress", []):
            peers = rule.get("to")
            if peers and "namespaceSelector" in peers[0] and "podSelector" in peers[0]:
                ns = peers[0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                assert ns == dns_namespace and {p["port"] for p in rule["ports"]} == {53}
                continue
            for port in rule["ports"]:
                for peer in peers or [{"any": True}]:
                    egress.add((component, "any" if "any" in peer else _peer_name(peer), port["port"]))
    return ingress, egress


def component_ports(resources: list[dict[str, Any]]) -> dict[str, set[int]]:
    """Component name → the ports its pods serve."""
    ports: dict[str, set[int]] = {}
    for workload in of_kind(resources, "Deployment", "StatefulSet", "Job"):
        name = pod_labels(workload)[NAME]
        ports[name] = {p["containerPort"] for c in pod_spec(workload)["containers"] for p in c.get("ports", [])}
    for cluster in of_kind(resources, "Cluster"):
        ports[cluster["spec"]["inheritedMetadata"]["labels"][NAME]] = POSTGRES_PORTS
    for pooler in of_kind(resources, "Pooler"):
        ports[pooler["spec"]["template"]["metadata"]["labels"][NAME]] = POOLER_PORTS
    return ports


@pytest.fixture(scope="module")
def flows(deploy_root: Path) -> dict[str, Any]:
    """deploy/flows.yaml."""
    return yaml.safe_load((deploy_root / "flows.yaml").read_text())


def test_policies_file_is_generated_from_the_flows(deploy_root: Path, flows: dict[str, Any]) -> None:
    module = generator(deploy_root)
    committed = [doc for doc in yaml.safe_load_all((deploy_root / "base/network/policies.yaml").read_text()) if doc]
    assert committed == module.policies(flows), "run python deploy/tools/network_policies.py"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies_allow_exactly_the_declared_flows(rendered, overlay: str, flows: dict[str, Any]) -> None:
    resources = rendered[overlay]
    (deny,) = [p for p in of_kind(resources, "NetworkPolicy") if not p["spec"]["podSelector"]]
    assert deny["spec"]["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny["spec"]
    internal = {(f["from"], f["to"], f["port"]) for f in flows["internal"]}
    inbound = {(f["peer"], f["to"], f["port"]) for f in flows["external"] if "to" in f}
    outbound = {(f["from"], f["peer"], f["port"]) for f in flows["external"] if "from" in f}
    ingress, egress = allowed_edges(resources, flows["dns"]["namespace"])
    assert ingress == internal | inbound
    assert egress == internal | outbound
    # every flow inside the namespace needs both ends to agree: an ingress rule alone lets nothing through
    assert {e for e in ingress if not e[0].startswith("namespace:")} == {e for e in egress if e[1] != "any"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_flow_joins_real_components_on_served_ports(rendered, overlay: str, flows: dict[str, Any]) -> None:
    ports = component_ports(rendered[overlay])
    for flow in flows["internal"]:
        assert flow["from"] in ports, flow
        assert flow["port"] in ports[flow["to"]], flow
    for flow in flows["external"]:
        if "to" in flow:
            assert flow["port"] in ports[flow["to"]], flow
        else:
            assert flow["from"] in ports, flow
    policed = {
        p["spec"]["podSelector"]["matchLabels"][NAME]
        for p in of_kind(rendered[overlay], "NetworkPolicy")
        if p["spec"]["podSelector"]
    }
    assert set(ports) == policed, "every component has its own policy (and every policy a component)"

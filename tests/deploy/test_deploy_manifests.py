"""The rendered manifests agree with the code: every service ``up`` starts and every database has its workload,
every port and probe path exists in the code, every Deployment is probed, sized, disrupted with care and spread,
every HPA scales an existing workload on CPU, memory and concurrent requests, no secret value is in a manifest,
and every setting a ConfigMap or a pod passes is one the code reads."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_helpers import by_name, of_kind, pod_labels, pod_spec

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.runtime.http_metrics import INFLIGHT_METRIC, METRICS_PATH

OVERLAYS = ("single-node", "production")
NAME = "app.kubernetes.io/name"

#: Each service of ``wiring.extra_services`` → the workload (kind, name[, container]) that runs it in a cluster.
#: Status lines with no process of their own map to the workload whose health they report.
SERVICE_WORKLOADS = {
    "crm-keystore": ("Deployment", "mcp-crm", "import-keystore"),  # key store imported before the CRM server
    "cache": ("StatefulSet", "valkey", "valkey"),
    "auth-issuer": ("Deployment", "auth-issuer", "issuer"),
    "mcp-content": ("Deployment", "mcp-content", "mcp"),
    "mcp-ads": ("Deployment", "mcp-ads", "mcp"),
    "mcp-crm": ("Deployment", "mcp-crm", "mcp"),
    "mcp-sales": ("Deployment", "mcp-sales", "mcp"),
    "dagster-code": ("Deployment", "dagster-code", "code-location"),
    "dagster-webserver": ("Deployment", "dagster-webserver", "webserver"),
    "dagster-daemon": ("Deployment", "dagster-daemon", "daemon"),
    "etl-lag": ("Deployment", "dagster-code", "code-location"),  # the lag of the passes the code location runs
}


def workloads(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Name → Deployment or StatefulSet."""
    return {doc["metadata"]["name"]: doc for doc in of_kind(resources, "Deployment", "StatefulSet")}


def containers(workload: dict[str, Any], init: bool = True) -> list[dict[str, Any]]:
    """The containers (and init containers) of a workload's pods."""
    spec = pod_spec(workload)
    return [*(spec.get("initContainers", []) if init else []), *spec["containers"]]


@pytest.fixture(scope="module")
def local_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of an empty data directory (for building the HTTP apps in-process)."""
    return Settings(data_dir=tmp_path_factory.mktemp("deploy-settings"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_runtime_service_and_database_has_a_workload(rendered, overlay: str) -> None:
    from promptsales.wiring import extra_services

    resources = rendered[overlay]
    services = {service.name for service in extra_services(Settings())}
    assert services == set(SERVICE_WORKLOADS), "a service `up` starts has no workload in deploy/ (or was removed)"
    found = workloads(resources)
    for service, (kind, name, container) in SERVICE_WORKLOADS.items():
        assert name in found and found[name]["kind"] == kind, service
        assert container in {c["name"] for c in containers(found[name])}, service
    clusters = {doc["spec"]["bootstrap"]["initdb"]["database"]: doc for doc in of_kind(resources, "Cluster")}
    assert set(DATABASE_NAMES.values()) <= set(clusters), "each company database is its own PostgreSQL cluster"
    assert "ferretdb" in found and "valkey-sentinel" in found


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_mcp_and_issuer_ports_and_probe_paths_exist_in_the_code(
    rendered, overlay: str, local_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from promptsales.auth.issuer import create_issuer_app
    from promptsales.mcpkit.runner import MCP_PATH, http_app
    from promptsales.wiring import MCP_SERVERS, load_kit

    monkeypatch.setenv("PROMPTSALES_AUTH_ISSUER_URL", "https://auth-issuer.promptsales.svc:8443")
    found = workloads(rendered[overlay])
    apps = {f"mcp-{name}": http_app(load_kit(name), local_settings, "0.0.0.0", 8443) for name in MCP_SERVERS}
    apps["auth-issuer"] = create_issuer_app(local_settings, "https://auth-issuer.promptsales.svc:8443")
    for name, app in apps.items():
        routes = {route.path for route in app.routes}
        assert {"/health", METRICS_PATH} <= routes, name
        main = containers(found[name], init=False)[0]
        args = main["args"]
        port = int(args[args.index("--port") + 1])
        assert [p["containerPort"] for p in main["ports"]] == [port]
        if name.startswith("mcp-"):
            assert args[:5] == ["mcp", "serve", name.removeprefix("mcp-"), "--transport", "http"]
            assert MCP_PATH in routes
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            get = main[probe]["httpGet"]
            assert get["path"] in routes and get["scheme"] == "HTTPS" and get["port"] == main["ports"][0]["name"]
        service = by_name(rendered[overlay], "Service")[name]
        assert service["spec"]["ports"][0]["port"] == port


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_dagster_workloads_match_the_scheduler(rendered, overlay: str, deploy_root: Path) -> None:
    from promptsales.etl import scheduler

    found = workloads(rendered[overlay])
    code = containers(found["dagster-code"])[0]
    command = code["command"]
    assert command[:3] == ["dagster", "api", "grpc"]
    assert command[command.index("-m") + 1] == scheduler.DEFINITIONS_MODULE
    assert command[command.index("--location-name") + 1] == scheduler.DEFINITIONS_MODULE
    port = int(command[command.index("-p") + 1])
    assert code["ports"][0]["containerPort"] == port
    workspace = yaml.safe_load((deploy_root / "base/config/workspace.yaml").read_text())["load_from"][0]["grpc_server"]
    assert (workspace["port"], workspace["location_name"]) == (port, scheduler.DEFINITIONS_MODULE)
    webserver = containers(found["dagster-webserver"])[0]
    assert webserver["readinessProbe"]["httpGet"]["path"] == "/server_info"
    assert '"/server_info"' in inspect.getsource(scheduler.webserver_probe).replace(
        "{url}/server_info", '"/server_info"'
    )
    assert found["dagster-daemon"]["spec"]["replicas"] == 1, "exactly one daemon evaluates the sensor and schedule"
    assert containers(found["dagster-daemon"])[0]["command"][:2] == ["dagster-daemon", "run"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_workload_is_probed_sized_spread_and_protected(rendered, overlay: str) -> None:
    resources = rendered[overlay]
    pdbs = of_kind(resources, "PodDisruptionBudget")
    for name, workload in workloads(resources).items():
        for container in containers(workload):
            for kind in ("requests", "limits"):
                assert set(container["resources"][kind]) >= {"cpu", "memory"}, (name, container["name"])
        for container in containers(workload, init=False):
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert probe in container, (name, container["name"], probe)
        spread = pod_spec(workload)["topologySpreadConstraints"]
        assert {c["topologyKey"] for c in spread} >= {"kubernetes.io/hostname"}, name
        covering = [p for p in pdbs if p["spec"]["selector"]["matchLabels"].items() <= pod_labels(workload).items()]
        if workload["spec"]["replicas"] > 1:
            assert covering, f"{name} runs {workload['spec']['replicas']} replicas without a PodDisruptionBudget"
        assert pod_spec(workload)["securityContext"]["runAsNonRoot"] is True
    for cluster in of_kind(resources, "Cluster"):
        assert cluster["spec"]["resources"]["limits"] and cluster["spec"]["affinity"]["enablePodAntiAffinity"]


def test_production_spreads_replicas_over_nodes(rendered) -> None:
    for name, workload in workloads(rendered["production"]).items():
        if workload["kind"] == "Deployment":
            hostname = pod_spec(workload)["topologySpreadConstraints"][0]
            assert (hostname["topologyKey"], hostname["whenUnsatisfiable"]) == (
                "kubernetes.io/hostname",
                "DoNotSchedule",
            ), name
    for cluster in of_kind(rendered["production"], "Cluster"):
        assert cluster["spec"]["affinity"]["podAntiAffinityType"] == "required"
        assert cluster["spec"]["instances"] >= 2 and cluster["spec"]["postgresql"]["synchronous"]["number"] == 1
        assert cluster["spec"]["plugins"][0]["isWALArchiver"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_hpa_scales_a_workload_on_cpu_memory_and_concurrent_requests(
    rendered, overlay: str, deploy_root: Path
) -> None:
    resources = rendered[overlay]
    deployments = by_name(resources, "Deployment")
    hpas = of_kind(resources, "HorizontalPodAutoscaler")
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} == {
        "auth-issuer",
        "mcp-content",
        "mcp-ads",
        "mcp-crm",
        "mcp-sales",
    }
    for hpa in hpas:
        target = hpa["spec"]["scaleTargetRef"]
        assert target["kind"] == "Deployment" and target["name"] in deployments
        kinds = {
            (m["type"], m["resource"]["name"] if m["type"] == "Resource" else m["pods"]["metric"]["name"])
            for m in hpa["spec"]["metrics"]
        }
        assert kinds == {("Resource", "cpu"), ("Resource", "memory"), ("Pods", INFLIGHT_METRIC)}
        assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
        assert deployments[target["name"]]["spec"]["replicas"] == hpa["spec"]["minReplicas"]
    adapter = yaml.safe_load((deploy_root / "monitoring/adapter-config.yaml").read_text())
    rules = yaml.safe_load(adapter["data"]["config.yaml"])["rules"]
    assert [rule["name"]["as"] for rule in rules] == [INFLIGHT_METRIC]
    assert INFLIGHT_METRIC in rules[0]["seriesQuery"]
    scraped = {
        m["spec"]["selector"]["matchLabels"][NAME]
        for m in of_kind(resources, "PodMonitor")
        if "matchLabels" in m["spec"]["selector"]
    }
    assert {h["spec"]["scaleTargetRef"]["name"] for h in hpas} <= scraped
    assert all(
        e["path"] == METRICS_PATH
        for m in of_kind(resources, "PodMonitor")
        for e in m["spec"]["podMetricsEndpoints"]
        if m["metadata"]["name"] in scraped and m["metadata"]["name"].startswith(("mcp-", "auth-"))
    )


def _settings_names() -> set[str]:
    """Every environment variable a settings class of the code reads."""
    from promptsales.ai.llm_client import LLMSettings
    from promptsales.auth.config import AuthSettings
    from promptsales.backup.settings import BackupSettings
    from promptsales.cache.settings import CacheSettings
    from promptsales.crm.keystore import CrmSettings
    from promptsales.etl.settings import EtlSettings
    from promptsales.mcpkit.settings import McpHttpSettings

    names = set()
    for cls in (
        Settings,
        AuthSettings,
        BackupSettings,
        CacheSettings,
        CrmSettings,
        EtlSettings,
        McpHttpSettings,
        LLMSettings,
    ):
        prefix = cls.model_config.get("env_prefix", "")
        names |= {f"{prefix}{field}".upper() for field in cls.model_fields}
    # Read by a command rather than a settings class: `crm keys import` takes the PKCS#12 password from it.
    from promptsales.crm import cli as crm_cli

    assert "PROMPTSALES_CRM_P12_PASSWORD" in inspect.getsource(crm_cli)
    return names | {"PROMPTSALES_CRM_P12_PASSWORD"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_configuration_uses_only_settings_the_code_reads(rendered, overlay: str, deploy_root: Path) -> None:
    known = _settings_names()
    config = by_name(rendered[overlay], "ConfigMap")
    (settings_map,) = [doc for name, doc in config.items() if name.startswith("promptsales-config")]
    assert set(settings_map["data"]) <= known, set(settings_map["data"]) - known
    for workload in workloads(rendered[overlay]).values():
        for container in containers(workload):
            for env in container.get("env", []):
                if env["name"].startswith("PROMPTSALES_") and not env["name"].startswith("PROMPTSALES_CLIENT_SECRET_"):
                    assert env["name"] in known, (workload["metadata"]["name"], env["name"])
    from promptsales.auth.config import SCOPES

    clients = json.loads((deploy_root / "base/config/clients.json").read_text())["clients"]
    assert all(set(scopes) <= set(SCOPES) for scopes in clients.values())


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_in_a_manifest(rendered, overlay: str) -> None:
    resources = rendered[overlay]
    assert not of_kind(resources, "Secret"), "Secrets come from external-secrets or the operators, never from deploy/"
    for workload in workloads(resources).values():
        for container in containers(workload):
            for env in container.get("env", []):
                value = env.get("value", "")
                if "://" in value and "@" in value:
                    credentials = value.split("://", 1)[1].split("@", 1)[0]
                    password = credentials.split(":", 1)[1] if ":" in credentials else ""
                    assert password == "" or password.startswith("$("), (env["name"], "password in a manifest")
    stores = {doc["spec"]["secretStoreRef"]["name"] for doc in of_kind(resources, "ExternalSecret")}
    assert stores == {"promptsales"}

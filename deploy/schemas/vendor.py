"""Vendor the JSON schemas that ``kubeconform -strict`` validates deploy/ against, so it never fetches one.

Run once after changing a version or a kind below (needs ``pip install kubernetes-validate==1.37.0`` and Go):

    python deploy/schemas/vendor.py

* Kubernetes: the strict schemas of PyPI ``kubernetes-validate`` for the kinds the manifests use. They carry
  ``$id: https://kubernetes.io/api/...`` and ``$ref: "/api/_definitions.json#/..."``, which kubeconform would
  try to download; here the ``$id`` is dropped, every reference points at the ``_definitions.json`` beside the
  file, and that file keeps only the definitions those kinds reach.
* Operator CRDs (CloudNativePG, its Barman Cloud plugin, cert-manager, external-secrets, prometheus-operator):
  the Go modules' ``*.yaml`` CRDs, converted as kubeconform's ``scripts/openapi2jsonschema.py`` does
  (``additionalProperties: false`` on every object with properties — also at the root —, int-or-string as
  ``oneOf``), except where the CRD itself preserves unknown fields. CEL rules (``x-kubernetes-validations``)
  are not checked by kubeconform.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
#: Kubernetes versions validated: the newest and the oldest that CloudNativePG 1.28 supports.
KUBERNETES_VERSIONS = ("1.35.0", "1.33.0")
#: Kubernetes kinds used by the manifests, as kubernetes-validate names their files.
KUBERNETES_KINDS = (
    "namespace-v1",
    "configmap-v1",
    "service-v1",
    "serviceaccount-v1",
    "persistentvolumeclaim-v1",
    "deployment-apps-v1",
    "statefulset-apps-v1",
    "job-batch-v1",
    "poddisruptionbudget-policy-v1",
    "horizontalpodautoscaler-autoscaling-v2",
    "networkpolicy-networking-v1",
    "role-rbac-v1",
    "rolebinding-rbac-v1",
)
#: Go module → (version, its CRD files (paths inside the module), kept kinds).
CRD_MODULES: dict[str, tuple[str, list[str], set[str]]] = {
    "github.com/cloudnative-pg/cloudnative-pg": (
        "v1.28.0",
        ["config/crd/bases/postgresql.cnpg.io_clusters.yaml", "config/crd/bases/postgresql.cnpg.io_poolers.yaml",
         "config/crd/bases/postgresql.cnpg.io_scheduledbackups.yaml"],
        {"Cluster", "Pooler", "ScheduledBackup"},
    ),
    "github.com/cloudnative-pg/plugin-barman-cloud": (
        "v0.15.0", ["config/crd/bases/barmancloud.cnpg.io_objectstores.yaml"], {"ObjectStore"}
    ),
    "github.com/cert-manager/cert-manager": (
        "v1.21.2",
        ["deploy/crds/cert-manager.io_certificates.yaml", "deploy/crds/cert-manager.io_issuers.yaml"],
        {"Certificate", "Issuer"},
    ),
    "github.com/external-secrets/external-secrets": (
        "v1.3.2", ["config/crds/bases/external-secrets.io_externalsecrets.yaml"], {"ExternalSecret"}
    ),
    "github.com/prometheus-operator/prometheus-operator": (
        "v0.85.0", ["example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml"], {"PodMonitor"}
    ),
}


def kubernetes_source(version: str) -> Path:
    """The strict schema folder of ``version`` inside the installed kubernetes-validate package."""
    import kubernetes_validate

    return Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / f"v{version}-local-strict"


def _refs(node: Any) -> set[str]:
    """Every ``$ref`` below ``node``."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                found |= _refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _refs(value)
    return found


def _relative(node: Any) -> Any:
    """``node`` with ``$id`` dropped and ``/api/_definitions.json#…`` references made relative."""
    if isinstance(node, dict):
        return {
            key: (value.replace("/api/_definitions.json#", "_definitions.json#") if key == "$ref" else _relative(value))
            for key, value in node.items()
            if key != "$id"
        }
    if isinstance(node, list):
        return [_relative(value) for value in node]
    return node


def vendor_kubernetes(version: str) -> int:
    """Write the kinds and the definitions they reach for one Kubernetes version; returns the file count."""
    source = kubernetes_source(version)
    target = HERE / "kubernetes" / f"v{version}-standalone-strict"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    wanted: set[str] = set()
    pending: list[str] = []
    for kind in KUBERNETES_KINDS:
        schema = json.loads((source / f"{kind}.json").read_text())
        pending += [ref.rsplit("/", 1)[1] for ref in _refs(schema)]
        (target / f"{kind}.json").write_text(json.dumps(_relative(schema), indent=1, sort_keys=True) + "\n")
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending += [ref.rsplit("/", 1)[1] for ref in _refs(definitions[name])]
    kept = {"$defs": {name: definitions[name] for name in sorted(wanted)}}
    (target / "_definitions.json").write_text(json.dumps(_relative(kept), indent=1, sort_keys=True) + "\n")
    return len(KUBERNETES_KINDS) + 1


def module_dir(module: str, version: str) -> Path:
    """The unpacked Go module (``go mod download``: from the module proxy, or the local module cache)."""
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"{module}@{version}"], check=True, capture_output=True, text=True
    )
    return Path(json.loads(out.stdout)["Dir"])


def strict(node: Any) -> Any:
    """openapi2jsonschema's conversion: closed objects (unless the CRD preserves unknown fields), and
    int-or-string as a choice of the two."""
    if isinstance(node, list):
        return [strict(value) for value in node]
    if not isinstance(node, dict):
        return node
    if node.get("format") == "int-or-string" or node.get("x-kubernetes-int-or-string"):
        return {"oneOf": [{"type": "string"}, {"type": "integer"}]}
    converted = {key: strict(value) for key, value in node.items()}
    if "properties" in converted and "additionalProperties" not in converted:
        if not converted.get("x-kubernetes-preserve-unknown-fields"):
            converted["additionalProperties"] = False
    return converted


def vendor_crds() -> int:
    """Convert every listed CRD version to ``crds/<group>/<kind>_<version>.json``; returns the file count."""
    target = HERE / "crds"
    shutil.rmtree(target, ignore_errors=True)
    written = 0
    for module, (version, files, kinds) in CRD_MODULES.items():
        root = module_dir(module, version)
        for relative in files:
            for crd in yaml.safe_load_all((root / relative).read_text()):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                kind, group = crd["spec"]["names"]["kind"], crd["spec"]["group"]
                if kind not in kinds:
                    continue
                for served in crd["spec"]["versions"]:
                    schema = strict(served["schema"]["openAPIV3Schema"])
                    path = target / group / f"{kind.lower()}_{served['name']}.json"
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
                    written += 1
    (target / "SOURCES.txt").write_text(
        "".join(f"{module}@{version}: {', '.join(files)}\n" for module, (version, files, _) in CRD_MODULES.items())
    )
    return written


if __name__ == "__main__":
    for kubernetes_version in KUBERNETES_VERSIONS:
        print(f"kubernetes v{kubernetes_version}: {vendor_kubernetes(kubernetes_version)} files")
    print(f"CRDs: {vendor_crds()} schema files")

"""``promptsales deploy …``: render the Kubernetes manifests of ``deploy/`` and validate them (deploy/README.md).

``render`` runs ``kustomize build`` on an overlay; ``validate`` renders every overlay and checks it with
``kubeconform -strict`` against the JSON schemas vendored under ``deploy/schemas`` (Kubernetes and every
operator CRD used), for every vendored Kubernetes version, and fails on an invalid or a skipped resource.
Both tools are Go programs (``go install``; the README lists the versions); nothing is fetched at run time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import typer
import yaml
from rich.console import Console
from rich.table import Table

from promptsales.errors import UserError

app = typer.Typer(help="Kubernetes: render the manifests of deploy/ and validate them.", no_args_is_help=True)
console = Console()

#: The repository's deploy/ folder (the package is installed from the repository, editable or not).
DEFAULT_DEPLOY_DIR = Path(__file__).resolve().parents[3] / "deploy"
#: Where ``validate`` writes each rendered overlay.
DEFAULT_OUT_DIR = Path("build/k8s")


def deploy_dir() -> Path:
    """``PROMPTSALES_DEPLOY_DIR`` or the repository's deploy/ folder; a UserError when it is missing."""
    path = Path(os.environ.get("PROMPTSALES_DEPLOY_DIR") or DEFAULT_DEPLOY_DIR)
    if not (path / "overlays").is_dir():
        raise UserError(f"No deploy/overlays under {path}: run from a checkout or set PROMPTSALES_DEPLOY_DIR.")
    return path


def overlays(root: Path) -> list[str]:
    """The overlay names (folders of ``deploy/overlays`` with a kustomization)."""
    return sorted(p.parent.name for p in (root / "overlays").glob("*/kustomization.yaml"))


def tool(name: str) -> str:
    """The path of a Go tool: on PATH, else in ``$GOBIN`` / ``$GOPATH/bin`` / ``~/go/bin``."""
    found = shutil.which(name)
    if found:
        return found
    for directory in (os.environ.get("GOBIN"), os.environ.get("GOPATH") and f"{os.environ['GOPATH']}/bin"):
        if directory and (Path(directory) / name).exists():
            return str(Path(directory) / name)
    candidate = Path.home() / "go" / "bin" / name
    if candidate.exists():
        return str(candidate)
    raise UserError(f"{name} is not installed; see deploy/README.md (`go install …`).")


def render(root: Path, overlay: str) -> str:
    """The YAML of one overlay (``kustomize build``)."""
    if overlay not in overlays(root):
        raise UserError(f"Unknown overlay {overlay!r}; expected one of {', '.join(overlays(root))}.")
    result = subprocess.run(
        [tool("kustomize"), "build", str(root / "overlays" / overlay)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise UserError(f"kustomize build {overlay} failed: {result.stderr.strip()}")
    return result.stdout


def kubernetes_versions(root: Path) -> list[str]:
    """The Kubernetes versions whose schemas are vendored (``deploy/schemas/kubernetes/v<version>-…``)."""
    return sorted(p.name[1:].split("-")[0] for p in (root / "schemas" / "kubernetes").glob("v*-standalone-strict"))


@dataclass
class Validation:
    """What kubeconform said about one rendered file for one Kubernetes version."""

    overlay: str
    version: str
    summary: dict[str, int]
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every resource valid: none invalid, none in error, none skipped."""
        return self.summary.get("valid", 0) > 0 and not any(
            self.summary.get(key, 0) for key in ("invalid", "errors", "skipped")
        )


def kubeconform(root: Path, path: Path, version: str) -> tuple[dict[str, int], list[str]]:
    """Validate ``path`` strictly against the vendored schemas only; (summary counts, problem lines)."""
    schemas = root / "schemas"
    argv = [
        tool("kubeconform"),
        "-strict",
        "-summary",
        "-output",
        "json",
        "-kubernetes-version",
        version,
        "-schema-location",
        f"{schemas}/kubernetes/{{{{ .NormalizedKubernetesVersion }}}}-standalone{{{{ .StrictSuffix }}}}/"
        "{{ .ResourceKind }}{{ .KindSuffix }}.json",
        "-schema-location",
        f"{schemas}/crds/{{{{ .Group }}}}/{{{{ .ResourceKind }}}}_{{{{ .ResourceAPIVersion }}}}.json",
        str(path),
    ]
    result = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as error:
        raise UserError(f"kubeconform gave no report: {result.stderr.strip() or result.stdout[:200]}") from error
    problems = [
        f"{item.get('kind')} {item.get('name')}: {item.get('status')} {item.get('msg', '')}".strip()
        for item in report.get("resources") or []
        if item.get("status") != "statusValid"
    ]
    return report.get("summary", {}), problems


def kinds(text: str) -> Counter[str]:
    """How many resources of each kind a rendered file holds."""
    return Counter(doc["kind"] for doc in yaml.safe_load_all(text) if doc)


def validate_all(root: Path, out_dir: Path) -> tuple[list[Validation], dict[str, Counter[str]]]:
    """Render every overlay into ``out_dir/<overlay>.yaml`` and validate it for every vendored version."""
    out_dir.mkdir(parents=True, exist_ok=True)
    results, counts = [], {}
    for overlay in overlays(root):
        text = render(root, overlay)
        path = out_dir / f"{overlay}.yaml"
        path.write_text(text)
        counts[overlay] = kinds(text)
        for version in kubernetes_versions(root):
            summary, problems = kubeconform(root, path, version)
            results.append(Validation(overlay, version, summary, problems))
    return results, counts


@app.command("render")
def render_command(
    overlay: str = typer.Option("production", "--overlay", help="Overlay of deploy/overlays to render."),
    out: Path | None = typer.Option(None, "--out", help="Write the YAML here instead of standard output."),
) -> None:
    """Render one overlay to YAML (apply it with `kubectl apply -f`; deploy/README.md)."""
    text = render(deploy_dir(), overlay)
    if out is None:
        print(text, end="")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    console.print(f"wrote {out} ({sum(kinds(text).values())} resources)")


@app.command("validate")
def validate_command(
    out_dir: Path = typer.Option(DEFAULT_OUT_DIR, "--out-dir", help="Where the rendered overlays are written."),
) -> None:
    """Render every overlay and validate it with `kubeconform -strict` (vendored schemas, 0 skipped)."""
    root = deploy_dir()
    results, counts = validate_all(root, out_dir)
    table = Table(title="kubeconform -strict (vendored schemas)")
    for column in ("overlay", "kubernetes", "resources", "valid", "invalid", "errors", "skipped"):
        table.add_column(column)
    for item in results:
        s = item.summary
        counts_of = [s.get(key, 0) for key in ("valid", "invalid", "errors", "skipped")]
        table.add_row(item.overlay, item.version, str(sum(counts_of)), *map(str, counts_of))
    console.print(table)
    for overlay, counter in counts.items():
        console.print(f"{overlay}: " + ", ".join(f"{kind} {n}" for kind, n in sorted(counter.items())))
    failed = [item for item in results if not item.ok]
    for item in failed:
        for problem in item.problems or [f"summary {item.summary}"]:
            console.print(f"[red]{item.overlay} / {item.version}[/]: {problem}")
    if failed:
        raise typer.Exit(1)

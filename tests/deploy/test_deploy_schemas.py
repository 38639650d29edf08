"""Every overlay of deploy/ is valid against the real API schemas (vendored: Kubernetes 1.33 and 1.35, and every
operator CRD used), checked by ``kubeconform -strict`` with nothing skipped; a broken manifest is rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import require_tools
from promptsales.commands import deploy

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_overlay_is_valid_with_nothing_skipped(deploy_root: Path, tmp_path: Path) -> None:
    require_tools()
    results, counts = deploy.validate_all(deploy_root, tmp_path)
    assert {item.overlay for item in results} == {"single-node", "production"}
    assert {item.version for item in results} == {"1.33.0", "1.35.0"}
    for item in results:
        assert item.ok, (item.overlay, item.version, item.summary, item.problems)
        assert item.summary["valid"] == sum(counts[item.overlay].values())
        assert item.summary.get("skipped", 0) == 0
    # the operator kinds are validated too, not skipped
    for kind in ("Cluster", "Pooler", "Certificate", "Issuer", "ExternalSecret", "PodMonitor"):
        assert counts["production"][kind] > 0
    assert counts["production"]["ScheduledBackup"] == 5 and counts["production"]["ObjectStore"] == 1


def test_broken_manifests_are_rejected(deploy_root: Path) -> None:
    require_tools()
    summary, problems = deploy.kubeconform(deploy_root, FIXTURES / "broken.yaml", "1.35.0")
    assert summary.get("invalid", 0) == 4 and summary.get("valid", 0) == 0, (summary, problems)
    text = "\n".join(problems)
    for name in ("broken-field", "broken-metric", "broken-cluster", "broken-certificate"):
        assert name in text


def test_an_unknown_kind_is_not_skipped_silently(deploy_root: Path, tmp_path: Path) -> None:
    """A kind without a vendored schema is an error, so a new CRD cannot slip through unvalidated."""
    require_tools()
    path = tmp_path / "unknown.yaml"
    path.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {}\n")
    summary, _ = deploy.kubeconform(deploy_root, path, "1.35.0")
    assert summary.get("errors", 0) == 1 and summary.get("valid", 0) == 0


@pytest.mark.parametrize("overlay", ["single-node", "production"])
def test_render_command_writes_the_overlay(overlay: str, tmp_path: Path) -> None:
    require_tools()
    from typer.testing import CliRunner

    from promptsales.cli import app

    out = tmp_path / f"{overlay}.yaml"
    result = CliRunner().invoke(app, ["deploy", "render", "--overlay", overlay, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "kind: HorizontalPodAutoscaler" in out.read_text()

"""Fixtures of the deployment tests: every overlay of deploy/ rendered once by kustomize (as parsed YAML).

kustomize and kubeconform are Go tools installed by .ci/run (deploy/README.md). Without them the tests are
skipped on a developer machine and fail in CI (CI=true), where a missing tool must not pass unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from ci_skip import skip_or_fail_in_ci
from promptsales.commands import deploy
from promptsales.errors import UserError


def require_tools() -> None:
    """Skip (fail under CI) when kustomize or kubeconform is missing."""
    try:
        deploy.tool("kustomize")
        deploy.tool("kubeconform")
    except UserError as error:
        skip_or_fail_in_ci(str(error))


@pytest.fixture(scope="session")
def deploy_root() -> Path:
    """The repository's deploy/ folder."""
    return deploy.deploy_dir()


@pytest.fixture(scope="session")
def rendered(deploy_root: Path) -> dict[str, list[dict[str, Any]]]:
    """Overlay name → its rendered resources."""
    require_tools()
    return {
        overlay: [doc for doc in yaml.safe_load_all(deploy.render(deploy_root, overlay)) if doc]
        for overlay in deploy.overlays(deploy_root)
    }

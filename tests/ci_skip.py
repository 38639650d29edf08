"""A test whose environment lacks a tool or privilege skips on a developer's machine, but fails under CI
(``CI=true``, set by .ci/run, which installs every such tool and runs as root): a skip there would count a test
that never ran as passing."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """Whether the tests run under CI (``CI=true``, as .ci/run exports it)."""
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail_in_ci(reason: str) -> NoReturn:
    """Skip with ``reason``, or fail with it under CI, where the environment must provide what is missing."""
    if in_ci():
        pytest.fail(f"{reason} (CI provides it: .ci/run installs the tools and runs as root; a skip is a failure)")
    pytest.skip(reason)

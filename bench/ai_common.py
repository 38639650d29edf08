"""Shared pieces of the AI-module benchmarks: the version to report (trained now, or the newest stored with
``--latest``) and the CPU time of a server's process tree."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from promptsales.ai import registry
from promptsales.config import Settings


def trained_version(
    settings: Settings, module: str, train: Callable[[Settings], registry.ModelVersion]
) -> tuple[registry.ModelVersion, float | None]:
    """(version, training seconds): ``train`` runs now, unless ``--latest`` asks for the newest stored version
    (seconds None)."""
    if "--latest" in sys.argv:
        version = registry.latest_version(settings, module)
        if version is None:
            raise SystemExit(f"no stored {module} version: run without --latest")
        return version, None
    started = time.perf_counter()
    version = train(settings)
    return version, time.perf_counter() - started


def process_tree_cpu(pid: int) -> float:
    """CPU seconds used so far by process ``pid``, its reaped children and its live descendants."""
    import psutil

    main = psutil.Process(pid)
    total = sum(main.cpu_times()[:4])  # user, system, children_user, children_system
    for child in main.children(recursive=True):
        try:
            times = child.cpu_times()
            total += times.user + times.system
        except psutil.NoSuchProcess:
            pass
    return total

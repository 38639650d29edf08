"""Write benchmark figures into docs/benchmarks.md, one section per benchmark, with the machine."""

from __future__ import annotations

import os
import platform
import re
import statistics
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def machine_summary() -> str:
    """One line describing the machine the figures come from."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def runs_row(label: str, seconds: list[float], target: str = "", digits: int = 2) -> str:
    """A ``| label | median | every run | target |`` row of a timing table (``seconds``: one value per run)."""
    median = statistics.median(seconds)
    runs = ", ".join(f"{value:.{digits}f}" for value in seconds)
    end = f" {target} |" if target else " |"
    return f"| {label} | {median:.{digits}f} | {runs} |{end}"


def write_section(title: str, source: str, lines: list[str]) -> None:
    """Replace (or append) the section called ``title`` in docs/benchmarks.md."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = f"## {title}\n\nMeasured {stamp} by `{source}` on {machine_summary()}.\n\n" + "\n".join(lines) + "\n"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: body + "\n", text)
    else:
        text = text.rstrip("\n") + "\n\n" + body
    BENCHMARKS.write_text(text)

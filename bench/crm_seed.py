"""Benchmark (issue 4): official-scale PromptCRM generation + encryption + load, and the analytics views.

Uses the servers of the configured data directory (``PROMPTSALES_DATA_DIR``; run ``promptsales up``
first). PromptAds is seeded at official scale first when it is empty. The CRM load is timed on its own
(generate from PromptAds, encrypt national IDs and context data, binary COPY, rebuild indexes and foreign
keys, ANALYZE), then the creation/refresh of the two materialized views. Target: load under 90 s.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.config import get_settings  # noqa: E402
from promptsales.crm import generate  # noqa: E402
from promptsales.crm.analytics import refresh_views  # noqa: E402
from promptsales.seed import SeedContext, seed_all  # noqa: E402
from report import write_section  # noqa: E402


class PhaseClock:
    """A stand-in for the Rich progress bar that records how long each phase of the load took."""

    def __init__(self) -> None:
        self.phases: list[tuple[str, float]] = []
        self.label = "read PromptAds"
        self.mark = time.perf_counter()

    def add_task(self, *_args, **_kwargs) -> int:
        """Start timing."""
        self.mark = time.perf_counter()
        return 0

    def update(self, _task, description: str = "", **_kwargs) -> None:
        """Close the current phase; the description names the next one."""
        now = time.perf_counter()
        self.phases.append((self.label, now - self.mark))
        self.label, self.mark = description.removeprefix("crm: "), now


def main() -> None:
    """Seed PromptCRM at official scale and record the timings."""
    settings = get_settings()
    seed_all(settings, "official", companies=["ads"], if_empty=True)
    clock = PhaseClock()
    ctx = SeedContext(settings, "official", progress=clock)
    started = time.perf_counter()
    counts = generate.load(ctx)
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    refresh_views(settings, create=True)
    views_seconds = time.perf_counter() - started
    total = sum(counts.values())
    lines = [
        "| table | rows |",
        "|---|---|",
        *(f"| crm.{table} | {rows:,} |" for table, rows in counts.items()),
        f"| **total** | **{total:,}** |",
        "",
        "| step | seconds | rows/s | target |",
        "|---|---|---|---|",
        f"| generation + encryption (2 AES-256-GCM fields + HMAC per client) + binary COPY + index/FK rebuild + ANALYZE "
        f"| {load_seconds:.1f} | {total / load_seconds:,.0f} | < 90 s |",
        f"| clients only (encrypted rows) | — | {counts['clients'] / load_seconds:,.0f} clients/s over the whole load | |",
        f"| analytics materialized views (create or REFRESH CONCURRENTLY) | {views_seconds:.1f} | — | — |",
        "",
        "Phases of the load (seconds): " + ", ".join(f"{name} {seconds:.1f}" for name, seconds in clock.phases),
    ]
    write_section("PromptCRM official-scale generation, encryption and load", "bench/crm_seed.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

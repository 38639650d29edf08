"""What a company's data generator receives (:class:`SeedContext`) and the scales it knows (SPEC G7).

Each company contributes ``promptsales.<company>.generate`` with two functions::

    def seed(ctx: SeedContext) -> dict[str, int]   # rows loaded per table (COPY, vectorised)
    def is_seeded(ctx: SeedContext) -> bool         # True when the data is already there

:mod:`promptsales.seed` runs them in dependency order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from rich.progress import Progress

from promptsales.config import Settings

Scale = Literal["small", "official", "large"]
SCALES: tuple[str, ...] = ("small", "official", "large")
DEFAULT_SEED = 20260131


@dataclass
class SeedContext:
    """What a company generator receives."""

    settings: Settings
    scale: Scale
    seed: int = DEFAULT_SEED
    progress: Progress | None = None
    dbname: dict[str, str] = field(default_factory=dict)

    def database(self, company: str) -> str | None:
        """Database name override for ``company`` (tests use private copies), or None for the default."""
        return self.dbname.get(company)

"""``promptsales seed``: generate every company's data algorithmically (SPEC G7), in dependency order.

Each company contributes ``promptsales.<company>.generate`` with two functions::

    def seed(ctx: SeedContext) -> dict[str, int]   # rows loaded per table (COPY, vectorised)
    def is_seeded(ctx: SeedContext) -> bool         # True when the data is already there

Order matters because data is consistent across databases: PromptAds first (campaigns), then
PromptCRM (clients and sales drawn against the campaigns), PromptContent, and PromptSales last.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Literal

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from promptsales.config import Settings
from promptsales.errors import UserError

Scale = Literal["small", "official", "large"]
SCALES: tuple[str, ...] = ("small", "official", "large")
ORDER: tuple[str, ...] = ("ads", "crm", "content", "sales")
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


def new_progress() -> Progress:
    """The Rich progress bar used by every long-running command."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=False,
    )


def _generator(company: str):
    try:
        return importlib.import_module(f"promptsales.{company}.generate")
    except ModuleNotFoundError as error:
        if error.name == f"promptsales.{company}.generate":
            return None
        raise


def seed_all(
    settings: Settings,
    scale: str = "official",
    seed: int = DEFAULT_SEED,
    companies: list[str] | None = None,
    if_empty: bool = False,
    progress: Progress | None = None,
    dbname: dict[str, str] | None = None,
) -> dict[str, dict[str, int]]:
    """Run the generators in dependency order; returns rows loaded per company and table."""
    if scale not in SCALES:
        raise UserError(f"Unknown scale {scale!r}; expected one of {', '.join(SCALES)}.")
    for company in companies or []:
        if company not in ORDER:
            raise UserError(f"Unknown company {company!r}; expected one of {', '.join(ORDER)}.")
    ctx = SeedContext(settings, scale, seed, progress, dict(dbname or {}))
    loaded: dict[str, dict[str, int]] = {}
    for company in ORDER:
        if companies and company not in companies:
            continue
        module = _generator(company)
        if module is None:
            continue
        if if_empty and module.is_seeded(ctx):
            loaded[company] = {}
            continue
        loaded[company] = module.seed(ctx)
    return loaded

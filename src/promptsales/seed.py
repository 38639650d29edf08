"""``promptsales seed``: generate every company's data algorithmically (SPEC G7), in dependency order.

Order matters because data is consistent across databases: PromptAds first (campaigns), then
PromptCRM (clients and sales drawn against the campaigns), PromptContent, and PromptSales last.
The generators and what they receive are described in :mod:`promptsales.seeding`.
"""

from __future__ import annotations

from types import ModuleType
from typing import TypeGuard

from rich.progress import Progress

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.progress import new_progress
from promptsales.seeding import DEFAULT_SEED, SCALES, Scale, SeedContext

__all__ = ["DEFAULT_SEED", "ORDER", "SCALES", "Scale", "SeedContext", "generators", "new_progress", "seed_all"]

ORDER: tuple[str, ...] = ("ads", "crm", "content", "sales")


def generators() -> dict[str, ModuleType]:
    """The company generators in dependency order (imported on use: numpy models are heavy)."""
    from promptsales.ads import generate as ads
    from promptsales.content import generate as content
    from promptsales.crm import generate as crm
    from promptsales.sales import generate as sales

    return {"ads": ads, "crm": crm, "content": content, "sales": sales}


def _is_scale(text: str) -> TypeGuard[Scale]:
    return text in SCALES


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
    if not _is_scale(scale):
        raise UserError(f"Unknown scale {scale!r}; expected one of {', '.join(SCALES)}.")
    for company in companies or []:
        if company not in ORDER:
            raise UserError(f"Unknown company {company!r}; expected one of {', '.join(ORDER)}.")
    ctx = SeedContext(settings, scale, seed, progress, dict(dbname or {}))
    loaded: dict[str, dict[str, int]] = {}
    for company in ORDER:
        if companies and company not in companies:
            continue
        module = generators()[company]
        if if_empty and module.is_seeded(ctx):
            loaded[company] = {}
            continue
        loaded[company] = module.seed(ctx)
    return loaded

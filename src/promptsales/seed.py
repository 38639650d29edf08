"""``promptsales seed``: generate every company's data algorithmically (SPEC G7), each step once what it reads is in.

Data is consistent across databases: PromptAds first (campaigns), then PromptCRM (clients and sales drawn
against the campaigns) and PromptContent (assets per campaign), and PromptSales last (it reads both PromptAds and
PromptCRM). Steps whose inputs are loaded run side by side in threads — PromptCRM's seed waits on PostgreSQL
(COPY, constraint validation, view refreshes) for about half its time, while PromptAds' comment classification
and PromptContent's embeddings compute (D169). The generators and what they receive are described in
:mod:`promptsales.seeding`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Step:
    """One unit of the seed: the company whose rows it loads, what it runs, and the steps it reads from."""

    name: str
    company: str
    run: Callable[[SeedContext], dict[str, int]]
    needs: tuple[str, ...] = ()


def steps() -> tuple[Step, ...]:
    """The seed's steps: PromptAds' tables, then its comment classification, PromptCRM and PromptContent side by
    side, then PromptSales (which reads PromptAds' campaigns and PromptCRM's sales)."""
    found = generators()
    ads = found["ads"]
    return (
        Step("ads", "ads", ads.seed_tables),
        Step("ads-sentiment", "ads", ads.classify_comments, ("ads",)),
        Step("crm", "crm", found["crm"].seed, ("ads",)),
        Step("content", "content", found["content"].seed, ("ads",)),
        Step("sales", "sales", found["sales"].seed, ("ads", "crm")),
    )


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
    """Run the generators of ``companies`` (default: all), each step once the steps it reads from are done;
    returns rows loaded per company and table (``{}`` for a company skipped by ``if_empty``)."""
    if not _is_scale(scale):
        raise UserError(f"Unknown scale {scale!r}; expected one of {', '.join(SCALES)}.")
    for company in companies or []:
        if company not in ORDER:
            raise UserError(f"Unknown company {company!r}; expected one of {', '.join(ORDER)}.")
    ctx = SeedContext(settings, scale, seed, progress, dict(dbname or {}))
    chosen = [company for company in ORDER if not companies or company in companies]
    skipped = {company for company in chosen if if_empty and generators()[company].is_seeded(ctx)}
    loaded: dict[str, dict[str, int]] = {company: {} for company in chosen}
    todo = [step for step in steps() if step.company in chosen and step.company not in skipped]
    _run_steps(ctx, todo, loaded)
    return loaded


def _run_steps(ctx: SeedContext, todo: list[Step], loaded: dict[str, dict[str, int]]) -> None:
    """Run ``todo`` in threads, each step once its needs among ``todo`` are done; after a failure no step
    starts, the running ones end, and the first failure is raised."""
    pending = {step.name: step for step in todo}
    running: dict[Future[dict[str, int]], Step] = {}
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=max(1, len(todo)), thread_name_prefix="seed") as pool:
        while running or (pending and failure is None):
            if failure is None:
                unfinished = set(pending) | {step.name for step in running.values()}
                for step in [s for s in pending.values() if not unfinished.intersection(s.needs)]:
                    running[pool.submit(step.run, ctx)] = pending.pop(step.name)
            if not running:
                raise RuntimeError(f"seed steps wait on each other: {sorted(pending)}")
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                step = running.pop(future)
                if future.exception() is not None:
                    failure = failure or future.exception()
                else:
                    loaded[step.company].update(future.result())
    if failure is not None:
        raise failure

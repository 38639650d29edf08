"""The seed's step scheduler (D169): each step starts only after the steps it reads from, steps whose inputs are in
run side by side, and a failure stops every step that has not started and is raised."""

from __future__ import annotations

import threading

import pytest

from promptsales.seed import ORDER, Step, _run_steps, steps
from promptsales.seeding import SeedContext


class Journal:
    """Steps that record when they start and end; ``fail`` names the one that raises."""

    def __init__(self, fail: str | None = None) -> None:
        self.events: list[tuple[str, str]] = []
        self.fail = fail
        self.lock = threading.Lock()

    def step(self, name: str, company: str, needs: tuple[str, ...] = ()) -> Step:
        def run(_ctx: SeedContext) -> dict[str, int]:
            with self.lock:
                self.events.append(("start", name))
            if name == self.fail:
                raise ValueError(f"{name} broke")
            with self.lock:
                self.events.append(("end", name))
            return {f"{name}_rows": 1}

        return Step(name, company, run, needs)

    def index(self, event: str, name: str) -> int:
        return self.events.index((event, name))


def _plan(journal: Journal) -> list[Step]:
    return [
        journal.step("ads", "ads"),
        journal.step("ads-sentiment", "ads", ("ads",)),
        journal.step("crm", "crm", ("ads",)),
        journal.step("content", "content", ("ads",)),
        journal.step("sales", "sales", ("ads", "crm")),
    ]


def test_each_step_starts_after_the_steps_it_reads_from_and_rows_are_merged_per_company() -> None:
    journal = Journal()
    loaded: dict[str, dict[str, int]] = {company: {} for company in ORDER}
    _run_steps(SeedContext(None, "small"), _plan(journal), loaded)  # type: ignore[arg-type]
    for step in _plan(journal):
        for need in step.needs:
            assert journal.index("end", need) < journal.index("start", step.name), journal.events
    assert loaded["ads"] == {"ads_rows": 1, "ads-sentiment_rows": 1}
    assert loaded["sales"] == {"sales_rows": 1}


def test_a_failed_step_is_raised_and_what_reads_from_it_never_starts() -> None:
    journal = Journal(fail="crm")
    loaded: dict[str, dict[str, int]] = {company: {} for company in ORDER}
    with pytest.raises(ValueError, match="crm broke"):
        _run_steps(SeedContext(None, "small"), _plan(journal), loaded)  # type: ignore[arg-type]
    assert ("start", "sales") not in journal.events
    # the steps started beside it ran to their end
    assert {("end", "ads-sentiment"), ("end", "content")} <= set(journal.events)


def test_the_first_step_failing_starts_nothing_else() -> None:
    journal = Journal(fail="ads")
    with pytest.raises(ValueError, match="ads broke"):
        _run_steps(SeedContext(None, "small"), _plan(journal), {c: {} for c in ORDER})  # type: ignore[arg-type]
    assert journal.events == [("start", "ads")]


def test_the_real_plan_covers_every_company_and_names_only_its_own_steps_as_needs() -> None:
    plan = steps()
    names = [step.name for step in plan]
    assert {step.company for step in plan} == set(ORDER)
    for position, step in enumerate(plan):
        assert set(step.needs) <= set(names[:position]), f"{step.name} needs a later or unknown step"
    sales = next(step for step in plan if step.name == "sales")
    assert {"ads", "crm"} <= set(sales.needs)

"""What a scenario run produced, and how it is shown by ``promptsales lab run``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from promptsales.crm.concurrency.harness import Leak
from promptsales.crm.concurrency.timeline import TIMELINE_COLUMNS, Timeline
from promptsales.lab.registry import LabResult, StepResult


@dataclass
class ScenarioResult:
    """One run of one scenario in one mode.

    ``anomaly``: the concurrency failure happened (deadlock victim, lost update, inconsistent total, dirty
    value seen). ``final_ok``: the data left behind is exactly what the operations that committed imply
    (and, in safe mode, every operation committed). ``checks`` lists (what, expected, actual).
    """

    scenario: str
    mode: str
    run_id: str
    timeline: Timeline
    anomaly: bool = False
    final_ok: bool = False
    outcome: str = ""
    checks: list[tuple[str, Any, Any]] = field(default_factory=list)
    leaks: list[Leak] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)

    def check(self, what: str, expected: Any, actual: Any) -> bool:
        """Record a final-data comparison; returns whether it matched."""
        self.checks.append((what, expected, actual))
        return expected == actual

    def as_lab_steps(self) -> list[StepResult]:
        """The timeline, the final-data checks and the leak check as lab steps."""
        steps = [
            StepResult(
                title=f"{self.scenario} --{self.mode}: timeline (run {self.run_id})",
                columns=list(TIMELINE_COLUMNS),
                rows=self.timeline.rows(),
            ),
            StepResult(
                title=f"{self.scenario} --{self.mode}: final data",
                columns=["check", "expected", "actual", "match"],
                rows=[(what, str(exp), str(act), "yes" if exp == act else "NO") for what, exp, act in self.checks],
            ),
        ]
        leak_note = (
            "Nothing left behind: no session of the run still connected or in a transaction, no lab lock held."
            if not self.leaks
            else "LEFT BEHIND: " + "; ".join(f"{leak.kind}: {leak.detail}" for leak in self.leaks)
        )
        steps.append(StepResult(title="leak check (pg_stat_activity, pg_locks)", note=leak_note))
        return steps


def to_lab_result(name: str, results: list[ScenarioResult]) -> LabResult:
    """Several runs (e.g. unsafe then safe) as one lab result."""
    lab = LabResult(name)
    for result in results:
        lab.steps.extend(result.as_lab_steps())
    lab.outcome = "\n".join(f"[{r.mode}] {r.outcome}" for r in results)
    return lab

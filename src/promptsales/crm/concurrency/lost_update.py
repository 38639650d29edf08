"""Scenario ``crm.lost-update``: two sessions adjust the same lead's score at the same time.

S1 adds +5 and S2 adds +7 to one lead's purchase-intent score. Unsafe (read, then write what was computed
from the read): both read the same score and wait at the gate; when it opens, S1 writes old+5 and S2
(after S1 commits) writes old+7 over it — S1's adjustment is lost. Safe (one atomic
``UPDATE … SET score = score + delta``): S2 waits for S1's row lock, then re-reads the committed row and
adds its delta to it — the final score is old+12.
"""

from __future__ import annotations

from functools import partial

from psycopg import sql

from promptsales.crm.concurrency.harness import LabRun, Session
from promptsales.crm.concurrency.result import ScenarioResult
from promptsales.crm.concurrency.rows import lead_score, pick_lead, restore_lead_score

NAME = "lost-update"
DELTAS = (("S1", 5), ("S2", 7))


def run(
    conninfo: str, *, safe: bool, deadlock_timeout_ms: int = 100, lead_id: int | None = None, restore: bool = True
) -> ScenarioResult:
    """Run the two concurrent adjustments once and check the final score."""
    mode = "safe" if safe else "unsafe"
    procedure = "crmsp_adjust_lead_score_safe" if safe else "crmsp_adjust_lead_score_unsafe"
    call = sql.SQL("CALL crm.{}(%s, %s, %s, NULL)").format(sql.Identifier(procedure))
    total_delta = sum(d for _, d in DELTAS)
    with LabRun(conninfo, NAME, deadlock_timeout_ms) as lab:
        lead = lead_id or pick_lead(lab.coordinator, max_score=100 - total_delta)
        before = lead_score(lab.coordinator, lead)
        lab.note("rows", f"lead {lead}, score {before}")
        lab.gate.close()
        lab.note("close the gate")
        sessions = []
        for name, delta in DELTAS:
            session = lab.session(name)
            sessions.append(session)
            step = f"adjust the score by {delta:+d} ({mode})"
            lab.start(session, partial(Session.call, step=step, query=call, params=(lead, delta, lab.gate.key)))
        lab.wait_all_waiting([s.name for s in sessions], "S1 and S2 both wait")
        lab.open_gate()
        lab.finish()
        after = lead_score(lab.coordinator, lead)
        applied = sum(delta for (_, delta), s in zip(DELTAS, sessions) if s.last.ok)
        result = ScenarioResult(NAME, mode, lab.run_id, lab.timeline)
        result.facts = {
            "lead": lead,
            "before": before,
            "after": after,
            "committed": [s.name for s in sessions if s.last.ok],
            "returned": {s.name: s.last.returned()[0] for s in sessions if s.last.ok},
        }
        result.check(f"score of lead {lead} = {before} + the deltas of the committed calls", before + applied, after)
        result.anomaly = after != before + applied
        result.final_ok = after == before + total_delta and len(result.facts["committed"]) == len(DELTAS)
        if result.anomaly:
            lost = before + applied - after
            result.outcome = (
                f"Lost update: both calls committed, yet the score went {before} → {after} instead of "
                f"{before + applied}: an adjustment of {lost:+d} was overwritten."
            )
        else:
            result.outcome = f"No lost update: {before} + 5 + 7 = {after}."
        if restore:
            restore_lead_score(lab.coordinator, lead, before)
    result.leaks = lab.leaks
    return result

"""Scenario ``crm.deadlock-cascade``: three transfers between three sales wait for each other in a cycle.

T1 moves 1.00 from sale A to B, T2 2.00 from B to C, T3 4.00 from C to A (powers of two, so the final
amounts tell exactly which transfers committed). Unsafe: each debits first and waits at the gate holding
its "from" row; when the gate opens T1 wants B (held by T2), T2 wants C (T3), T3 wants A (T1) — a cycle;
after ``deadlock_timeout`` PostgreSQL aborts one of them (40P01, raised to the caller as PCC03). Safe: each
locks both of its rows in ascending sale_id order before the gate, so T2 and T3 queue behind T1 instead
of closing a cycle; all three commit.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from psycopg import sql

from promptsales.crm.concurrency.harness import LabRun, Session
from promptsales.crm.concurrency.result import ScenarioResult
from promptsales.crm.concurrency.rows import pick_sales, restore_sale_amounts, sale_amounts

NAME = "deadlock-cascade"
#: (session, index of the "from" sale, index of the "to" sale, amount)
TRANSFERS = (("T1", 0, 1, Decimal("1.00")), ("T2", 1, 2, Decimal("2.00")), ("T3", 2, 0, Decimal("4.00")))
DEADLOCK_CODES = ("PCC03", "40P01")


def transfer_call(safe: bool) -> sql.Composed:
    """The CALL of the unsafe or safe transfer procedure (parameters: from, to, amount, gate)."""
    if safe:
        return sql.SQL("CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s, %s, 3, NULL)").format()
    return sql.SQL("CALL crm.crmsp_transfer_sale_amount_unsafe(%s, %s, %s, %s)").format()


def expected_amounts(before: dict[int, Decimal], transfers: list[tuple[int, int, Decimal]]) -> dict[int, Decimal]:
    """The amounts after applying ``transfers`` (from, to, amount) to ``before``."""
    after = dict(before)
    for source, target, amount in transfers:
        after[source] -= amount
        after[target] += amount
    return after


def run(
    conninfo: str,
    *,
    safe: bool,
    deadlock_timeout_ms: int = 100,
    sale_ids: list[int] | None = None,
    restore: bool = True,
) -> ScenarioResult:
    """Run the three transfers once and check the final amounts."""
    mode = "safe" if safe else "unsafe"
    with LabRun(conninfo, NAME, deadlock_timeout_ms) as lab:
        ids = sale_ids or pick_sales(lab.coordinator, 3)
        before = sale_amounts(lab.coordinator, ids)
        lab.note("rows", "sales " + ", ".join(f"{label}={sid} ({before[sid]})" for label, sid in zip("ABC", ids)))
        lab.gate.close()
        lab.note("close the gate")
        call = transfer_call(safe)
        sessions = []
        for name, i, j, amount in TRANSFERS:
            session = lab.session(name)
            step = f"move {amount} from sale {'ABC'[i]} to sale {'ABC'[j]}"
            params = (ids[i], ids[j], amount, lab.gate.key)
            sessions.append(session)
            lab.start(session, partial(Session.call, step=step, query=call, params=params))
        lab.wait_all_waiting([s.name for s in sessions], "T1, T2 and T3 all wait")
        lab.open_gate()
        lab.finish()
        after = sale_amounts(lab.coordinator, ids)
        committed = [(ids[i], ids[j], amount) for (name, i, j, amount), s in zip(TRANSFERS, sessions) if s.last.ok]
        victims = [s.name for s in sessions if not s.last.ok and s.last.sqlstate in DEADLOCK_CODES]
        result = ScenarioResult(NAME, mode, lab.run_id, lab.timeline)
        result.facts = {
            "victims": victims,
            "committed": [s.name for s in sessions if s.last.ok],
            "errors": {s.name: s.last.sqlstate for s in sessions if not s.last.ok},
            "attempts": {s.name: s.last.row[0] for s in sessions if s.last.ok and s.last.row},
        }
        result.anomaly = bool(victims)
        matches = [
            result.check(f"amount of sale {label} ({sid})", expected_amounts(before, committed)[sid], after[sid])
            for label, sid in zip("ABC", ids)
        ]
        result.check("total of the three sales (transfers conserve it)", sum(before.values()), sum(after.values()))
        result.final_ok = (
            all(matches) and sum(before.values()) == sum(after.values()) and (not safe or len(committed) == 3)
        )
        if victims:
            result.outcome = (
                f"Deadlock: PostgreSQL chose {', '.join(victims)} as victim (SQLSTATE 40P01, raised as PCC03); "
                f"{len(committed)} of 3 transfers committed, the victim's was rolled back entirely."
            )
        else:
            result.outcome = (
                f"No deadlock: {len(committed)} of 3 transfers committed "
                f"(attempts: {result.facts['attempts']}); final amounts as expected: {result.final_ok}."
            )
        if restore:
            restore_sale_amounts(lab.coordinator, before)
    result.leaks = lab.leaks
    return result

"""S6 lab entries that need several sessions or roles: a deadlock and its fix, GRANT/REVOKE for read and write.

Both run against the PromptSales database and leave it as they found it (the deadlock's transactions
roll back; the GRANT/REVOKE lab works on a scratch schema it drops at the end).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from psycopg import errors

from promptsales.config import Settings
from promptsales.db.connect import connect, role_name
from promptsales.lab.registry import LabEntry, LabParam, LabResult, StepResult, register

DEADLOCK_SQL = """-- session A                                   -- session B
UPDATE portal.budgets SET amount = amount + 1     UPDATE portal.budgets SET amount = amount + 1
 WHERE id = :first;                                WHERE id = :second;
UPDATE portal.budgets SET amount = amount + 1     UPDATE portal.budgets SET amount = amount + 1
 WHERE id = :second;   -- waits for B             WHERE id = :first;    -- waits for A → deadlock"""

ORDERED_SQL = """-- both sessions: lock every row they will touch, in one statement, in a fixed order
SELECT id FROM portal.budgets WHERE id IN (:first, :second) ORDER BY id FOR UPDATE;
UPDATE portal.budgets SET amount = amount + 1 WHERE id IN (:first, :second);"""


def _session(
    settings: Settings,
    name: str,
    first: int,
    second: int,
    ordered: bool,
    barrier: threading.Barrier,
    outcome: dict[str, str],
) -> None:
    started = time.perf_counter()
    with connect("sales", "app", settings=settings) as conn:
        try:
            conn.execute("SET lock_timeout = '10s'")
            if ordered:
                barrier.wait()
                conn.execute(
                    "SELECT id FROM portal.budgets WHERE id IN (%s, %s) ORDER BY id FOR UPDATE", (first, second)
                )
                conn.execute("UPDATE portal.budgets SET amount = amount + 1 WHERE id IN (%s, %s)", (first, second))
                time.sleep(0.3)  # hold the locks a moment so the other session really has to wait
            else:
                conn.execute("UPDATE portal.budgets SET amount = amount + 1 WHERE id = %s", (first,))
                barrier.wait()
                conn.execute("UPDATE portal.budgets SET amount = amount + 1 WHERE id = %s", (second,))
            outcome[name] = (
                f"completed after {time.perf_counter() - started:.2f} s (then rolled back: the lab changes nothing)"
            )
        except errors.DeadlockDetected as error:
            outcome[name] = f"deadlock victim, SQLSTATE {error.sqlstate}: {str(error).splitlines()[0]}"
        except psycopg.Error as error:
            outcome[name] = f"error {error.sqlstate}: {error}"
        finally:
            conn.rollback()


def run_deadlock(settings: Settings, params: dict[str, Any], options: dict[str, Any]) -> LabResult:
    """Two sessions update two budgets in opposite order (deadlock) or lock them in id order (the fix)."""
    ordered = bool(options.get("safe"))
    with connect("sales", "app", settings=settings) as conn:
        ids = [
            r[0]
            for r in conn.execute("SELECT id FROM portal.budgets ORDER BY id LIMIT 2 OFFSET %s", (params["offset"],))
        ]
    if len(ids) < 2:
        return LabResult("sales.s6-deadlock", outcome="Needs at least two budgets: run `promptsales seed` first.")
    first, second = ids
    barrier = threading.Barrier(2, timeout=15)
    outcome: dict[str, str] = {}
    threads = [
        threading.Thread(target=_session, args=(settings, "A", first, second, ordered, barrier, outcome)),
        threading.Thread(target=_session, args=(settings, "B", second, first, ordered, barrier, outcome)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    text = (ORDERED_SQL if ordered else DEADLOCK_SQL).replace(":first", str(first)).replace(":second", str(second))
    result = LabResult("sales.s6-deadlock")
    result.steps.append(
        StepResult(
            "the two sessions",
            sql=text,
            columns=["session", "outcome"],
            rows=[(k, outcome.get(k, "did not finish")) for k in ("A", "B")],
        )
    )
    victims = sum("deadlock" in v for v in outcome.values())
    result.outcome = f"{'Fixed version (--safe)' if ordered else 'Faulty version'}: {victims} deadlock victim(s). " + (
        "Locking the rows in one fixed order (ORDER BY id FOR UPDATE) makes the second session wait instead "
        "of deadlocking."
        if ordered
        else "PostgreSQL detected the cycle after deadlock_timeout and aborted one session (SQLSTATE 40P01); "
        "run with --safe for the fix (consistent lock order; retry on 40P01 as a safety net)."
    )
    return result


def _attempt(conn: psycopg.Connection, statement: str) -> str:
    try:
        with conn.transaction():
            cur = conn.execute(statement)
            return f"allowed ({cur.rowcount} row{'s' if cur.rowcount != 1 else ''})"
    except errors.InsufficientPrivilege as error:
        return f"refused: SQLSTATE {error.sqlstate} {str(error).splitlines()[0]}"


def run_grants(settings: Settings, params: dict[str, Any], options: dict[str, Any]) -> LabResult:
    """GRANT and REVOKE read and write on a scratch table, checked from the analyst role's own session."""
    analyst = role_name("sales", "analyst")
    result = LabResult("sales.s6-grant-revoke")
    read, write = "SELECT * FROM lab_s6.notes", "INSERT INTO lab_s6.notes (note) VALUES ('written by the analyst')"
    with (
        connect("sales", "owner", settings=settings, autocommit=True) as owner,
        connect("sales", "analyst", settings=settings, autocommit=True) as reader,
    ):
        owner.execute("DROP SCHEMA IF EXISTS lab_s6 CASCADE")
        try:
            setup = (
                "CREATE SCHEMA lab_s6; CREATE TABLE lab_s6.notes (id int GENERATED ALWAYS AS IDENTITY, note text); "
                "INSERT INTO lab_s6.notes (note) VALUES ('one'), ('two'), ('three'); "
                f"GRANT USAGE ON SCHEMA lab_s6 TO {analyst}; REVOKE ALL ON lab_s6.notes FROM {analyst}"
            )
            owner.execute(setup.encode())
            result.steps.append(StepResult("0. a scratch table; the analyst starts with no privilege on it", sql=setup))
            plan = [
                ("1. no privilege: the analyst cannot read", None),
                ("2. GRANT SELECT: the analyst reads …", f"GRANT SELECT ON lab_s6.notes TO {analyst}"),
                ("3. … but cannot write", None),
                ("4. GRANT INSERT: now the analyst can write", f"GRANT INSERT ON lab_s6.notes TO {analyst}"),
                (
                    "5. REVOKE INSERT: writing is refused again, reading still works",
                    f"REVOKE INSERT ON lab_s6.notes FROM {analyst}",
                ),
                ("6. REVOKE SELECT: reading is refused", f"REVOKE SELECT ON lab_s6.notes FROM {analyst}"),
            ]
            checks = {1: [read], 2: [read], 3: [write], 4: [write], 5: [write, read], 6: [read]}
            for number, (title, grant) in enumerate(plan, start=1):
                if grant:
                    owner.execute(grant.encode())
                rows = [(statement.split()[0], _attempt(reader, statement)) for statement in checks[number]]
                result.steps.append(
                    StepResult(
                        title,
                        sql=(grant + ";\n" if grant else "") + "-- as " + analyst + ": " + "; ".join(checks[number]),
                        columns=["analyst tries", "outcome"],
                        rows=rows,
                    )
                )
        finally:
            owner.execute("DROP SCHEMA IF EXISTS lab_s6 CASCADE")
    result.outcome = (
        "Privileges are checked on every statement of the analyst's own session: SELECT and INSERT are "
        "granted and revoked separately (least privilege, SPEC N4). The scratch schema was dropped."
    )
    return result


register(
    LabEntry(
        name="sales.s6-deadlock",
        company="sales",
        title="S6 deadlock between two sessions, and its fix",
        explanation=(
            "Two sessions update the same two portal budgets in opposite order: each holds the row the other "
            "needs, PostgreSQL detects the cycle and aborts one with SQLSTATE 40P01. The fix (--safe) locks "
            "every row a transaction will touch up front, in one fixed order (ORDER BY id FOR UPDATE), so the "
            "second session simply waits. Both sessions roll back: the lab changes nothing."
        ),
        params=[LabParam("offset", "int", "0")],
        runner=run_deadlock,
        source=DEADLOCK_SQL + "\n\n" + ORDERED_SQL,
        options=("safe", "unsafe"),
    )
)

register(
    LabEntry(
        name="sales.s6-grant-revoke",
        company="sales",
        title="S6 GRANT/REVOKE for read and write, seen by the analyst",
        explanation=(
            "The owner grants and revokes SELECT and INSERT on a scratch table to the read-only analyst role; "
            "after each change the analyst's own session tries to read and write and the lab shows what was "
            "allowed and what was refused (SQLSTATE 42501)."
        ),
        params=[],
        runner=run_grants,
    )
)

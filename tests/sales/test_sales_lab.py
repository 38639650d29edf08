"""S6 lab on the PromptSales database: every entry runs and shows what it teaches."""

from __future__ import annotations

import pytest

from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.wiring import lab

SQL_LABS = [
    "sales.s6-triggers",
    "sales.s6-cursors",
    "sales.s6-metadata",
    "sales.s6-monitoring",
    "sales.s6-coalesce-case",
    "sales.s6-joins",
]


@pytest.fixture(scope="module")
def warehouse_loaded(seeded):
    """The session's warehouse loaded by one ETL pass (the labs query wh.*)."""
    assert run_pass(Sources(seeded), trigger="test").status == "succeeded"
    return seeded


def _rows(result, title_part: str) -> list[tuple]:
    return next(step.rows for step in result.steps if title_part in step.title or title_part in step.sql)


@pytest.mark.parametrize("name", SQL_LABS)
def test_sql_lab_runs(warehouse_loaded, name: str) -> None:
    """Each S6 script runs end to end and returns rows for its queries."""
    result = lab(name).run(warehouse_loaded)
    assert sum(len(step.rows) for step in result.steps) > 0


def test_trigger_lab_audits_and_refuses_non_approver(warehouse_loaded) -> None:
    """The audit trigger wrote one row per changed budget and the workflow trigger refused with PS401."""
    result = lab("sales.s6-triggers").run(warehouse_loaded)
    audit = _rows(result, "the audit rows")
    assert audit and all(new > old for _, old, new, _ in audit)
    outcome = _rows(result, "SELECT attempt, outcome")
    assert outcome[0][1].startswith("refused: SQLSTATE PS401")


def test_cursor_lab_matches_window_function(warehouse_loaded) -> None:
    """The cursor loop's running total equals the window function's."""
    result = lab("sales.s6-cursors").run(warehouse_loaded)
    loop = [(r[0], r[2]) for r in _rows(result, "SELECT * FROM lab_running")]
    window = [(r[0], r[2]) for r in _rows(result, "the same running total")]
    assert loop == window and loop


def test_grant_revoke_lab(warehouse_loaded) -> None:
    """The analyst reads but cannot write after GRANT SELECT, writes after GRANT INSERT, and cannot read after REVOKE."""
    result = lab("sales.s6-grant-revoke").run(warehouse_loaded)
    outcomes = [(step.title.split(".")[0], row[0], row[1].split(" ")[0]) for step in result.steps for row in step.rows]
    assert outcomes == [
        ("1", "SELECT", "refused:"),
        ("2", "SELECT", "allowed"),
        ("3", "INSERT", "refused:"),
        ("4", "INSERT", "allowed"),
        ("5", "INSERT", "refused:"),
        ("5", "SELECT", "allowed"),
        ("6", "SELECT", "refused:"),
    ]


def test_deadlock_lab_and_its_fix(warehouse_loaded) -> None:
    """The faulty version produces one 40P01 victim; the fixed version none; neither changes data."""
    from promptsales.db.connect import connect

    with connect("sales", "app", settings=warehouse_loaded) as conn:
        before = conn.execute("SELECT sum(amount) FROM portal.budgets").fetchone()[0]
    entry = lab("sales.s6-deadlock")
    faulty = entry.run(warehouse_loaded, unsafe=True)
    assert sum("40P01" in row[1] for row in faulty.steps[0].rows) == 1
    fixed = entry.run(warehouse_loaded, safe=True)
    assert all(row[1].startswith("completed") for row in fixed.steps[0].rows)
    with connect("sales", "app", settings=warehouse_loaded) as conn:
        assert conn.execute("SELECT sum(amount) FROM portal.budgets").fetchone()[0] == before

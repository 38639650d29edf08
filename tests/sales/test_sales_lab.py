"""S6 lab on the PromptSales database: every entry runs and shows what it teaches."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from promptsales.config import DATABASE_NAMES
from promptsales.db.connect import connect, role_name
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


CENT = Decimal("0.01")
#: The warehouse's tables and view (sales/migrations/0004_warehouse.sql).
WAREHOUSE_TABLES = {
    "campaigns",
    "campaign_channels",
    "campaign_markets",
    "campaign_months",
    "campaign_facts",
    "campaign_funnel",
}


@pytest.fixture(scope="module")
def warehouse_loaded(seeded):
    """The session's warehouse loaded by one ETL pass (the labs query wh.*)."""
    assert run_pass(Sources(seeded), trigger="test").status == "succeeded"
    return seeded


def _rows(result, title_part: str) -> list[tuple]:
    return next(step.rows for step in result.steps if title_part in step.title or title_part in step.sql)


def _select(settings, query: str, params: tuple = ()) -> list[tuple]:
    """Plain rows read directly (no lab SQL), from which the tests recompute what each lab must show."""
    with connect("sales", "analyst", settings=settings) as conn:
        return conn.execute(query, params).fetchall()


@pytest.mark.parametrize("name", SQL_LABS)
def test_sql_lab_runs(warehouse_loaded, name: str) -> None:
    """Each S6 script runs end to end and returns rows for its queries."""
    result = lab(name).run(warehouse_loaded)
    assert sum(len(step.rows) for step in result.steps) > 0


def test_trigger_lab_audits_and_refuses_non_approver(warehouse_loaded) -> None:
    """The catalog lists the portal's workflow trigger; the audit trigger wrote one row per changed budget
    (old amount, amount × 1.10, the app role); the workflow trigger refused with PS401."""
    result = lab("sales.s6-triggers").run(warehouse_loaded)
    triggers = _rows(result, "the triggers this database already has")
    assert ("portal", "proposals", "proposals_workflow", "enforce_proposal_workflow", "BEFORE", "ROW") in triggers
    budgets = _select(warehouse_loaded, "SELECT id, amount FROM portal.budgets WHERE campaign_id = 1 ORDER BY id")
    expected = [
        (budget_id, amount, (amount * Decimal("1.10")).quantize(CENT, ROUND_HALF_UP), role_name("sales", "app"))
        for budget_id, amount in budgets
        if amount * Decimal("1.10") != amount
    ]
    assert expected and _rows(result, "the audit rows") == expected
    outcome = _rows(result, "SELECT attempt, outcome")
    assert len(outcome) == 1 and outcome[0][1].startswith("refused: SQLSTATE PS401")


def test_metadata_lab_describes_the_warehouse(warehouse_loaded) -> None:
    """The data dictionary of schema wh lists the warehouse's tables, their columns, keys and indexes, and
    the portal's routines."""
    result = lab("sales.s6-metadata").run(warehouse_loaded)
    tables = {row[0] for row in result.steps[0].rows}
    assert WAREHOUSE_TABLES <= tables
    columns = result.steps[1].rows
    assert ("campaigns", 1, "campaign_id", "integer", "NO", None) in columns
    assert {row[0] for row in columns} == tables
    constraints = {(row[0], row[2], row[3]) for row in result.steps[2].rows}
    assert ("wh.campaigns", "primary key", "PRIMARY KEY (campaign_id)") in constraints
    assert (
        "wh.campaign_facts",
        "primary key",
        "PRIMARY KEY (campaign_id, channel_id, market_id, month)",
    ) in constraints
    indexes = {(row[0], row[2]) for row in result.steps[3].rows}
    assert ("wh.campaigns", True) in indexes and ("wh.campaign_facts", True) in indexes
    routines = {(row[0], row[1]) for row in result.steps[4].rows}
    assert ("portal.user_has_role(integer,text)", "function") in routines


def test_monitoring_lab_shows_our_statement_and_session(warehouse_loaded) -> None:
    """pg_stat_statements shows a statement this role ran (text and call count), pg_stat_activity shows the
    lab's own session, EXPLAIN ANALYZE shows the executed plan, and the hit ratio is this database's."""
    probe = "SELECT count(*) FILTER (WHERE reach IS NOT NULL), count(DISTINCT month) FROM wh.campaign_months"  # no constants: pg_stat_statements keeps the text as is

    def probe_calls(result) -> int:
        return sum(row[0] for row in result.steps[0].rows if row[6] == probe)

    before = probe_calls(lab("sales.s6-monitoring").run(warehouse_loaded, {"limit": "100000"}))
    with connect("sales", "app", settings=warehouse_loaded) as conn:
        for _ in range(3):
            conn.execute(probe)
    result = lab("sales.s6-monitoring").run(warehouse_loaded, {"limit": "100000"})
    assert probe_calls(result) == before + 3  # its text and its 3 calls, visible to the role that ran it
    sessions = result.steps[1].rows  # the lab's own statement, seen while it runs
    assert any(
        row[1] == role_name("sales", "app") and row[2] == "active" and row[6].startswith("-- 2. what is running")
        for row in sessions
    )
    plan = "\n".join(row[0] for row in result.steps[3].rows)
    assert plan.startswith("Limit (actual time=") and "campaign_months" in plan and "Execution Time" in plan
    (database, hits, reads, hit_pct) = result.steps[4].rows[0]
    assert database == DATABASE_NAMES["sales"] and 0 <= hit_pct <= 100 and hits + reads > 0


def _roi_band(roi: Decimal | None) -> str:
    if roi is None:
        return "no spend"
    return "loss" if roi < 0 else "break-even to 2x" if roi < 1 else "2x to 5x" if roi < 4 else "over 5x"


def _goal_status(success: Decimal | None) -> str:
    if success is None:
        return "no goal"
    return "goal met" if success >= 1 else "close" if success >= Decimal("0.8") else "missed"


def test_coalesce_case_lab_matches_rows_computed_here(warehouse_loaded) -> None:
    """Gaps filled, bands and the per-status pivot equal what Python computes from the plain rows."""
    rows = _select(
        warehouse_loaded,
        "SELECT campaign_id, campaign_name, goal_amount, budget, conversion_rate, success_rate, roi, status, "
        "sales_amount, spend FROM wh.campaigns",
    )
    result = lab("sales.s6-coalesce-case").run(warehouse_loaded)
    by_goal = sorted(rows, key=lambda r: (r[2] is not None, r[2] or 0, r[0]))[:15]
    assert result.steps[0].rows == [
        (r[0], r[1], r[2], r[2] if r[2] is not None else r[3] * 2, r[4], r[4] or 0, str(r[5]) if r[5] else "no goal")
        for r in by_goal
    ]
    by_id = sorted(rows)[:15]
    assert result.steps[1].rows == [(r[0], r[1], r[6], _roi_band(r[6]), _goal_status(r[5])) for r in by_id]
    pivot = []
    for status in sorted({r[7] for r in rows}):
        group = [r for r in rows if r[7] == status]
        spend = sum(r[9] for r in group)
        pivot.append(
            (
                status,
                len(group),
                sum(1 for r in group if r[5] is not None and r[5] >= 1),
                sum(1 for r in group if r[6] is not None and r[6] < 0),
                (sum(r[4] or 0 for r in group) / len(group)).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                (sum(r[8] for r in group) / spend).quantize(CENT, ROUND_HALF_UP) if spend else None,
            )
        )
    assert result.steps[2].rows == pivot


def test_joins_lab_matches_rows_computed_here(warehouse_loaded) -> None:
    """LEFT, RIGHT, CROSS and FULL joins give the rows Python computes from the plain tables."""
    result = lab("sales.s6-joins").run(warehouse_loaded)
    campaigns = _select(warehouse_loaded, "SELECT id, name FROM portal.campaigns")
    approved = Counter(
        campaign_id
        for (campaign_id,) in _select(
            warehouse_loaded,
            "SELECT campaign_id FROM portal.proposals WHERE status IN ('approved', 'running', 'completed')",
        )
    )
    left = sorted(((cid, name, approved[cid]) for cid, name in campaigns), key=lambda r: (r[2], r[0]))[:10]
    assert result.steps[0].rows == left

    approvers = _select(
        warehouse_loaded,
        "SELECT u.id, u.full_name FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id "
        "WHERE u.active AND r.role_code = 'approver'",
    )
    reviews = Counter(r[0] for r in _select(warehouse_loaded, "SELECT reviewer_id FROM portal.proposal_reviews"))
    assert result.steps[1].rows == sorted((uid, name, reviews[uid]) for uid, name in approvers)

    channels = _select(
        warehouse_loaded, "SELECT channel_id, channel_name FROM wh.campaign_channels WHERE campaign_id = 1"
    )
    start, end = _select(warehouse_loaded, "SELECT start_date, end_date FROM wh.campaigns WHERE campaign_id = 1")[0]
    months, month = [], start.replace(day=1)
    while month <= (end or start).replace(day=1):
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    facts: dict[tuple, list[Decimal]] = {}
    for channel_id, fact_month, sales, spend in _select(
        warehouse_loaded, "SELECT channel_id, month, sales_amount, spend FROM wh.campaign_facts WHERE campaign_id = 1"
    ):
        totals = facts.setdefault((channel_id, fact_month), [Decimal(0), Decimal(0)])
        totals[0] += sales
        totals[1] += spend
    grid = [
        (cid, name, m, *facts.get((cid, m), [Decimal(0), Decimal(0)])) for cid, name in sorted(channels) for m in months
    ]
    assert grid and result.steps[2].rows == grid

    summarised = {r[0] for r in _select(warehouse_loaded, "SELECT campaign_id FROM wh.campaigns")}
    goals = [r[0] for r in _select(warehouse_loaded, "SELECT campaign_id FROM portal.sales_goals")]
    assert result.steps[3].rows == [
        (len(summarised - set(goals)), sum(1 for campaign_id in goals if campaign_id not in summarised))
    ]


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
    with connect("sales", "app", settings=warehouse_loaded) as conn:
        before = conn.execute("SELECT sum(amount) FROM portal.budgets").fetchone()[0]
    entry = lab("sales.s6-deadlock")
    faulty = entry.run(warehouse_loaded, unsafe=True)
    assert sum("40P01" in row[1] for row in faulty.steps[0].rows) == 1
    fixed = entry.run(warehouse_loaded, safe=True)
    assert all(row[1].startswith("completed") for row in fixed.steps[0].rows)
    with connect("sales", "app", settings=warehouse_loaded) as conn:
        assert conn.execute("SELECT sum(amount) FROM portal.budgets").fetchone()[0] == before

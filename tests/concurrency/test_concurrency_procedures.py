"""The lab procedures follow the course template (SPEC R11, R10): validation before the transaction, custom
SQLSTATEs from crm.error_catalog, a checksummed log row through crm.crmsp_write_log, no commit inside a
caller's transaction — and the safe transfer's retry on 40P01 really works."""

from __future__ import annotations

import sys
from decimal import Decimal

import psycopg
import pytest

from promptsales.crm.concurrency.harness import LabRun

CUSTOM_CODES = {f"PCC0{i}" for i in range(1, 10)}


def _sqlstate(conn: psycopg.Connection, query: str, params=()) -> str | None:
    try:
        conn.execute(query, params)
    except psycopg.Error as error:
        return error.diag.sqlstate
    return None


def _logs(conn: psycopg.Connection, code: str) -> int:
    return conn.execute("SELECT count(*) FROM crm.logs WHERE value2 = %s", (code,)).fetchone()[0]


def test_custom_codes_are_in_the_error_catalogue(app_dsn):
    with psycopg.connect(app_dsn) as conn:
        codes = {r[0] for r in conn.execute("SELECT error_code FROM crm.error_catalog WHERE error_code LIKE 'PCC%'")}
    assert codes == CUSTOM_CODES


@pytest.mark.parametrize(
    ("query", "params", "code"),
    [
        ("CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s)", "same", "PCC09"),
        ("CALL crm.crmsp_transfer_sale_amount_unsafe(%s, %s, %s)", "zero", "PCC02"),
        ("CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s)", "missing", "PCC01"),
        ("CALL crm.crmsp_transfer_sale_amount_unsafe(%s, %s, %s)", "too_much", "PCC02"),
        ("CALL crm.crmsp_adjust_lead_score_safe(%s, %s)", "delta0", "PCC06"),
        ("CALL crm.crmsp_adjust_lead_score_unsafe(%s, %s)", "nolead", "PC010"),
        ("CALL crm.crmsp_adjust_lead_score_safe(%s, %s)", "range", "PCC05"),
        ("CALL crm.crmsp_sales_summary_safe(%s)", "empty", "PCC08"),
        ("CALL crm.crmsp_sales_summary_unsafe(%s)", "nullid", "PCC08"),
    ],
)
def test_bad_input_raises_the_custom_code_and_keeps_the_log_row(app_dsn, query, params, code):
    """Autocommit CALL with bound parameters: the procedure owns its transaction, so its log row survives
    the error it raises; nothing else is written."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        sale, other = [r[0] for r in conn.execute("SELECT sale_id FROM crm.sales ORDER BY sale_id LIMIT 2")]
        lead = conn.execute("SELECT min(lead_id) FROM crm.leads").fetchone()[0]
        values = {
            "same": (sale, sale, Decimal("1.00")),
            "zero": (sale, other, Decimal("0")),
            "missing": (sale, 10**12, Decimal("1.00")),
            "too_much": (sale, other, Decimal("1000000.00")),
            "delta0": (lead, 0),
            "nolead": (10**12, 5),
            "range": (lead, 100),
            "empty": ([],),
            "nullid": ([1, None],),
        }[params]
        amounts = conn.execute("SELECT sum(amount), sum(sale_id * amount) FROM crm.sales").fetchone()
        scores = conn.execute("SELECT sum(score), sum(lead_id * score) FROM crm.leads").fetchone()
        logged = _logs(conn, code)
        assert _sqlstate(conn, query, values) == code
        assert _logs(conn, code) == logged + 1
        assert conn.execute("SELECT sum(amount), sum(sale_id * amount) FROM crm.sales").fetchone() == amounts
        assert conn.execute("SELECT sum(score), sum(lead_id * score) FROM crm.leads").fetchone() == scores
        assert conn.execute("SELECT bool_and(valid) FROM crm.log_verification").fetchone()[0] is True


def test_can_commit_tells_autocommit_from_a_caller_transaction(app_dsn):
    """The template's "open a transaction only if none is open", asked of PostgreSQL (both protocols)."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        assert conn.execute(b"CALL crm.crmsp_can_commit(NULL)").fetchone()[0] is True  # simple protocol
        assert conn.execute("CALL crm.crmsp_can_commit(%s)", (None,)).fetchone()[0] is True  # extended protocol
        with conn.transaction():
            assert conn.execute("CALL crm.crmsp_can_commit(%s)", (None,)).fetchone()[0] is False


def test_inside_a_caller_transaction_the_procedure_never_commits(app_dsn):
    """The caller's ROLLBACK undoes the transfer and its audit row: the procedure did not commit them."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        sale, other = [r[0] for r in conn.execute("SELECT sale_id FROM crm.sales ORDER BY sale_id LIMIT 2")]
        before = conn.execute("SELECT array_agg(amount ORDER BY sale_id) FROM crm.sales").fetchone()[0]
        logs = conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0]
        conn.execute("BEGIN")
        assert conn.execute(
            "CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s, NULL, 3, NULL)", (sale, other, Decimal("1.00"))
        ).fetchone() == (1,)
        conn.execute("ROLLBACK")
        assert conn.execute("SELECT array_agg(amount ORDER BY sale_id) FROM crm.sales").fetchone()[0] == before
        assert conn.execute("SELECT count(*) FROM crm.logs").fetchone()[0] == logs


def test_safe_summary_refuses_a_read_committed_caller_and_accepts_repeatable_read(app_dsn):
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        campaigns = [r[0] for r in conn.execute("SELECT DISTINCT campaign_id FROM crm.sales ORDER BY 1 LIMIT 2")]
        true_total = conn.execute(
            "SELECT sum(amount) FROM crm.sales WHERE campaign_id = ANY(%s)", (campaigns,)
        ).fetchone()[0]
        conn.execute("BEGIN")
        assert _sqlstate(conn, "CALL crm.crmsp_sales_summary_safe(%s)", (campaigns,)) == "PCC07"
        conn.execute("ROLLBACK")
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        assert conn.execute("CALL crm.crmsp_sales_summary_safe(%s)", (campaigns,)).fetchone()[0] == true_total
        conn.execute("COMMIT")


def test_app_role_may_lower_deadlock_timeout_but_nothing_else_superuser(app_dsn):
    """Migration 0080 grants SET on deadlock_timeout only (PostgreSQL 15+ parameter privileges)."""
    with psycopg.connect(app_dsn, autocommit=True) as conn:
        conn.execute("SET deadlock_timeout = '50ms'")
        assert conn.execute("SHOW deadlock_timeout").fetchone()[0] == "50ms"
        assert _sqlstate(conn, "SET log_min_duration_statement = 0") == "42501"


@pytest.mark.usefixtures("no_leaks")
def test_safe_transfer_retries_when_chosen_as_deadlock_victim(app_dsn):
    """Lock order alone cannot protect against code that locks the other way round: the safe transfer is
    made the victim (shorter deadlock_timeout, it closes no cycle itself but its timer fires first), rolls
    back its sub-transaction, logs a 'concurrency' row and succeeds on attempt 2; both transfers commit."""
    with LabRun(app_dsn, "retry", deadlock_timeout_ms=10_000) as lab:
        x, y = [r[0] for r in lab.coordinator.execute("SELECT sale_id FROM crm.sales ORDER BY sale_id LIMIT 2")]
        before = dict(
            lab.coordinator.execute(
                "SELECT sale_id, amount FROM crm.sales WHERE sale_id IN (%s, %s)", (x, y)
            ).fetchall()
        )
        lab.gate.close()
        other, safe = lab.session("U"), lab.session("S", deadlock_timeout_ms=1000)
        lab.start(
            other,
            lambda s: s.call(
                "unsafe 2.00 y→x",
                "CALL crm.crmsp_transfer_sale_amount_unsafe(%s, %s, %s, %s)",
                (y, x, Decimal("2.00"), lab.gate.key),
            ),
        )
        lab.wait_all_waiting(["U"], "U holds y and waits at the gate")
        lab.start(
            safe,
            lambda s: s.call(
                "safe 1.00 x→y",
                "CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s, NULL, 5, NULL)",
                (x, y, Decimal("1.00")),
            ),
        )
        lab.wait_all_waiting(["U", "S"], "S holds x and waits for y")
        lab.open_gate()
        lab.finish()
        assert other.last.ok, other.last.describe()
        assert safe.last.ok and safe.last.row[0] >= 2, lab.timeline.rows()
        after = dict(
            lab.coordinator.execute(
                "SELECT sale_id, amount FROM crm.sales WHERE sale_id IN (%s, %s)", (x, y)
            ).fetchall()
        )
        assert after == {x: before[x] + 1, y: before[y] - 1}
        assert (
            lab.coordinator.execute(
                "SELECT count(*) FROM crm.logs l JOIN crm.log_types t USING (log_type_id) WHERE t.code = 'concurrency' "
                "AND l.description LIKE 'crmsp_transfer_sale_amount_safe: deadlock victim, retrying%%' AND l.value2 = '40P01'"
            ).fetchone()[0]
            >= 1
        )
    assert lab.leaks == []


@pytest.mark.parametrize(
    "argv, message",
    [
        (["lab", "run", "crm.no-such-scenario"], "Unknown lab 'crm.no-such-scenario'. See `promptsales lab list`."),
        (["lab", "run", "crm.lost-update", "--safe", "--unsafe"], "Choose one of --safe or --unsafe, not both."),
        (["lab", "run", "crm.lost-update", "--param", "repeat=0"], "--param repeat must be between 1 and 200, got 0."),
        (["lab", "deadlock-client", "--role", "c", "--unsafe"], "--role must be a or b, got 'c'."),
        (
            ["lab", "deadlock-client", "--role", "a", "--safe", "--unsafe"],
            "Choose exactly one of --safe or --unsafe (the same on both computers).",
        ),
        (
            ["lab", "deadlock-client", "--role", "a"],
            "Choose exactly one of --safe or --unsafe (the same on both computers).",
        ),
        (
            ["lab", "deadlock-client", "--role", "b", "--unsafe", "--sales", "1,x"],
            "--sales expects two sale ids like 11,12, got '1,x'.",
        ),
    ],
)
def test_bad_lab_input_exits_2(settings, monkeypatch, capsys, argv, message):
    """Unknown scenario, both flags, bad values → one clear line on stderr (the reason, no traceback) and
    exit code 2, nothing on stdout."""
    from promptsales.cli import main

    monkeypatch.setattr(sys, "argv", ["promptsales", *argv])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {message}"] and captured.out == ""


def test_lab_entries_are_registered_with_their_procedures():
    """`promptsales lab list/show` lists the five scenarios; `show` prints the unsafe and the safe SQL."""
    from promptsales.wiring import labs

    entries = labs()
    for name in ("deadlock-cascade", "deadlock-two-clients", "lost-update", "incorrect-summary", "dirty-read"):
        assert f"crm.{name}" in entries
        assert entries[f"crm.{name}"].options == ("safe", "unsafe")
    source = entries["crm.lost-update"].source
    assert "crm.crmsp_adjust_lead_score_unsafe(" in source and "crm.crmsp_adjust_lead_score_safe(" in source
    assert "pg_sleep" in entries["crm.deadlock-cascade"].source  # the 0081 version of the safe transfer

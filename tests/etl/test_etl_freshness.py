"""Freshness of the ETL (issue 17): an open or prepared transaction elsewhere does not hold the warehouse
back, two launches never collide, an empty run reads nothing (SPEC S2–S4; docs/etl.md "The window")."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg
from etl_probe import cli, direct_campaign_figures, settle, warehouse_campaign_figures
from psycopg import sql

from promptsales.etl.engine import run_pass
from promptsales.etl.load import LOAD_LOCK
from promptsales.etl.runs import RUN_LOCK
from promptsales.etl.sources import Sources

SOURCES = ("ads", "crm", "content", "portal")


def _sales(sources: Sources, count: int) -> list[tuple[int, int]]:
    """``count`` sales of different campaigns: (sale_id, campaign_id)."""
    with sources.source("crm") as crm:
        return crm.execute(
            "SELECT DISTINCT ON (campaign_id) sale_id, campaign_id FROM crm.sales ORDER BY campaign_id, sale_id "
            "LIMIT %s",
            (count,),
        ).fetchall()


def _raise(conn: psycopg.Connection, sale_id: int, amount: int) -> None:
    conn.execute("UPDATE crm.sales SET amount = amount + %s WHERE sale_id = %s", (amount, sale_id))


def _assert_warehouse_equals_sources(sources: Sources) -> None:
    direct = direct_campaign_figures(sources)
    stored = warehouse_campaign_figures(sources)
    wrong = {cid: (direct[cid], stored.get(cid)) for cid in direct if direct[cid] != stored.get(cid)}
    assert not wrong, list(wrong.items())[:3]


@contextmanager
def _prepared(conn: psycopg.Connection, gid: str) -> Iterator[None]:
    """Prepare the transaction open on ``conn`` (autocommit) as ``gid``; roll it back at the end if still prepared."""
    conn.execute(sql.SQL("PREPARE TRANSACTION {}").format(sql.Literal(gid)))
    try:
        yield
    finally:
        if conn.execute("SELECT 1 FROM pg_prepared_xacts WHERE gid = %s", (gid,)).fetchone():
            conn.execute(sql.SQL("ROLLBACK PREPARED {}").format(sql.Literal(gid)))


def test_open_transaction_in_another_database_does_not_hold_changes_back(loaded: Sources) -> None:
    """A write transaction held open in the warehouse database and one in PromptCRM itself: a change committed
    meanwhile is in the warehouse after the next run; the held one arrives in the first run after its commit."""
    settle(loaded)
    (held_sale, held_campaign), (sale, campaign) = _sales(loaded, 2)
    other_db = loaded.connect("sales", "app")  # another database of the cluster, holding an xid
    same_db = loaded.connect("crm", "app")
    try:
        other_db.execute("UPDATE portal.sales_goals SET target_amount = target_amount WHERE campaign_id = %s", (1,))
        other_db.execute("SELECT pg_current_xact_id()")
        _raise(same_db, held_sale, 5)
        with loaded.connect("crm", "app") as writer:
            _raise(writer, sale, 11)
        before = warehouse_campaign_figures(loaded)
        first = run_pass(loaded, trigger="test")
        assert first.status == "succeeded" and first.changes_read["crm"] == 1 and first.campaigns == 1
        after = warehouse_campaign_figures(loaded)
        assert after[campaign]["sales_amount"] == before[campaign]["sales_amount"] + 11
        assert after[held_campaign] == before[held_campaign]  # still uncommitted: not visible yet
        _assert_warehouse_equals_sources(loaded)
        same_db.commit()
        second = run_pass(loaded, trigger="test")
        assert second.changes_read["crm"] == 1 and second.campaigns == 1
        assert warehouse_campaign_figures(loaded)[held_campaign]["sales_amount"] == (
            before[held_campaign]["sales_amount"] + 5
        )
        _assert_warehouse_equals_sources(loaded)
    finally:
        other_db.close()  # rolls the held transaction back
        same_db.close()
    assert run_pass(loaded, trigger="test").changes_read["crm"] == 0  # nothing read twice


def test_prepared_transactions_wait_for_their_commit_and_rollbacks_are_never_read(loaded: Sources) -> None:
    """Prepared transactions in PromptCRM stay pending until COMMIT/ROLLBACK PREPARED; a change committed
    meanwhile is loaded by the next run; the committed prepared one in the first run after its commit."""
    settle(loaded)
    (to_commit, committed_campaign), (to_roll_back, rolled_campaign), (sale, campaign) = _sales(loaded, 3)
    with loaded.connect("crm", "app", autocommit=True) as crm, loaded.connect("crm", "app", autocommit=True) as other:
        crm.execute("BEGIN")
        _raise(crm, to_commit, 13)
        with _prepared(crm, "etl17-commit"):
            other.execute("BEGIN")
            _raise(other, to_roll_back, 17)
            with _prepared(other, "etl17-rollback"):
                _raise(crm, sale, 19)  # autocommit: committed while both are prepared
                before = warehouse_campaign_figures(loaded)
                first = run_pass(loaded, trigger="test")
                assert first.changes_read["crm"] == 1 and first.campaigns == 1
                after = warehouse_campaign_figures(loaded)
                assert after[campaign]["sales_amount"] == before[campaign]["sales_amount"] + 19
                assert after[committed_campaign] == before[committed_campaign]
                assert after[rolled_campaign] == before[rolled_campaign]
                crm.execute("COMMIT PREPARED 'etl17-commit'")
                crm.execute("ROLLBACK PREPARED 'etl17-rollback'")
    second = run_pass(loaded, trigger="test")
    assert second.changes_read["crm"] == 1 and second.campaigns == 1  # the committed one; the rollback: nothing
    stored = warehouse_campaign_figures(loaded)
    assert stored[committed_campaign]["sales_amount"] == before[committed_campaign]["sales_amount"] + 13
    assert stored[rolled_campaign] == before[rolled_campaign]
    _assert_warehouse_equals_sources(loaded)
    assert run_pass(loaded, trigger="test").changes_read["crm"] == 0


def test_two_runs_without_change_the_second_reads_nothing(loaded: Sources) -> None:
    """After a run, a run with no change reads 0 changes and 0 rows from every source, PromptContent included
    (documents at the horizon's timestamp are told apart by _id: a later _id at the same instant is still read)."""
    settle(loaded)
    database = loaded.content_database()
    assert database is not None, "the session's MongoDB server is not running"
    with loaded.warehouse() as conn:
        (campaign,) = conn.execute("SELECT min(campaign_id) FROM wh.campaigns").fetchone()
    instant = datetime.now(UTC).replace(microsecond=0)
    database["media_assets"].insert_many(
        [{"_id": f"media-17{i}", "media_type": "image", "campaign_id": campaign, "updated_at": instant} for i in "ab"]
    )
    first = run_pass(loaded, trigger="test")
    assert first.rows_read["content"] == 2 and first.changes_read["content"] == 2
    second = run_pass(loaded, trigger="test")
    assert second.status == "succeeded"
    assert second.changes_read == dict.fromkeys(SOURCES, 0)
    assert second.rows_read == dict.fromkeys(SOURCES, 0)
    assert sum(second.rows_written.values()) == 0
    database["media_assets"].insert_one(
        {"_id": "media-17c", "media_type": "video", "campaign_id": campaign, "updated_at": instant}
    )
    third = run_pass(loaded, trigger="test")
    assert third.rows_read["content"] == 1 and third.changes_read["content"] == 1


def _wait_for(condition, what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _launch_held_in_its_load(holder, env: dict[str, str]) -> subprocess.Popen:
    """Start `etl run` while ``holder`` holds the load lock, and wait until it has taken the run lock: it is
    then a pass running (and waiting inside its load until ``holder`` ends its transaction)."""
    holder.execute("SELECT pg_advisory_xact_lock(%s)", (LOAD_LOCK,))
    first = subprocess.Popen(
        [sys.executable, "-m", "promptsales.cli", "etl", "run", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def first_is_running() -> bool:
        assert first.poll() is None, first.communicate()
        return bool(
            holder.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s AND granted "
                "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                (RUN_LOCK,),
            ).fetchone()
        )

    _wait_for(first_is_running, "the first launch to take the run lock")
    return first


def test_two_launches_at_once_one_runs_the_other_exits_2(loaded: Sources, own_databases: dict[str, str]) -> None:
    """A second `etl run` while one is running exits 2 with "already running", before reading anything, and
    leaves no run record; the first one succeeds."""
    settle(loaded)
    with loaded.warehouse() as conn:
        runs_before = conn.execute("SELECT count(*) FROM etl.runs").fetchone()[0]
    holder = loaded.warehouse()
    first = None
    try:
        first = _launch_held_in_its_load(holder, own_databases)
        second = cli("run", "--json", env=own_databases)
        holder.rollback()  # lets the first launch finish
        out, err = first.communicate(timeout=300)
    finally:
        holder.close()
        if first is not None and first.poll() is None:
            first.kill()
    assert second.returncode == 2, (second.stdout, second.stderr)
    assert "already running" in second.stderr and "Traceback" not in second.stderr
    assert first.returncode == 0, err
    with loaded.warehouse() as conn:
        rows = conn.execute("SELECT status FROM etl.runs ORDER BY id OFFSET %s", (runs_before,)).fetchall()
    assert rows == [("succeeded",)]  # one run recorded, none failed


def test_a_launch_with_wait_runs_after_the_running_pass(loaded: Sources, own_databases: dict[str, str]) -> None:
    """`etl run --wait N` (what `make up` runs while the scheduler may be busy) waits for the running pass
    and then runs its own: two succeeded runs, none refused."""
    settle(loaded)
    with loaded.warehouse() as conn:
        runs_before = conn.execute("SELECT count(*) FROM etl.runs").fetchone()[0]
    holder = loaded.warehouse()
    first = second = None
    try:
        first = _launch_held_in_its_load(holder, own_databases)
        second = subprocess.Popen(
            [sys.executable, "-m", "promptsales.cli", "etl", "run", "--json", "--wait", "120"],
            env=own_databases,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        holder.rollback()  # lets the first launch finish; the second one then takes the lock
        first_out, first_err = first.communicate(timeout=300)
        second_out, second_err = second.communicate(timeout=300)
    finally:
        holder.close()
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    assert first.returncode == 0, first_err
    assert second is not None and second.returncode == 0, second_err
    with loaded.warehouse() as conn:
        rows = conn.execute("SELECT status FROM etl.runs ORDER BY id OFFSET %s", (runs_before,)).fetchall()
    assert rows == [("succeeded",), ("succeeded",)]

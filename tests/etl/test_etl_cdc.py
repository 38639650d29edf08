"""Change capture (docs/architecture.md §4) on a scratch table in a private copy of promptads."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql

from promptsales.db.connect import connect
from promptsales.etl.capture import XidHorizon, capture_pg, open_snapshot


@pytest.fixture
def scratch(settings, clone_db):
    """A copy of promptads with ``public.scratch`` under change capture; yields its name."""
    name = clone_db("ads")
    with connect("ads", "owner", settings=settings, dbname=name) as conn:
        conn.execute("CREATE TABLE public.scratch (id int PRIMARY KEY, campaign_id int NOT NULL, value int)")
        conn.execute("SELECT cdc.attach('public.scratch', 'campaign_id')")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON public.scratch TO promptads_app")
    return name


def _changes(settings, name, after_id=0):
    with connect("ads", "owner", settings=settings, dbname=name) as conn:
        return conn.execute(
            "SELECT operation, key_value FROM cdc.changes WHERE table_name = 'public.scratch' AND id > %s ORDER BY id",
            (after_id,),
        ).fetchall()


def test_statement_triggers_record_distinct_keys_per_statement(settings, scratch) -> None:
    """One COPY of 3,000 rows over 3 campaigns writes 3 change rows; update/delete/truncate are captured too."""
    with connect("ads", "app", settings=settings, dbname=scratch) as conn:
        with conn.cursor().copy("COPY public.scratch (id, campaign_id, value) FROM STDIN") as copy:
            for i in range(3000):
                copy.write_row((i, 1 + i % 3, i))
    assert sorted(_changes(settings, scratch)) == [("I", 1), ("I", 2), ("I", 3)]
    with connect("ads", "app", settings=settings, dbname=scratch) as conn:
        conn.execute("UPDATE public.scratch SET campaign_id = 9 WHERE id = 4")  # moves a row: old and new key
        conn.execute("DELETE FROM public.scratch WHERE campaign_id = 3")
        conn.execute("TRUNCATE public.scratch")
    changes = _changes(settings, scratch)
    assert sorted(changes[3:5]) == [("U", 2), ("U", 9)]
    assert changes[5:] == [("D", 3), ("T", None)]


def test_change_rows_carry_the_writing_transaction_id(settings, scratch) -> None:
    """Each change row is stamped with pg_current_xact_id() of the transaction that wrote it."""
    with connect("ads", "app", settings=settings, dbname=scratch) as conn:
        conn.execute("INSERT INTO public.scratch VALUES (1, 5, 0)")
        xid = conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0]
    with connect("ads", "owner", settings=settings, dbname=scratch) as conn:
        assert (
            conn.execute("SELECT xid::text FROM cdc.changes WHERE table_name = 'public.scratch'").fetchone()[0] == xid
        )


def test_only_the_capture_function_writes_changes(settings, scratch) -> None:
    """The app role cannot forge change rows; the ETL role can only read them (and purge read ones)."""
    for role in ("app", "etl"):
        with connect("ads", role, settings=settings, dbname=scratch) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(
                    "INSERT INTO cdc.changes (table_name, operation, key_name, key_value) "
                    "VALUES ('x', 'I', 'campaign_id', 1)"
                )


def _write_and_get_xid(settings, scratch, row: tuple[int, int, int]) -> int:
    with connect("ads", "app", settings=settings, dbname=scratch) as conn:
        conn.execute("INSERT INTO public.scratch VALUES (%s, %s, %s)", row)
        return int(conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0])


def test_etl_role_reads_changes_and_purges_only_those_already_read(settings, scratch) -> None:
    """The ETL role sees the change rows, cannot delete or alter them directly, and cdc.purge(horizon)
    removes exactly the rows written before the horizon."""
    _write_and_get_xid(settings, scratch, (1, 21, 0))
    later = _write_and_get_xid(settings, scratch, (2, 22, 0))
    with connect("ads", "etl", settings=settings, dbname=scratch, autocommit=True) as etl:
        assert etl.execute(
            "SELECT key_value FROM cdc.changes WHERE table_name = 'public.scratch' ORDER BY id"
        ).fetchall() == [(21,), (22,)]
        for statement in (
            "DELETE FROM cdc.changes",
            "UPDATE cdc.changes SET key_value = 0",
            "TRUNCATE cdc.changes",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                etl.execute(statement)
        # the copy may hold change rows of earlier writes too (a seeded promptads): all of those go as well
        older = etl.execute("SELECT count(*) FROM cdc.changes WHERE xid < %s::text::xid8", (later,)).fetchone()[0]
        assert older >= 1
        purged = etl.execute("SELECT cdc.purge(%s::text::xid8)", (later,)).fetchone()[0]
        assert purged == older
        assert etl.execute("SELECT count(*) FROM cdc.changes WHERE xid < %s::text::xid8", (later,)).fetchone()[0] == 0
    assert _changes(settings, scratch) == [("I", 22)]


def test_app_role_cannot_purge_changes(settings, scratch) -> None:
    """Only the ETL may purge: a service must not be able to erase captured changes (0099_cdc_purge_etl_only)."""
    later = _write_and_get_xid(settings, scratch, (1, 31, 0))
    with connect("ads", "app", settings=settings, dbname=scratch, autocommit=True) as app:
        try:
            app.execute("SELECT cdc.purge(%s::text::xid8)", (later + 1,))
        except psycopg.errors.InsufficientPrivilege:
            pass
    assert _changes(settings, scratch) == [("I", 31)], "the app role erased captured changes"


def _capture(settings, name: str, previous: XidHorizon):
    with connect("ads", "etl", settings=settings, dbname=name) as etl:
        changes = capture_pg(etl, "ads", previous)
        etl.rollback()
    return changes


def _start(settings, name: str) -> XidHorizon:
    with connect("ads", "etl", settings=settings, dbname=name) as etl:
        start = open_snapshot(etl)
        etl.rollback()
    return start


def test_window_reads_past_a_running_writer_and_reads_each_change_once(settings, scratch) -> None:
    """A running writer does not hold the window back: a change committed after it is read at once, the
    writer's own change by the first pass after it commits, and nothing is read twice."""
    start = _start(settings, scratch)
    early = connect("ads", "app", settings=settings, dbname=scratch)
    try:
        early.execute("INSERT INTO public.scratch VALUES (1, 11, 0)")  # running, not committed yet
        early_xid = int(early.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
        with connect("ads", "app", settings=settings, dbname=scratch) as other:
            other.execute("INSERT INTO public.scratch VALUES (2, 12, 0)")  # committed, after the running one
        first = _capture(settings, scratch, start)
        early.commit()
        second = _capture(settings, scratch, first.horizon)
        third = _capture(settings, scratch, second.horizon)
    finally:
        early.close()
    assert first.changes_read == 1 and first.campaign_ids == {12}  # the committed change is not held back
    assert isinstance(first.horizon, XidHorizon) and early_xid in first.horizon.in_progress
    assert first.horizon.xmin <= early_xid  # everything below xmin is consumed: the writer is not
    assert second.changes_read == 1 and second.campaign_ids == {11}
    assert third.changes_read == 0  # each change read exactly once


def test_window_waits_for_prepared_transactions_and_forgets_rolled_back_ones(settings, scratch) -> None:
    """A prepared transaction stays pending until COMMIT PREPARED, then is read once; the changes of a
    rolled-back (or rolled-back prepared) transaction are never read."""
    start = _start(settings, scratch)
    with connect("ads", "app", settings=settings, dbname=scratch, autocommit=True) as app:
        app.execute("BEGIN")
        app.execute("INSERT INTO public.scratch VALUES (1, 21, 0)")
        app.execute("PREPARE TRANSACTION 'etl-test-commit'")
        app.execute("BEGIN")
        app.execute("INSERT INTO public.scratch VALUES (2, 22, 0)")
        app.execute("PREPARE TRANSACTION 'etl-test-rollback'")
        app.execute("BEGIN")
        app.execute("INSERT INTO public.scratch VALUES (3, 23, 0)")
        app.execute("ROLLBACK")
        app.execute("INSERT INTO public.scratch VALUES (4, 24, 0)")
        try:
            first = _capture(settings, scratch, start)
            app.execute("COMMIT PREPARED 'etl-test-commit'")
            app.execute("ROLLBACK PREPARED 'etl-test-rollback'")
            second = _capture(settings, scratch, first.horizon)
            third = _capture(settings, scratch, second.horizon)
        finally:
            for (gid,) in app.execute("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE 'etl-test-%'").fetchall():
                app.execute(sql.SQL("ROLLBACK PREPARED {}").format(sql.Literal(gid)))
    assert first.changes_read == 1 and first.campaign_ids == {24}  # prepared ones pending, the rollback gone
    assert second.changes_read == 1 and second.campaign_ids == {21}  # committed prepared; rolled back: nothing
    assert third.changes_read == 0 and isinstance(third.horizon, XidHorizon)


def test_a_former_xmin_horizon_reads_what_it_read_before(settings, scratch) -> None:
    """A horizon stored before snapshots were kept (xid h; migration 0006 of sales makes it the snapshot
    h:h:) reads, as before, every change at or above h."""
    start = _start(settings, scratch)
    with connect("ads", "app", settings=settings, dbname=scratch) as app:
        app.execute("INSERT INTO public.scratch VALUES (1, 31, 0)")
    former = XidHorizon.parse(f"{start.xmax}:{start.xmax}:")
    assert former == XidHorizon(start.xmax, start.xmax, ())
    assert _capture(settings, scratch, former).campaign_ids == {31}

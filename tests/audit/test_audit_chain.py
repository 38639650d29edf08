"""The central audit's hash chain (issue 23): every row chained in its daily partition by the database, appended
only by the writer, and `audit verify` naming an edited, deleted or reordered row, a rewritten chain head (seal)
and a partition dropped by hand — each on a private copy of the PromptSales database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from promptsales.audit.maintain import maintain
from promptsales.audit.seal import SealKey
from promptsales.audit.trail import INSERT
from promptsales.audit.verify import verify
from promptsales.db.connect import connect

KEY = SealKey(b"test-seal-key")


def _append(settings, dbname: str, n: int, when: datetime | None = None, action: str = "probe") -> None:
    """``n`` rows written the way the batched writer writes them: the app role, the writer's INSERT (the days from
    ``when`` to today get their partitions, as maintenance would have created them)."""
    when = when or datetime.now(UTC)
    days = (datetime.now(UTC).date() - when.date()).days + 1
    with connect("sales", "app", settings=settings, dbname=dbname, autocommit=True) as conn:
        conn.execute("SELECT portal.audit_ensure_partitions(%s, %s)", (when.date(), days))
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(
                INSERT,
                [
                    (when, f"actor-{i % 3}", "test", action, "ok", 1.25, json.dumps({"n": i}), "mcp", "x:read")
                    for i in range(n)
                ],
            )


def _tamper(settings, dbname: str, statement: str, params: tuple = ()) -> None:
    """What an attacker with the database's superuser does: the append-only trigger switched off."""
    with connect("sales", "admin", settings=settings, dbname=dbname, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(statement, params)


def _today_partition() -> str:
    return f"audit_log_{datetime.now(UTC):%Y%m%d}"


def _problems(report) -> list[str]:
    return report.problems + [f"{p.partition}: {line}" for p in report.partitions for line in p.problems]


@pytest.fixture
def audit_db(settings, clone_db) -> str:
    """A private copy of the PromptSales database with 12 chained rows today."""
    name = clone_db("sales")
    _append(settings, name, 12)
    return name


def _probe(settings, dbname: str, n: int) -> tuple[int, int]:
    """(audit_id, chain_seq) of the ``n``-th of this test's rows (the copied database may hold earlier rows today,
    from other tests' servers: only this module writes service 'test')."""
    with connect("sales", "admin", settings=settings, dbname=dbname) as conn:
        table = psycopg.sql.Identifier("portal", _today_partition())
        query = psycopg.sql.SQL(
            "SELECT audit_id, chain_seq FROM {} WHERE service = 'test' AND action = 'probe' ORDER BY chain_seq OFFSET %s LIMIT 1"
        ).format(table)
        return conn.execute(query, (n - 1,)).fetchone()


def test_rows_are_chained_and_an_intact_audit_verifies(settings, audit_db):
    report = verify(settings, key=KEY, dbname=audit_db)
    assert report.ok, _problems(report)
    today = next(p for p in report.partitions if p.partition == _today_partition())
    assert today.rows >= 12
    with connect("sales", "analyst", settings=settings, dbname=audit_db) as conn:
        rows = conn.execute(
            "SELECT chain_seq, prev_hash, row_hash FROM portal.audit_log WHERE service = 'test' AND action = 'probe' ORDER BY chain_seq"
        ).fetchall()
    assert [r[0] for r in rows] == list(range(rows[0][0], rows[0][0] + 12))
    assert all(later[1] == earlier[2] for earlier, later in zip(rows, rows[1:], strict=False))


def test_an_edited_row_is_detected(settings, audit_db):
    audit_id, seq = _probe(settings, audit_db, 5)
    _tamper(settings, audit_db, "UPDATE portal.audit_log SET actor = 'someone-else' WHERE audit_id = %s", (audit_id,))
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [f"{_today_partition()}: 1 row(s) changed after they were written (chain_seq {seq})"]


def test_an_edited_detail_or_outcome_is_detected(settings, audit_db):
    audit_id, seq = _probe(settings, audit_db, 2)
    _tamper(
        settings, audit_db, "UPDATE portal.audit_log SET outcome = 'ok', detail = '{}' WHERE audit_id = %s", (audit_id,)
    )
    assert f"chain_seq {seq})" in " ".join(_problems(verify(settings, key=KEY, dbname=audit_db)))


def test_a_deleted_row_is_detected(settings, audit_db):
    audit_id, seq = _probe(settings, audit_db, 7)
    _tamper(settings, audit_db, "DELETE FROM portal.audit_log WHERE audit_id = %s", (audit_id,))
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [
        f"{_today_partition()}: 1 broken link(s): a row before chain_seq {seq + 1} was deleted, inserted or moved"
    ]


def test_deleted_last_rows_are_detected_by_the_chain_head(settings, audit_db):
    (eleventh, _), (twelfth, last) = _probe(settings, audit_db, 11), _probe(settings, audit_db, 12)
    _tamper(settings, audit_db, "DELETE FROM portal.audit_log WHERE audit_id IN (%s, %s)", (eleventh, twelfth))
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [f"{_today_partition()}: the last 2 row(s) were deleted (chain head at {last})"]


def test_reordered_rows_are_detected(settings, audit_db):
    (first, a), (second, b) = _probe(settings, audit_db, 3), _probe(settings, audit_db, 4)
    _tamper(
        settings,
        audit_db,
        "UPDATE portal.audit_log SET chain_seq = CASE audit_id WHEN %s THEN %s ELSE %s END WHERE audit_id IN (%s, %s)",
        (first, b, a, first, second),
    )
    problems = " ".join(_problems(verify(settings, key=KEY, dbname=audit_db)))
    assert f"changed after they were written (chain_seq {a}, {b})" in problems


def test_the_writer_may_only_append_and_nobody_updates_in_place(settings, audit_db):
    with connect("sales", "app", settings=settings, dbname=audit_db, autocommit=True) as conn:
        for statement in (
            "SELECT count(*) FROM portal.audit_log",
            "UPDATE portal.audit_log SET actor = 'x'",
            "DELETE FROM portal.audit_log",
            f"DELETE FROM portal.{_today_partition()}",
            f"INSERT INTO portal.{_today_partition()} (actor, service, action, outcome, latency_ms) "
            "VALUES ('x', 'x', 'x', 'ok', 0)",
            "UPDATE portal.audit_chain SET last_seq = 0",
            "SELECT portal.audit_drop_old_partitions(1)",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
    with connect("sales", "owner", settings=settings, dbname=audit_db, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("UPDATE portal.audit_log SET actor = 'x'")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute("DELETE FROM portal.audit_log")
    assert verify(settings, key=KEY, dbname=audit_db).ok


def test_a_partition_dropped_by_hand_is_detected(settings, audit_db):
    _tamper(settings, audit_db, f"DROP TABLE portal.{_today_partition()}")
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [
        f"partition {_today_partition()} is gone but its chain head or seal is there (dropped by hand?)",
        f"partition {_today_partition()} is missing: no audit for {datetime.now(UTC).date()} (dropped with its "
        "chain head?)",
    ]


def test_closed_days_are_sealed_and_a_rewritten_chain_head_is_caught_by_the_seal(settings, audit_db):
    three_days_ago = datetime.now(UTC) - timedelta(days=3)
    _append(settings, audit_db, 4, when=three_days_ago, action="old")
    report = maintain(settings, key=KEY, dbname=audit_db)
    day = f"audit_log_{three_days_ago:%Y%m%d}"
    assert day in report.sealed and not report.not_sealed and _today_partition() not in report.sealed
    assert verify(settings, key=KEY, dbname=audit_db).ok
    # the superuser deletes the day's last row and rewrites the chain head to match: the chain alone is consistent
    with connect("sales", "admin", settings=settings, dbname=audit_db) as conn:
        table = psycopg.sql.Identifier("portal", day)
        last, prev = conn.execute(
            psycopg.sql.SQL("SELECT audit_id, prev_hash FROM {} WHERE chain_seq = 4").format(table)
        ).fetchone()
    _tamper(settings, audit_db, "DELETE FROM portal.audit_log WHERE audit_id = %s", (last,))
    _tamper(
        settings,
        audit_db,
        "UPDATE portal.audit_chain SET last_seq = 3, last_hash = %s WHERE partition_name = %s",
        (prev, day),
    )
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [
        f"{day}: sealed with 4 rows, its chain now has 3: rows were added or removed after the day was closed"
    ]
    # … and a rewritten seal needs the key, which is not in the database
    _tamper(
        settings,
        audit_db,
        "UPDATE portal.audit_seals SET rows = 3, last_hash = %s WHERE partition_name = %s",
        (prev, day),
    )
    problems = _problems(verify(settings, key=KEY, dbname=audit_db))
    assert problems == [f"{day}: its seal does not match (the seal or the sealed head was rewritten)"]


def test_a_day_that_does_not_verify_is_not_sealed(settings, audit_db):
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    _append(settings, audit_db, 3, when=two_days_ago, action="old")
    day = f"audit_log_{two_days_ago:%Y%m%d}"
    _tamper(settings, audit_db, "UPDATE portal.audit_log SET actor = 'forged' WHERE action = 'old' AND chain_seq = 2")
    report = maintain(settings, key=KEY, dbname=audit_db)
    assert day not in report.sealed and report.not_sealed[day] == [
        "1 row(s) changed after they were written (chain_seq 2)"
    ]

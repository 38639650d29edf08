"""90-day retention of the central audit (issue 23): the maintenance job drops every partition whose day is older than
90 days and nothing younger, by dropping partitions (never deleting rows), and records each drop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from promptsales.audit.maintain import maintain
from promptsales.audit.seal import SealKey
from promptsales.audit.verify import partitions, verify
from promptsales.db.connect import connect

KEY = SealKey(b"test-seal-key")


def test_partitions_older_than_90_days_are_dropped_and_nothing_younger(settings, clone_db):
    name = clone_db("sales")
    today = datetime.now(UTC).date()
    # maintenance always kept partitions from the oldest day on: every day from 120 days ago exists
    with connect("sales", "owner", settings=settings, dbname=name, autocommit=True) as conn:
        conn.execute("SELECT portal.audit_ensure_partitions(%s, 125)", (today - timedelta(days=120),))
        for age in (91, 90, 89):  # one row on each side of the limit, written by the trigger like any other
            conn.execute(
                "INSERT INTO portal.audit_log (occurred_at, actor, service, action, outcome, latency_ms, category) "
                "VALUES (%s, 'old-actor', 'test', %s, 'ok', 0, 'mcp')",
                (datetime.now(UTC) - timedelta(days=age), f"age-{age}"),
            )
    report = maintain(settings, keep_days=90, key=KEY, dbname=name)
    assert report.dropped == 30  # 120 … 91 days ago
    with connect("sales", "admin", settings=settings, dbname=name) as conn:
        left = partitions(conn)
        kept_actions = [
            r[0] for r in conn.execute("SELECT action FROM portal.audit_log WHERE actor = 'old-actor' ORDER BY action")
        ]
        drops = conn.execute(
            "SELECT count(*), min(detail->>'partition'), max(detail->>'partition') FROM portal.audit_log "
            "WHERE action = 'audit.partition_dropped' AND category = 'audit'"
        ).fetchone()
        heads = {r[0] for r in conn.execute("SELECT partition_name FROM portal.audit_chain")}
    assert left[0] == f"audit_log_{today - timedelta(days=90):%Y%m%d}"
    assert all(f"audit_log_{today - timedelta(days=age):%Y%m%d}" not in left for age in range(91, 121))
    # every day from the limit on, without a gap, through the week maintenance keeps ahead (today and the 6 after
    # it); the migrations made one more day ahead on the day the session's database was created, which is
    # yesterday when the run crosses midnight UTC
    days = [datetime.strptime(partition, "audit_log_%Y%m%d").date() for partition in left]
    assert days == [today - timedelta(days=90 - offset) for offset in range(len(days))]
    assert days[-1] >= today + timedelta(days=6)
    assert kept_actions == ["age-89", "age-90"]  # the 91-day-old row went with its partition, no row was deleted
    assert drops == (
        30,
        f"audit_log_{today - timedelta(days=120):%Y%m%d}",
        f"audit_log_{today - timedelta(days=91):%Y%m%d}",
    )
    assert heads == set(left)  # the dropped partitions took their chain heads with them
    assert verify(settings, key=KEY, dbname=name).ok  # retention is not tampering


def test_the_daily_job_is_in_the_code_location():
    from promptsales.audit.dagster_defs import CRON, JOB_NAME
    from promptsales.definitions import defs

    assert defs.get_job_def(JOB_NAME).name == "audit_maintenance"
    assert defs.get_schedule_def("daily_audit_maintenance").cron_schedule == CRON == "20 0 * * *"


def test_the_dagster_job_maintains_the_audit(settings):
    from promptsales.audit.dagster_defs import audit_maintenance_job

    result = audit_maintenance_job.execute_in_process(
        run_config={"ops": {"maintain_audit": {"config": {"keep_days": 90, "ahead": 7}}}}
    )
    assert result.success
    from promptsales.db.logwriter import LOG_WRITER

    LOG_WRITER.flush()  # the run's own audit row goes through the background writer
    with connect("sales", "admin", settings=settings) as conn:
        actor = conn.execute(
            "SELECT actor FROM portal.audit_log WHERE action = 'audit.maintain' ORDER BY audit_id DESC LIMIT 1"
        ).fetchone()
    assert actor == ("dagster:audit_maintenance",)

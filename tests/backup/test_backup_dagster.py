"""The daily backup schedule in Dagster (SPEC N3): daily cron in the ETL code location, and the job really
backs up, verifies and prunes."""

from __future__ import annotations

from promptsales.backup.dagster_defs import JOB_NAME
from promptsales.backup.keys import load_key
from promptsales.backup.settings import BackupSettings
from promptsales.backup.store import BackupStore


def test_daily_schedule_is_in_the_code_location():
    from promptsales.definitions import defs

    schedule = next(s for s in defs.schedules if s.job_name == JOB_NAME)
    assert schedule.cron_schedule == "0 3 * * *" and schedule.execution_timezone == "UTC"
    assert defs.get_job_def(JOB_NAME).name == JOB_NAME


def test_backup_job_backs_up_verifies_and_prunes(settings, tmp_path, monkeypatch):
    from promptsales.backup.dagster_defs import backup_job

    monkeypatch.setenv("PROMPTSALES_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("PROMPTSALES_BACKUP_KEY_FILE", str(tmp_path / "keys" / "backup.key"))
    result = backup_job.execute_in_process(run_config={"ops": {"backup_all": {"config": {"only": ["sales"]}}}})
    assert result.success
    backup_id = result.output_for_node("backup_all")
    backup = BackupSettings()
    folder = BackupStore(backup.backup_dir(settings)).get(backup_id)
    assert folder.verified_record(load_key(settings, backup).key) is not None
    assert [entry["name"] for entry in folder.manifest(load_key(settings, backup).key)["files"]] == [
        "postgres/promptsales.dump",
        "postgres/globals.sql",
    ]

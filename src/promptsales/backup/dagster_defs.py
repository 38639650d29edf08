"""The daily backup in Dagster (SPEC N3): a job (back up → verify → prune) and a daily cron schedule.

A plain daily cron is right here (unlike the ETL's true 11-minute interval): one run a day at 03:00 UTC,
``PROMPTSALES_BACKUP_CRON`` to change it. The job and schedule are part of the platform's one code location
(:mod:`promptsales.definitions`), so ``promptsales etl ui`` shows them next to the ETL.
"""

# No `from __future__ import annotations`: Dagster inspects the context annotations at definition time.
import os

from dagster import Config, DefaultScheduleStatus, OpExecutionContext, ScheduleDefinition, job, op

from promptsales.config import get_settings

JOB_NAME = "daily_backup"
DEFAULT_CRON = "0 3 * * *"


class BackupConfig(Config):
    """Run configuration of the backup op (the schedule uses the defaults: everything)."""

    only: list[str] = []


@op(description="Dump every database, the MongoDB content and the media store; encrypt; sign the manifest.")
def backup_all(context: OpExecutionContext, config: BackupConfig) -> str:
    """Run ``promptsales backup run`` and return the new backup's id."""
    from promptsales.backup.create import run_backup
    from promptsales.backup.keys import load_key
    from promptsales.backup.settings import BackupSettings
    from promptsales.caller import acting_as

    settings, backup = get_settings(), BackupSettings()
    with acting_as(f"dagster:{JOB_NAME}", authenticated=False):  # the actor of its audit rows
        folder = run_backup(settings, backup, only=config.only or None, progress=context.log.info)
    manifest = folder.manifest(load_key(settings, backup).key)
    context.add_output_metadata(
        {
            "backup_id": folder.id,
            "seconds": manifest["seconds"],
            "encrypted_bytes": sum(entry["cipher_bytes"] for entry in manifest["files"]),
            "files": len(manifest["files"]),
        }
    )
    return folder.id


@op(description="Decrypt every file of the new backup and check sizes and SHA-256 digests.")
def verify_new_backup(context: OpExecutionContext, backup_id: str) -> str:
    """Run ``promptsales backup verify`` on the backup just made (a failure fails the run)."""
    from promptsales.backup.keys import load_key
    from promptsales.backup.settings import BackupSettings
    from promptsales.backup.store import BackupStore
    from promptsales.backup.verify import verify_backup

    settings, backup = get_settings(), BackupSettings()
    result = verify_backup(BackupStore(backup.backup_dir(settings)).get(backup_id), load_key(settings, backup))
    context.add_output_metadata({k: str(v) for k, v in result.items()})
    return backup_id


@op(description="Keep the newest N daily backups (default 30) and the newest verified one; delete the rest.")
def prune_old_backups(context: OpExecutionContext, backup_id: str) -> None:
    """Run ``promptsales backup prune`` after a verified backup."""
    from promptsales.backup.keys import load_key
    from promptsales.backup.prune import prune
    from promptsales.backup.settings import BackupSettings
    from promptsales.backup.store import BackupStore

    settings, backup = get_settings(), BackupSettings()
    plan = prune(BackupStore(backup.backup_dir(settings)), load_key(settings, backup), backup.keep_daily)
    context.add_output_metadata(
        {"kept": len(plan.keep), "deleted": ", ".join(plan.delete) or "none", "newest": backup_id}
    )


@job(name=JOB_NAME, description="Daily encrypted backup of every database: back up, verify, prune (SPEC N3, N4).")
def backup_job():
    """back up → verify → prune."""
    prune_old_backups(verify_new_backup(backup_all()))


daily_backup_schedule = ScheduleDefinition(
    name="daily_backup_schedule",
    job=backup_job,
    cron_schedule=os.environ.get("PROMPTSALES_BACKUP_CRON", DEFAULT_CRON),
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Every day at 03:00 UTC (PROMPTSALES_BACKUP_CRON).",
)

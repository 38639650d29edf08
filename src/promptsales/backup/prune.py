"""``promptsales backup prune``: keep the newest ``keep_daily`` daily backups and the newest verified one.

A *daily backup* is the newest backup of a UTC calendar day. Kept:

* the daily backups of the newest ``keep_daily`` days that have a backup (default 30, SPEC N3);
* the newest backup whose last verification succeeded (authenticated ``verified.json``), however old —
  so prune never deletes the only backup known to restore;
* unfinished ``.partial`` folders younger than a day (a run may be writing them); older ones are the
  leftovers of killed runs and are deleted.

Everything else (older days, and older extra backups of a kept day) is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from promptsales.audit.trail import audited
from promptsales.backup.keys import BackupKey
from promptsales.backup.store import BackupFolder, BackupStore, backup_time

STALE_PARTIAL = timedelta(days=1)


@dataclass
class PrunePlan:
    """Which backups stay and which go, with the reason for each kept one."""

    keep: dict[str, str] = field(default_factory=dict)
    delete: list[str] = field(default_factory=list)
    stale_partials: list[str] = field(default_factory=list)


def plan_prune(folders: list[BackupFolder], key: BackupKey, keep_daily: int) -> PrunePlan:
    """Decide, without deleting anything."""
    plan = PrunePlan()
    newest_per_day: dict[str, BackupFolder] = {}
    for folder in sorted(folders, key=lambda f: f.id):
        newest_per_day[folder.created.date().isoformat()] = folder
    for day in sorted(newest_per_day, reverse=True)[:keep_daily]:
        plan.keep[newest_per_day[day].id] = f"daily backup of {day}"
    for folder in sorted(folders, key=lambda f: f.id, reverse=True):
        if folder.verified_record(key.key) is not None:
            plan.keep.setdefault(folder.id, "newest verified backup")
            break
    plan.delete = [f.id for f in folders if f.id not in plan.keep]
    return plan


@audited("backup", "backup.prune", category="backup")  # who, outcome, duration in the central audit
def prune(store: BackupStore, key: BackupKey, keep_daily: int, dry_run: bool = False) -> PrunePlan:
    """Apply :func:`plan_prune` to the backup directory (unless ``dry_run``)."""
    folders = store.backups()
    plan = plan_prune(folders, key, keep_daily)
    now = datetime.now(UTC)
    stale = [p for p in store.partials() if now - backup_time(p.name.removesuffix(".partial")) > STALE_PARTIAL]
    plan.stale_partials = [p.name for p in stale]
    if not dry_run:
        by_id = {f.id: f for f in folders}
        for backup_id in plan.delete:
            store.delete(by_id[backup_id])
        for path in stale:
            store.delete(path)
    return plan

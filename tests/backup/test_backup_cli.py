"""The ``promptsales backup`` commands as a user runs them: verification of a tampered backup, restore of
a missing or corrupt backup (exit 2, target untouched), retention (SPEC N3) and key handling."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest

from promptsales.backup.checksums import table_checksums
from promptsales.backup.crypto import BackupIntegrityError
from promptsales.backup.keys import load_key
from promptsales.backup.media_archive import tree_digest
from promptsales.backup.prune import plan_prune, prune
from promptsales.backup.restore import restore_backup
from promptsales.backup.settings import BackupSettings
from promptsales.backup.store import BackupStore, new_backup_id
from promptsales.backup.verify import verify_backup
from promptsales.db.connect import admin_conninfo
from promptsales.errors import UserError
from promptsales.runtime.postgres import EmbeddedPostgres


def cli(source, *args: str) -> subprocess.CompletedProcess:
    """Run ``promptsales backup …`` with the test's data dir, backup dir and key file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_")}
    env.update(
        PROMPTSALES_DATA_DIR=str(source.settings.data_path),
        PROMPTSALES_BACKUP_DIR=str(source.backup.dir),
        PROMPTSALES_BACKUP_KEY_FILE=str(source.backup.key_file),
    )
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "backup", *args], env=env, capture_output=True, text=True
    )


def test_verify_passes_then_one_changed_byte_fails_with_exit_2(backup_copy):
    source, folder = backup_copy
    key = load_key(source.settings, source.backup)
    assert verify_backup(folder, key)["files"] == 7
    assert folder.verified_record(key.key) is not None

    target = folder.root / "postgres" / "promptcrm.dump.enc"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x40
    target.write_bytes(bytes(data))
    bad = cli(source, "verify", folder.id)
    assert bad.returncode == 2
    assert "postgres/promptcrm.dump.enc" in bad.stderr and "Traceback" not in bad.stderr
    # A failed verification removes the earlier "verified" mark.
    assert folder.verified_record(key.key) is None


def test_changed_manifest_fails_verification(backup_copy):
    source, folder = backup_copy
    manifest_path = folder.root / "manifest.json"
    document = json.loads(manifest_path.read_text())
    document["manifest"]["files"][0]["plain_bytes"] += 1
    manifest_path.write_text(json.dumps(document))
    key = load_key(source.settings, source.backup)
    with pytest.raises(BackupIntegrityError, match="manifest does not authenticate"):
        verify_backup(folder, key)


def test_restore_of_missing_or_corrupt_backup_exits_2_and_leaves_target_untouched(
    backup_copy, second_install, tmp_path
):
    source, folder = backup_copy
    EmbeddedPostgres(second_install).start()
    crm_before = table_checksums(admin_conninfo(second_install, "crm"))
    media_before = tree_digest(second_install.data_path / "media")

    fresh_target = tmp_path / "never-created"
    missing = cli(source, "restore", "20200101T000000Z", "--target", str(fresh_target))
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    assert not fresh_target.exists()

    dump = folder.root / "postgres" / "promptcrm.dump.enc"
    data = bytearray(dump.read_bytes())
    data[-3] ^= 0xFF
    dump.write_bytes(bytes(data))
    corrupt = cli(source, "restore", folder.id, "--target", str(second_install.data_path), "--replace")
    assert corrupt.returncode == 2 and "promptcrm.dump.enc" in corrupt.stderr
    assert table_checksums(admin_conninfo(second_install, "crm")) == crm_before
    assert tree_digest(second_install.data_path / "media") == media_before
    with psycopg.connect(admin_conninfo(second_install, "crm", "postgres")) as conn:
        staging = conn.execute("SELECT datname FROM pg_database WHERE datname LIKE '%restore%'").fetchall()
    assert staging == []
    with pytest.raises(UserError, match="not a backup id"):
        restore_backup(source.settings, folder.id[:-1], str(fresh_target), backup=source.backup)
    assert not fresh_target.exists()


def _fake_backups(store: BackupStore, times: list[datetime]) -> list[str]:
    ids = []
    for moment in times:
        backup_id = new_backup_id(moment)
        (store.root / backup_id).mkdir(parents=True)
        ids.append(backup_id)
    return ids


def test_prune_keeps_newest_30_daily_and_the_last_verified_one(tmp_path, settings):
    backup = BackupSettings(dir=tmp_path / "backups", key_file=tmp_path / "keys" / "backup.key")
    key = load_key(settings, backup, create=True)
    store = BackupStore(backup.backup_dir(settings))
    start = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)
    daily = _fake_backups(store, [start + timedelta(days=d) for d in range(40)])
    extra = _fake_backups(store, [start + timedelta(days=39, hours=5)])  # a second backup on the newest day
    only_verified = daily[2]
    store.get(only_verified).mark_verified(key.key, {"id": only_verified})
    forged = daily[5]
    (store.root / forged / "verified.json").write_text(
        json.dumps({"verified": {"id": forged}, "hmac_sha256": "0" * 64})
    )

    plan = plan_prune(store.backups(), key, keep_daily=30)
    expected_days = daily[10:39] + extra  # newest 30 days; day 40's daily backup is the later one
    assert set(plan.keep) == {*expected_days, only_verified}
    assert plan.keep[only_verified] == "newest verified backup"
    assert forged in plan.delete and daily[39] in plan.delete and daily[0] in plan.delete
    assert len(plan.delete) == 41 - 31

    # Through the CLI: a dry run deletes nothing, the real run deletes exactly the plan.
    source = type("S", (), {"settings": settings, "backup": backup})()
    dry = prune(store, key, 30, dry_run=True)
    assert sorted(dry.delete) == sorted(plan.delete) and len(store.backups()) == 41
    stale = store.root / (new_backup_id(datetime.now(UTC) - timedelta(days=2)) + ".partial")
    running = store.root / (new_backup_id(datetime.now(UTC) - timedelta(minutes=5)) + ".partial")
    stale.mkdir()
    running.mkdir()
    done = cli(source, "prune", "--json")
    assert done.returncode == 0, done.stderr
    assert {f.id for f in store.backups()} == set(plan.keep)
    assert json.loads(done.stdout)["stale_partials"] == [stale.name]
    assert not stale.exists() and running.exists()

    # Configurable, and a newer verified backup takes over the protection.
    store.get(daily[30]).mark_verified(key.key, {"id": daily[30]})
    plan = plan_prune(store.backups(), key, keep_daily=5)
    assert set(plan.keep) == {*daily[35:39], extra[0], daily[30]} and only_verified in plan.delete


def test_missing_key_and_key_inside_backup_dir_are_clear_errors(tmp_path, settings):
    source = type(
        "S", (), {"settings": settings, "backup": BackupSettings(dir=tmp_path / "b", key_file=tmp_path / "none.key")}
    )()
    (tmp_path / "b").mkdir()
    result = cli(source, "list")
    assert result.returncode == 2 and "No backup key" in result.stderr
    inside = BackupSettings(dir=tmp_path / "b", key_file=tmp_path / "b" / "backup.key")
    with pytest.raises(UserError, match="is inside the backup directory .*protects nothing"):
        load_key(settings, inside, create=True)
    assert not (tmp_path / "b" / "backup.key").exists()
    shutil.rmtree(tmp_path / "b")


def test_run_json_prints_the_id_and_the_authenticated_manifest(tmp_path, settings):
    backup = BackupSettings(dir=tmp_path / "backups", key_file=tmp_path / "keys" / "backup.key")
    source = type("S", (), {"settings": settings, "backup": backup})()
    result = cli(source, "run", "--only", "media", "--json")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    folder = BackupStore(backup.backup_dir(settings)).get(printed["id"])
    assert printed["manifest"] == folder.manifest(load_key(settings, backup).key)
    assert printed["manifest"]["components"] == ["media"] and "Created the backup key" in result.stderr
    fresh = type(
        "S",
        (),
        {"settings": settings, "backup": BackupSettings(dir=tmp_path / "b2", key_file=tmp_path / "k2" / "backup.key")},
    )()
    bad = cli(fresh, "run", "--only", "nosuch")
    assert bad.returncode == 2 and "Unknown backup component nosuch" in bad.stderr
    assert not (tmp_path / "k2").exists() and not (tmp_path / "b2").exists()

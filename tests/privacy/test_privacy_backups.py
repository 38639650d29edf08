"""Crypto-shredding (issue 23): a backup taken before an erasure, restored on another server with everything an
operator legitimately carries there (the backup key, the certificate's PKCS#12, the current subject-key escrow),
still holds the erased person's row but cannot reveal their protected fields; everyone else's decrypt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from privacy_world import CONTEXT, CONTROL, SUBJECT

from promptsales.backup.create import run_backup
from promptsales.backup.restore import embedded_target_settings, restore_backup
from promptsales.backup.settings import BackupSettings
from promptsales.config import Settings
from promptsales.crm.crypto import DecryptionError
from promptsales.crm.keystore import KeyStore, server_id
from promptsales.crm.service import reveal_client
from promptsales.crm.subject_keys import export_escrow, import_escrow
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.privacy import service
from promptsales.runtime import manager


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A second installation: its own data dir, PostgreSQL cluster and key store."""
    target = embedded_target_settings(tmp_path_factory.mktemp("privacy-elsewhere"))
    yield target
    manager.wipe(target)  # its cluster holds a restored CRM: gone before the next module


def test_a_backup_restored_elsewhere_does_not_reveal_an_erased_person(settings, world, elsewhere, tmp_path):
    backup = BackupSettings(dir=tmp_path / "backups", key_file=tmp_path / "keys" / "backup.key")
    source_store = KeyStore.for_server(world.settings)
    folder = run_backup(settings, backup, only=["crm"], databases={"crm": world.crm_db})

    answer = service.erase_subject(world.settings, email=SUBJECT["email"])
    assert answer.outcome == "completed"

    restore_backup(settings, folder.id, str(elsewhere.data_path), only=["crm"], replace=True, backup=backup)
    with connect("crm", "app", settings=elsewhere) as conn:
        restored = conn.execute(
            "SELECT first_name, octet_length(national_id_enc) > 0 FROM crm.clients WHERE client_id = %s",
            (world.subject_client,),
        ).fetchone()
        assert restored == (SUBJECT["name"].split()[0], True)  # the backup predates the erasure: ciphertext is there
        assert scalar(conn, "SELECT count(*) FROM crm.subject_keys") == 0  # per-subject keys are never backed up
    target_store = KeyStore(elsewhere.data_path / "keystore" / server_id(elsewhere))
    target_store.import_pkcs12(source_store.export_pkcs12("correct horse battery"), "correct horse battery")
    escrow = tmp_path / "subject-keys.escrow"
    assert export_escrow(world.settings, escrow) >= 1  # taken now, after the erasure
    imported = import_escrow(elsewhere, escrow)
    assert imported["added"] >= 1 and imported["re_erased"] == [world.subject_client]

    control = reveal_client(elsewhere, world.control_client, keystore=target_store, log=False)
    assert control["national_id"] == CONTROL["national_id"] and control["context"] == CONTEXT
    with pytest.raises(DecryptionError, match="erased"):
        reveal_client(elsewhere, world.subject_client, keystore=target_store, log=False)
    with connect("crm", "app", settings=elsewhere) as conn:  # the restored row is anonymised again by the import
        assert conn.execute(
            "SELECT first_name, email LIKE '%%@erased.invalid' FROM crm.clients WHERE client_id = %s",
            (world.subject_client,),
        ).fetchone() == ("erased", True)

"""SPEC R6 (issue 9): after a backup and a restore on another server the encrypted CRM fields cannot be
decrypted there — clear error, no garbage — until the original certificate is imported from its
password-protected PKCS#12 file; a wrong PKCS#12 password is refused and stores nothing."""

from __future__ import annotations

import json

import pytest

from promptsales.backup.labs import NAME, restore_elsewhere
from promptsales.backup.settings import BackupSettings
from promptsales.crm.crypto import FieldCipher, blind_index, create_data_key, field_aad
from promptsales.crm.generate import DATA_TABLES
from promptsales.crm.keystore import KeyStore, KeyStoreError
from promptsales.db.connect import connect
from promptsales.errors import UserError
from promptsales.wiring import lab

CLIENTS = [
    (1, "Ada", "Quintero", "CR-1-0234-0567", {"occupation": "nurse", "note": "prefers WhatsApp"}),
    (2, "Bruno", "Salas", "CR-2-1111-2222", {"occupation": "teacher", "income_band": "B"}),
    (3, "Carla", "Mena", "MX-3-4444-5555", {"occupation": "engineer", "household_size": 4}),
]


@pytest.fixture
def crm_with_encrypted_clients(settings, clone_db, tmp_path):
    """A private PromptCRM copy with three clients whose national ID and context are encrypted under a
    certificate of a private source key store."""
    dbname = clone_db("crm")
    with connect("crm", "admin", settings=settings, dbname=dbname, autocommit=True) as conn:
        conn.execute("TRUNCATE " + ", ".join(f"crm.{table}" for table in DATA_TABLES) + " CASCADE")
    store = KeyStore(tmp_path / "source-keystore")
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        key_id, key = create_data_key(conn, store)
        index = blind_index(conn, store, create=True)
        cipher = FieldCipher(key, key_id)
        for client_id, first, last, national_id, context in CLIENTS:
            conn.execute(
                "INSERT INTO crm.clients (client_id, first_name, last_name, email, phone, birth_year, home_market_id,"
                " country_code, region, city, latitude, longitude, national_id_enc, national_id_bidx, context_enc, data_key_id)"
                " VALUES (%s, %s, %s, %s, '+506 5555 0000', 1990, 1, %s, 'Centro', 'San José', 9.93, -84.08, %s, %s, %s, %s)",
                (
                    client_id,
                    first,
                    last,
                    f"{first.lower()}@r6.example",
                    national_id[:2],
                    cipher.encrypt(national_id.encode(), field_aad("crm.clients", "national_id", client_id)),
                    index(national_id),
                    cipher.encrypt(json.dumps(context).encode(), field_aad("crm.clients", "context", client_id)),
                    key_id,
                ),
            )
        conn.commit()
    backup = BackupSettings(dir=tmp_path / "backups", key_file=tmp_path / "keys" / "backup.key")
    return dbname, store, backup


def test_restore_elsewhere_refuses_decryption_until_the_certificate_is_imported(
    settings, second_install, crm_with_encrypted_clients
):
    dbname, store, backup = crm_with_encrypted_clients
    result, facts = restore_elsewhere(
        settings,
        second_install.data_path,
        "correct horse battery",
        backup=backup,
        crm_dbname=dbname,
        source_keystore=store,
        wrong_password="wrong password 123",
    )
    assert facts["source_total"] == facts["restored_total"] == 3
    # Before the import: a clear error naming the missing certificate, and nothing decrypted.
    assert facts["revealed_before_import"] == []
    assert (
        "Cannot decrypt" in facts["error_before_import"]
        and store.active_fingerprint()[:16] in facts["error_before_import"]
    )
    # Wrong PKCS#12 password: refused, key store unchanged.
    assert "wrong password" in facts["wrong_password_error"] and facts["unchanged_after_wrong_password"]
    assert "Cannot decrypt" in facts["error_after_wrong_password"]
    # After the import: the original values.
    assert facts["imported_fingerprint"] == store.active_fingerprint()
    assert [(c["national_id"], c["context"]) for c in facts["revealed_after_import"]] == [
        (national_id, context) for _, _, _, national_id, context in CLIENTS
    ]
    assert facts["ok"] and result.outcome.startswith("R6 shown")


def test_wrong_pkcs12_password_is_refused_and_stores_nothing(tmp_path):
    source = KeyStore(tmp_path / "source")
    fp = source.ensure()
    other = KeyStore(tmp_path / "other-server")
    own = other.ensure()
    p12 = source.export_pkcs12("the real password")
    for wrong in ("guessed password", "", "the real password "):
        with pytest.raises(KeyStoreError, match="wrong password"):
            other.import_pkcs12(p12, wrong)
    assert other.fingerprints() == [own] and other.active_fingerprint() == own
    with pytest.raises(KeyStoreError, match="Cannot decrypt"):
        other.unwrap(source.wrap(b"k" * 32)[0], fp)
    assert other.import_pkcs12(p12, "the real password") == fp
    assert other.unwrap(source.wrap(b"k" * 32)[0], fp) == b"k" * 32


def test_lab_entry_is_registered_and_refuses_bad_parameters(settings, tmp_path):
    entry = lab(NAME)
    assert entry.company == "crm" and {p.name for p in entry.params} == {"target", "password", "stop"}
    with pytest.raises(UserError, match="at least 8 characters"):
        entry.run(settings, {"password": "short", "target": str(tmp_path / "t")})
    with pytest.raises(UserError, match="stop must be yes or no"):
        entry.run(settings, {"stop": "maybe", "target": str(tmp_path / "t")})
    with pytest.raises(UserError, match="another installation"):
        entry.run(settings, {"target": str(settings.data_path)})
    assert not (tmp_path / "t").exists()

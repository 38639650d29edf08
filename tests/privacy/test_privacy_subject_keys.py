"""Per-subject keys (issue 23): clients encrypted under the old shared key are moved in bulk to keys of their own
(same clear values, the shared key dropped, nothing to do the second time); the escrow file round-trips and an old
escrow cannot re-erase anyone."""

from __future__ import annotations

import json

import pytest

from promptsales.crm.crypto import ClientFieldCipher, FieldCipher, blind_index, create_data_key, field_aad
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import reveal_client
from promptsales.crm.subject_keys import export_escrow, import_escrow, migrate_to_subject_keys
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.errors import UserError

LEGACY = [(910_001 + i, f"ZZ-{i % 9 + 1}-0000-{i:04d}", {"occupation": "pilot", "n": i}) for i in range(250)]


@pytest.fixture
def legacy_crm(settings, clone_db):
    """A private PromptCRM copy with 250 clients encrypted the old way (one shared field key)."""
    dbname = clone_db("crm")
    store = KeyStore.for_server(settings, "crm", dbname)
    store.ensure()
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        key_id, key = create_data_key(conn, store, "field")
        index = blind_index(conn, store, create=True)
        cipher = FieldCipher(key, key_id)
        for client_id, national_id, context in LEGACY:
            conn.execute(
                "INSERT INTO crm.clients (client_id, first_name, last_name, email, phone, birth_year, home_market_id,"
                " country_code, region, city, latitude, longitude, national_id_enc, national_id_bidx, context_enc,"
                " data_key_id) VALUES (%s, 'Old', 'Key', %s, '+1 555', 1980, 1, 'ZZ', 'R', 'C', 1, 1, %s, %s, %s, %s)",
                (
                    client_id,
                    f"old{client_id}@legacy.example",
                    cipher.encrypt(national_id.encode(), field_aad("crm.clients", "national_id", client_id)),
                    index(national_id),
                    cipher.encrypt(json.dumps(context).encode(), field_aad("crm.clients", "context", client_id)),
                    key_id,
                ),
            )
        conn.commit()
    return dbname, store, key_id


def test_clients_under_the_shared_key_are_moved_to_keys_of_their_own(settings, legacy_crm):
    dbname, store, shared = legacy_crm
    assert migrate_to_subject_keys(settings, dbname, store)["clients"] == len(LEGACY)
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        ids = [c for c, _, _ in LEGACY]
        assert scalar(
            conn, "SELECT count(*) FROM crm.subject_keys WHERE client_id = ANY (%s::integer[])", (ids,)
        ) == len(ids)
        assert (
            scalar(
                conn,
                "SELECT count(DISTINCT data_key_id) FROM crm.clients WHERE client_id = ANY (%s::integer[])",
                (ids,),
            )
            == 1
        )
        assert scalar(conn, "SELECT count(*) FROM crm.data_keys WHERE data_key_id = %s", (shared,)) == 0
        assert ClientFieldCipher.load(
            conn, store, scalar(conn, "SELECT data_key_id FROM crm.clients WHERE client_id = %s", (ids[0],))
        ).subjects
    for client_id, national_id, context in (LEGACY[0], LEGACY[-1]):
        revealed = reveal_client(settings, client_id, dbname=dbname, keystore=store, log=False)
        assert (revealed["national_id"], revealed["context"]) == (national_id, context)
    assert migrate_to_subject_keys(settings, dbname, store)["clients"] == 0


def test_escrow_round_trip_and_an_old_escrow_re_erases_nobody(settings, legacy_crm, tmp_path):
    dbname, store, _ = legacy_crm
    migrate_to_subject_keys(settings, dbname, store)
    escrow = tmp_path / "keys.escrow"
    exported = export_escrow(settings, escrow, dbname)
    assert exported >= len(LEGACY)
    with pytest.raises(UserError, match="never overwritten"):
        export_escrow(settings, escrow, dbname)
    victim = LEGACY[3][0]
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        conn.execute("DELETE FROM crm.subject_keys WHERE client_id = %s", (victim,))
        conn.execute(
            "UPDATE crm.clients SET created_at = now() + interval '1 minute' WHERE client_id = %s", (LEGACY[4][0],)
        )
        conn.commit()
    done = import_escrow(settings, escrow, dbname)  # the key comes back; a client younger than the file: no re-erasure
    assert done["added"] == 1 and done["re_erasure_skipped"] and done["re_erased"] == []
    bad = tmp_path / "bad.escrow"
    bad.write_bytes(b"not an escrow\n")
    with pytest.raises(UserError, match="not a subject-key escrow"):
        import_escrow(settings, bad, dbname)

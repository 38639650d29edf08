"""Per-subject field keys (issue 23, crypto-shredding): one AES-256 key per client, wrapped under a KEK.

* A client's national ID and context are encrypted under the client's own key; ``crm.subject_keys`` holds it
  wrapped (AES-256-GCM) under the KEK, itself a ``crm.data_keys`` row wrapped by the key-store certificate.
* ``crm.subject_keys`` is **never in a backup** (:data:`NOT_BACKED_UP`, ``pg_dump --exclude-table-data``): erasing a
  client deletes its row, so no backup, restored anywhere with any certificate, can decrypt that client's fields
  again. The keys of the living clients travel to another server as an escrow file (:func:`export_escrow`,
  :func:`import_escrow`, ``promptsales privacy keys export|import``), next to the certificate's PKCS#12.
* Rows written before per-subject keys (a shared ``field`` key) are moved in bulk by :func:`migrate_to_subject_keys`
  — COPY out, decrypt and re-encrypt in Python, COPY into a staging table, one set-based UPDATE — run by ``up``.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import psycopg

from promptsales.config import Settings
from promptsales.crm.crypto import (
    SUBJECT_KEK,
    ClientFieldCipher,
    FieldCipher,
    SubjectKeyring,
    encrypt_subjects,
    subject_keyring,
)
from promptsales.crm.keystore import KeyStore
from promptsales.db import bulk
from promptsales.db.connect import connect
from promptsales.errors import UserError

#: The table whose data no backup contains (the crypto-shredding guarantee rests on it).
NOT_BACKED_UP = "crm.subject_keys"
#: First line of an escrow file (binary COPY of crm.subject_keys follows).
ESCROW_MAGIC = b"PSSUBJECTKEYS1\n"
#: Rows re-encrypted per round trip when moving from the shared key to per-subject keys.
MIGRATION_BATCH = 100_000


def new_client_cipher(conn: psycopg.Connection, keystore: KeyStore, client_id: int) -> ClientFieldCipher:
    """A fresh key for a new client, stored wrapped in ``crm.subject_keys`` (the caller commits), and the cipher
    that encrypts the client's fields under it (``data_key_id`` = the KEK)."""
    ring = subject_keyring(conn, keystore, create=True)
    (key,) = ring.new_keys(1)
    (wrapped,) = ring.wrap_many([client_id], [key])
    conn.execute(
        "INSERT INTO crm.subject_keys (client_id, kek_id, wrapped_key) VALUES (%s, %s, %s)",
        (client_id, ring.kek.data_key_id, wrapped),
    )
    return ClientFieldCipher(FieldCipher(key, ring.kek.data_key_id))


def encrypt_for_subjects(
    ring: SubjectKeyring, client_ids: Iterable[int], national_ids: list[bytes], contexts: list[bytes]
) -> tuple[list[bytes], list[bytes], list[bytes]]:
    """Fresh keys for many clients and their fields under them: (national_id_enc, context_enc, wrapped keys)."""
    ids = [int(i) for i in client_ids]
    keys = ring.new_keys(len(ids))
    national_id_enc, context_enc = encrypt_subjects(ids, keys, national_ids, contexts)
    return national_id_enc, context_enc, ring.wrap_many(ids, keys)


def copy_subject_keys(conn: psycopg.Connection, client_ids: Any, kek_id: int, wrapped: list[bytes]) -> int:
    """COPY the wrapped keys of ``client_ids`` (binary, one statement)."""
    ids = np.asarray(client_ids, dtype=np.int64)
    return bulk.copy_columns(
        conn,
        NOT_BACKED_UP,
        {"client_id": ("int4", ids), "kek_id": ("int4", np.full(len(ids), kek_id)), "wrapped_key": ("bytes", wrapped)},
    )


def migrate_to_subject_keys(settings: Settings, dbname: str | None = None, keystore: KeyStore | None = None) -> dict:
    """Move every client still under a shared ``field`` key to a key of its own, in batches of
    :data:`MIGRATION_BATCH`: COPY the ciphertexts out, decrypt and re-encrypt in Python, COPY the new ciphertexts
    and wrapped keys into a staging table, one UPDATE … FROM per batch; then drop the shared keys no row uses.
    Idempotent: once moved there is no shared key left and nothing is read."""
    started = time.perf_counter()
    store = keystore or KeyStore.for_server(settings, "crm", dbname)
    moved = 0
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        legacy = conn.execute("SELECT data_key_id FROM crm.data_keys WHERE purpose = 'field' ORDER BY 1").fetchall()
        if not legacy:  # moved before: its shared keys were dropped, so this costs one index-free tiny query
            return {"clients": 0, "seconds": round(time.perf_counter() - started, 3)}
        store.ensure()
        ring = subject_keyring(conn, store, create=True)
        conn.execute(
            "CREATE TEMP TABLE subject_rekey (client_id integer PRIMARY KEY, national_id_enc bytea NOT NULL,"
            " context_enc bytea NOT NULL) ON COMMIT DELETE ROWS"
        )
        for (data_key_id,) in legacy:
            old = ClientFieldCipher.load(conn, store, data_key_id)
            while True:
                rows = conn.execute(
                    "SELECT client_id, national_id_enc, context_enc FROM crm.clients WHERE data_key_id = %s"
                    " AND erased_at IS NULL ORDER BY client_id LIMIT %s",
                    (data_key_id, MIGRATION_BATCH),
                ).fetchall()
                if not rows:
                    break
                ids = [row[0] for row in rows]
                national_ids = [old.decrypt_national_id(i, blob).encode() for i, blob, _ in rows]
                contexts = [old.decrypt_context_text(i, blob).encode() for i, _, blob in rows]
                nid_enc, ctx_enc, wrapped = encrypt_for_subjects(ring, ids, national_ids, contexts)
                bulk.copy_columns(
                    conn,
                    "subject_rekey",
                    {
                        "client_id": ("int4", np.asarray(ids)),
                        "national_id_enc": ("bytes", nid_enc),
                        "context_enc": ("bytes", ctx_enc),
                    },
                )
                copy_subject_keys(conn, ids, ring.kek.data_key_id, wrapped)
                conn.execute(
                    "UPDATE crm.clients c SET national_id_enc = r.national_id_enc, context_enc = r.context_enc,"
                    " data_key_id = %s FROM subject_rekey r WHERE r.client_id = c.client_id",
                    (ring.kek.data_key_id,),
                )
                conn.commit()
                moved += len(ids)
        # The shared keys no row uses any more leave the live database (old backups keep theirs).
        conn.execute(
            "DELETE FROM crm.data_keys k WHERE k.purpose = 'field'"
            " AND NOT EXISTS (SELECT 1 FROM crm.clients c WHERE c.data_key_id = k.data_key_id)"
        )
        conn.commit()
    return {"clients": moved, "seconds": round(time.perf_counter() - started, 3)}


def export_escrow(settings: Settings, out: Path, dbname: str | None = None) -> int:
    """Write the wrapped subject keys of every living client to ``out``: a magic line, the time of the export
    (UTC, ISO 8601) on a line, then a binary COPY. The keys stay wrapped under the KEK, which only the certificate
    unwraps. Returns the number of keys."""
    out = Path(out)
    if out.exists():
        raise UserError(f"{out} already exists; choose a new file (an escrow file is never overwritten).")
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        taken, count = conn.execute("SELECT now(), count(*) FROM crm.subject_keys").fetchone()  # type: ignore[misc]
        with out.open("xb") as sink:
            out.chmod(0o600)
            sink.write(ESCROW_MAGIC + taken.astimezone(UTC).isoformat().encode() + b"\n")
            with conn.cursor().copy(
                "COPY (SELECT client_id, kek_id, wrapped_key FROM crm.subject_keys ORDER BY client_id) TO STDOUT"
                " (FORMAT BINARY)"
            ) as copy:
                for chunk in copy:
                    sink.write(chunk)
    return int(count)


def import_escrow(settings: Settings, path: Path, dbname: str | None = None) -> dict[str, Any]:
    """Load an escrow file into ``crm.subject_keys`` (keys already present are kept). Then every client that
    still has no key although its fields are under a subject KEK was erased after the restored data was taken:
    it is erased again (anonymised) — unless a client is younger than the escrow file, which means the file is
    older than the data and proves nothing (``re_erasure_skipped``). Returns the keys added and clients re-erased."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"No escrow file at {path}.")
    data = path.read_bytes()
    header, _, rest = data.partition(b"\n")
    stamp, _, payload = rest.partition(b"\n")
    if header + b"\n" != ESCROW_MAGIC:
        raise UserError(f"{path} is not a subject-key escrow file (written by `promptsales privacy keys export`).")
    try:
        taken = datetime.fromisoformat(stamp.decode())
    except ValueError:
        raise UserError(f"{path} is damaged: its export time {stamp[:40]!r} cannot be read.") from None
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        conn.execute(
            "CREATE TEMP TABLE escrow_in (client_id integer, kek_id integer, wrapped_key bytea) ON COMMIT DROP"
        )
        with conn.cursor().copy("COPY escrow_in FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(payload)
        added = conn.execute(
            "INSERT INTO crm.subject_keys (client_id, kek_id, wrapped_key)"
            " SELECT e.client_id, e.kek_id, e.wrapped_key FROM escrow_in e"
            " JOIN crm.clients c ON c.client_id = e.client_id AND c.erased_at IS NULL"
            " JOIN crm.data_keys k ON k.data_key_id = e.kek_id"
            " ON CONFLICT (client_id) DO NOTHING"
        ).rowcount
        younger = conn.execute("SELECT EXISTS (SELECT 1 FROM crm.clients WHERE created_at > %s)", (taken,)).fetchone()
        erased: list[int] = []
        if younger is not None and not younger[0]:
            erased = [
                row[0]
                for row in conn.execute(
                    "SELECT c.client_id FROM crm.clients c JOIN crm.data_keys k ON k.data_key_id = c.data_key_id"
                    " WHERE k.purpose = %s AND c.erased_at IS NULL"
                    " AND NOT EXISTS (SELECT 1 FROM crm.subject_keys s WHERE s.client_id = c.client_id)",
                    (SUBJECT_KEK,),
                )
            ]
            if erased:
                conn.execute("CALL crm.crmsp_privacy_erase(%s::integer[], NULL, 'escrow-import')", (erased,))
        conn.commit()
    return {"added": added, "re_erased": erased, "re_erasure_skipped": bool(younger and younger[0])}

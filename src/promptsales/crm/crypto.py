"""Field encryption (SPEC R5): AES-256-GCM per field, HMAC-SHA256 blind index, envelope data keys.

* A stored field is ``nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes)``. The associated data binds it to
  its table, column and row (``crm.clients.national_id:42``), so a ciphertext copied to another row or
  column does not decrypt.
* Data keys live in ``crm.data_keys`` only wrapped by the key store's certificate (see ``keystore.py``).
  A batch of rows (the whole seed, or one service call) shares one data key.
* The blind index is the first 16 bytes of HMAC-SHA256(blind-index key, normalised national ID): equal
  IDs give equal index values, so ``WHERE national_id_bidx = …`` finds a client without decrypting.
* A client's sensitive fields (``crm.clients.national_id_enc``/``context_enc``) are encrypted and decrypted
  only through :class:`ClientFieldCipher`, which holds the table/column names and the associated-data rule.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from promptsales.crm.keystore import KeyStore, KeyStoreError
from promptsales.db.fetch import scalar
from promptsales.errors import UserError

NONCE_BYTES = 12
KEY_BYTES = 32
BLIND_INDEX_BYTES = 16
#: National ID ("cédula") format used by the generator: country code, then 1-4-4 digits (``CR-1-0234-0567``).
NATIONAL_ID = re.compile(r"^([A-Z]{2})-?(\d)-?(\d{4})-?(\d{4})$")


class DecryptionError(UserError):
    """A stored field does not decrypt with the key given: wrong key, other row, or altered bytes."""


def normalise_national_id(raw: str) -> str:
    """The canonical form ``CC-D-DDDD-DDDD`` of a national ID; UserError when it is malformed."""
    cleaned = re.sub(r"[\s.]", "", str(raw)).upper()
    match = NATIONAL_ID.match(cleaned)
    if not match:
        raise UserError(f"Malformed national ID {raw!r}: expected a country code and 9 digits like CR-1-0234-0567.")
    return "-".join(match.groups())


def field_aad(table: str, column: str, row_id: int) -> bytes:
    """Associated data binding a ciphertext to one row and column."""
    return f"{table}.{column}:{row_id}".encode()


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts and decrypts fields with one AES-256-GCM data key."""

    key: bytes
    data_key_id: int

    def encrypt(self, plaintext: bytes, aad: bytes) -> bytes:
        """``nonce ‖ ciphertext ‖ tag`` of ``plaintext``."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.key).encrypt(nonce, plaintext, aad)

    def encrypt_many(self, plaintexts: list[bytes], aads: list[bytes]) -> list[bytes]:
        """Encrypt a batch (one AESGCM object, one block of random nonces)."""
        aead = AESGCM(self.key)
        nonces = os.urandom(NONCE_BYTES * len(plaintexts))
        out = []
        for i, (plain, aad) in enumerate(zip(plaintexts, aads)):
            nonce = nonces[i * NONCE_BYTES : (i + 1) * NONCE_BYTES]
            out.append(nonce + aead.encrypt(nonce, plain, aad))
        return out

    def decrypt(self, blob: bytes, aad: bytes) -> bytes:
        """The plaintext of a stored field; DecryptionError when the key, row or bytes do not match."""
        blob = bytes(blob)
        if len(blob) < NONCE_BYTES + 16:
            raise DecryptionError("The stored field is too short to be an AES-GCM ciphertext.")
        try:
            return AESGCM(self.key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
        except InvalidTag:
            raise DecryptionError(
                "The stored field failed AES-GCM authentication: wrong data key, wrong row, or altered bytes."
            ) from None


#: ``crm.data_keys.purpose`` of the key-encryption key that wraps per-subject keys.
SUBJECT_KEK = "subject_kek"
#: The table whose sensitive columns :class:`ClientFieldCipher` encrypts (part of each field's associated data).
CLIENTS_TABLE = "crm.clients"


@dataclass(frozen=True)
class SubjectKeyring:
    """Per-client field keys (crypto-shredding, issue 23): each client's key is stored in ``crm.subject_keys``
    wrapped under a key-encryption key (KEK, a ``crm.data_keys`` row of purpose ``subject_kek`` wrapped by the
    key-store certificate). A client whose row is gone — erased, or not imported after a restore — has no key."""

    kek: FieldCipher
    conn: psycopg.Connection | None = None

    def new_keys(self, count: int) -> list[bytes]:
        """``count`` fresh random 256-bit keys."""
        raw = os.urandom(KEY_BYTES * count)
        return [raw[i * KEY_BYTES : (i + 1) * KEY_BYTES] for i in range(count)]

    def wrap_many(self, client_ids: Sequence[int], keys: Sequence[bytes]) -> list[bytes]:
        """The stored (wrapped) form of each client's key, bound to its client id."""
        return self.kek.encrypt_many(list(keys), [subject_aad(i) for i in client_ids])

    def unwrap(self, client_id: int, wrapped: bytes) -> bytes:
        """The clear key of ``client_id`` from its wrapped form."""
        return self.kek.decrypt(wrapped, subject_aad(client_id))

    def cipher_for(self, client_id: int) -> FieldCipher:
        """The field cipher of one client (its key read from ``crm.subject_keys`` on this keyring's connection)."""
        if self.conn is None:
            raise DecryptionError("This subject keyring has no connection to read crm.subject_keys.")
        row = self.conn.execute(
            "SELECT wrapped_key FROM crm.subject_keys WHERE client_id = %s AND kek_id = %s",
            (client_id, self.kek.data_key_id),
        ).fetchone()
        if row is None:
            raise DecryptionError(
                f"Client {client_id}'s protected fields cannot be decrypted: their subject key is not in this "
                "installation — the client was erased (crypto-shredded), or the subject keys were not imported after "
                "a restore (`promptsales privacy keys import`)."
            )
        return FieldCipher(self.unwrap(client_id, row[0]), self.kek.data_key_id)


def subject_aad(client_id: int) -> bytes:
    """Associated data binding a wrapped subject key to its client."""
    return field_aad("crm.subject_keys", "wrapped_key", client_id)


@dataclass(frozen=True)
class ClientFieldCipher:
    """Encrypts and decrypts a PromptCRM client's sensitive fields — the national ID and the context data
    (JSON) — each bound to its column and client id (``crm.clients.national_id:42``): under one shared data key
    (``cipher``; rows written before per-subject keys), or, with ``subjects``, under each client's own key."""

    cipher: FieldCipher
    subjects: SubjectKeyring | None = None

    @classmethod
    def load(cls, conn: psycopg.Connection, keystore: KeyStore, data_key_id: int) -> ClientFieldCipher:
        """The cipher of the clients whose ``data_key_id`` is this key (unwrapped with the key store): a shared
        field key, or the KEK of per-subject keys (then each client's key is read on ``conn``)."""
        cipher = field_cipher(conn, keystore, data_key_id)
        purpose = scalar(conn, "SELECT purpose FROM crm.data_keys WHERE data_key_id = %s", (data_key_id,))
        if purpose == SUBJECT_KEK:
            return cls(cipher, SubjectKeyring(cipher, conn))
        return cls(cipher)

    @property
    def data_key_id(self) -> int:
        """The data key the fields are encrypted under, or the KEK of their subject keys (``crm.clients.data_key_id``)."""
        return self.cipher.data_key_id

    def _key(self, client_id: int) -> FieldCipher:
        return self.subjects.cipher_for(client_id) if self.subjects is not None else self.cipher

    def encrypt_national_id(self, client_id: int, national_id: str) -> bytes:
        """The stored form of a (normalised) national ID."""
        return self._key(client_id).encrypt(national_id.encode(), _client_aad("national_id", client_id))

    def decrypt_national_id(self, client_id: int, blob: bytes) -> str:
        """The national ID stored in ``blob``; DecryptionError when it is not this client's."""
        return self._key(client_id).decrypt(blob, _client_aad("national_id", client_id)).decode()

    def encrypt_context(self, client_id: int, context: dict[str, Any]) -> bytes:
        """The stored form of the context data (as JSON)."""
        return self._key(client_id).encrypt(json.dumps(context).encode(), _client_aad("context", client_id))

    def decrypt_context(self, client_id: int, blob: bytes) -> dict[str, Any]:
        """The context data stored in ``blob``."""
        return json.loads(self.decrypt_context_text(client_id, blob))

    def decrypt_context_text(self, client_id: int, blob: bytes) -> str:
        """The context data stored in ``blob`` as the JSON text it was encrypted from."""
        return self._key(client_id).decrypt(blob, _client_aad("context", client_id)).decode()

    def encrypt_batch(
        self, client_ids: Sequence[int], national_ids: Sequence[str], contexts: Sequence[bytes]
    ) -> tuple[list[bytes], list[bytes]]:
        """Stored national IDs and contexts of many clients at once under the shared key; ``contexts`` are JSON
        texts already encoded. Returns (national_id_enc, context_enc) in ``client_ids`` order."""
        national_id_enc = self.cipher.encrypt_many(
            [value.encode() for value in national_ids], [_client_aad("national_id", i) for i in client_ids]
        )
        context_enc = self.cipher.encrypt_many(list(contexts), [_client_aad("context", i) for i in client_ids])
        return national_id_enc, context_enc


def encrypt_subjects(
    client_ids: Sequence[int], keys: Sequence[bytes], national_ids: Sequence[bytes], contexts: Sequence[bytes]
) -> tuple[list[bytes], list[bytes]]:
    """Stored national IDs and contexts of many clients, each under its own key (the bulk path of the seed and of
    the move to per-subject keys): one AES-GCM object per client, one block of random nonces.
    Returns (national_id_enc, context_enc) in ``client_ids`` order."""
    nonces = os.urandom(2 * NONCE_BYTES * len(keys))
    national_id_enc, context_enc = [], []
    for i, (client_id, key, national_id, context) in enumerate(zip(client_ids, keys, national_ids, contexts)):
        aead = AESGCM(key)
        first, second = (
            nonces[2 * i * NONCE_BYTES : (2 * i + 1) * NONCE_BYTES],
            nonces[(2 * i + 1) * NONCE_BYTES : (2 * i + 2) * NONCE_BYTES],
        )
        national_id_enc.append(first + aead.encrypt(first, national_id, _client_aad("national_id", client_id)))
        context_enc.append(second + aead.encrypt(second, context, _client_aad("context", client_id)))
    return national_id_enc, context_enc


def _client_aad(column: str, client_id: int) -> bytes:
    return field_aad(CLIENTS_TABLE, column, client_id)


@dataclass(frozen=True)
class BlindIndex:
    """Keyed HMAC over normalised national IDs."""

    key: bytes

    def __call__(self, national_id: str) -> bytes:
        """The 16-byte blind index of a national ID (normalised first)."""
        return self.digest(normalise_national_id(national_id))

    def digest(self, normalised: str) -> bytes:
        """Blind index of an already-normalised value (fast path for bulk generation)."""
        return hmac.new(self.key, normalised.encode(), hashlib.sha256).digest()[:BLIND_INDEX_BYTES]


# ---- data keys in the database -----------------------------------------------------------------


def create_data_key(conn: psycopg.Connection, keystore: KeyStore, purpose: str = "field") -> tuple[int, bytes]:
    """Generate a random 256-bit key, store it wrapped in ``crm.data_keys``; returns (id, clear key)."""
    key = os.urandom(KEY_BYTES)
    wrapped, fp = keystore.wrap(key)
    algorithm = "HMAC-SHA256" if purpose == "blind_index" else "AES-256-GCM"
    data_key_id = scalar(
        conn,
        "INSERT INTO crm.data_keys (purpose, algorithm, wrapped_key, cert_fingerprint) "
        "VALUES (%s, %s, %s, %s) RETURNING data_key_id",
        (purpose, algorithm, wrapped, fp),
    )
    return data_key_id, key


def load_data_key(conn: psycopg.Connection, keystore: KeyStore, data_key_id: int) -> bytes:
    """Unwrap data key ``data_key_id`` with the key store; KeyStoreError when its certificate is absent."""
    row = conn.execute(
        "SELECT wrapped_key, cert_fingerprint FROM crm.data_keys WHERE data_key_id = %s", (data_key_id,)
    ).fetchone()
    if row is None:
        raise KeyStoreError(f"Data key #{data_key_id} is not in crm.data_keys.")
    return keystore.unwrap(row[0], row[1])


def field_cipher(conn: psycopg.Connection, keystore: KeyStore, data_key_id: int) -> FieldCipher:
    """A cipher for the rows encrypted under data key ``data_key_id``."""
    return FieldCipher(load_data_key(conn, keystore, data_key_id), data_key_id)


def blind_index(conn: psycopg.Connection, keystore: KeyStore, create: bool = False) -> BlindIndex:
    """The database's blind-index key (the newest one); created when ``create`` and none exists."""
    row = conn.execute(
        "SELECT data_key_id FROM crm.data_keys WHERE purpose = 'blind_index' ORDER BY data_key_id DESC LIMIT 1"
    ).fetchone()
    if row is None:
        if not create:
            raise KeyStoreError("PromptCRM has no blind-index key yet: seed the CRM or register a client first.")
        _, key = create_data_key(conn, keystore, "blind_index")
        return BlindIndex(key)
    return BlindIndex(load_data_key(conn, keystore, row[0]))


def subject_keyring(conn: psycopg.Connection, keystore: KeyStore, create: bool = False) -> SubjectKeyring:
    """The keyring of new per-subject keys: the newest KEK (created when ``create`` and none exists)."""
    kek_id = scalar(conn, "SELECT max(data_key_id) FROM crm.data_keys WHERE purpose = %s", (SUBJECT_KEK,))
    if kek_id is None:
        if not create:
            raise KeyStoreError("PromptCRM has no subject-key KEK yet: seed the CRM or register a client first.")
        kek_id, key = create_data_key(conn, keystore, SUBJECT_KEK)
        return SubjectKeyring(FieldCipher(key, kek_id), conn)
    return SubjectKeyring(field_cipher(conn, keystore, kek_id), conn)

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


#: The table whose sensitive columns :class:`ClientFieldCipher` encrypts (part of each field's associated data).
CLIENTS_TABLE = "crm.clients"


@dataclass(frozen=True)
class ClientFieldCipher:
    """Encrypts and decrypts a PromptCRM client's sensitive fields — the national ID and the context data
    (JSON) — under one data key, each bound to its column and client id (``crm.clients.national_id:42``)."""

    cipher: FieldCipher

    @classmethod
    def load(cls, conn: psycopg.Connection, keystore: KeyStore, data_key_id: int) -> ClientFieldCipher:
        """The cipher of the clients encrypted under data key ``data_key_id`` (unwrapped with the key store)."""
        return cls(field_cipher(conn, keystore, data_key_id))

    @property
    def data_key_id(self) -> int:
        """The data key the fields are encrypted under (``crm.clients.data_key_id``)."""
        return self.cipher.data_key_id

    def encrypt_national_id(self, client_id: int, national_id: str) -> bytes:
        """The stored form of a (normalised) national ID."""
        return self.cipher.encrypt(national_id.encode(), _client_aad("national_id", client_id))

    def decrypt_national_id(self, client_id: int, blob: bytes) -> str:
        """The national ID stored in ``blob``; DecryptionError when it is not this client's."""
        return self.cipher.decrypt(blob, _client_aad("national_id", client_id)).decode()

    def encrypt_context(self, client_id: int, context: dict[str, Any]) -> bytes:
        """The stored form of the context data (as JSON)."""
        return self.cipher.encrypt(json.dumps(context).encode(), _client_aad("context", client_id))

    def decrypt_context(self, client_id: int, blob: bytes) -> dict[str, Any]:
        """The context data stored in ``blob``."""
        return json.loads(self.decrypt_context_text(client_id, blob))

    def decrypt_context_text(self, client_id: int, blob: bytes) -> str:
        """The context data stored in ``blob`` as the JSON text it was encrypted from."""
        return self.cipher.decrypt(blob, _client_aad("context", client_id)).decode()

    def encrypt_batch(
        self, client_ids: Sequence[int], national_ids: Sequence[str], contexts: Sequence[bytes]
    ) -> tuple[list[bytes], list[bytes]]:
        """Stored national IDs and contexts of many clients at once (the generator's bulk path); ``contexts``
        are JSON texts already encoded. Returns (national_id_enc, context_enc) in ``client_ids`` order."""
        national_id_enc = self.cipher.encrypt_many(
            [value.encode() for value in national_ids], [_client_aad("national_id", i) for i in client_ids]
        )
        context_enc = self.cipher.encrypt_many(list(contexts), [_client_aad("context", i) for i in client_ids])
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
    algorithm = "AES-256-GCM" if purpose == "field" else "HMAC-SHA256"
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

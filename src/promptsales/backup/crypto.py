"""Streaming AES-256-GCM encryption of backup files and HMAC authentication of manifests.

File format (version 1), designed so that a dump of hundreds of MB is never held in memory and never
touches the disk in clear::

    header  = b"PSBK" | version (1 byte) | chunk size (4 bytes, big endian) | salt (16 bytes)
              | nonce prefix (7 bytes) | name length (2 bytes) | name (UTF-8)
    chunk_i = AES-256-GCM(key_file, nonce_i, plaintext_i, aad=header) = ciphertext_i | tag (16 bytes)

* ``key_file = HKDF-SHA256(backup key, salt, info="promptsales backup file v1")``: every file has its own
  random salt, hence its own key; the 12-byte nonce ``prefix (7) | chunk counter (4, big endian) |
  last-chunk flag (1)`` is never reused under one key.
* Every chunk authenticates the header (file name included), its position (counter) and whether it is the
  last one: swapping chunks, swapping files, truncating or appending is detected, as is any changed byte.
* Plaintext chunks are ``chunk size`` bytes (the last may be shorter, even empty).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from promptsales.backup.streams import ByteSink, ByteSource
from promptsales.errors import UserError

MAGIC = b"PSBK"
VERSION = 1
SALT_BYTES = 16
PREFIX_BYTES = 7
TAG_BYTES = 16
KEY_BYTES = 32
MAX_CHUNKS = 2**32 - 1


class BackupIntegrityError(UserError):
    """A backup file or manifest failed authentication: changed, truncated, or made with another key."""


def _derive(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def key_id(key: bytes) -> str:
    """A public fingerprint of the backup key (16 hex digits), recorded in each manifest."""
    return hmac.new(key, b"promptsales backup key id", hashlib.sha256).hexdigest()[:16]


def new_key() -> bytes:
    """A fresh random 256-bit backup key."""
    return secrets.token_bytes(KEY_BYTES)


def encode_key(key: bytes) -> str:
    """The text form of a key (base64), as stored in the key file or ``PROMPTSALES_BACKUP_KEY``."""
    return base64.b64encode(key).decode()


def decode_key(text: str, where: str) -> bytes:
    """Parse a base64 key; a clear error when it is not exactly 32 bytes."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise UserError(f"The backup key in {where} is not valid base64.") from None
    if len(key) != KEY_BYTES:
        raise UserError(f"The backup key in {where} has {len(key)} bytes; AES-256 needs {KEY_BYTES}.")
    return key


def write_key_file(path: Path, key: bytes) -> None:
    """Create a key file readable only by its owner (refuses to overwrite an existing one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(encode_key(key) + "\n")


def manifest_mac(key: bytes, payload: bytes) -> str:
    """HMAC-SHA256 of a manifest's canonical bytes under a key derived from the backup key."""
    mac_key = _derive(key, b"", b"promptsales backup manifest v1")
    return hmac.new(mac_key, payload, hashlib.sha256).hexdigest()


def check_manifest_mac(key: bytes, payload: bytes, mac: str, where: str) -> None:
    """Raise :class:`BackupIntegrityError` unless ``mac`` authenticates ``payload``."""
    if not hmac.compare_digest(manifest_mac(key, payload), mac or ""):
        raise BackupIntegrityError(
            f"{where}: the manifest does not authenticate (it was changed, or the backup was made with another key)."
        )


class EncryptingWriter:
    """A write-only file object: plaintext in, authenticated ciphertext chunks out to ``sink``.

    It also computes the SHA-256 and size of both the plaintext and the ciphertext.
    """

    def __init__(self, sink: ByteSink, key: bytes, name: str, chunk_size: int = 1 << 20) -> None:
        self.sink = sink
        self.chunk_size = chunk_size
        salt = secrets.token_bytes(SALT_BYTES)
        self.prefix = secrets.token_bytes(PREFIX_BYTES)
        encoded = name.encode()
        self.header = (
            MAGIC
            + bytes([VERSION])
            + struct.pack(">I", chunk_size)
            + salt
            + self.prefix
            + struct.pack(">H", len(encoded))
            + encoded
        )
        self.aead = AESGCM(_derive(key, salt, b"promptsales backup file v1"))
        self.buffer = bytearray()
        self.counter = 0
        self.plain_sha = hashlib.sha256()
        self.cipher_sha = hashlib.sha256()
        self.plain_bytes = 0
        self.cipher_bytes = 0
        self.closed = False
        self._emit(self.header)

    def _emit(self, data: bytes) -> None:
        self.sink.write(data)
        self.cipher_sha.update(data)
        self.cipher_bytes += len(data)

    def _seal(self, chunk: bytes, last: bool) -> None:
        if self.counter >= MAX_CHUNKS:
            raise UserError("Backup file too large for one nonce prefix; raise PROMPTSALES_BACKUP_CHUNK_SIZE.")
        nonce = self.prefix + struct.pack(">IB", self.counter, 1 if last else 0)
        self._emit(self.aead.encrypt(nonce, chunk, self.header))
        self.counter += 1

    def write(self, data: bytes) -> int:
        """Buffer plaintext and seal every full chunk."""
        self.plain_sha.update(data)
        self.plain_bytes += len(data)
        self.buffer += data
        while len(self.buffer) > self.chunk_size:
            self._seal(bytes(self.buffer[: self.chunk_size]), last=False)
            del self.buffer[: self.chunk_size]
        return len(data)

    def flush(self) -> None:
        """Nothing to do: chunks are sealed when full or at close (present for file-object callers)."""

    def close(self) -> None:
        """Seal the final chunk (flagged last)."""
        if not self.closed:
            self._seal(bytes(self.buffer), last=True)
            self.buffer.clear()
            self.closed = True

    def summary(self) -> dict[str, object]:
        """Sizes and SHA-256 digests of plaintext and ciphertext."""
        return {
            "plain_bytes": self.plain_bytes,
            "plain_sha256": self.plain_sha.hexdigest(),
            "cipher_bytes": self.cipher_bytes,
            "cipher_sha256": self.cipher_sha.hexdigest(),
            "chunks": self.counter,
        }


class DecryptingReader:
    """A read-only file object over an encrypted backup file; every chunk is authenticated before use.

    ``where`` names the file in error messages. Reading past a failed chunk is impossible: the error is
    raised before any byte of that chunk is returned.
    """

    def __init__(self, source: ByteSource, key: bytes, where: str, expected_name: str | None = None) -> None:
        self.source = source
        self.where = where
        fixed_length = len(MAGIC) + 1 + 4 + SALT_BYTES + PREFIX_BYTES + 2
        fixed = source.read(fixed_length)
        if len(fixed) < fixed_length or fixed[:4] != MAGIC:
            raise BackupIntegrityError(f"{where}: not a PromptSales backup file (bad header).")
        if fixed[4] != VERSION:
            raise BackupIntegrityError(f"{where}: unsupported backup file version {fixed[4]}.")
        (self.chunk_size,) = struct.unpack(">I", fixed[5:9])
        if not 4096 <= self.chunk_size <= 1 << 28:
            raise BackupIntegrityError(f"{where}: implausible chunk size {self.chunk_size} in the header.")
        salt = fixed[9 : 9 + SALT_BYTES]
        self.prefix = fixed[9 + SALT_BYTES : 9 + SALT_BYTES + PREFIX_BYTES]
        (length,) = struct.unpack(">H", fixed[-2:])
        encoded = source.read(length)
        self.header = fixed + encoded
        self.name = encoded.decode(errors="replace")
        if expected_name is not None and self.name != expected_name:
            raise BackupIntegrityError(f"{where}: the file says it is {self.name!r}, expected {expected_name!r}.")
        self.aead = AESGCM(_derive(key, salt, b"promptsales backup file v1"))
        self.counter = 0
        self.pending = b""
        self.finished = False
        self.plain_sha = hashlib.sha256()
        self.plain_bytes = 0

    def _next_chunk(self) -> bytes:
        sealed = self.source.read(self.chunk_size + TAG_BYTES)
        if len(sealed) < TAG_BYTES:
            raise BackupIntegrityError(f"{self.where}: truncated after chunk {self.counter} (no final chunk).")
        for last in (0, 1) if len(sealed) == self.chunk_size + TAG_BYTES else (1,):
            nonce = self.prefix + struct.pack(">IB", self.counter, last)
            try:
                plain = self.aead.decrypt(nonce, sealed, self.header)
            except InvalidTag:
                continue
            self.counter += 1
            if last:
                self.finished = True
                if self.source.read(1):
                    raise BackupIntegrityError(f"{self.where}: unexpected bytes after the final chunk.")
            self.plain_sha.update(plain)
            self.plain_bytes += len(plain)
            return plain
        raise BackupIntegrityError(
            f"{self.where}: chunk {self.counter} fails AES-GCM authentication (changed bytes, reordered or "
            "truncated data, or another backup key)."
        )

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` authenticated plaintext bytes (all remaining when ``size`` < 0)."""
        parts = [self.pending]
        have = len(self.pending)
        while (size < 0 or have < size) and not self.finished:
            chunk = self._next_chunk()
            parts.append(chunk)
            have += len(chunk)
        data = b"".join(parts)
        if size < 0:
            self.pending = b""
            return data
        self.pending = data[size:]
        return data[:size]

    def chunks(self):
        """Iterate over authenticated plaintext chunks (what streaming consumers should use)."""
        if self.pending:
            yield self.pending
            self.pending = b""
        while not self.finished:
            yield self._next_chunk()

    def readline(self) -> bytes:
        """One line including its newline (empty at the end)."""
        while b"\n" not in self.pending and not self.finished:
            self.pending += self._next_chunk()
        index = self.pending.find(b"\n")
        end = len(self.pending) if index < 0 else index + 1
        line, self.pending = self.pending[:end], self.pending[end:]
        return line

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

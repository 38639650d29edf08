"""The streaming AES-256-GCM file format (SPEC N4): round trips at chunk boundaries, and every kind of
tampering — a changed byte, swapped or dropped chunks, truncation, another file's header, another key —
is refused with a clear error before any byte of the damaged chunk is returned."""

from __future__ import annotations

import io
import os
import struct

import pytest

from promptsales.backup.crypto import (
    MAGIC,
    TAG_BYTES,
    BackupIntegrityError,
    DecryptingReader,
    EncryptingWriter,
    decode_key,
    encode_key,
    new_key,
)
from promptsales.errors import UserError

CHUNK = 4096


def seal(data: bytes, key: bytes, name: str = "postgres/promptcrm.dump") -> bytes:
    sink = io.BytesIO()
    writer = EncryptingWriter(sink, key, name, CHUNK)
    for start in range(0, len(data), 1000):
        writer.write(data[start : start + 1000])
    writer.close()
    return sink.getvalue()


def open_(blob: bytes, key: bytes, name: str | None = None) -> bytes:
    return DecryptingReader(io.BytesIO(blob), key, "test file", expected_name=name).read()


def header_length(blob: bytes) -> int:
    fixed = len(MAGIC) + 1 + 4 + 16 + 7
    (name_length,) = struct.unpack(">H", blob[fixed : fixed + 2])
    return fixed + 2 + name_length


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 3 * CHUNK + 17])
def test_round_trip_at_chunk_boundaries(size):
    key = new_key()
    data = os.urandom(size)
    blob = seal(data, key)
    assert open_(blob, key, "postgres/promptcrm.dump") == data
    reader = DecryptingReader(io.BytesIO(blob), key, "t")
    assert b"".join(reader.chunks()) == data


def test_same_plaintext_encrypts_differently_each_time():
    key = new_key()
    data = b"Zebulon Quixote" * 1000
    assert seal(data, key) != seal(data, key)
    assert b"Zebulon" not in seal(data, key)


@pytest.mark.parametrize("where", ["header", "first chunk", "middle chunk", "tag", "last byte"])
def test_one_changed_byte_fails_with_a_clear_error(where):
    key = new_key()
    blob = bytearray(seal(os.urandom(3 * CHUNK + 100), key))
    start = header_length(blob)
    position = {
        "header": 12,
        "first chunk": start + 5,
        "middle chunk": start + CHUNK + TAG_BYTES + 100,
        "tag": start + CHUNK + TAG_BYTES - 1,
        "last byte": len(blob) - 1,
    }[where]
    blob[position] ^= 0x01
    with pytest.raises(BackupIntegrityError, match="test file"):
        open_(bytes(blob), key)


def test_swapped_chunks_truncation_and_appended_bytes_are_detected():
    key = new_key()
    blob = seal(os.urandom(3 * CHUNK + 100), key)
    start = header_length(blob)
    sealed = CHUNK + TAG_BYTES
    first, second = blob[start : start + sealed], blob[start + sealed : start + 2 * sealed]
    swapped = blob[:start] + second + first + blob[start + 2 * sealed :]
    with pytest.raises(BackupIntegrityError, match="chunk 0"):
        open_(swapped, key)
    with pytest.raises(BackupIntegrityError, match="truncated|authentication"):
        open_(blob[: start + 2 * sealed], key)  # cut exactly at a chunk boundary
    with pytest.raises(BackupIntegrityError):
        open_(blob[:-5], key)
    with pytest.raises(BackupIntegrityError, match="chunk 3 fails|after the final chunk"):
        open_(blob + b"x", key)


def test_another_key_or_another_files_name_is_refused():
    key = new_key()
    blob = seal(b"data" * 5000, key, name="postgres/promptads.dump")
    with pytest.raises(BackupIntegrityError, match="another backup key|authentication"):
        open_(blob, new_key())
    with pytest.raises(BackupIntegrityError, match="expected 'postgres/promptcrm.dump'"):
        open_(blob, key, "postgres/promptcrm.dump")
    with pytest.raises(BackupIntegrityError, match="not a PromptSales backup file"):
        open_(b"PGDMP" + b"\0" * 100, key)


def test_key_text_form_is_checked():
    key = new_key()
    assert decode_key(encode_key(key), "env") == key
    with pytest.raises(UserError, match="32"):
        decode_key(encode_key(key[:16]), "env")
    with pytest.raises(UserError, match="base64"):
        decode_key("not base64!!", "env")

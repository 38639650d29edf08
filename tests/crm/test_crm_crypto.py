"""Key store and field encryption without a database (SPEC R5, and the R6 building blocks)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from promptsales.crm.crypto import (
    BlindIndex,
    ClientFieldCipher,
    DecryptionError,
    FieldCipher,
    field_aad,
    normalise_national_id,
)
from promptsales.crm.keystore import KeyStore, KeyStoreError
from promptsales.errors import UserError


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    keystore = KeyStore(tmp_path_factory.mktemp("ks") / "server-a")
    keystore.ensure()
    return keystore


def test_ensure_creates_a_private_store_once(store: KeyStore) -> None:
    fp = store.active_fingerprint()
    assert fp and len(fp) == 64
    assert store.ensure() == fp, "a second ensure must keep the certificate"
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o700
    assert stat.S_IMODE((store.path / "keys" / f"{fp}.key.pem").stat().st_mode) == 0o600
    cert = store.certificate(fp)
    assert "PromptCRM" in cert.subject.rfc4514_string()


def test_wrap_unwrap_round_trip_and_other_store_refuses(store: KeyStore, tmp_path: Path) -> None:
    wrapped, fp = store.wrap(b"k" * 32)
    assert wrapped != b"k" * 32 and len(wrapped) == 384  # RSA-3072 OAEP
    assert store.unwrap(wrapped, fp) == b"k" * 32
    other = KeyStore(tmp_path / "server-b")
    with pytest.raises(KeyStoreError, match="not in the key store"):
        other.unwrap(wrapped, fp)
    other.ensure()  # a store with its own, different certificate still cannot unwrap
    with pytest.raises(KeyStoreError, match="not in the key store"):
        other.unwrap(wrapped, fp)


def test_a_private_key_that_does_not_match_its_certificate_is_refused(store: KeyStore, tmp_path: Path) -> None:
    wrapped, fp = store.wrap(b"x" * 32)
    forged = KeyStore(tmp_path / "forged")
    forged.ensure()
    other_fp = forged.active_fingerprint()
    # put the forged store's private key under the original certificate
    (forged.path / "certs" / f"{fp}.pem").write_bytes((store.path / "certs" / f"{fp}.pem").read_bytes())
    (forged.path / "keys" / f"{fp}.key.pem").write_bytes((forged.path / "keys" / f"{other_fp}.key.pem").read_bytes())
    with pytest.raises(KeyStoreError, match="does not belong"):
        forged.unwrap(wrapped, fp)


def test_pkcs12_export_import_moves_the_certificate(store: KeyStore, tmp_path: Path) -> None:
    wrapped, fp = store.wrap(b"d" * 32)
    p12 = store.export_pkcs12("correct horse battery")
    target = KeyStore(tmp_path / "restored")
    target.ensure()
    with pytest.raises(KeyStoreError, match="wrong password"):
        target.import_pkcs12(p12, "wrong password!")
    assert fp not in target.fingerprints(), "a refused import stores nothing"
    assert target.import_pkcs12(p12, "correct horse battery") == fp
    assert target.unwrap(wrapped, fp) == b"d" * 32
    assert target.active_fingerprint() != fp, "importing does not change the active certificate unless asked"
    with pytest.raises(KeyStoreError, match="at least 8"):
        store.export_pkcs12("short")
    with pytest.raises(KeyStoreError, match="PKCS#12"):
        target.import_pkcs12(b"not a pkcs12 file", "whatever123")


def test_field_cipher_round_trip_and_clear_errors() -> None:
    cipher = FieldCipher(b"\x01" * 32, 1)
    aad = field_aad("crm.clients", "national_id", 42)
    blob = cipher.encrypt(b"CR-1-0234-0567", aad)
    assert b"0234" not in blob and len(blob) == 12 + 14 + 16
    assert cipher.decrypt(blob, aad) == b"CR-1-0234-0567"
    assert cipher.encrypt_many([b"a", b"b"], [aad, aad])[0] != cipher.encrypt(b"a", aad)  # random nonces
    with pytest.raises(DecryptionError, match="authentication"):
        cipher.decrypt(blob, field_aad("crm.clients", "national_id", 43))  # copied to another row
    with pytest.raises(DecryptionError, match="authentication"):
        FieldCipher(b"\x02" * 32, 2).decrypt(blob, aad)  # wrong key: an error, never garbage
    tampered = bytearray(blob)
    tampered[15] ^= 1
    with pytest.raises(DecryptionError):
        cipher.decrypt(bytes(tampered), aad)


def test_client_field_cipher_binds_each_field_to_its_column_and_client() -> None:
    cipher = ClientFieldCipher(FieldCipher(b"\x03" * 32, 7))
    national_id = cipher.encrypt_national_id(42, "CR-1-0234-0567")
    context = cipher.encrypt_context(42, {"occupation": "nurse", "household_size": 4})
    assert cipher.data_key_id == 7
    assert cipher.decrypt_national_id(42, national_id) == "CR-1-0234-0567"
    assert cipher.decrypt_context(42, context) == {"occupation": "nurse", "household_size": 4}
    assert cipher.decrypt_context_text(42, context) == '{"occupation": "nurse", "household_size": 4}'
    # the associated data is the one rule ``crm.clients.<column>:<client id>`` (what the stored rows carry)
    assert cipher.cipher.decrypt(national_id, field_aad("crm.clients", "national_id", 42)) == b"CR-1-0234-0567"
    with pytest.raises(DecryptionError):
        cipher.decrypt_national_id(43, national_id)  # another client
    with pytest.raises(DecryptionError):
        cipher.decrypt_context(42, national_id)  # another column


def test_client_field_cipher_batch_decrypts_like_single_fields() -> None:
    cipher = ClientFieldCipher(FieldCipher(b"\x04" * 32, 1))
    ids = [5, 6, 7]
    national_ids, contexts = cipher.encrypt_batch(
        ids, ["CR-1-0000-0005", "CR-1-0000-0006", "MX-2-0000-0007"], [b'{"n": 5}', b'{"n": 6}', b'{"n": 7}']
    )
    assert [cipher.decrypt_national_id(i, blob) for i, blob in zip(ids, national_ids)] == [
        "CR-1-0000-0005",
        "CR-1-0000-0006",
        "MX-2-0000-0007",
    ]
    assert [cipher.decrypt_context(i, blob) for i, blob in zip(ids, contexts)] == [{"n": 5}, {"n": 6}, {"n": 7}]
    assert len({blob[:12] for blob in national_ids + contexts}) == 6  # a fresh nonce per field


def test_national_id_normalisation_and_blind_index() -> None:
    assert normalise_national_id(" cr-1-0234-0567 ") == "CR-1-0234-0567"
    assert normalise_national_id("CR102340567") == "CR-1-0234-0567"
    index = BlindIndex(b"\x07" * 32)
    assert index("CR 1 0234 0567") == index("CR-1-0234-0567") and len(index("CR102340567")) == 16
    assert index("CR-1-0234-0567") != BlindIndex(b"\x08" * 32)("CR-1-0234-0567")
    for bad in ("", "12345", "CR-1-0234-056", "C1-1-0234-0567", "CR-1-0234-0567-9"):
        with pytest.raises(UserError, match="Malformed national ID"):
            normalise_national_id(bad)

"""The server's key store (SPEC R5): X.509 certificates with their RSA private keys, outside the database.

The SQL Server original keeps a certificate in ``master`` that protects a symmetric key. Here the key store
is a directory of the server instance (default ``<data_dir>/keystore/<server-id>``, where the server id is
the PostgreSQL cluster's ``system_identifier``; override with ``PROMPTSALES_CRM_KEYSTORE_DIR``)::

    <keystore>/certs/<sha256-fingerprint>.pem      X.509 certificate (RSA 3072, self-signed)
    <keystore>/keys/<sha256-fingerprint>.key.pem   its PKCS#8 private key (mode 0600)
    <keystore>/active                              fingerprint used to wrap new data keys

Data keys (AES-256) are wrapped with RSA-OAEP-SHA256 under the active certificate; the database stores only
the wrapped key and the certificate fingerprint. A restore on another server (another cluster, another
key store) therefore cannot unwrap them until the certificate with its private key is imported there
(:meth:`KeyStore.import_pkcs12`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from promptsales.audit.trail import current_actor, record
from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.tls import certificate_builder

RSA_BITS = 3072
CERT_DAYS = 3650
OAEP = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


#: Private keys read this process, by (key store, certificate fingerprint).
_PRIVATE_KEYS: dict[tuple[str, str], rsa.RSAPrivateKey] = {}
#: Data keys unwrapped this process, by (key store, certificate, wrapped key): an RSA-OAEP decryption per call
#: otherwise. Only what the caller already read from the database is looked up, so a destroyed key (erasure)
#: is never served from here. Bounded (cleared when full).
_UNWRAPPED: dict[tuple[str, str, bytes], bytes] = {}
MAX_UNWRAPPED = 100_000


class KeyStoreError(UserError):
    """The key store cannot provide a key: missing or wrong certificate, bad PKCS#12 file or password."""


class CrmSettings(BaseSettings):
    """PromptCRM-specific settings (env prefix ``PROMPTSALES_CRM_``)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_CRM_", env_file=".env", extra="ignore")

    keystore_dir: Path | None = Field(
        default=None, description="Key store directory; default <data_dir>/keystore/<server-id>."
    )


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 fingerprint (lower-case hex) of a certificate's DER encoding."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def server_id(settings: Settings, company: str = "crm", dbname: str | None = None) -> str:
    """Identifier of the PostgreSQL server holding ``company``'s database (its ``system_identifier``)."""
    from promptsales.db.connect import connect
    from promptsales.db.fetch import scalar

    with connect(company, "app", settings=settings, dbname=dbname) as conn:
        return str(scalar(conn, "SELECT system_identifier FROM pg_control_system()"))


def default_path(settings: Settings, company: str = "crm", dbname: str | None = None) -> Path:
    """The configured key store directory, else ``<data_dir>/keystore/<server-id>``."""
    configured = CrmSettings().keystore_dir
    if configured:
        return configured.expanduser().resolve()
    return settings.data_path / "keystore" / server_id(settings, company, dbname)


@dataclass(frozen=True)
class KeyStore:
    """A directory of certificates and private keys that wrap and unwrap data keys."""

    path: Path

    @classmethod
    def for_server(cls, settings: Settings, company: str = "crm", dbname: str | None = None) -> KeyStore:
        """The key store of the server that holds ``company``'s database (not created here)."""
        return cls(default_path(settings, company, dbname))

    # ---- layout ----------------------------------------------------------------------------
    def _cert_file(self, fp: str) -> Path:
        return self.path / "certs" / f"{fp}.pem"

    def _key_file(self, fp: str) -> Path:
        return self.path / "keys" / f"{fp}.key.pem"

    def fingerprints(self) -> list[str]:
        """Fingerprints of every certificate that has its private key here."""
        certs = self.path / "certs"
        if not certs.is_dir():
            return []
        return sorted(p.stem for p in certs.glob("*.pem") if self._key_file(p.stem).exists())

    def active_fingerprint(self) -> str | None:
        """Fingerprint of the certificate that wraps new data keys, or None when the store is empty."""
        active = self.path / "active"
        if not active.exists():
            return None
        fp = active.read_text().strip()
        return fp if fp in self.fingerprints() else None

    # ---- creation --------------------------------------------------------------------------
    def ensure(self, common_name: str = "PromptCRM field encryption") -> str:
        """Create the store and a self-signed certificate when none is active; returns the active fingerprint."""
        active = self.active_fingerprint()
        if active:
            return active
        key = rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "PromptSales"),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        cert = (
            certificate_builder(name, name, key.public_key(), CERT_DAYS)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        fp = self._store(cert, key)
        self._write(self.path / "active", fp.encode(), 0o600)
        self._audit("keystore.certificate_created", "ok", fp)
        return fp

    def _audit(self, action: str, outcome: str, fp: str | None, **detail: object) -> None:
        """Record a key-store operation in the central audit (category ``keystore``): who, which store, which
        certificate — never key material."""
        record(
            current_actor(),
            "crm",
            action,
            outcome,
            0.0,
            {"keystore": str(self.path), "certificate": fp[:16] if fp else None, **detail},
            category="keystore",
        )

    def _store(self, cert: x509.Certificate, key: rsa.RSAPrivateKey) -> str:
        self.path.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path.chmod(0o700)
        fp = fingerprint(cert)
        self._write(self._cert_file(fp), cert.public_bytes(serialization.Encoding.PEM), 0o644)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self._write(self._key_file(fp), pem, 0o600)
        return fp

    @staticmethod
    def _write(path: Path, data: bytes, mode: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    # ---- access ----------------------------------------------------------------------------
    def certificate(self, fp: str) -> x509.Certificate:
        """The certificate with fingerprint ``fp``; KeyStoreError when this store does not hold it."""
        path = self._cert_file(fp)
        if not path.exists() or not self._key_file(fp).exists():
            held = ", ".join(f[:16] + "…" for f in self.fingerprints()) or "none"
            raise KeyStoreError(
                f"Cannot decrypt: the data is protected by certificate {fp[:16]}… which is not in the key store "
                f"{self.path} (it holds: {held}). Import that certificate with its private key "
                "(PKCS#12) with `promptsales crm keys import FILE`."
            )
        return x509.load_pem_x509_certificate(path.read_bytes())

    def private_key(self, fp: str) -> rsa.RSAPrivateKey:
        """The private key of certificate ``fp``, checked against the certificate's public key; read once per
        process (loading and checking an RSA key costs tens of ms — it was most of a PromptCRM call's CPU)."""
        remembered = _PRIVATE_KEYS.get((str(self.path), fp))
        if remembered is not None:
            return remembered
        key = self._read_private_key(fp)
        _PRIVATE_KEYS[(str(self.path), fp)] = key
        return key

    def _read_private_key(self, fp: str) -> rsa.RSAPrivateKey:
        cert = self.certificate(fp)
        try:
            key = serialization.load_pem_private_key(self._key_file(fp).read_bytes(), password=None)
        except (ValueError, TypeError) as error:
            raise KeyStoreError(
                f"The private key of certificate {fp[:16]}… in {self.path} is unreadable: {error}"
            ) from None
        cert_key = cert.public_key()
        if (
            not isinstance(key, rsa.RSAPrivateKey)
            or not isinstance(cert_key, rsa.RSAPublicKey)
            or key.public_key().public_numbers() != cert_key.public_numbers()
        ):
            raise KeyStoreError(
                f"The private key stored for certificate {fp[:16]}… in {self.path} does not belong to that certificate."
            )
        return key

    def wrap(self, data_key: bytes) -> tuple[bytes, str]:
        """Wrap a data key with the active certificate (creating one if needed); returns (wrapped, fingerprint)."""
        fp = self.ensure()
        public = self.certificate(fp).public_key()
        if not isinstance(public, rsa.RSAPublicKey):
            raise KeyStoreError(f"The active certificate {fp[:16]}… in {self.path} has no RSA key to wrap data keys.")
        return public.encrypt(data_key, OAEP), fp

    def unwrap(self, wrapped: bytes, fp: str) -> bytes:
        """Unwrap a data key wrapped under certificate ``fp``; KeyStoreError when the key does not fit."""
        remembered = _UNWRAPPED.get((str(self.path), fp, bytes(wrapped)))
        if remembered is not None:
            return remembered
        key = self.private_key(fp)
        try:
            data_key = key.decrypt(bytes(wrapped), OAEP)
        except (ValueError, InvalidKey):
            raise KeyStoreError(
                f"The private key of certificate {fp[:16]}… cannot unwrap this data key: wrong key or damaged data."
            ) from None
        if len(_UNWRAPPED) >= MAX_UNWRAPPED:
            _UNWRAPPED.clear()
        _UNWRAPPED[(str(self.path), fp, bytes(wrapped))] = data_key
        return data_key

    # ---- transport (R6: the certificate travels separately from the backup) ------------------
    def export_pkcs12(self, password: str | bytes, fp: str | None = None) -> bytes:
        """The certificate ``fp`` (default: active) with its private key, as password-protected PKCS#12."""
        fp = fp or self.active_fingerprint()
        if not fp:
            raise KeyStoreError(f"The key store {self.path} holds no certificate to export.")
        secret = password.encode() if isinstance(password, str) else password
        if len(secret) < 8:
            raise KeyStoreError("The PKCS#12 password must have at least 8 characters.")
        exported = pkcs12.serialize_key_and_certificates(
            name=f"promptcrm-{fp[:16]}".encode(),
            key=self.private_key(fp),
            cert=self.certificate(fp),
            cas=None,
            encryption_algorithm=serialization.BestAvailableEncryption(secret),
        )
        self._audit("keystore.export_pkcs12", "ok", fp)
        return exported

    def import_pkcs12(self, data: bytes, password: str | bytes, activate: bool = False) -> str:
        """Add the certificate and private key of a PKCS#12 file; returns its fingerprint.

        A wrong password or a file without an RSA key and certificate raises KeyStoreError and stores nothing.
        """
        secret = password.encode() if isinstance(password, str) else password
        try:
            key, cert, _ = pkcs12.load_key_and_certificates(data, secret)
        except (ValueError, TypeError):
            self._audit("keystore.import_pkcs12", "denied", None, reason="wrong password or not PKCS#12")
            raise KeyStoreError("Cannot open the PKCS#12 file: wrong password or not a PKCS#12 file.") from None
        if cert is None or not isinstance(key, rsa.RSAPrivateKey):
            self._audit("keystore.import_pkcs12", "denied", None, reason="no RSA key and certificate")
            raise KeyStoreError("The PKCS#12 file must hold an RSA private key and its certificate.")
        cert_key = cert.public_key()
        if not isinstance(cert_key, rsa.RSAPublicKey) or key.public_key().public_numbers() != cert_key.public_numbers():
            self._audit("keystore.import_pkcs12", "denied", None, reason="key does not belong to its certificate")
            raise KeyStoreError("The PKCS#12 private key does not belong to its certificate.")
        fp = self._store(cert, key)
        if activate or self.active_fingerprint() is None:
            self._write(self.path / "active", fp.encode(), 0o600)
        self._audit("keystore.import_pkcs12", "ok", fp, activated=self.active_fingerprint() == fp)
        return fp

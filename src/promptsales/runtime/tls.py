"""Local certificate authority and server certificates for every HTTPS listener (SPEC N4: TLS 1.3).

``promptsales up`` calls :func:`ensure_tls`: a CA (``<data_dir>/tls/ca.pem``, key ``ca-key.pem`` mode
0600) and one server certificate for ``localhost``/``127.0.0.1``/``::1`` signed by it. Servers use
:func:`server_ssl_context` (TLS 1.3 minimum: a TLS 1.2 client is refused during the handshake);
clients trust the CA with :func:`client_ssl_context`. In production the certificates come from the
cluster's issuer (e.g. cert-manager) and the same paths are mounted as secrets.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.state import file_lock, write_atomic


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the CA certificate and of the server certificate and key."""

    ca_cert: Path
    server_cert: Path
    server_key: Path


def tls_dir(settings: Settings) -> Path:
    """``<data_dir>/tls``."""
    return settings.data_path / "tls"


def _key_pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def certificate_builder(
    subject: x509.Name, issuer: x509.Name, public_key: CertificatePublicKeyTypes, days: int
) -> x509.CertificateBuilder:
    """A certificate builder for ``subject`` signed by ``issuer``: a random serial number, valid from five
    minutes ago (clock skew) for ``days`` days. Callers add their extensions and sign."""
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
    )


def _create_ca(directory: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "PromptSales local CA")])
    cert = (
        certificate_builder(name, name, key.public_key(), days=3650)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    write_atomic(directory / "ca-key.pem", _key_pem(key), 0o600)
    write_atomic(directory / "ca.pem", cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _create_server_cert(directory: Path, ca_cert: x509.Certificate, ca_key: ec.EllipticCurvePrivateKey) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    names = [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ]
    cert = (
        certificate_builder(
            x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]), ca_cert.subject, key.public_key(), 825
        )
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    write_atomic(directory / "server-key.pem", _key_pem(key), 0o600)
    write_atomic(directory / "server.pem", cert.public_bytes(serialization.Encoding.PEM))


def ensure_tls(settings: Settings) -> TlsFiles:
    """Create the local CA and the server certificate if missing; returns their paths. Idempotent."""
    directory = tls_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server-key.pem")
    if _complete(files, directory):
        return files
    with file_lock(directory / "tls.lock"):  # concurrent first calls create one CA, not two
        if not files.ca_cert.exists() or not (directory / "ca-key.pem").exists():
            ca_cert, ca_key = _create_ca(directory)
            _create_server_cert(directory, ca_cert, ca_key)
        elif not files.server_cert.exists() or not files.server_key.exists():
            ca_cert = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())
            loaded = serialization.load_pem_private_key((directory / "ca-key.pem").read_bytes(), password=None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise UserError(
                    f"{directory / 'ca-key.pem'} is not the local CA's EC key; delete {directory} to make a new CA."
                )
            _create_server_cert(directory, ca_cert, loaded)
    return files


def _complete(files: TlsFiles, directory: Path) -> bool:
    """True when the server can serve: its certificate, key and CA certificate are there. The CA key is needed
    only to issue; a certificate provisioned from outside (cert-manager's Secret mounted here, deploy/) has none."""
    return all(path.exists() for path in (files.ca_cert, files.server_cert, files.server_key))


def server_ssl_context(files: TlsFiles) -> ssl.SSLContext:
    """A server context that accepts only TLS 1.3."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    context.load_cert_chain(str(files.server_cert), str(files.server_key))
    return context


def client_ssl_context(settings: Settings) -> ssl.SSLContext:
    """A client context that trusts the local CA (and requires TLS 1.3)."""
    context = ssl.create_default_context(cafile=str(ensure_tls(settings).ca_cert))
    context.minimum_version = ssl.TLSVersion.TLSv1_3
    return context

"""The issuer's RSA signing key, its JWKS, and token minting (RS256 JWTs)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from promptsales.auth.config import audience_for, auth_dir, scope_server
from promptsales.config import Settings
from promptsales.errors import UserError


def load_or_create_key(path: Path) -> rsa.RSAPrivateKey:
    """The RSA-2048 private key at ``path`` (created with mode 0600 on first use)."""
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise UserError(f"{path} is not an RSA private key; delete it to have a new signing key made.")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def issuer_key(settings: Settings) -> rsa.RSAPrivateKey:
    """The local issuer's signing key (``<data_dir>/auth/issuer-key.pem``)."""
    return load_or_create_key(auth_dir(settings) / "issuer-key.pem")


def key_id(public_key) -> str:
    """RFC 7638-style thumbprint used as ``kid``."""
    jwk = json.loads(RSAAlgorithm.to_jwk(public_key))
    canonical = json.dumps({k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def jwks(private_key: rsa.RSAPrivateKey) -> dict:
    """The JSON Web Key Set publishing the public half of ``private_key``."""
    public = private_key.public_key()
    jwk = json.loads(RSAAlgorithm.to_jwk(public))
    jwk.update({"kid": key_id(public), "use": "sig", "alg": "RS256"})
    return {"keys": [jwk]}


def audiences_for_scopes(scopes: list[str]) -> list[str]:
    """One audience per MCP server the scopes are for (``content:read`` → the content server)."""
    return sorted({audience_for(scope_server(scope)) for scope in scopes})


def mint_token(
    private_key: rsa.RSAPrivateKey,
    issuer: str,
    client_id: str,
    scopes: list[str],
    ttl_seconds: int,
    audience: list[str] | str | None = None,
    now: float | None = None,
) -> str:
    """A signed RS256 access token (RFC 9068 profile: iss, sub, aud, client_id, scope, iat, exp, jti)."""
    now = time.time() if now is None else now
    claims = {
        "iss": issuer,
        "sub": client_id,
        "client_id": client_id,
        "aud": audience if audience is not None else audiences_for_scopes(scopes),
        "scope": " ".join(scopes),
        "iat": int(now),
        "nbf": int(now) - 5,
        "exp": int(now + ttl_seconds),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(
        claims, private_key, algorithm="RS256", headers={"kid": key_id(private_key.public_key()), "typ": "at+jwt"}
    )

"""Token abuse and old TLS (issue 23): every way to forge, stretch or misdirect a bearer token is refused by the MCP
servers' verifier (alg=none, HMAC keyed with the public key, another key, another issuer or audience, expired, not
yet valid, missing claims, unknown key id, a key offered in the token's own header, tampered claims), and a TLS
1.2 handshake is refused by the issuer and by an MCP server over the real network. Revocation does not exist:
tokens are short-lived (1 h by default) — docs/security.md, threat model."""

from __future__ import annotations

import base64
import json
import socket
import ssl
import time
from urllib.parse import urlparse

import anyio
import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from promptsales.mcpkit.auth import JwksTokenVerifier
from promptsales.testing import ca_context

ISSUER, AUDIENCE = "https://issuer.test", "urn:promptsales:mcp:crm"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _claims(**changes) -> dict:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "portal", "client_id": "portal", "scope": "crm:read crm:pii",
              "iat": now, "nbf": now - 5, "exp": now + 600}  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _token(claims: dict | None = None, key=KEY, algorithm: str = "RS256", headers: dict | None = None) -> str:
    return jwt.encode(claims or _claims(), key, algorithm=algorithm, headers={"kid": "k1", **(headers or {})})


def _unsigned(claims: dict, header: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def _verifier() -> JwksTokenVerifier:
    verifier = JwksTokenVerifier(ISSUER, AUDIENCE, verify=True)
    verifier._keys, verifier._fetched_at = {"k1": KEY.public_key()}, time.monotonic()  # the JWKS already loaded
    verifier.jwks_uri = "https://issuer.test/jwks.json"
    return verifier


def _public_pem() -> bytes:
    return KEY.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _tampered() -> str:
    header, payload, signature = _token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"] = "crm:read crm:pii crm:write sales:approve"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


ABUSE = {
    "alg none": lambda: _unsigned(_claims(), {"alg": "none", "typ": "JWT", "kid": "k1"}),
    "alg none, empty kid": lambda: _unsigned(_claims(), {"alg": "none"}),
    "HS256 keyed with the public key": lambda: _hs256_with_public_key(),
    "another key, same kid": lambda: _token(key=OTHER_KEY),
    "another issuer": lambda: _token(_claims(iss="https://evil.example")),
    "another audience": lambda: _token(_claims(aud="urn:promptsales:mcp:ads")),
    "no audience": lambda: _token(_claims(aud=None)),
    "expired": lambda: _token(_claims(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200)),
    "not yet valid": lambda: _token(_claims(nbf=int(time.time()) + 3600)),
    "no exp": lambda: _token(_claims(exp=None)),
    "no subject": lambda: _token(_claims(sub=None)),
    "unknown kid": lambda: _token(headers={"kid": "k-unknown"}),
    "key offered in the header (jwk)": lambda: _token(
        key=OTHER_KEY, headers={"jwk": json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(OTHER_KEY.public_key()))}
    ),
    "key set offered in the header (jku)": lambda: _token(key=OTHER_KEY, headers={"jku": "https://evil.example/j"}),
    "tampered claims, original signature": _tampered,
    "not a JWT": lambda: "not-a-jwt",
    "empty": lambda: "",
    "huge": lambda: "a." * 50_000 + "b",
}


def _hs256_with_public_key() -> str:
    """The classic algorithm confusion: an HMAC "signed" with the RSA public key (PyJWT refuses to build it with a
    PEM key, so it is assembled by hand)."""
    import hashlib
    import hmac

    header = {"alg": "HS256", "typ": "JWT", "kid": "k1"}
    unsigned = _unsigned(_claims(), header).rstrip(".")
    mac = hmac.new(_public_pem(), unsigned.encode(), hashlib.sha256).digest()
    return unsigned + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def test_a_valid_token_passes_so_the_refusals_below_mean_something():
    access = anyio.run(_verifier().verify_token, _token())
    assert access is not None and access.client_id == "portal" and "crm:pii" in access.scopes


@pytest.mark.parametrize("abuse", list(ABUSE))
def test_abused_tokens_are_refused(abuse, monkeypatch):
    verifier = _verifier()

    async def no_network(force: bool = False) -> None:  # an unknown kid must not make us fetch a key it names
        return None

    monkeypatch.setattr(verifier, "_load_keys", no_network)
    assert anyio.run(verifier.verify_token, ABUSE[abuse]()) is None


def test_a_refused_token_is_never_remembered_and_a_good_one_only_until_it_expires():
    verifier = _verifier()
    bad = ABUSE["another key, same kid"]()
    assert anyio.run(verifier.verify_token, bad) is None and not verifier._verified
    exp = int(time.time()) + 1
    short = _token(_claims(exp=exp))
    assert anyio.run(verifier.verify_token, short) is not None
    assert [access.expires_at for access in verifier._verified.values()] == [exp]  # remembered until its own exp


def test_alg_none_over_https_is_401(content_https):
    from promptsales.auth.config import issuer_url

    settings, url = content_https
    claims = _claims(iss=issuer_url(settings), aud="urn:promptsales:mcp:content", scope="content:read content:write")
    token = _unsigned(claims, {"alg": "none", "typ": "JWT"})
    response = httpx.post(
        url + "/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
        headers={"authorization": f"Bearer {token}", "accept": "application/json, text/event-stream"},
        verify=ca_context(settings),
        timeout=30,
    )
    assert response.status_code == 401


def _handshake(settings, url: str, maximum: ssl.TLSVersion | None) -> str:
    parsed = urlparse(url)
    context = ssl.create_default_context(cafile=str(settings.data_path / "tls" / "ca.pem"))
    if maximum is not None:
        context.maximum_version = maximum
    with socket.create_connection((parsed.hostname, parsed.port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=parsed.hostname) as tls:
            return str(tls.version())


def test_tls12_is_refused_by_the_issuer_and_the_mcp_server(content_https):
    from promptsales.auth.config import issuer_url

    settings, url = content_https
    for endpoint in (url, issuer_url(settings)):
        with pytest.raises(ssl.SSLError):
            _handshake(settings, endpoint, ssl.TLSVersion.TLSv1_2)
        assert _handshake(settings, endpoint, None) == "TLSv1.3"

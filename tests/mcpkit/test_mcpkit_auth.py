"""N4: the MCP kit as an OAuth 2.0 resource server over TLS 1.3 — the whole auth matrix against the real
content server process and the real local issuer (RFC 6749 §4.4, RFC 8414, JWKS)."""

from __future__ import annotations

import json
import socket
import ssl
import time
from urllib.parse import urlparse

import anyio
import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp.shared.exceptions import MCPError

from promptsales.auth.config import audience_for, issuer_url
from promptsales.auth.keys import issuer_key, key_id, mint_token
from promptsales.testing import ca_context, https_session, token_for

INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}
CALL_WRITE = {
    "jsonrpc": "2.0",
    "id": 2,
    "method": "tools/call",
    "params": {"name": "createCampaignMessages", "arguments": {"campaign_description": "x", "target_audiences": ["a"]}},
}
HEADERS = {"content-type": "application/json", "accept": "application/json, text/event-stream"}


def _post(settings, url, body, token=None):
    headers = dict(HEADERS)
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(url + "/mcp", content=json.dumps(body), headers=headers, verify=ca_context(settings), timeout=30)


def test_no_token_is_401_with_www_authenticate(content_https):
    settings, url = content_https
    response = _post(settings, url, INIT)
    assert response.status_code == 401
    challenge = response.headers["www-authenticate"]
    assert (
        challenge.startswith("Bearer ") and 'error="invalid_token"' in challenge and "resource_metadata=" in challenge
    )


def test_expired_wrong_audience_and_wrong_signature_are_401(content_https):
    settings, url = content_https
    key = issuer_key(settings)
    issuer = issuer_url(settings)
    expired = mint_token(key, issuer, "content-reader", ["content:read"], ttl_seconds=60, now=time.time() - 7200)
    wrong_audience = mint_token(key, issuer, "content-reader", ["content:read"], 600, audience=audience_for("ads"))
    wrong_issuer = mint_token(key, "https://evil.example", "content-reader", ["content:read"], 600)
    impostor = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    import jwt

    claims = jwt.decode(
        mint_token(key, issuer, "content-reader", ["content:read"], 600), options={"verify_signature": False}
    )
    forged = jwt.encode(claims, impostor, algorithm="RS256", headers={"kid": key_id(key.public_key())})
    for token in (expired, wrong_audience, wrong_issuer, forged, "not-a-jwt"):
        response = _post(settings, url, INIT, token)
        assert response.status_code == 401, token[:20]
        assert "www-authenticate" in response.headers


def test_valid_token_initializes_and_missing_scope_is_403(content_https):
    settings, url = content_https
    reader = token_for(settings, "content-reader")
    assert _post(settings, url, INIT, reader).status_code == 200
    response = _post(settings, url, CALL_WRITE, reader)
    assert response.status_code == 403
    assert 'error="insufficient_scope"' in response.headers["www-authenticate"]
    assert 'scope="content:write"' in response.headers["www-authenticate"]
    assert response.json()["error"] == "insufficient_scope"


def test_reader_can_search_but_not_write_in_a_real_session(content_https):
    """The client SDK surfaces the HTTP 403 (asserted on the wire above) as an MCPError; nothing is written."""
    from promptsales.content.store import mongo_database

    settings, url = content_https
    reader = token_for(settings, "content-reader")
    logs = mongo_database(settings).campaign_message_logs
    logged_before = logs.count_documents({})

    async def run():
        async with https_session(settings, url, reader) as session:
            result = await session.call_tool("getContent", {"description": "calm watercolor coffee", "limit": 2})
            assert not result.is_error and len(result.structured_content["results"]) == 2
            with pytest.raises(MCPError, match="Server returned an error response"):
                await session.call_tool(
                    "createCampaignMessages", {"campaign_description": "x", "target_audiences": ["a"]}
                )
            again = await session.call_tool("getContent", {"description": "calm watercolor coffee", "limit": 2})
            assert again.structured_content == result.structured_content  # the session survives the refusal

    anyio.run(run)
    assert logs.count_documents({}) == logged_before


def test_tls12_handshake_is_refused_and_tls13_accepted(content_https):
    settings, url = content_https
    parsed = urlparse(url)
    old = ssl.create_default_context(cafile=str(settings.data_path / "tls" / "ca.pem"))
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    with socket.create_connection((parsed.hostname, parsed.port), timeout=5) as raw:
        with pytest.raises(ssl.SSLError):
            with old.wrap_socket(raw, server_hostname=parsed.hostname):
                pass
    modern = ssl.create_default_context(cafile=str(settings.data_path / "tls" / "ca.pem"))
    with socket.create_connection((parsed.hostname, parsed.port), timeout=5) as raw:
        with modern.wrap_socket(raw, server_hostname=parsed.hostname) as tls:
            assert tls.version() == "TLSv1.3"


def test_issuer_metadata_jwks_and_token_errors(content_https):
    settings, _ = content_https
    issuer = issuer_url(settings)
    verify = ca_context(settings)
    meta = httpx.get(f"{issuer}/.well-known/oauth-authorization-server", verify=verify).json()
    assert meta["issuer"] == issuer and meta["grant_types_supported"] == ["client_credentials"]
    assert meta["token_endpoint"] == f"{issuer}/token" and "content:read" in meta["scopes_supported"]
    keys = httpx.get(meta["jwks_uri"], verify=verify).json()["keys"]
    assert keys[0]["kty"] == "RSA" and keys[0]["kid"] == key_id(issuer_key(settings).public_key())
    bad_secret = httpx.post(
        meta["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("content-reader", "nope"),
        verify=verify,
    )
    assert bad_secret.status_code == 401 and bad_secret.json()["error"] == "invalid_client"
    from promptsales.auth.config import client_secret

    creds = ("content-reader", client_secret(settings, "content-reader"))
    too_much = httpx.post(
        meta["token_endpoint"],
        data={"grant_type": "client_credentials", "scope": "content:write"},
        auth=creds,
        verify=verify,
    )
    assert too_much.status_code == 400 and too_much.json()["error"] == "invalid_scope"
    wrong_grant = httpx.post(meta["token_endpoint"], data={"grant_type": "password"}, auth=creds, verify=verify)
    assert wrong_grant.status_code == 400 and wrong_grant.json()["error"] == "unsupported_grant_type"
    ok = httpx.post(meta["token_endpoint"], data={"grant_type": "client_credentials"}, auth=creds, verify=verify)
    assert ok.status_code == 200 and ok.json()["token_type"] == "Bearer" and ok.headers["cache-control"] == "no-store"


def test_audit_record_per_call_with_who_tool_outcome_latency(content_https):
    from promptsales.db.connect import connect

    settings, url = content_https
    token = token_for(settings, "content-writer")

    async def run():
        async with https_session(settings, url, token) as session:
            await session.call_tool("getContent", {"description": "audit probe neon drone", "limit": 1})
            await session.call_tool("getContent", {"description": "", "limit": 1})

    def last_audit_id() -> int:
        with connect("sales", "analyst", settings=settings) as conn:  # the writer (app) may only INSERT
            return conn.execute("SELECT coalesce(max(audit_id), 0) FROM portal.audit_log").fetchone()[0]

    # Earlier tests' rows may still be on their way from the servers' asynchronous writers: start once the
    # log has been still for a second (deadline 15 s), so only this test's two calls come after `before`.
    before, quiet_since, deadline = last_audit_id(), time.monotonic(), time.monotonic() + 15
    while time.monotonic() - quiet_since < 1.0 and time.monotonic() < deadline:
        time.sleep(0.2)
        latest = last_audit_id()
        if latest != before:
            before, quiet_since = latest, time.monotonic()
    anyio.run(run)
    deadline = time.monotonic() + 15  # the server's log writer is asynchronous
    calls = []
    while len(calls) < 2 and time.monotonic() < deadline:
        with connect("sales", "analyst", settings=settings) as conn:
            rows = conn.execute(
                "SELECT actor, service, action, outcome, latency_ms FROM portal.audit_log WHERE audit_id > %s ORDER BY audit_id",
                (before,),
            ).fetchall()
        # Other tests' calls may still be arriving from the server's asynchronous writer: keep this client's.
        calls = [r for r in rows if r[2] == "getContent" and r[0] == "content-writer"]
        time.sleep(0.2)
    assert [(r[0], r[1], r[3]) for r in calls] == [
        ("content-writer", "content", "ok"),
        ("content-writer", "content", "error"),
    ]
    assert all(r[4] > 0 for r in calls)


def test_many_new_tokens_at_once_fetch_the_issuers_keys_once(content_https):
    """Forty agents' first requests arrive together: every token is verified and the JWKS is fetched once
    (each fetching it itself starved the server under load: timeouts on `initialize`)."""
    from promptsales.mcpkit.auth import JwksTokenVerifier

    settings, _ = content_https
    issuer, audience = issuer_url(settings), audience_for("content")
    verifier = JwksTokenVerifier(issuer, audience, ca_context(settings))
    key = issuer_key(settings)
    tokens = [mint_token(key, issuer, f"agent-{n:02d}", ["content:read"], 600, audience=audience) for n in range(40)]

    async def verify_all():
        async with anyio.create_task_group() as group:
            found: dict[str, object] = {}
            for token in tokens:

                async def one(token: str = token) -> None:
                    found[token] = await verifier.verify_token(token)

                group.start_soon(one)
        return found

    verified = anyio.run(verify_all)
    assert sorted(access.client_id for access in verified.values()) == [f"agent-{n:02d}" for n in range(40)]
    assert verifier.key_loads == 1

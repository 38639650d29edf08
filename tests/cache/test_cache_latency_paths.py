"""The per-call costs removed from the cached MCP path (issue 10, cached p99 < 20 ms; docs/decisions.md D93):
a hit is one Redis round trip whose server-side key equals the documented key scheme; a verified bearer
token is remembered until it expires; audit rows are written in batches without losing any — not a bad
row's neighbours, not the rows queued when the process exits cleanly."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import anyio
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from promptsales.audit.trail import record
from promptsales.cache import CacheSpec, Scope
from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER, SalesLogWriter
from promptsales.mcpkit.auth import JwksTokenVerifier


def test_one_round_trip_lookup_builds_the_documented_key(cache, unique):
    spec = CacheSpec("crm", f"probe_{unique}", "pii", ("crm:pii",))
    depends = [Scope("crm", "client", 42), Scope("crm", "campaign", 7)]
    cache.bump(Scope("crm", "client", 42))  # counters with increments, not only creation stamps
    first = cache.fetch(
        spec, {"client_id": 42}, lambda: {"n": 1}, depends=depends, caller_scopes={"crm:pii", "crm:read"}
    )
    assert first.outcome == "miss"
    assert first.key == cache.key_for(spec, {"client_id": 42}, depends, {"crm:pii", "crm:read"})
    assert first.key.split(":")[5] == "crm.pii" and first.key.split(":")[4].count(".") == 2
    again = cache.fetch(spec, {"client_id": 42}, lambda: {"n": 2}, depends=depends, caller_scopes={"crm:pii"})
    assert (again.outcome, again.value, again.key) == ("hit", {"n": 1}, first.key)
    cache.bump(Scope("crm", "campaign", 7))
    fresh = cache.fetch(spec, {"client_id": 42}, lambda: {"n": 3}, depends=depends, caller_scopes={"crm:pii"})
    assert (fresh.outcome, fresh.value) == ("miss", {"n": 3}) and fresh.key != first.key


def _signed(key, audience: str, ttl: int) -> str:
    now = int(time.time())
    claims = {
        "iss": "https://issuer.test",
        "aud": audience,
        "sub": "portal",
        "client_id": "portal",
        "scope": "crm:read",
        "iat": now,
        "exp": now + ttl,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})


def test_verified_tokens_are_remembered_until_they_expire():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    verifier = JwksTokenVerifier("https://issuer.test", "https://crm.test", verify=True)
    verifier._keys, verifier._fetched_at = {"k1": key.public_key()}, time.monotonic()  # JWKS already loaded
    calls = []
    real_verify = verifier._verify

    async def counted(token):
        calls.append(token)
        return await real_verify(token)

    verifier._verify = counted
    good = _signed(key, "https://crm.test", 60)
    assert anyio.run(verifier.verify_token, good).client_id == "portal"
    assert anyio.run(verifier.verify_token, good).scopes == ["crm:read"]
    assert calls == [good]  # the second call did no RSA verification

    wrong_audience = _signed(key, "https://ads.test", 60)
    assert anyio.run(verifier.verify_token, wrong_audience) is None
    assert anyio.run(verifier.verify_token, wrong_audience) is None
    assert calls.count(wrong_audience) == 2  # failures are never remembered

    # Past its exp but inside PyJWT's 5 s leeway: still accepted, yet never served from memory — each call
    # verifies it again (no sleep needed to reach that state).
    lapsed = _signed(key, "https://crm.test", -2)
    assert anyio.run(verifier.verify_token, lapsed) is not None
    assert anyio.run(verifier.verify_token, lapsed) is not None
    assert calls.count(lapsed) == 2
    # Long past exp (beyond the leeway): refused, and a refusal is not remembered either.
    dead = _signed(key, "https://crm.test", -60)
    assert anyio.run(verifier.verify_token, dead) is None and anyio.run(verifier.verify_token, dead) is None
    assert calls.count(dead) == 2


def _audit_rows(settings, action: str) -> list[tuple]:
    with connect("sales", "admin", settings=settings) as conn:
        return conn.execute(
            "SELECT actor, outcome, detail->>'n' FROM portal.audit_log WHERE action = %s ORDER BY (detail->>'n')::int",
            (action,),
        ).fetchall()


def test_audit_batches_store_every_row_and_a_bad_row_loses_only_itself(settings):
    action = f"batch-{uuid.uuid4().hex[:8]}"
    for n in range(300):
        record("tester", "cache", action, "ok", 1.0, {"n": n}, settings=settings)
    writer = SalesLogWriter()
    query = (
        "INSERT INTO portal.audit_log (actor, service, action, outcome, latency_ms, detail) "
        "VALUES (%s, %s, %s, %s, %s, %s)"
    )
    bad_action = f"{action}-b"
    for n, outcome in enumerate(["ok", "ok", "not-an-outcome" * 40, "ok"]):
        writer.execute(settings, query, ("tester", "cache", bad_action, outcome, 1.0, f'{{"n": {n}}}'))
    assert LOG_WRITER.flush() and writer.flush()
    assert [int(n) for _, _, n in _audit_rows(settings, action)] == list(range(300))
    assert [int(n) for _, _, n in _audit_rows(settings, bad_action)] == [0, 1, 3] and writer.failures == 1


def test_rows_queued_at_a_clean_exit_are_stored(settings):
    action = f"exit-{uuid.uuid4().hex[:8]}"
    code = (
        "import sys; from promptsales.config import get_settings; from promptsales.audit.trail import record; "
        "[record('exiting', 'cache', sys.argv[1], 'ok', 0.0, {'n': n}, settings=get_settings()) for n in range(50)]"
    )
    subprocess.run([sys.executable, "-c", code, action], check=True, timeout=120, env=dict(os.environ))
    assert len(_audit_rows(settings, action)) == 50

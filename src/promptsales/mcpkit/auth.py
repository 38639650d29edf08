"""OAuth 2.0 resource-server side of the kit: JWT verification against the issuer's JWKS and
per-tool scopes enforced at the HTTP layer (403 ``insufficient_scope``)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from mcp.server.auth.provider import AccessToken
from starlette.types import ASGIApp, Receive, Scope, Send

from promptsales.audit import trail
from promptsales.mcpkit.asgi import read_body, replaying, send_json

log = logging.getLogger("promptsales.mcpkit.auth")


class JwksTokenVerifier:
    """``TokenVerifier`` for RS256 JWTs: signature (issuer JWKS), ``iss``, ``aud``, ``exp``/``nbf``.

    A token that verified is remembered by its SHA-256 until it expires (at most ``MAX_REMEMBERED`` tokens),
    so an agent's session pays the RSA verification and claim checks once, not on every call. Failures are
    never remembered; after ``exp`` the token is verified again (and refused once past the leeway).
    """

    MAX_REMEMBERED = 10_000

    def __init__(self, issuer: str, audience: str, verify, refresh_seconds: float = 300.0) -> None:
        self.issuer = issuer.rstrip("/")
        self.audience = audience
        self.verify = verify
        self.refresh_seconds = refresh_seconds
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._fetched_at = 0.0
        self.jwks_uri: str | None = None
        self._verified: dict[bytes, AccessToken] = {}
        # One fetch of the issuer's keys at a time: the first requests of many new agents arrive together, and
        # each fetching the JWKS itself (a TLS client and two HTTPS round trips each) starved the server.
        self._loading = asyncio.Lock()
        self.key_loads = 0  # fetches of the JWKS so far (read by tests and diagnostics)

    def _keys_fresh(self, force: bool) -> bool:
        age = time.monotonic() - self._fetched_at
        if force:
            return age < 5  # unknown kid: refetch at most every 5 s
        return bool(self._keys) and age < self.refresh_seconds

    async def _load_keys(self, force: bool = False) -> None:
        if self._keys_fresh(force):
            return
        async with self._loading:
            if self._keys_fresh(force):
                return  # loaded by the request this one waited behind
            async with httpx.AsyncClient(verify=self.verify, timeout=5) as client:
                if self.jwks_uri is None:
                    meta = (await client.get(f"{self.issuer}/.well-known/oauth-authorization-server")).json()
                    self.jwks_uri = meta["jwks_uri"]
                keys = (await client.get(self.jwks_uri)).json()["keys"]
            self._keys = {k["kid"]: jwt.PyJWK(k).key for k in keys if k.get("kty") == "RSA"}
            self._fetched_at = time.monotonic()
            self.key_loads += 1

    async def verify_token(self, token: str) -> AccessToken | None:
        """The token's access info, or None (→ 401) when anything about it is wrong."""
        digest = hashlib.sha256(token.encode()).digest()
        remembered = self._verified.get(digest)
        if remembered is not None:
            if remembered.expires_at is not None and remembered.expires_at > time.time():
                return remembered
            self._verified.pop(digest, None)
        access = await self._verify(token)
        if access is not None:
            if len(self._verified) >= self.MAX_REMEMBERED:
                now = time.time()
                self._verified = {k: v for k, v in self._verified.items() if (v.expires_at or 0) > now}
                if len(self._verified) >= self.MAX_REMEMBERED:
                    self._verified.clear()
            self._verified[digest] = access
        return access

    async def _verify(self, token: str) -> AccessToken | None:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            await self._load_keys()
            if kid not in self._keys:
                await self._load_keys(force=True)
            key = self._keys.get(kid) if isinstance(kid, str) else None
            if key is None:
                log.info("token refused: unknown key id %r", kid)
                return None
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=5,
            )
        except (jwt.PyJWTError, httpx.HTTPError, KeyError, ValueError) as error:
            log.info("token refused: %s", error)
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id") or claims["sub"]),
            scopes=str(claims.get("scope", "")).split(),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims["sub"]),
            claims=claims,
        )


class ToolScopeGuard:
    """ASGI wrapper of the MCP endpoint: a ``tools/call`` whose tool needs a scope the token lacks → 403.

    Runs after the SDK's authentication middleware (so ``scope["auth"]`` holds the token's scopes) and
    before the MCP transport; requests without a valid token pass through to the SDK's 401 handling. Each
    refusal is recorded in the central audit (outcome ``denied``: who, which tool, the scope it lacked).
    """

    def __init__(
        self, app: ASGIApp, tool_scopes: dict[str, str], resource_metadata_url: str | None, server: str = "mcp"
    ) -> None:
        self.app = app
        self.tool_scopes = tool_scopes
        self.resource_metadata_url = resource_metadata_url
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        credentials = scope.get("auth")
        authenticated = getattr(scope.get("user"), "is_authenticated", False)
        if scope["type"] != "http" or scope.get("method") != "POST" or credentials is None or not authenticated:
            await self.app(scope, receive, send)
            return
        body = await read_body(receive)
        missing = self._missing_scope(body, set(credentials.scopes))
        if missing:
            tool, required = missing
            client = getattr(scope.get("user"), "username", None) or "unknown"
            trail.record(client, self.server, tool, "denied", 0.0, {"transport": "http"}, scope=required)
            await self._forbidden(send, required)
            return
        await self.app(scope, replaying(body, receive), send)

    def _missing_scope(self, body: bytes, held: set[str]) -> tuple[str, str] | None:
        """(tool, scope) of the first ``tools/call`` in ``body`` whose scope the token does not hold."""
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return None  # the transport answers malformed JSON itself
        messages = payload if isinstance(payload, list) else [payload]
        for message in messages:
            if isinstance(message, dict) and message.get("method") == "tools/call":
                name = (message.get("params") or {}).get("name")
                required = self.tool_scopes.get(name) if isinstance(name, str) else None
                if isinstance(name, str) and required and required not in held:
                    return name, required
        return None

    async def _forbidden(self, send: Send, required: str) -> None:
        parts = [
            'error="insufficient_scope"',
            f'scope="{required}"',
            f'error_description="Required scope: {required}"',
        ]
        if self.resource_metadata_url:
            parts.append(f'resource_metadata="{self.resource_metadata_url}"')
        body = json.dumps({"error": "insufficient_scope", "error_description": f"Required scope: {required}"}).encode()
        await send_json(send, 403, body, [(b"www-authenticate", ("Bearer " + ", ".join(parts)).encode())])

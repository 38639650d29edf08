"""The local OAuth 2.0 authorization server: client-credentials grant only (RFC 6749 §4.4).

Endpoints: ``GET /.well-known/oauth-authorization-server`` (RFC 8414 metadata), ``GET /jwks.json``,
``POST /token`` (client authentication with HTTP Basic or ``client_id``/``client_secret`` in the
form), ``GET /health``, ``GET /metrics`` (Prometheus). It never sees user passwords; tokens are RS256 JWTs
whose ``aud`` names the MCP servers their scopes are for.
"""

from __future__ import annotations

import base64
import hmac
import time

from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from promptsales.audit.trail import record
from promptsales.auth.config import ISSUER_SERVICE, SCOPES, AuthSettings, client_secret, load_clients
from promptsales.auth.keys import issuer_key, jwks, mint_token
from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.http_metrics import METRICS_PATH, InFlightRequests, metrics_endpoint

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _error(status: int, error: str, description: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(
        {"error": error, "error_description": description}, status_code=status, headers={**NO_STORE, **(headers or {})}
    )


def _field(form: FormData, name: str) -> str | None:
    """A text field of the token request (an uploaded file in its place counts as absent)."""
    value = form.get(name)
    return value if isinstance(value, str) else None


def _client_credentials(request: Request, form: FormData) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode()
            client_id, _, secret = decoded.partition(":")
            return client_id, secret
        except (ValueError, UnicodeDecodeError):
            return None, None
    return _field(form, "client_id"), _field(form, "client_secret")


def _audit_token(
    settings: Settings, client_id: str | None, outcome: str, scopes: str | None, error: str | None
) -> None:
    """One row of the central audit per token request (category ``auth``): the client it claimed to be (cut to
    100 characters: it is unauthenticated input when refused), the scopes, and why it was refused."""
    record(
        (client_id or "unknown")[:100],
        "issuer",
        "token",
        outcome,
        0.0,
        {"error": error} if error else {},
        settings,
        category="auth",
        scope=scopes,
    )


def create_issuer_app(settings: Settings, issuer: str) -> Starlette:
    """The issuer as an ASGI app; ``issuer`` is its own public URL (the ``iss`` of its tokens)."""
    key = issuer_key(settings)
    ttl = AuthSettings().token_ttl_seconds

    async def metadata(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "issuer": issuer,
                "token_endpoint": f"{issuer}/token",
                "jwks_uri": f"{issuer}/jwks.json",
                "grant_types_supported": ["client_credentials"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "response_types_supported": [],
                "scopes_supported": sorted(SCOPES),
                "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            }
        )

    async def jwks_endpoint(_: Request) -> JSONResponse:
        return JSONResponse(jwks(key), headers={"Cache-Control": "max-age=300"})

    async def token(request: Request) -> JSONResponse:
        form = await request.form()
        client_id, secret = _client_credentials(request, form)
        clients = load_clients(settings)
        if (
            not client_id
            or client_id not in clients
            or not secret
            or not hmac.compare_digest(secret.encode(), client_secret(settings, client_id).encode())
        ):
            _audit_token(settings, client_id, "denied", None, "invalid_client")
            return _error(
                401,
                "invalid_client",
                "Client authentication failed.",
                {"WWW-Authenticate": 'Basic realm="promptsales"'},
            )
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported.")
        allowed = clients[client_id]
        requested = (_field(form, "scope") or "").split()
        scopes = requested or list(allowed)
        refused = sorted(set(scopes) - set(allowed))
        if refused:
            _audit_token(settings, client_id, "denied", " ".join(scopes), "invalid_scope")
            return _error(400, "invalid_scope", f"Client {client_id} may not request: {' '.join(refused)}.")
        resource = _field(form, "resource") or _field(form, "audience")
        access_token = mint_token(key, issuer, client_id, scopes, ttl, audience=resource or None)
        _audit_token(settings, client_id, "ok", " ".join(scopes), None)
        return JSONResponse(
            {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl, "scope": " ".join(scopes)},
            headers=NO_STORE,
        )

    async def health(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "time": int(time.time())})

    return Starlette(
        routes=[
            Route("/.well-known/oauth-authorization-server", metadata),
            Route("/jwks.json", jwks_endpoint),
            Route("/token", token, methods=["POST"]),
            Route("/health", health),
            Route(METRICS_PATH, metrics_endpoint),  # Prometheus; the HPA's concurrent-requests metric (deploy/)
        ],
        middleware=[Middleware(InFlightRequests, server=ISSUER_SERVICE)],
    )


def request_token(
    settings: Settings, client_id: str, scopes: list[str], issuer: str, resource: str | None = None
) -> dict:
    """Ask ``issuer`` for a client-credentials token (the client's secret from the secrets file)."""
    import httpx

    from promptsales.runtime.tls import client_ssl_context

    data = {"grant_type": "client_credentials"}
    if scopes:
        data["scope"] = " ".join(scopes)
    if resource:
        data["resource"] = resource
    try:
        response = httpx.post(
            f"{issuer}/token",
            data=data,
            auth=(client_id, client_secret(settings, client_id)),
            verify=client_ssl_context(settings),
            timeout=10,
        )
    except httpx.HTTPError as error:
        raise UserError(f"Cannot reach the OAuth issuer at {issuer}: {error}") from error
    body = response.json()
    if response.status_code != 200:
        raise UserError(f"The issuer refused the token request: {body.get('error')}: {body.get('error_description')}")
    return body

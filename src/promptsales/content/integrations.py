"""External services stored as data (SPEC G6) and a client that calls them.

Each integration document holds the name, base URL, endpoints (method, path, parameters), the auth
scheme and token endpoint, and *references* to secrets (names of environment variables) — never a
secret. ``promptsales content integrations test NAME`` performs the real call: for OAuth 2.0
client credentials it POSTs to the token endpoint (RFC 6749 §4.4, HTTP Basic client authentication),
then calls the first GET endpoint with the bearer token.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from promptsales.content.documents import Integration, validated
from promptsales.errors import UserError


def default_integrations() -> list[dict]:
    """The integrations PromptContent ships with (validated documents)."""
    now = datetime.now(UTC)
    docs: list[dict[str, Any]] = [
        {
            "_id": "spotify-web-api",
            "kind": "rest",
            "description": "Spotify Web API: search tracks and podcasts for audio content (app-only OAuth 2.0).",
            "base_url": "https://api.spotify.com",
            "auth_scheme": "oauth2_client_credentials",
            "token_endpoint": "https://accounts.spotify.com/api/token",
            "scopes": [],
            "client_id_ref": "PROMPTSALES_SPOTIFY_CLIENT_ID",
            "secret_ref": "PROMPTSALES_SPOTIFY_CLIENT_SECRET",
            "endpoints": [
                {
                    "name": "search",
                    "method": "GET",
                    "path": "/v1/search",
                    "parameters": {"q": "campaign jingle", "type": "track", "limit": "5"},
                },
            ],
            "parameters": {"market": "US"},
        },
        {
            "_id": "x-api",
            "kind": "rest",
            "description": "X (Twitter) API v2 app-only bearer token: recent posts for a campaign hashtag.",
            "base_url": "https://api.x.com",
            "auth_scheme": "oauth2_client_credentials",
            "token_endpoint": "https://api.x.com/oauth2/token",
            "scopes": [],
            "client_id_ref": "PROMPTSALES_X_API_KEY",
            "secret_ref": "PROMPTSALES_X_API_SECRET",
            "endpoints": [
                {
                    "name": "recent-search",
                    "method": "GET",
                    "path": "/2/tweets/search/recent",
                    "parameters": {"query": "#promptsales", "max_results": "10"},
                },
            ],
            "parameters": {},
        },
        {
            "_id": "openai-compatible-llm",
            "kind": "rest",
            "description": "Any OpenAI-compatible chat completions endpoint (OpenAI, Ollama, vLLM) used for campaign messages.",
            "base_url": "https://api.openai.com",
            "auth_scheme": "api_key_header",
            "token_endpoint": None,
            "scopes": [],
            "client_id_ref": None,
            "secret_ref": "PROMPTSALES_LLM_API_KEY",
            "endpoints": [
                {"name": "models", "method": "GET", "path": "/v1/models", "parameters": {}},
                {
                    "name": "chat",
                    "method": "POST",
                    "path": "/v1/chat/completions",
                    "parameters": {"model": "gpt-4o-mini"},
                },
            ],
            "parameters": {},
        },
    ]
    return [validated(Integration, {**doc, "created_at": now, "updated_at": now}) for doc in docs]


@dataclass
class IntegrationReport:
    """What a test call did."""

    name: str
    steps: list[str] = field(default_factory=list)
    ok: bool = False
    latency_ms: float = 0.0


def missing_credentials(doc: dict, env: Mapping[str, str] | None = None) -> list[str]:
    """Names of the environment variables the integration needs and that are not set."""
    env = os.environ if env is None else env
    refs = (
        [doc.get("client_id_ref"), doc.get("secret_ref")]
        if doc["auth_scheme"] == "oauth2_client_credentials"
        else [doc.get("secret_ref")]
    )
    return [ref for ref in refs if ref and not env.get(ref)]


def fetch_token(doc: dict, env: dict[str, str], client: httpx.Client) -> str:
    """POST the client-credentials grant to the token endpoint; returns the access token."""
    data = {"grant_type": "client_credentials"}
    if doc.get("scopes"):
        data["scope"] = " ".join(doc["scopes"])
    response = client.post(doc["token_endpoint"], data=data, auth=(env[doc["client_id_ref"]], env[doc["secret_ref"]]))
    if response.status_code != 200:
        raise UserError(f"{doc['_id']}: token endpoint answered {response.status_code}: {response.text[:200]}")
    token = response.json().get("access_token")
    if not token:
        raise UserError(f"{doc['_id']}: token endpoint answered without access_token")
    return token


def check_integration(doc: dict, env: dict[str, str] | None = None, verify=True) -> IntegrationReport:
    """Perform the integration's real call (token POST, then its first GET endpoint)."""
    env = dict(os.environ) if env is None else env
    report = IntegrationReport(doc["_id"])
    missing = missing_credentials(doc, env)
    if missing:
        raise UserError(
            f"Integration {doc['_id']} needs these environment variables, which are not set: {', '.join(missing)}."
        )
    started = time.perf_counter()
    with httpx.Client(timeout=15, verify=verify) as client:
        headers = {}
        if doc["auth_scheme"] == "oauth2_client_credentials":
            token = fetch_token(doc, env, client)
            report.steps.append(f"POST {doc['token_endpoint']} → access token ({len(token)} chars)")
            headers["Authorization"] = f"Bearer {token}"
        elif doc["auth_scheme"] == "api_key_header":
            headers["Authorization"] = f"Bearer {env[doc['secret_ref']]}"
        endpoint = next((e for e in doc["endpoints"] if e["method"] == "GET"), None)
        if endpoint:
            response = client.get(
                doc["base_url"].rstrip("/") + endpoint["path"], params=endpoint.get("parameters") or {}, headers=headers
            )
            report.steps.append(f"GET {endpoint['path']} → HTTP {response.status_code}")
            report.ok = response.status_code < 400
        else:
            report.ok = True
    report.latency_ms = (time.perf_counter() - started) * 1000
    return report

"""Where the issuer lives, which clients it knows and which scopes exist."""

from __future__ import annotations

import json
import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from promptsales.config import Settings
from promptsales.errors import UserError
from promptsales.runtime.state import Secrets, StateFile

#: State-file key of the local issuer service.
ISSUER_SERVICE = "auth-issuer"

#: Every scope of the ecosystem, least privilege per tool (docs/architecture.md §5).
SCOPES: dict[str, str] = {
    "content:read": "search media and read content logs",
    "content:write": "store content requests and generated campaign messages",
    "ads:read": "read campaigns and results",
    "ads:write": "create and change campaigns",
    "crm:read": "read leads and clients (no PII)",
    "crm:write": "change leads and clients",
    "crm:pii": "read decrypted personal data",
    "sales:read": "read consolidated campaign performance",
    "sales:write": "store strategies and AI proposals",
    "sales:approve": "approve AI proposals",
    "privacy:admin": "answer data-subject requests: export, erase, opt-out (GDPR/CCPA; reveals and erases PII)",
}

#: Clients created on first use (id → allowed scopes); edit ``<data_dir>/auth/clients.json`` to change.
DEFAULT_CLIENTS: dict[str, list[str]] = {
    "promptsales-admin": sorted(SCOPES),
    "content-reader": ["content:read"],
    "content-writer": ["content:read", "content:write"],
    "portal": ["ads:read", "content:read", "content:write", "crm:read", "sales:read", "sales:write", "sales:approve"],
    # PromptSales itself, acting as an MCP client of the other companies when a proposal is approved.
    "promptsales-sales": ["ads:read", "ads:write", "content:read", "content:write", "crm:write"],
    "etl": ["ads:read", "content:read", "crm:read", "sales:read"],
    # The data-protection officer's tools: data-subject requests only (issue 23).
    "privacy-officer": ["privacy:admin"],
}


class AuthSettings(BaseSettings):
    """Settings of OAuth (env prefix ``PROMPTSALES_AUTH_``)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_AUTH_", extra="ignore")

    issuer_url: str | None = Field(default=None, description="External issuer URL; default: the local issuer.")
    token_ttl_seconds: int = Field(default=3600, description="Lifetime of issued access tokens.")
    clients_file: Path | None = Field(default=None, description="Clients file; default <data_dir>/auth/clients.json.")


#: Scopes whose prefix is not the name of the MCP server that checks them: ``privacy:admin`` is PromptCRM's.
SCOPE_SERVERS: dict[str, str] = {"privacy": "crm"}


def scope_server(scope: str) -> str:
    """The MCP server a scope is for (``content:read`` → ``content``, ``privacy:admin`` → ``crm``)."""
    prefix = scope.split(":", 1)[0]
    return SCOPE_SERVERS.get(prefix, prefix)


def audience_for(server: str) -> str:
    """The ``aud`` value of tokens meant for one MCP server (``content`` → ``urn:promptsales:mcp:content``)."""
    return f"urn:promptsales:mcp:{server}"


def auth_dir(settings: Settings) -> Path:
    """``<data_dir>/auth`` (issuer key, clients file)."""
    path = settings.data_path / "auth"
    path.mkdir(parents=True, exist_ok=True)
    return path


def issuer_url(settings: Settings) -> str:
    """The issuer every resource server trusts: configured URL, else the local issuer's HTTPS URL."""
    configured = AuthSettings().issuer_url
    if configured:
        return configured.rstrip("/")
    port = StateFile(settings.data_path).get(ISSUER_SERVICE).get("port")
    if not port:
        raise UserError(
            "The OAuth issuer is not running: start it with `promptsales up` (or `promptsales auth issuer`)."
        )
    return f"https://127.0.0.1:{port}"


def clients_path(settings: Settings) -> Path:
    """Path of the clients file."""
    return AuthSettings().clients_file or auth_dir(settings) / "clients.json"


def load_clients(settings: Settings) -> dict[str, list[str]]:
    """Client id → allowed scopes (creates the default file on first use)."""
    path = clients_path(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"clients": DEFAULT_CLIENTS}, indent=2, sort_keys=True))
    data = json.loads(path.read_text())
    clients = data.get("clients", {})
    for client_id, scopes in clients.items():
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise UserError(f"Client {client_id!r} in {path} has unknown scopes: {', '.join(unknown)}.")
    return clients


def client_secret(settings: Settings, client_id: str) -> str:
    """The generated secret of a client (``<data_dir>/secrets.json``, mode 0600)."""
    if client_id not in load_clients(settings):
        raise UserError(f"Unknown OAuth client {client_id!r}; known: {', '.join(sorted(load_clients(settings)))}.")
    return os.environ.get(f"PROMPTSALES_CLIENT_SECRET_{client_id.upper().replace('-', '_')}") or Secrets(
        settings.data_path
    ).get(f"oauth_client_{client_id}")

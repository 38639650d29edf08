"""`promptsales up/status` manage the OAuth issuer and the MCP servers; the token and serve commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import jwt


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PROMPTSALES_DATA_DIR=str(settings.data_path))
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_status_reports_issuer_and_content_server_over_https(content_https):
    settings, url = content_https
    result = _cli(settings, "status", "--json")
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    for name in ("auth-issuer", "mcp-content"):
        assert rows[name]["healthy"] and rows[name]["url"].startswith("https://127.0.0.1:") and rows[name]["pid"]
    assert rows["mcp-content"]["url"] == url


def test_token_command_prints_a_scoped_jwt_and_refuses_unknown_clients(content_https):
    settings, _ = content_https
    result = _cli(settings, "auth", "token", "--client", "content-reader", "--scope", "content:read")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), options={"verify_signature": False})
    assert claims["client_id"] == "content-reader" and claims["scope"] == "content:read"
    assert claims["aud"] == ["urn:promptsales:mcp:content"] and claims["exp"] > claims["iat"]
    unknown = _cli(settings, "auth", "token", "--client", "nobody")
    assert unknown.returncode == 2 and "Unknown OAuth client 'nobody'" in unknown.stderr
    too_much = _cli(settings, "auth", "token", "--client", "content-reader", "--scope", "crm:pii")
    assert too_much.returncode == 2 and "invalid_scope" in too_much.stderr


def test_serve_rejects_unknown_server_and_transport(settings):
    assert "Unknown MCP server 'nope'" in _cli(settings, "mcp", "serve", "nope").stderr
    bad = _cli(settings, "mcp", "serve", "content", "--transport", "carrier-pigeon")
    assert bad.returncode == 2 and "Unknown transport" in bad.stderr

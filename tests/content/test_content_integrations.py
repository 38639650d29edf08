"""G6 and the text-generation provider: HTTP clients tested against local servers that speak the
protocols (OAuth 2.0 client-credentials token endpoint + bearer API; OpenAI chat completions)."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from promptsales.ai.textgen import LLMSettings, OpenAICompatibleGenerator
from promptsales.content.documents import Integration, validated
from promptsales.content.integrations import check_integration, default_integrations, missing_credentials
from promptsales.errors import UserError


class _Protocols(BaseHTTPRequestHandler):
    """A tiny provider: POST /oauth/token (Basic client auth), GET /v1/search (Bearer), POST /v1/chat/completions."""

    seen: list = []

    def log_message(self, *args):  # keep test output clean
        pass

    def _json(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.path == "/oauth/token":
            form = parse_qs(body.decode())
            auth = self.headers.get("authorization", "")
            ok = auth == "Basic " + base64.b64encode(b"the-client:the-secret").decode()
            self.seen.append(("token", form.get("grant_type"), ok))
            if not ok:
                return self._json(401, {"error": "invalid_client"})
            return self._json(200, {"access_token": "tok-123", "token_type": "Bearer", "expires_in": 3600})
        if self.path == "/v1/chat/completions":
            request = json.loads(body)
            self.seen.append(("chat", request["model"], self.headers.get("authorization")))
            texts = [f"LLM message {i} for: {request['messages'][1]['content'][:30]}" for i in range(1, 4)]
            return self._json(
                200,
                {
                    "model": request["model"],
                    "choices": [{"message": {"role": "assistant", "content": json.dumps(texts)}}],
                    "usage": {"prompt_tokens": 120, "completion_tokens": 45},
                },
            )
        self._json(404, {"error": "not found"})

    def do_GET(self):
        url = urlparse(self.path)
        if url.path == "/v1/search":
            ok = self.headers.get("authorization") == "Bearer tok-123"
            self.seen.append(("search", parse_qs(url.query).get("q"), ok))
            return self._json(200 if ok else 401, {"tracks": {"items": []}})
        self._json(404, {"error": "not found"})


@pytest.fixture
def provider():
    _Protocols.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Protocols)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _integration(base: str) -> dict:
    now = datetime.now(UTC)
    return validated(
        Integration,
        {
            "_id": "local-audio-platform",
            "kind": "rest",
            "description": "local stand-in speaking the Spotify protocol",
            "base_url": base,
            "auth_scheme": "oauth2_client_credentials",
            "token_endpoint": f"{base}/oauth/token",
            "client_id_ref": "T_CLIENT_ID",
            "secret_ref": "T_CLIENT_SECRET",
            "endpoints": [{"name": "search", "method": "GET", "path": "/v1/search", "parameters": {"q": "jingle"}}],
            "created_at": now,
            "updated_at": now,
        },
    )


def test_client_credentials_post_then_bearer_get(provider):
    report = check_integration(
        _integration(provider), env={"T_CLIENT_ID": "the-client", "T_CLIENT_SECRET": "the-secret"}
    )
    assert report.ok
    assert _Protocols.seen == [("token", ["client_credentials"], True), ("search", ["jingle"], True)]


def test_wrong_secret_is_reported_and_missing_credentials_named(provider):
    with pytest.raises(UserError, match="token endpoint answered 401"):
        check_integration(_integration(provider), env={"T_CLIENT_ID": "the-client", "T_CLIENT_SECRET": "wrong"})
    with pytest.raises(UserError, match="T_CLIENT_SECRET"):
        check_integration(_integration(provider), env={"T_CLIENT_ID": "the-client"})


def test_stored_integrations_hold_secret_references_only():
    docs = default_integrations()
    assert any(
        d["auth_scheme"] == "oauth2_client_credentials" and d["token_endpoint"].startswith("https://") for d in docs
    )
    for doc in docs:
        assert (
            "secret"
            not in json.dumps(
                {k: v for k, v in doc.items() if k not in ("secret_ref", "client_id_ref")}, default=str
            ).lower()
        )
        assert missing_credentials(doc, env={})  # nothing configured → names what is missing


def test_cli_says_exactly_what_is_missing_with_exit_code_2(content_seeded):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTSALES_SPOTIFY")}
    env["PROMPTSALES_DATA_DIR"] = str(content_seeded.data_path)
    result = subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "content", "integrations", "test", "spotify-web-api"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "PROMPTSALES_SPOTIFY_CLIENT_ID" in result.stderr and "PROMPTSALES_SPOTIFY_CLIENT_SECRET" in result.stderr


def test_openai_compatible_generator_speaks_chat_completions(provider):
    generator = OpenAICompatibleGenerator(LLMSettings(base_url=provider + "/v1", api_key="sk-local", model="tiny-llm"))
    generation = generator.generate(
        "system", "Campaign: shoes", ["a beach scene"], 3, {"campaign": "shoes", "audience": "athletes"}
    )
    assert generation.texts[0].startswith("LLM message 1") and len(generation.texts) == 3
    assert (generation.provider, generation.model, generation.tokens_in, generation.tokens_out) == (
        "openai-compatible",
        "tiny-llm",
        120,
        45,
    )
    assert _Protocols.seen == [("chat", "tiny-llm", "Bearer sk-local")]


def test_campaign_messages_through_the_openai_compatible_provider(provider, content_seeded):
    from promptsales.content.service import ContentService

    service = ContentService(
        content_seeded, generator=OpenAICompatibleGenerator(LLMSettings(base_url=provider + "/v1", model="tiny-llm"))
    )
    try:
        log = service.create_campaign_messages(
            "Winter jacket sale for city commuters", ["young professionals", "retirees"]
        )
    finally:
        service.close()
    assert len(log.messages) == 6 and log.provider == "openai-compatible" and log.model == "tiny-llm"
    assert all(m.text.startswith("LLM message") for m in log.messages)
    from promptsales.db.logwriter import LOG_WRITER

    assert LOG_WRITER.flush()

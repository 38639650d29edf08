"""Every service writes the one central audit (issue 23): MCP calls (caller, tool, scope, outcome, latency) and
scope refusals, PII reveals, admin CLI actions, key-store operations, backups, tokens issued; `audit search` finds
them by actor and time."""

from __future__ import annotations

import getpass
import json
import os
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta

import anyio
import pytest
from mcp.client.client import Client
from starlette.authentication import AuthCredentials, SimpleUser
from starlette.testclient import TestClient

from promptsales.audit.search import AuditQuery, parse_time, search
from promptsales.caller import acting_as
from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER
from promptsales.errors import UserError


def _rows(settings, actor: str) -> list[tuple]:
    LOG_WRITER.flush()
    with connect("sales", "analyst", settings=settings) as conn:
        return conn.execute(
            "SELECT category, service, action, scope, outcome, detail FROM portal.audit_log WHERE actor = %s "
            "ORDER BY chain_seq",
            (actor,),
        ).fetchall()


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PROMPTSALES_DATA_DIR=str(settings.data_path))
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_mcp_calls_are_audited_with_caller_tool_scope_outcome_and_latency(settings):
    from promptsales.wiring import load_kit

    actor = f"agent-{uuid.uuid4().hex[:8]}"

    async def call() -> None:
        with acting_as(actor, ["content:read"]):
            async with Client(load_kit("content").build()) as client:
                result = await client.call_tool("getContent", {"description": "", "limit": 1})
                assert result.is_error

    anyio.run(call)
    # in process there is no bearer token: the kit records the local caller; the scope is the tool's
    rows = [r for r in _rows(settings, f"stdio:{getpass.getuser()}") if r[2] == "getContent"]
    assert rows and rows[-1][:5] == ("mcp", "content", "getContent", "content:read", "error")


def test_a_call_refused_for_its_scope_is_audited_as_denied(settings):
    from promptsales.mcpkit.auth import ToolScopeGuard

    client_id = f"reader-{uuid.uuid4().hex[:8]}"
    sent: list[dict] = []

    async def app(scope, receive, send):  # the transport: never reached
        raise AssertionError("the MCP transport saw a call the token may not make")

    async def run() -> None:
        guard = ToolScopeGuard(app, {"createCampaignMessages": "content:write"}, None, "content")
        body = json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "createCampaignMessages", "arguments": {}},
            }
        ).encode()
        scope = {
            "type": "http",
            "method": "POST",
            "auth": AuthCredentials(["content:read"]),
            "user": SimpleUser(client_id),
        }

        async def receive():
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message):
            sent.append(message)

        await guard(scope, receive, send)

    anyio.run(run)
    assert sent[0]["status"] == 403
    assert _rows(settings, client_id) == [
        ("mcp", "content", "createCampaignMessages", "content:write", "denied", {"transport": "http"})
    ]


def test_tokens_issued_and_refused_are_audited(settings):
    from promptsales.auth.config import client_secret
    from promptsales.auth.issuer import create_issuer_app

    client = TestClient(create_issuer_app(settings, "https://issuer.test"))
    secret = client_secret(settings, "content-reader")
    ok = client.post("/token", data={"grant_type": "client_credentials"}, auth=("content-reader", secret))
    too_much = client.post(
        "/token", data={"grant_type": "client_credentials", "scope": "crm:pii"}, auth=("content-reader", secret)
    )
    wrong = client.post("/token", data={"grant_type": "client_credentials"}, auth=("content-reader", "guess"))
    assert (ok.status_code, too_much.status_code, wrong.status_code) == (200, 400, 401)
    rows = [r[:5] + (r[5].get("error"),) for r in _rows(settings, "content-reader")][-3:]
    assert rows == [
        ("auth", "issuer", "token", "content:read", "ok", None),
        ("auth", "issuer", "token", "crm:pii", "denied", "invalid_scope"),
        ("auth", "issuer", "token", None, "denied", "invalid_client"),
    ]


def test_key_store_operations_are_audited_without_key_material(settings, tmp_path):
    from promptsales.crm.keystore import KeyStore, KeyStoreError

    actor = f"officer-{uuid.uuid4().hex[:8]}"
    with acting_as(actor, authenticated=False):
        store = KeyStore(tmp_path / "ks")
        fp = store.ensure()
        exported = store.export_pkcs12("correct horse")
        with pytest.raises(KeyStoreError):
            KeyStore(tmp_path / "other").import_pkcs12(exported, "wrong password")
        KeyStore(tmp_path / "other").import_pkcs12(exported, "correct horse")
    rows = _rows(settings, actor)
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("keystore", "keystore.certificate_created", "ok"),
        ("keystore", "keystore.export_pkcs12", "ok"),
        ("keystore", "keystore.import_pkcs12", "denied"),
        ("keystore", "keystore.import_pkcs12", "ok"),
    ]
    assert rows[0][5]["certificate"] == fp[:16] and "correct horse" not in json.dumps([r[5] for r in rows])


def test_backups_are_audited(settings, tmp_path, monkeypatch):
    from promptsales.backup.create import run_backup
    from promptsales.backup.keys import load_key
    from promptsales.backup.prune import prune
    from promptsales.backup.settings import BackupSettings
    from promptsales.backup.store import BackupStore
    from promptsales.backup.verify import verify_backup

    monkeypatch.setenv("PROMPTSALES_BACKUP_DIR", str(tmp_path / "backups"))
    monkeypatch.setenv("PROMPTSALES_BACKUP_KEY_FILE", str(tmp_path / "backup.key"))
    monkeypatch.setenv("PROMPTSALES_BACKUP_MEDIA_DIR", str(tmp_path / "media"))
    (tmp_path / "media").mkdir()
    backup = BackupSettings()
    actor = f"operator-{uuid.uuid4().hex[:8]}"
    with acting_as(actor, authenticated=False):
        folder = run_backup(settings, backup, only=["media"])
        verify_backup(folder, load_key(settings, backup))
        prune(BackupStore(backup.backup_dir(settings)), load_key(settings, backup), 30, dry_run=True)
        with pytest.raises(UserError):
            run_backup(settings, backup, only=["nothing-like-this"])
    rows = _rows(settings, actor)
    assert [(r[0], r[2], r[4]) for r in rows] == [
        ("backup", "backup.run", "ok"),
        ("backup", "backup.verify", "ok"),
        ("backup", "backup.prune", "ok"),
        ("backup", "backup.run", "error"),
    ]
    assert rows[-1][5] == {"error": "UserError"}


def test_admin_cli_actions_are_audited_without_option_values(settings):
    marker = f"someone-{uuid.uuid4().hex[:8]}@example.test"
    ok = _cli(settings, "audit", "search", "--actor", marker, "--since", "1h", "--json")
    bad = _cli(settings, "audit", "search", "--since", "yesterday-ish")
    assert ok.returncode == 0 and json.loads(ok.stdout) == []
    assert bad.returncode == 2 and "Cannot read the time" in bad.stderr and "Traceback" not in bad.stderr
    user = getpass.getuser()
    rows = [r for r in _rows(settings, f"cli:{user}") if r[2] == "cli audit search"][-2:]
    assert [(r[0], r[1], r[4], r[5]["options"], r[5]["exit"]) for r in rows] == [
        ("admin", "cli", "ok", ["--actor", "--json", "--since"], 0),
        ("admin", "cli", "error", ["--since"], 2),
    ]
    assert marker not in json.dumps([r[5] for r in rows])  # values never recorded…
    searched = [r for r in _rows(settings, f"cli:{user}") if r[2] == "audit.search"]
    assert searched[-1][5]["filters"]["actor"] == marker  # … except by the search itself, which says what it looked for


def test_search_by_actor_and_time(settings):
    actor = f"finder-{uuid.uuid4().hex[:8]}"
    from promptsales.audit.trail import record

    for n in range(3):
        record(actor, "test", f"step-{n}", "ok", 1.0, {"n": n}, settings, category="admin")
    LOG_WRITER.flush()
    found = search(settings, AuditQuery(actor=actor, since=parse_time("10m")))
    assert [r["action"] for r in found] == ["step-2", "step-1", "step-0"]
    assert search(settings, AuditQuery(actor=actor, until=parse_time("10m"))) == []
    assert len(search(settings, AuditQuery(actor=actor, category="admin", limit=2))) == 2
    for bad in (AuditQuery(category="nope"), AuditQuery(outcome="maybe"), AuditQuery(limit=0)):
        with pytest.raises(UserError):
            search(settings, bad)
    with pytest.raises(UserError):
        parse_time("last tuesday")
    assert parse_time("2026-12-01").tzinfo == UTC
    assert datetime.now(UTC) - parse_time("2d") > timedelta(days=1, hours=23)

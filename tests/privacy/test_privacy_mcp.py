"""The privacy tools over real HTTPS + OAuth on PromptCRM's server (issue 23): the server runs as the CRM's
least-privilege MCP role on private copies; privacy:admin is required (403 without it); bad input is an isError
result with nothing recorded; export and erase work end to end."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

import anyio
import httpx
import pytest
from privacy_world import SUBJECT

from promptsales.auth.config import issuer_url
from promptsales.auth.keys import issuer_key, mint_token
from promptsales.db.connect import connect
from promptsales.runtime.ports import reuse_or_pick
from promptsales.runtime.processes import spawn_detached, wait_until
from promptsales.runtime.tls import client_ssl_context, ensure_tls
from promptsales.testing import https_session
from promptsales.wiring import issuer_service

SERVE = (
    "import sys; from promptsales.config import get_settings; from promptsales.mcpkit.runner import serve_http; "
    "from promptsales.wiring import load_kit; serve_http(load_kit('crm'), get_settings(), '127.0.0.1', int(sys.argv[1]))"
)


@pytest.fixture
def crm_server(world) -> Iterator[str]:
    """PromptCRM's MCP server (with the privacy tools, as `up` serves it) on the world's private copies."""
    settings = world.settings
    ensure_tls(settings)
    issuer = issuer_service(settings)
    started_issuer = issuer.start()
    port = reuse_or_pick(None)
    env = dict(os.environ)
    env.update(
        PROMPTSALES_DATA_DIR=str(settings.data_path),
        PROMPTSALES_CRM_DATABASE_URL=settings.crm_database_url or "",
        PROMPTSALES_SALES_DATABASE_URL=settings.sales_database_url or "",
        PROMPTSALES_CONTENT_MONGO_DATABASE=settings.content_mongo_database,
    )
    pid = spawn_detached(
        [sys.executable, "-c", SERVE, str(port)], settings.data_path / "logs" / "privacy-mcp.log", env=env
    )
    context = client_ssl_context(settings)

    def healthy() -> bool:
        try:
            return httpx.get(f"https://127.0.0.1:{port}/health", verify=context, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        assert wait_until(healthy, 60), "the CRM MCP server did not start"
        yield f"https://127.0.0.1:{port}"
    finally:
        os.kill(pid, 15)
        if started_issuer:
            issuer.stop()


def _token(settings, scopes: list[str]) -> str:
    return mint_token(issuer_key(settings), issuer_url(settings), "privacy-officer", scopes, 600)


def _call(settings, url: str, token: str, tool: str, arguments: dict):
    async def run():
        async with https_session(settings, url, token) as session:
            return await session.call_tool(tool, arguments)

    return anyio.run(run)


def _request_count(settings) -> int:
    with connect("crm", "app", settings=settings) as conn:
        return conn.execute("SELECT count(*) FROM crm.privacy_requests").fetchone()[0]


def test_privacy_tools_need_the_scope_refuse_bad_input_and_answer_requests(world, crm_server):
    settings = world.settings
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "privacyRequests", "arguments": {}}}
    refused = httpx.post(
        f"{crm_server}/mcp",
        json=body,
        headers={
            "Authorization": f"Bearer {_token(settings, ['crm:read', 'crm:pii'])}",
            "Accept": "application/json, text/event-stream",
        },
        verify=client_ssl_context(settings),
        timeout=30,
    )
    assert refused.status_code == 403 and 'scope="privacy:admin"' in refused.headers["www-authenticate"]

    token = _token(settings, ["privacy:admin"])
    before = _request_count(settings)
    for arguments in (
        {"confirm": True},
        {"confirm": True, "email": SUBJECT["email"], "national_id": SUBJECT["national_id"]},
        {"confirm": False, "email": SUBJECT["email"]},
        {"confirm": True, "email": "nobody"},
    ):
        result = _call(settings, crm_server, token, "privacyErase", arguments)
        assert result.is_error and "Traceback" not in result.content[0].text, arguments
    assert _request_count(settings) == before

    exported = _call(settings, crm_server, token, "privacyExport", {"email": SUBJECT["email"]})
    assert not exported.is_error, exported.content[0].text
    data = exported.structured_content
    assert data["client_ids"] == [world.subject_client]
    assert data["stores"]["promptcrm"]["clients"][0]["national_id"] == SUBJECT["national_id"]
    assert {f["path"] for f in data["manifest"]["files"]} >= {
        "promptcrm/sales.json",
        "promptcontent/content_requests.json",
    }

    erased = _call(settings, crm_server, token, "privacyErase", {"confirm": True, "email": SUBJECT["email"]})
    assert not erased.is_error, erased.content[0].text
    assert erased.structured_content["detail"]["subject_keys_destroyed"] == 1
    listed = _call(settings, crm_server, token, "privacyRequests", {}).structured_content
    assert [r["kind"] for r in listed["requests"]][:2] == ["erase", "export"] and listed["overdue"] == 0
    with connect("crm", "app", settings=settings) as conn:
        assert conn.execute(
            "SELECT erased_at IS NOT NULL FROM crm.clients WHERE client_id = %s", (world.subject_client,)
        ).fetchone()[0]

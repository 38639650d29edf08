"""The cache at the MCP layer (issue 10 acceptance, real HTTPS + OAuth tokens from the local issuer):
a repeated read tool call is a hit and a write through a tool makes the next call fresh; a ``crm:pii``
answer is never served to a caller without that scope; a client over its limit gets ``isError`` with a
retry time while another client is unaffected."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pytest
from pydantic import BaseModel, Field

from promptsales.cache import RateLimiter, Scope, get_cache
from promptsales.cache.mcp import CachePolicy, install
from promptsales.db.connect import connect
from promptsales.mcpkit import ToolKit, current_caller

sys.path.insert(0, str(Path(__file__).parent))
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402


class Client360(BaseModel):
    client_id: int
    name: str
    national_id: str | None = None
    reads: int


class Renamed(BaseModel):
    client_id: int
    name: str


@pytest.fixture(scope="module")
def issuer(settings):
    with issuer_running(settings):
        yield


@pytest.fixture
def crm_kit(settings, clone_db, unique):
    dbname = clone_db("crm")
    with connect("crm", "owner", settings=settings, dbname=dbname) as conn:
        conn.execute("CREATE TABLE crm.cache_clients (client_id int PRIMARY KEY, name text, national_id text)")
        conn.execute(
            "INSERT INTO crm.cache_clients VALUES (1, 'Ana Mora', '1-1111-1111'), (2, 'Luis Vega', '2-2222-2222')"
        )
        conn.commit()
    reads, audited = [], []
    kit = ToolKit("crm", title="Cache probe", instructions="test kit")

    @kit.tool(
        scope="crm:read",
        read_only=True,
        cache=CachePolicy(
            kind="pii",
            permission_scopes=("crm:pii",),
            depends=lambda a: [Scope("crm", "client", a["client_id"])],
            every_call=lambda a, r: audited.append((current_caller().actor, r.national_id is not None)),
        ),
    )
    def client360(client_id: Annotated[int, Field(ge=1)]) -> Client360:
        """One client; the national id only for callers holding crm:pii."""
        reads.append(current_caller().actor)
        with connect("crm", "owner", settings=settings, dbname=dbname) as conn:
            name, national_id = conn.execute(
                "SELECT name, national_id FROM crm.cache_clients WHERE client_id = %s", (client_id,)
            ).fetchone()
        pii = "crm:pii" in current_caller().scopes
        return Client360(client_id=client_id, name=name, national_id=national_id if pii else None, reads=len(reads))

    @kit.tool(
        scope="crm:write", read_only=False, invalidates=lambda args, result: [Scope("crm", "client", args["client_id"])]
    )
    def renameClient(client_id: Annotated[int, Field(ge=1)], name: str) -> Renamed:
        """Rename a client (committed before the tool returns)."""
        with connect("crm", "owner", settings=settings, dbname=dbname) as conn:
            conn.execute("UPDATE crm.cache_clients SET name = %s WHERE client_id = %s", (name, client_id))
            conn.commit()
        return Renamed(client_id=client_id, name=name)

    # A frozen clock: no token comes back during the test, however long it takes (a bucket expires only
    # after 21 s without any call from its client).
    frozen = RateLimiter(get_cache(settings), rate=0.2, burst=4, bucket=f"mcp{unique}", clock=lambda: 1_000.0)
    install(kit, limiter=frozen)
    get_cache(settings).bump(Scope("crm", "client"))  # a fresh generation for this test's ids
    kit.reads, kit.audited = reads, audited
    return kit


def test_hits_invalidation_pii_separation_and_rate_limits(settings, issuer, crm_kit):
    admin = token_for(settings, "promptsales-admin", ["crm:read", "crm:write", "crm:pii"])
    portal = token_for(settings, "portal", ["crm:read"])
    with ThreadedHttpsServer(crm_kit, settings) as server:

        async def scenario():
            async with (
                McpSession(server.url, admin, settings) as pii_caller,
                McpSession(server.url, portal, settings) as plain_caller,
            ):
                first = await pii_caller.call("client360", client_id=1)
                second = await pii_caller.call("client360", client_id=1)
                assert (
                    first
                    == second
                    == (True, {"client_id": 1, "name": "Ana Mora", "national_id": "1-1111-1111", "reads": 1})
                )
                plain = await plain_caller.call("client360", client_id=1)
                assert plain == (True, {"client_id": 1, "name": "Ana Mora", "national_id": None, "reads": 2})
                assert (await plain_caller.call("client360", client_id=1))[1]["national_id"] is None

                assert (await pii_caller.call("renameClient", client_id=1, name="Ana Mora Solís"))[0]
                fresh = await pii_caller.call("client360", client_id=1)
                assert fresh[1]["name"] == "Ana Mora Solís" and fresh[1]["reads"] == 3

                # admin has spent its burst of 4: refused with a retry time; portal still has tokens.
                refused = await pii_caller.call("client360", client_id=2)
                assert refused[0] is False
                assert "Rate limit exceeded for client 'promptsales-admin': retry after 5.00 s (5 s)" in refused[1]
                assert (await plain_caller.call("client360", client_id=2))[0] is True

        run(scenario())
    assert crm_kit.reads == ["promptsales-admin", "portal", "promptsales-admin", "portal"]
    # every call is audited, hits included, with whether PII was returned
    assert crm_kit.audited == [("promptsales-admin", True)] * 2 + [("portal", False)] * 2 + [
        ("promptsales-admin", True),
        ("portal", False),
    ]

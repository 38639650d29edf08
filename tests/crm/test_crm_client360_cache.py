"""The real PromptCRM ``client360`` behind the shared cache (issue 10 acceptance: "A cached client360 answer
for a caller with crm:pii is never served to a caller without it"; SPEC N4, R5, D1). Real official-scale
PromptCRM, real Valkey, the real crm MCP kit over streamable HTTP + TLS 1.3 with tokens from the local
OAuth issuer: PII and plain answers are separate entries, a repeated PII read is a hit that is still
audited (PromptCRM's checksummed log and the central audit trail), and a write to the client — through
``registerLead`` or out of band, seen by the next ETL pass — makes the next call show the new data."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from crm_probe_clients import remove_clients
from promptsales.cache import get_cache
from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER
from promptsales.db.pools import close_pools

sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402


@pytest.fixture(scope="module")
def issuer(seeded):
    with issuer_running(seeded):
        yield


def _campaign_slots(settings, n: int) -> list[tuple[int, int, int, int]]:
    """(campaign, channel, market, ad) of ``n`` different campaigns, from PromptAds through the linked server."""
    with connect("crm", "etl", settings=settings) as conn:
        return conn.execute(
            "SELECT DISTINCT ON (cc.campaign_id) cc.campaign_id, cc.channel_id, cm.market_id, a.ad_id"
            " FROM ads_link.campaign_channels cc JOIN ads_link.campaign_markets cm USING (campaign_id)"
            " JOIN ads_link.ads a ON a.campaign_id = cc.campaign_id AND a.channel_id = cc.channel_id"
            " ORDER BY cc.campaign_id, cc.channel_id, cm.market_id LIMIT %s",
            (n,),
        ).fetchall()


def _hits_misses(settings) -> tuple[int, int]:
    client = get_cache(settings).connection.client
    hits, misses = client.hmget("ps:stats", "hits:crm.client360", "misses:crm.client360")
    return int(hits or 0), int(misses or 0)


def _client360_keys(settings) -> set[str]:
    client = get_cache(settings).connection.client
    return {key.decode() for key in client.scan_iter(match="ps:crm:pii:client360:*", count=1000)}


def _pii_logs(settings, client_id: int) -> tuple[int, int]:
    """(PromptCRM security rows, central audit rows) recording a PII read of ``client_id``."""
    LOG_WRITER.flush()
    with connect("crm", "admin", settings=settings) as conn:
        crm_rows = conn.execute(
            "SELECT count(*) FROM crm.logs WHERE description = 'sensitive fields of a client "
            "revealed' AND reference_id1 = %s AND value1 = 'promptsales-admin'",
            (client_id,),
        ).fetchone()[0]
    with connect("sales", "admin", settings=settings) as conn:
        audit_rows = conn.execute(
            "SELECT count(*) FROM portal.audit_log WHERE action = 'client360.pii' AND "
            "actor = 'promptsales-admin' AND detail->>'client_id' = %s AND "
            "detail->'fields' = '[\"national_id\", \"context\"]'",
            (str(client_id),),
        ).fetchone()[0]
    return crm_rows, audit_rows


def test_client360_cached_per_permission_level_audited_on_hits_and_fresh_after_writes(seeded, issuer):
    from promptsales.crm.mcp import kit
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    (camp_a, chan_a, market_a, _), (camp_b, chan_b, market_b, _), (camp_c, chan_c, market_c, ad_c) = _campaign_slots(
        seeded, 3
    )
    tag = uuid.uuid4().hex[:8]
    national_id = f"CR-7-{int(tag[:4], 16) % 10000:04d}-{int(tag[4:], 16) % 10000:04d}"
    person = {
        "first_name": "Cache",
        "last_name": f"Probe{tag}",
        "email": f"cache.{tag}@example.com",
        "phone": "+50670000000",
        "birth_year": 1990,
        "country_code": "CR",
        "region": "San José",
        "city": "San José",
        "latitude": 9.93,
        "longitude": -84.08,
        "national_id": national_id,
        "context": {"note": f"probe {tag}"},
    }
    admin = token_for(seeded, "promptsales-admin", ["crm:read", "crm:write", "crm:pii"])
    portal = token_for(seeded, "portal", ["crm:read"])
    observed: dict = {}
    try:
        with ThreadedHttpsServer(kit, seeded) as server:

            async def scenario():
                async with (
                    McpSession(server.url, admin, seeded) as pii_caller,
                    McpSession(server.url, portal, seeded) as plain_caller,
                ):
                    ok, lead = await pii_caller.call(
                        "registerLead", campaign_id=camp_a, channel_id=chan_a, market_id=market_a, person=person
                    )
                    assert ok and lead["created"] and lead["client_created"], lead
                    client_id = observed["client_id"] = lead["client_id"]
                    keys_before = _client360_keys(seeded)
                    hits0, misses0 = _hits_misses(seeded)

                    ok, first = await pii_caller.call("client360", client_id=client_id)
                    assert ok and first["sensitive_included"] and first["national_id"] == national_id
                    assert first["context"] == {"note": f"probe {tag}"} and first["leads"] == 1
                    assert _hits_misses(seeded) == (hits0, misses0 + 1)
                    assert _pii_logs(seeded, client_id) == (1, 1)

                    ok, again = await pii_caller.call("client360", client_id=client_id)
                    assert ok and again == first
                    assert _hits_misses(seeded) == (hits0 + 1, misses0 + 1)  # a hit …
                    assert _pii_logs(seeded, client_id) == (2, 2)  # … still audited in both logs

                    ok, plain = await plain_caller.call("client360", client_id=client_id)
                    assert ok and plain["sensitive_included"] is False
                    assert plain["national_id"] is None and plain["context"] is None
                    assert national_id not in str(plain) and f"probe {tag}" not in str(plain)
                    assert {
                        k: v for k, v in plain.items() if k not in ("sensitive_included", "national_id", "context")
                    } == {k: v for k, v in first.items() if k not in ("sensitive_included", "national_id", "context")}
                    assert _hits_misses(seeded) == (hits0 + 1, misses0 + 2)  # its own entry, computed for it
                    ok, plain_again = await plain_caller.call("client360", client_id=client_id)
                    assert plain_again == plain and _hits_misses(seeded) == (hits0 + 2, misses0 + 2)
                    assert _pii_logs(seeded, client_id) == (2, 2)  # plain reads are no PII reads
                    new_keys = _client360_keys(seeded) - keys_before
                    assert sorted(key.split(":")[5] for key in new_keys) == ["base", "crm.pii"]

                    # a write through a tool: the same person reached by another campaign → a second lead
                    ok, second = await pii_caller.call(
                        "registerLead", campaign_id=camp_b, channel_id=chan_b, market_id=market_b, person=person
                    )
                    assert ok and second["created"] and not second["client_created"]
                    assert second["client_id"] == client_id
                    ok, fresh = await pii_caller.call("client360", client_id=client_id)
                    assert fresh["leads"] == 2 and camp_b in fresh["campaigns"] and fresh["national_id"] == national_id
                    ok, fresh_plain = await plain_caller.call("client360", client_id=client_id)
                    assert fresh_plain["leads"] == 2 and fresh_plain["national_id"] is None
                    assert _pii_logs(seeded, client_id) == (3, 3)

            run(scenario())

            # a write outside the MCP tools (SQL): invisible to the cache until the ETL's change capture sees it
            client_id = observed["client_id"]
            baseline = run_pass(Sources(seeded), trigger="test")  # sets the change-capture horizons
            assert baseline.status == "succeeded"

            async def after_write():
                async with McpSession(server.url, portal, seeded) as plain_caller:
                    keys_before = _client360_keys(seeded)
                    before = await plain_caller.call("client360", client_id=client_id)
                    assert before[0] and before[1]["leads"] == 2
                    # computed fresh (the baseline pass saw registerLead's writes and bumped crm): one new
                    # entry, made immortal for the check below, so the check cannot depend on the 60 s TTL
                    (entry,) = _client360_keys(seeded) - keys_before
                    cache_client = get_cache(seeded).connection.client
                    assert cache_client.persist(entry)
                    with connect("crm", "app", settings=seeded) as conn:
                        conn.execute(
                            "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id,"
                            " stage_id, score, created_at) SELECT %s, %s, %s, %s, %s, min(source_id), 1, 40, now()"
                            " FROM crm.lead_sources",
                            (client_id, camp_c, ad_c, chan_c, market_c),
                        )
                        conn.execute(
                            "INSERT INTO crm.client_campaigns (client_id, campaign_id, channel_id, market_id,"
                            " reached_at) VALUES (%s, %s, %s, %s, now()) ON CONFLICT DO NOTHING",
                            (client_id, camp_c, chan_c, market_c),
                        )
                        conn.commit()
                    hits = _hits_misses(seeded)
                    assert await plain_caller.call("client360", client_id=client_id) == before  # stale, cached
                    assert _hits_misses(seeded) == (hits[0] + 1, hits[1])
                    cache_client.expire(entry, 60)  # its normal lifetime again
                    report = run_pass(Sources(seeded), trigger="test")
                    assert report.status == "succeeded" and report.changes_read.get("crm", 0) >= 1
                    ok, fresh = await plain_caller.call("client360", client_id=client_id)
                    assert ok and fresh["leads"] == 3 and camp_c in fresh["campaigns"]

            run(after_write())
    finally:  # leave the shared official data as seeded (R3's consistency check counts leads per group)
        close_pools("crm")  # no idle session on promptcrm (later tests copy it)
        if "client_id" in observed:
            remove_clients(seeded, [observed["client_id"]])
            assert run_pass(Sources(seeded), trigger="test").status == "succeeded"  # warehouse back in step

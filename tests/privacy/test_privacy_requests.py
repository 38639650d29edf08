"""Data-subject requests (issue 23): the export holds every planted row from every store; after erase no store
returns the person and the cache holds nothing of them; consent and opt-out are honoured; requests are recorded
with deadlines; bad input changes nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile

import pytest
from privacy_world import CONTEXT, CONTROL, SUBJECT, person

from promptsales.cache.instances import get_cache
from promptsales.content.store import mongo_database
from promptsales.crm.audience import hashed_email, third_party_audience
from promptsales.crm.clients import create_client
from promptsales.crm.crypto import DecryptionError
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import reveal_client
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
from promptsales.db.logwriter import LOG_WRITER
from promptsales.errors import UserError
from promptsales.privacy import service
from promptsales.privacy.stores import cache_entries
from promptsales.privacy.subject import parse_identifier, resolve


def _requests(settings) -> list[tuple]:
    with connect("crm", "app", settings=settings) as conn:
        return conn.execute("SELECT request_id, kind, outcome FROM crm.privacy_requests ORDER BY 1").fetchall()


def test_export_contains_every_planted_row_from_every_store(world):
    answer = service.export_subject(world.settings, email=SUBJECT["email"].upper(), regime="gdpr")
    assert answer.outcome == "completed" and answer.client_ids == [world.subject_client]
    archive = zipfile.ZipFile(io.BytesIO(answer.archive))
    manifest = json.loads(archive.read("manifest.json"))
    files = {entry["path"]: entry for entry in manifest["files"]}

    def rows(path: str) -> list[dict]:
        return json.loads(archive.read(path))

    client = rows("promptcrm/clients.json")[0]
    assert client["client_id"] == world.subject_client
    assert client["national_id"] == SUBJECT["national_id"] and client["context"] == CONTEXT
    assert "national_id_enc" not in client
    for table in ("leads", "client_campaigns", "sales", "interactions", "lead_stage_history", "lead_scores"):
        assert files[f"promptcrm/{table}.json"]["rows"] == 1, table
        assert all(
            r.get("client_id", world.subject_client) == world.subject_client for r in rows(f"promptcrm/{table}.json")
        )
    assert rows("promptcrm/sales.json")[0]["sale_id"] == world.subject_sale
    assert any(r["reference_id1"] == world.subject_client for r in rows("promptcrm/logs.json"))
    assert {d["_id"] for d in rows("promptcontent/content_requests.json")} == {world.mongo_ids["request"]}
    assert {d["_id"] for d in rows("promptcontent/campaign_message_logs.json")} == {world.mongo_ids["log"]}
    assert {e["key"] for e in rows("cache/entries.json")} == {world.cache_keys["client360"], world.cache_keys["ai"]}
    assert world.audit_ids[0] in {r["audit_id"] for r in rows("promptsales/audit_log.json")}
    assert {r["ai_usage_id"] for r in rows("promptsales/ai_usage_log.json")} == set(world.ai_usage_ids)
    assert "warehouse" in manifest["not_included"] and "backups" in manifest["not_included"]
    for entry in manifest["files"]:  # the control person is in no file
        text = archive.read(entry["path"]).decode()
        assert CONTROL["email"] not in text and CONTROL["national_id"] not in text, entry["path"]
    # the request is recorded (keyed reference, never the identifier) and the reveal audited
    with connect("crm", "app", settings=world.settings) as conn:
        ref, due_days = conn.execute(
            "SELECT subject_ref, extract(day FROM due_at - received_at) FROM crm.privacy_requests WHERE request_id = %s",
            (answer.request_id,),
        ).fetchone()
        assert ref.startswith("email:") and SUBJECT["email"].lower() not in ref and due_days == 30
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM crm.logs WHERE reference_id1 = %s AND description LIKE '%%revealed%%'",
                (world.subject_client,),
            )
            == 2
        )
    LOG_WRITER.flush()
    with connect("sales", "owner", settings=world.settings) as conn:
        detail = scalar(
            conn,
            "SELECT detail FROM portal.audit_log WHERE action = 'privacy.export' AND category = 'privacy'"
            " AND (detail->>'request_id')::bigint = %s",
            (answer.request_id,),
        )
    assert detail["client_ids"] == [world.subject_client] and SUBJECT["email"].lower() not in json.dumps(detail).lower()


def test_export_by_national_id_finds_the_same_person(world):
    answer = service.export_subject(world.settings, national_id=SUBJECT["national_id"], regime="ccpa")
    assert answer.client_ids == [world.subject_client]
    with connect("crm", "app", settings=world.settings) as conn:
        assert (
            scalar(
                conn,
                "SELECT extract(day FROM due_at - received_at) FROM crm.privacy_requests WHERE request_id = %s",
                (answer.request_id,),
            )
            == 45
        )


def test_after_erase_no_store_returns_the_person_and_the_cache_holds_nothing(world):
    settings = world.settings
    with connect("crm", "app", settings=settings) as conn:
        before = conn.execute(
            "SELECT (SELECT count(*) FROM crm.leads), (SELECT sum(amount) FROM crm.sales),"
            " (SELECT count(*) FROM crm.interactions)"
        ).fetchone()
    answer = service.erase_subject(settings, email=SUBJECT["email"], regime="gdpr")
    assert answer.outcome == "completed" and answer.detail["subject_keys_destroyed"] == 1
    # PromptCRM: not found by e-mail or national ID, the row anonymised, its key gone, its fields unreadable
    keystore = KeyStore.for_server(settings)
    with connect("crm", "app", settings=settings) as conn:
        for identifier in (parse_identifier(SUBJECT["email"], None), parse_identifier(None, SUBJECT["national_id"])):
            assert resolve(conn, keystore, identifier).client_ids == []
        row = conn.execute(
            "SELECT first_name, email, phone, erased_at IS NOT NULL, do_not_sell, interests"
            " FROM crm.clients WHERE client_id = %s",
            (world.subject_client,),
        ).fetchone()
        assert row[0] == "erased" and row[1].endswith("@erased.invalid") and row[3] and row[4] and row[5] == []
        assert scalar(conn, "SELECT count(*) FROM crm.subject_keys WHERE client_id = %s", (world.subject_client,)) == 0
        assert (
            scalar(
                conn,
                "SELECT count(*) FROM crm.interactions WHERE client_id = %s AND comment_text IS NOT NULL",
                (world.subject_client,),
            )
            == 0
        )
        assert scalar(conn, "SELECT count(*) FROM crm.lead_scores WHERE lead_id = %s", (world.subject_lead,)) == 0
        after = conn.execute(
            "SELECT (SELECT count(*) FROM crm.leads), (SELECT sum(amount) FROM crm.sales),"
            " (SELECT count(*) FROM crm.interactions)"
        ).fetchone()
    assert after == before  # facts kept: totals unchanged
    with pytest.raises(DecryptionError):
        reveal_client(settings, world.subject_client, keystore=keystore, log=False)
    assert (
        reveal_client(settings, world.control_client, keystore=keystore, log=False)["national_id"]
        == CONTROL["national_id"]
    )
    # PromptContent's logs: the identifiers are gone, the control's are not
    db = mongo_database(settings)
    text = json.dumps([*db.content_requests.find({}), *db.campaign_message_logs.find({})], default=str).lower()
    assert SUBJECT["email"].lower() not in text and SUBJECT["name"].lower() not in text
    assert CONTROL["email"] in text and "[erased]" in text
    # the cache: nothing of them, the control's entry kept
    present = get_cache(settings).connection.run(lambda client: [client.exists(k) for k in world.cache_keys.values()])
    assert present == [0, 0, 1]
    # AI-usage texts redacted; another export finds nothing in any store
    with connect("sales", "owner", settings=settings) as conn:
        assert (
            scalar(conn, "SELECT count(*) FROM portal.ai_usage_log WHERE prompt ILIKE %s", (f"%{SUBJECT['email']}%",))
            == 0
        )
    again = service.export_subject(settings, email=SUBJECT["email"])
    assert again.outcome == "no_data" and again.client_ids == []
    assert not any(rows for tables in (again.stores or {}).values() for rows in tables.values())


def test_cache_answers_built_after_an_export_are_found_and_erased(world):
    """A client360 answer cached for the person (any key under ps:crm:*) is found by its client id."""
    key = "ps:crm:tool:leadTimeline:v0:base:" + world.cache_keys["ai"][-12:]
    get_cache(world.settings).connection.run(
        lambda client: client.set(key, json.dumps({"lead_id": world.subject_lead, "stages": []}), ex=600)
    )
    with connect("crm", "app", settings=world.settings) as conn:
        subject = resolve(conn, KeyStore.for_server(world.settings), parse_identifier(SUBJECT["email"], None))
    assert key in {entry["key"] for entry in cache_entries(world.settings, subject)}
    service.erase_subject(world.settings, email=SUBJECT["email"])
    assert get_cache(world.settings).connection.run(lambda client: client.exists(key)) == 0


def test_consent_and_opt_out_are_honoured_by_third_party_exports_and_lead_capture(world):
    settings = world.settings
    with connect("crm", "app", settings=settings) as conn:
        shared = third_party_audience(conn, world.campaign_id)
    assert set(shared["hashed_emails"]) == {hashed_email(SUBJECT["email"]), hashed_email(CONTROL["email"])}
    answer = service.opt_out_subject(settings, email=SUBJECT["email"])
    assert answer.outcome == "completed"
    with connect("crm", "app", settings=settings) as conn:
        shared = third_party_audience(conn, world.campaign_id)
        assert shared["hashed_emails"] == [hashed_email(CONTROL["email"])] and shared["held_back"] == 1
        conn.execute("UPDATE crm.clients SET consent_third_party = false WHERE client_id = %s", (world.control_client,))
        assert third_party_audience(conn, world.campaign_id)["shared"] == 0  # no consent, no export
        conn.rollback()
    # erased, then captured again with the same e-mail (registerLead's path): stored opted out, consent ignored
    service.erase_subject(settings, email=SUBJECT["email"])
    with connect("crm", "app", settings=settings) as conn:
        again = create_client(conn, KeyStore.for_server(settings), person(SUBJECT, True), SUBJECT["national_id"], 1)
        flags = conn.execute(
            "SELECT do_not_sell, consent_third_party FROM crm.clients WHERE client_id = %s", (again,)
        ).fetchone()
        conn.rollback()
    assert flags == (True, False)


def test_requests_are_listed_with_deadlines_and_overdue_ones_flagged(world):
    service.export_subject(world.settings, email=CONTROL["email"])
    with connect("crm", "owner", settings=world.settings) as conn:
        conn.execute(
            "INSERT INTO crm.privacy_requests (kind, regime, subject_ref, received_at, due_at, requested_by)"
            " VALUES ('erase', 'gdpr', 'email:' || repeat('ab', 16), now() - interval '40 days',"
            " now() - interval '10 days', 'test')"
        )
        conn.commit()
    rows = service.requests(world.settings)
    assert [r["overdue"] for r in rows if r["kind"] == "erase"] == [True]
    assert [r["outcome"] for r in rows if r["kind"] == "export"] == ["completed"]
    assert [r["kind"] for r in service.requests(world.settings, open_only=True)] == ["erase"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "exactly one of"),
        ({"email": SUBJECT["email"], "national_id": SUBJECT["national_id"]}, "exactly one of"),
        ({"email": "not-an-email"}, "Malformed e-mail"),
        ({"national_id": "12"}, "Malformed national ID"),
        ({"email": SUBJECT["email"], "regime": "lgpd"}, "Unknown regime"),
    ],
)
def test_bad_input_is_refused_before_anything_is_recorded(world, kwargs, message):
    before = _requests(world.settings)
    for operation in (service.export_subject, service.erase_subject):
        with pytest.raises(UserError, match=message):
            operation(world.settings, **kwargs)
    assert _requests(world.settings) == before


def _cli(world, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "PYTHONPATH")}
    env["PROMPTSALES_DATA_DIR"] = str(world.settings.data_path)
    env["PROMPTSALES_CRM_DATABASE_URL"] = world.settings.crm_database_url
    env["PROMPTSALES_SALES_DATABASE_URL"] = world.settings.sales_database_url
    env["PROMPTSALES_CONTENT_MONGO_DATABASE"] = world.settings.content_mongo_database
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "privacy", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_exports_an_archive_and_refuses_bad_input_with_exit_2(world, tmp_path):
    out = tmp_path / "export.zip"
    done = _cli(world, "export", "--email", SUBJECT["email"], "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["client_ids"] == [world.subject_client]
    assert "manifest.json" in zipfile.ZipFile(out).namelist()
    before = _requests(world.settings)
    for args in (
        ("export", "--email", SUBJECT["email"], "--national-id", SUBJECT["national_id"]),
        ("export", "--email", "x@y", "--out", str(tmp_path / "b.zip")),
        ("export", "--email", SUBJECT["email"], "--out", str(out)),  # exists: never overwritten
        ("erase", "--email", SUBJECT["email"]),  # no --yes
        ("erase", "--email", SUBJECT["email"], "--yes", "--regime", "hipaa"),
        ("opt-out",),
    ):
        refused = _cli(world, *args)
        assert refused.returncode == 2, (args, refused.stdout, refused.stderr)
        assert "Traceback" not in refused.stderr and refused.stderr.strip(), args
    assert _requests(world.settings) == before
    listed = _cli(world, "requests", "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == len(before)

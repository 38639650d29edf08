"""Planting for the data-subject request tests: a person (and a control person) in every store of private copies
of PromptCRM and PromptSales, a private PromptContent MongoDB database and cache keys."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from promptsales.cache.instances import get_cache
from promptsales.config import Settings
from promptsales.content.store import mongo_database
from promptsales.crm.clients import Person, create_client
from promptsales.crm.keystore import KeyStore
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar

#: A country code no market uses, so the planted national IDs can never equal a seeded one.
SUBJECT = {"email": "Zoe.Planted@privacy-test.example", "national_id": "ZZ-9-8765-4321", "name": "Zoe Plantedsubject"}
CONTROL = {"email": "carl.control@privacy-test.example", "national_id": "ZZ-1-1111-2222", "name": "Carl Controlperson"}
CONTEXT = {"occupation": "lighthouse keeper", "note": "prefers letters"}


@dataclass
class World:
    """Where everything was planted: settings pointed at the private copies, and the ids of each planted row."""

    settings: Settings
    subject_client: int
    control_client: int
    subject_lead: int
    control_lead: int
    subject_sale: int
    mongo_ids: dict[str, str]
    cache_keys: dict[str, str]
    audit_ids: list[int] = field(default_factory=list)
    ai_usage_ids: list[int] = field(default_factory=list)
    campaign_id: int = 900_001
    crm_db: str = ""
    sales_db: str = ""


def person(spec: dict, consent_third_party: bool) -> Person:
    first, last = spec["name"].split()
    return Person(
        first_name=first,
        last_name=last,
        email=spec["email"],
        phone="+506 5555 0101",
        birth_year=1987,
        country_code="CR",
        region="San José",
        city="Escazú",
        latitude=9.9187,
        longitude=-84.1398,
        national_id=spec["national_id"],
        context=CONTEXT,
        interests=["sailing"],
        consent_email=True,
        consent_third_party=consent_third_party,
    )


def plant_crm(settings: Settings, campaign_id: int) -> dict[str, int]:
    keystore = KeyStore.for_server(settings)
    keystore.ensure()
    ids: dict[str, int] = {}
    with connect("crm", "app", settings=settings) as conn:
        for label, spec in (("subject", SUBJECT), ("control", CONTROL)):
            client = create_client(conn, keystore, person(spec, consent_third_party=True), spec["national_id"], 1)
            lead = scalar(
                conn,
                "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id, stage_id, score,"
                " created_at) VALUES (%s, %s, 1, 2, 5, 2, 6, 70, now() - interval '3 days') RETURNING lead_id",
                (client, campaign_id),
            )
            conn.execute(
                "INSERT INTO crm.client_campaigns (client_id, campaign_id, channel_id, market_id, reached_at, converted)"
                " VALUES (%s, %s, 2, 5, now() - interval '3 days', true)",
                (client, campaign_id),
            )
            conn.execute(
                "INSERT INTO crm.interactions (client_id, lead_id, type_id, channel_id, occurred_at, viewing_seconds,"
                " comment_text) VALUES (%s, %s, 1, 2, now() - interval '2 days', 12, %s)",
                (client, lead, f"{spec['name']} asked about delivery"),
            )
            conn.execute(
                "INSERT INTO crm.lead_stage_history (lead_id, from_stage_id, to_stage_id, changed_at)"
                " VALUES (%s, 1, 6, now() - interval '1 day')",
                (lead,),
            )
            ids[f"{label}_sale"] = scalar(
                conn,
                "INSERT INTO crm.sales (lead_id, client_id, campaign_id, ad_id, channel_id, market_id, amount, sold_at)"
                " VALUES (%s, %s, %s, 1, 2, 5, 123.45, now() - interval '1 day') RETURNING sale_id",
                (lead, client, campaign_id),
            )
            conn.execute(
                "INSERT INTO crm.lead_scores (lead_id, model_version, probability) VALUES (%s, 1, 0.42)", (lead,)
            )
            conn.execute(
                "CALL crm.crmsp_write_log('security', 'service', 'info', 'sensitive fields of a client revealed',"
                " %s, NULL, 'test', NULL, NULL)",
                (client,),
            )
            ids[f"{label}_client"], ids[f"{label}_lead"] = client, lead
        conn.commit()
    return ids


def plant_content(settings: Settings) -> dict[str, str]:
    db = mongo_database(settings)
    now = datetime.now(UTC)
    ids = {
        "request": f"req-{uuid.uuid4().hex[:12]}",
        "log": f"log-{uuid.uuid4().hex[:12]}",
        "other": f"req-{uuid.uuid4().hex[:12]}",
    }
    db.content_requests.insert_many(
        [
            {
                "_id": ids["request"],
                "campaign_description": f"Thank-you note for {SUBJECT['email']}",
                "target_audiences": ["loyal sailors"],
                "requested_by": "portal",
                "status": "completed",
                "created_at": now,
                "updated_at": now,
            },
            {
                "_id": ids["other"],
                "campaign_description": f"Note for {CONTROL['email']}",
                "target_audiences": ["loyal sailors"],
                "requested_by": "portal",
                "status": "completed",
                "created_at": now,
                "updated_at": now,
            },
        ]
    )
    db.campaign_message_logs.insert_one(
        {
            "_id": ids["log"],
            "request_id": ids["request"],
            "campaign_description": "Loyalty notes",
            "target_audiences": ["loyal sailors"],
            "context_media_ids": [],
            "messages": [
                {
                    "audience": "loyal sailors",
                    "index": 1,
                    "text": f"Dear {SUBJECT['name']}, thank you!",
                    "hashtags": [],
                    "grounded_in": [],
                }
            ],
            "provider": "local-template",
            "model": "test",
            "created_at": now,
        }
    )
    return ids


def plant_cache(settings: Settings, ids: dict[str, int], tag: str) -> dict[str, str]:
    keys = {
        "client360": f"ps:crm:pii:client360:v0:crm.pii:{tag}subject",
        "ai": f"ps:ai:exact:{tag}subject",
        "control": f"ps:crm:pii:client360:v0:crm.pii:{tag}control",
    }
    values = {
        "client360": {
            "client_id": ids["subject_client"],
            "email": SUBJECT["email"],
            "national_id": SUBJECT["national_id"],
        },
        "ai": {"prompt": f"Write to {SUBJECT['email'].upper()}", "result": "Hello"},
        "control": {"client_id": ids["control_client"], "email": CONTROL["email"]},
    }
    get_cache(settings).connection.run(
        lambda client: [client.set(keys[name], json.dumps(values[name]), ex=3600) for name in keys]
    )
    return keys


def plant_sales(settings: Settings, ids: dict[str, int]) -> tuple[list[int], list[int]]:
    with connect("sales", "owner", settings=settings) as conn:
        conn.execute("SELECT portal.audit_ensure_partitions(current_date, 2)")
        audit = [
            scalar(
                conn,
                "INSERT INTO portal.audit_log (occurred_at, actor, service, action, outcome, latency_ms, detail, category)"
                " VALUES (now(), 'portal', 'crm', 'client360.pii', 'ok', 1.0, %s, 'pii') RETURNING audit_id",
                (json.dumps({"client_id": ids["subject_client"], "fields": ["national_id"]}),),
            )
        ]
        usage = []
        for prompt, result in (
            (json.dumps({"lead_id": ids["subject_lead"]}), json.dumps({"leads": [{"lead_id": ids["subject_lead"]}]})),
            (f"Write a thank-you message to {SUBJECT['email']}", "Dear customer, thank you."),
            (json.dumps({"lead_id": ids["control_lead"]}), "{}"),
        ):
            usage.append(
                scalar(
                    conn,
                    "INSERT INTO portal.ai_usage_log (actor, module, operation, provider, model, prompt, result,"
                    " validation_method, validation_outcome, latency_ms) VALUES ('portal', 'crm', 'scoreLeads',"
                    " 'local', 'test', %s, %s, 'schema', 'accepted', 1) RETURNING ai_usage_id",
                    (prompt, result),
                )
            )
        conn.commit()
    return audit, usage[:2]

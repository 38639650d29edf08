"""PromptCRM leads (SPEC R1, G1): register a person reached by a campaign, a lead's timeline, and the lead
capture a new campaign prepares.

Plain functions over an open connection; the MCP tools (``registerLead``, ``leadTimeline``,
``prepareLeadCapture``) call them. Campaigns, channels, markets and ads are checked in PromptAds through
the linked server (``ads_link``) when it is configured. Rows of PromptCRM's checksummed log written here
carry the source ``mcp``: these operations are offered by the CRM's MCP server.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from promptsales.config import Settings
from promptsales.crm.clients import Person, create_client, find_client_by_email
from promptsales.crm.crypto import normalise_national_id
from promptsales.crm.keystore import KeyStore
from promptsales.crm.log import write_log
from promptsales.db.fetch import lookup, scalar
from promptsales.errors import UserError

#: How a person can arrive (codes of ``crm.lead_sources``).
LeadSource = Literal["ad_click", "landing_form", "chatbot", "message_reply", "influencer_link", "referral", "organic"]
LOG_SOURCE = "mcp"


# Models of the MCP tools' published schemas: no class docstrings (a docstring would change the schema).
class RegisteredLead(BaseModel):
    lead_id: int
    client_id: int
    campaign_id: int
    created: bool = Field(description="False when this person already was a lead of the campaign (a replay).")
    client_created: bool


class StageChange(BaseModel):
    from_stage: str | None
    to_stage: str
    changed_at: datetime


class Interaction(BaseModel):
    type: str
    channel_id: int
    occurred_at: datetime
    viewing_seconds: int
    comment_text: str | None


class LeadTimeline(BaseModel):
    lead_id: int
    client_id: int
    campaign_id: int
    channel_id: int
    market_id: int
    source: str
    stage: str
    score: int
    created_at: datetime
    stages: list[StageChange]
    interactions: list[Interaction]
    sale_amount: float | None
    sold_at: datetime | None


class LeadCapture(BaseModel):
    capture_id: int
    campaign_id: int
    sources: list[str]
    channels: list[int]
    markets: list[int]
    created: bool


def _has_link(conn: psycopg.Connection) -> bool:
    return bool(scalar(conn, "SELECT to_regclass('ads_link.campaign_channels') IS NOT NULL"))


def _campaign_ad(conn: psycopg.Connection, campaign_id: int, channel_id: int, ad_id: int | None) -> int:
    """``ad_id``, or by default the campaign's first ad on the channel in PromptAds."""
    if ad_id is not None:
        return ad_id
    if not _has_link(conn):
        raise UserError("ad_id is required: the linked server to PromptAds is not configured.")
    first_ad = scalar(
        conn,
        "SELECT min(ad_id) FROM ads_link.ads WHERE campaign_id = %s AND channel_id = %s",
        (campaign_id, channel_id),
    )
    if first_ad is None:
        raise UserError(f"Campaign {campaign_id} has no ad on channel {channel_id} in PromptAds.")
    return int(first_ad)


def _check_market(conn: psycopg.Connection, campaign_id: int, market_id: int) -> None:
    if not _has_link(conn):
        return
    ok = scalar(
        conn,
        "SELECT EXISTS (SELECT 1 FROM ads_link.campaign_markets WHERE campaign_id = %s AND market_id = %s)",
        (campaign_id, market_id),
    )
    if not ok:
        raise UserError(f"Market {market_id} is not one of campaign {campaign_id}'s markets in PromptAds.")


def register_lead(
    conn: psycopg.Connection,
    settings: Settings,
    *,
    campaign_id: int,
    channel_id: int,
    market_id: int,
    person: Person,
    source: LeadSource,
    ad_id: int | None,
    score: int,
    actor: str,
) -> RegisteredLead:
    """Register a person reached by a campaign: the client (found by e-mail, or created with the national ID
    and context encrypted) and their lead at stage 'new', with its stage history, the client × campaign
    reach and an audit row naming ``actor``. The same person for the same campaign again returns the
    existing lead (``created=False``). Bad input (malformed national ID, ad or market not the campaign's)
    is a UserError and writes nothing."""
    national_id = normalise_national_id(person.national_id)
    ad_id = _campaign_ad(conn, campaign_id, channel_id, ad_id)
    _check_market(conn, campaign_id, market_id)
    source_id = scalar(conn, "SELECT source_id FROM crm.lead_sources WHERE code = %s", (source,))
    with conn.transaction():
        client_id = find_client_by_email(conn, person.email)
        client_created = client_id is None
        if client_id is None:
            keystore = KeyStore.for_server(settings, "crm", None)
            client_id = create_client(conn, keystore, person, national_id, home_market_id=market_id)
        lead = conn.execute(
            "SELECT lead_id FROM crm.leads WHERE campaign_id = %s AND client_id = %s", (campaign_id, client_id)
        ).fetchone()
        if lead is not None:
            return RegisteredLead(
                lead_id=lead[0],
                client_id=client_id,
                campaign_id=campaign_id,
                created=False,
                client_created=client_created,
            )
        lead_id = scalar(
            conn,
            "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id, stage_id, score,"
            " created_at) VALUES (%s, %s, %s, %s, %s, %s, 1, %s, now()) RETURNING lead_id",
            (client_id, campaign_id, ad_id, channel_id, market_id, source_id, score),
        )
        conn.execute(
            "INSERT INTO crm.lead_stage_history (lead_id, from_stage_id, to_stage_id, changed_at) "
            "VALUES (%s, NULL, 1, now())",
            (lead_id,),
        )
        conn.execute(
            "INSERT INTO crm.client_campaigns (client_id, campaign_id, channel_id, market_id, reached_at) "
            "VALUES (%s, %s, %s, %s, now()) ON CONFLICT DO NOTHING",
            (client_id, campaign_id, channel_id, market_id),
        )
        write_log(conn, "audit", LOG_SOURCE, "lead registered over MCP", lead_id, client_id, str(campaign_id), actor)
    return RegisteredLead(
        lead_id=lead_id, client_id=client_id, campaign_id=campaign_id, created=True, client_created=client_created
    )


def lead_timeline(conn: psycopg.Connection, lead_id: int) -> LeadTimeline:
    """A lead's funnel-stage changes, interactions and sale, in time order; an unknown lead is a UserError."""
    with conn.cursor(row_factory=dict_row) as cur:
        lead = lookup(
            cur,
            "SELECT l.lead_id, l.client_id, l.campaign_id, l.channel_id, l.market_id, s.code AS source, f.code AS stage,"
            " l.score, l.created_at FROM crm.leads l JOIN crm.lead_sources s USING (source_id)"
            " JOIN crm.funnel_stages f USING (stage_id) WHERE l.lead_id = %s",
            (lead_id,),
            f"No lead has id {lead_id}.",
        )
        stages = cur.execute(
            "SELECT fs.code AS from_stage, ts.code AS to_stage, h.changed_at FROM crm.lead_stage_history h"
            " LEFT JOIN crm.funnel_stages fs ON fs.stage_id = h.from_stage_id JOIN crm.funnel_stages ts"
            " ON ts.stage_id = h.to_stage_id WHERE h.lead_id = %s ORDER BY h.changed_at, h.history_id",
            (lead_id,),
        ).fetchall()
        interactions = cur.execute(
            "SELECT t.code AS type, i.channel_id, i.occurred_at, i.viewing_seconds, i.comment_text FROM crm.interactions i"
            " JOIN crm.interaction_types t USING (type_id) WHERE i.lead_id = %s ORDER BY i.occurred_at, i.interaction_id",
            (lead_id,),
        ).fetchall()
        sale = cur.execute("SELECT amount, sold_at FROM crm.sales WHERE lead_id = %s", (lead_id,)).fetchone()
    return LeadTimeline(
        **lead,
        stages=[StageChange(**s) for s in stages],
        interactions=[Interaction(**i) for i in interactions],
        sale_amount=sale["amount"] if sale else None,
        sold_at=sale["sold_at"] if sale else None,
    )


def prepare_lead_capture(
    conn: psycopg.Connection,
    campaign_id: int,
    sources: list[LeadSource],
    channels: list[int],
    markets: list[int],
    idempotency_key: str,
) -> LeadCapture:
    """Record how a campaign captures leads (sources, channels, markets; sorted, without repeats) in
    PromptCRM's checksummed log. The idempotency key makes a retry return the capture already prepared
    (``created=False``) instead of writing a second one. A campaign PromptAds does not know is a UserError."""
    if _has_link(conn):
        known = scalar(conn, "SELECT EXISTS (SELECT 1 FROM ads_link.campaigns WHERE campaign_id = %s)", (campaign_id,))
        if not known:
            raise UserError(f"Campaign {campaign_id} does not exist in PromptAds.")
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"lead-capture:{idempotency_key}",))
        row = conn.execute(
            "SELECT log_id, value1 FROM crm.logs WHERE description = 'lead capture prepared' AND reference_id1 = %s"
            " AND value2 = %s ORDER BY log_id LIMIT 1",
            (campaign_id, idempotency_key),
        ).fetchone()
        if row is not None:
            return LeadCapture(capture_id=row[0], campaign_id=campaign_id, created=False, **json.loads(row[1]))
        config = {"sources": sorted(set(sources)), "channels": sorted(set(channels)), "markets": sorted(set(markets))}
        log_id = write_log(
            conn, "audit", LOG_SOURCE, "lead capture prepared", campaign_id, None, json.dumps(config), idempotency_key
        )
    return LeadCapture(capture_id=log_id, campaign_id=campaign_id, created=True, **config)

"""The PromptCRM MCP server (G1, R1, R5, N4): register leads, follow them, campaign sales, client 360.

``client360`` returns the decrypted national ID and context data only to a caller whose token has scope
``crm:pii``; it is cached (kind ``pii``, 60 s) with the caller's holding of ``crm:pii`` in the key, and
every PII read — from the cache or not — is written to PromptCRM's checksummed log (``crmsp_write_log``,
through :func:`promptsales.crm.service.log_reveal`) and to the central audit trail (docs/cache.md §10). ``prepareLeadCapture``
records how a new campaign captures leads (sources, channels, markets), idempotently.
Run with ``promptsales mcp serve crm --transport stdio|http``.
"""

from __future__ import annotations

import json
import threading
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from promptsales.cache import Scope
from promptsales.cache.mcp import CachePolicy
from promptsales.config import get_settings
from promptsales.crm.crypto import blind_index, field_aad, field_cipher, normalise_national_id
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import log_reveal, reveal_client
from promptsales.db.connect import conninfo
from promptsales.errors import UserError
from promptsales.mcpkit import ToolInputError, ToolKit, audit, current_caller

_pools: dict[str, ConnectionPool] = {}
_pool_lock = threading.Lock()
PII_SCOPE = "crm:pii"
LEAD_SOURCES = ("ad_click", "landing_form", "chatbot", "message_reply", "influencer_link", "referral", "organic")


def pool(role: str) -> ConnectionPool:
    """A small pool of PromptCRM connections for ``role`` (etl: reads, app: writes)."""
    with _pool_lock:
        if role not in _pools:
            _pools[role] = ConnectionPool(
                conninfo(get_settings(), "crm", role), min_size=1, max_size=4, open=True, kwargs={"connect_timeout": 5}
            )
        return _pools[role]


kit = ToolKit(
    "crm",
    title="PromptCRM",
    instructions=(
        "PromptCRM follows every person a campaign reaches until the sale. registerLead adds a person (and their "
        "lead for a campaign); leadTimeline shows a lead's stages, interactions and sale; campaignSales sums a "
        "campaign's sales by channel and market; client360 shows a client (sensitive fields only with scope "
        "crm:pii, audited); prepareLeadCapture sets up lead capture for a new campaign."
    ),
)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _log(
    conn, kind: str, description: str, ref1: int | None, ref2: int | None, value1: str | None, value2: str | None
) -> int:
    row = conn.execute(
        "CALL crm.crmsp_write_log(%s, 'mcp', 'info', %s, %s, %s, %s, %s, NULL)",
        (kind, description, ref1, ref2, value1, value2),
    ).fetchone()
    return int(row[0])


def _has_link(conn) -> bool:
    return conn.execute("SELECT to_regclass('ads_link.campaign_channels') IS NOT NULL").fetchone()[0]


# -- models --------------------------------------------------------------------------------------------
class Person(BaseModel):
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    phone: str = Field(min_length=5, max_length=30)
    birth_year: int = Field(ge=1920, le=2012)
    country_code: str = Field(pattern=r"^[A-Z]{2}$")
    region: str = Field(min_length=1, max_length=100)
    city: str = Field(min_length=1, max_length=100)
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    national_id: str = Field(min_length=5, max_length=30, description="Like CR-1-0234-0567; stored encrypted.")
    context: dict[str, Any] = Field(default_factory=dict, description="Context data; stored encrypted.")
    interests: list[str] = Field(default_factory=list, max_length=20)
    consent_email: bool = False
    consent_sms: bool = False


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


class SalesRow(BaseModel):
    key: int
    sales: int
    amount: float


class CampaignSales(BaseModel):
    campaign_id: int
    leads: int
    clients: int
    sales: int
    amount: float
    by_channel: list[SalesRow]
    by_market: list[SalesRow]


class Client360(BaseModel):
    client_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    country_code: str
    region: str
    city: str
    interests: list[str]
    consents: dict[str, bool]
    leads: int
    campaigns: list[int]
    sales: int
    amount: float
    interactions: int
    sensitive_included: bool
    national_id: str | None = None
    context: dict[str, Any] | None = None


class LeadCapture(BaseModel):
    capture_id: int
    campaign_id: int
    sources: list[str]
    channels: list[int]
    markets: list[int]
    created: bool


# -- tools ---------------------------------------------------------------------------------------------
@kit.tool(
    scope="crm:write",
    read_only=False,
    title="Register a lead",
    invalidates=lambda args, result: [Scope("crm", "client", result.client_id)],
)  # + collection, any-change
def registerLead(
    campaign_id: Annotated[int, Field(ge=1)],
    channel_id: Annotated[int, Field(ge=1, le=32767)],
    market_id: Annotated[int, Field(ge=1, le=32767)],
    person: Person,
    source: Annotated[Literal[LEAD_SOURCES], Field(description="How the person arrived.")] = "landing_form",  # type: ignore[valid-type]
    ad_id: Annotated[
        int | None,
        Field(
            ge=1,
            description="The ad that reached the person; default: the campaign's "
            "first ad on the channel (through the linked server).",
        ),
    ] = None,
    score: Annotated[int, Field(ge=0, le=100, description="Purchase-intent score.")] = 50,
) -> RegisteredLead:
    """Registers a person reached by a campaign: the client (found by e-mail, or created with the national ID
    and context encrypted with AES-256-GCM) and their lead for the campaign at stage 'new'. Registering the
    same person for the same campaign again returns the existing lead (nothing duplicated)."""
    try:
        national_id = normalise_national_id(person.national_id)
    except UserError as error:
        raise ToolInputError(str(error)) from None
    settings = get_settings()
    with pool("app").connection() as conn:
        if ad_id is None:
            if not _has_link(conn):
                raise ToolInputError("ad_id is required: the linked server to PromptAds is not configured.")
            row = conn.execute(
                "SELECT min(ad_id) FROM ads_link.ads WHERE campaign_id = %s AND channel_id = %s",
                (campaign_id, channel_id),
            ).fetchone()
            if row[0] is None:
                raise ToolInputError(f"Campaign {campaign_id} has no ad on channel {channel_id} in PromptAds.")
            ad_id = int(row[0])
        if _has_link(conn):
            ok = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM ads_link.campaign_markets WHERE campaign_id = %s AND market_id = %s)",
                (campaign_id, market_id),
            ).fetchone()[0]
            if not ok:
                raise ToolInputError(f"Market {market_id} is not one of campaign {campaign_id}'s markets in PromptAds.")
        source_id = conn.execute("SELECT source_id FROM crm.lead_sources WHERE code = %s", (source,)).fetchone()[0]
        with conn.transaction():
            existing = conn.execute(
                "SELECT client_id FROM crm.clients WHERE lower(email) = lower(%s) ORDER BY client_id LIMIT 1",
                (person.email,),
            ).fetchone()
            client_created = existing is None
            if existing is None:
                store = KeyStore.for_server(settings, "crm", None)
                data_key = conn.execute(
                    "SELECT max(data_key_id) FROM crm.data_keys WHERE purpose = 'field'"
                ).fetchone()[0]
                if data_key is None:
                    raise ToolInputError(
                        "PromptCRM has no field-encryption key yet (seed or initialise the CRM first)."
                    )
                cipher = field_cipher(conn, store, data_key)
                index = blind_index(conn, store, create=True)
                client_id = conn.execute(
                    "SELECT nextval(pg_get_serial_sequence('crm.clients', 'client_id'))"
                ).fetchone()[0]
                conn.execute(
                    "INSERT INTO crm.clients (client_id, first_name, last_name, email, phone, birth_year, home_market_id,"
                    " country_code, region, city, latitude, longitude, interests, consent_email, consent_sms,"
                    " national_id_enc, national_id_bidx, context_enc, data_key_id)"
                    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    (
                        client_id,
                        person.first_name,
                        person.last_name,
                        person.email,
                        person.phone,
                        person.birth_year,
                        market_id,
                        person.country_code,
                        person.region,
                        person.city,
                        person.latitude,
                        person.longitude,
                        person.interests,
                        person.consent_email,
                        person.consent_sms,
                        cipher.encrypt(national_id.encode(), field_aad("crm.clients", "national_id", client_id)),
                        index.digest(national_id),
                        cipher.encrypt(
                            json.dumps(person.context).encode(), field_aad("crm.clients", "context", client_id)
                        ),
                        data_key,
                    ),
                )
            else:
                client_id = existing[0]
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
            lead_id = conn.execute(
                "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id, stage_id, score,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s, 1, %s, now()) RETURNING lead_id",
                (client_id, campaign_id, ad_id, channel_id, market_id, source_id, score),
            ).fetchone()[0]
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
            _log(
                conn, "audit", "lead registered over MCP", lead_id, client_id, str(campaign_id), current_caller().actor
            )
    return RegisteredLead(
        lead_id=lead_id, client_id=client_id, campaign_id=campaign_id, created=True, client_created=client_created
    )


@kit.tool(scope="crm:read", read_only=True, title="Lead timeline")
def leadTimeline(lead_id: Annotated[int, Field(ge=1)]) -> LeadTimeline:
    """A lead's funnel-stage changes, interactions and sale, in time order."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as cur:
        lead = cur.execute(
            "SELECT l.lead_id, l.client_id, l.campaign_id, l.channel_id, l.market_id, s.code AS source, f.code AS stage,"
            " l.score, l.created_at FROM crm.leads l JOIN crm.lead_sources s USING (source_id)"
            " JOIN crm.funnel_stages f USING (stage_id) WHERE l.lead_id = %s",
            (lead_id,),
        ).fetchone()
        if lead is None:
            raise ToolInputError(f"No lead has id {lead_id}.")
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
        sale_amount=_plain(sale["amount"]) if sale else None,
        sold_at=sale["sold_at"] if sale else None,
    )


@kit.tool(scope="crm:read", read_only=True, title="Campaign sales")
def campaignSales(campaign_id: Annotated[int, Field(ge=1)]) -> CampaignSales:
    """A campaign's leads, buying clients, sales count and amount, in total and by channel and market."""
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as cur:
        leads = cur.execute(
            "SELECT count(*) AS leads FROM crm.leads WHERE campaign_id = %s", (campaign_id,)
        ).fetchone()["leads"]
        total = cur.execute(
            "SELECT count(*) AS sales, count(DISTINCT client_id) AS clients, coalesce(sum(amount), 0) AS amount"
            " FROM crm.sales WHERE campaign_id = %s",
            (campaign_id,),
        ).fetchone()
        if leads == 0 and total["sales"] == 0:
            known = cur.execute(
                "SELECT EXISTS (SELECT 1 FROM crm.client_campaigns WHERE campaign_id = %s) AS k", (campaign_id,)
            ).fetchone()["k"]
            if not known:
                raise ToolInputError(f"PromptCRM has no lead, client or sale for campaign {campaign_id}.")
        parts = {}
        for column in ("channel_id", "market_id"):
            parts[column] = cur.execute(
                f"SELECT {column} AS key, count(*) AS sales, sum(amount) AS amount FROM crm.sales WHERE campaign_id = %s"
                f" GROUP BY {column} ORDER BY {column}",
                (campaign_id,),
            ).fetchall()
    return CampaignSales(
        campaign_id=campaign_id,
        leads=leads,
        clients=total["clients"],
        sales=total["sales"],
        amount=_plain(total["amount"]),
        by_channel=[SalesRow(**{k: _plain(v) for k, v in r.items()}) for r in parts["channel_id"]],
        by_market=[SalesRow(**{k: _plain(v) for k, v in r.items()}) for r in parts["market_id"]],
    )


def audit_pii_read(arguments: dict[str, Any], result: Client360) -> None:
    """The trace of one client360 answer that carried decrypted PII — written on every call, cache hit or
    miss: PromptCRM's checksummed log (security row: client, data key, actor; synchronous, so PII is never
    returned unlogged) and the central audit trail (``client360.pii``: who, which client, which fields)."""
    if not result.sensitive_included:
        return
    caller = current_caller()
    if PII_SCOPE not in caller.scopes:  # defence in depth: the cache key already separates permission levels
        raise RuntimeError("client360: an answer with PII reached a caller without crm:pii")
    client_id = arguments["client_id"]
    with pool("app").connection() as conn:
        data_key = conn.execute("SELECT data_key_id FROM crm.clients WHERE client_id = %s", (client_id,)).fetchone()
        log_reveal(conn, client_id, data_key[0] if data_key else None, caller.actor)
    audit.record(
        caller.actor,
        "crm",
        "client360.pii",
        "ok",
        0.0,
        {"client_id": client_id, "fields": ["national_id", "context"], "transport": caller.transport},
    )


@kit.tool(
    scope="crm:read",
    read_only=True,
    title="Client 360",
    cache=CachePolicy(
        kind="pii",
        permission_scopes=(PII_SCOPE,),
        depends=lambda a: [Scope("crm", "client", a["client_id"])],
        every_call=audit_pii_read,
    ),
)
def client360(client_id: Annotated[int, Field(ge=1)]) -> Client360:
    """Everything about one client: profile, consents, campaigns, leads, sales, interactions. The national ID
    and context data are decrypted and included only for a caller with scope crm:pii; every such read is
    logged in PromptCRM (checksummed log) and in the central audit trail, cached answers included."""
    caller = current_caller()
    with pool("etl").connection() as raw, raw.cursor(row_factory=dict_row) as cur:
        profile = cur.execute(
            "SELECT client_id, first_name, last_name, email, phone, country_code, region, city, interests,"
            " consent_email, consent_sms, consent_whatsapp, consent_phone, consent_social FROM crm.clients"
            " WHERE client_id = %s",
            (client_id,),
        ).fetchone()
        if profile is None:
            raise ToolInputError(f"No client has id {client_id}.")
        activity = cur.execute(
            "SELECT (SELECT count(*) FROM crm.leads WHERE client_id = %(c)s) AS leads,"
            " (SELECT coalesce(array_agg(DISTINCT campaign_id ORDER BY campaign_id), '{}') FROM crm.client_campaigns"
            "  WHERE client_id = %(c)s) AS campaigns,"
            " (SELECT count(*) FROM crm.sales WHERE client_id = %(c)s) AS sales,"
            " (SELECT coalesce(sum(amount), 0) FROM crm.sales WHERE client_id = %(c)s) AS amount,"
            " (SELECT count(*) FROM crm.interactions WHERE client_id = %(c)s) AS interactions",
            {"c": client_id},
        ).fetchone()
    consents = {k.removeprefix("consent_"): profile.pop(k) for k in list(profile) if k.startswith("consent_")}
    result = Client360(
        **profile,
        consents=consents,
        leads=activity["leads"],
        campaigns=list(activity["campaigns"]),
        sales=activity["sales"],
        amount=_plain(activity["amount"]),
        interactions=activity["interactions"],
        sensitive_included=False,
    )
    # only a token with crm:pii unlocks PII (stdio callers have no token: use `promptsales crm reveal`)
    if PII_SCOPE not in caller.scopes:
        return result
    revealed = reveal_client(get_settings(), client_id, actor=caller.actor, log=False)  # logged by audit_pii_read
    return result.model_copy(
        update={"sensitive_included": True, "national_id": revealed["national_id"], "context": revealed["context"]}
    )


@kit.tool(scope="crm:write", read_only=False, title="Prepare lead capture for a campaign")
def prepareLeadCapture(
    campaign_id: Annotated[int, Field(ge=1)],
    sources: Annotated[list[Literal[LEAD_SOURCES]], Field(min_length=1, max_length=7)],  # type: ignore[valid-type]
    channels: Annotated[list[int], Field(min_length=1, max_length=20)],
    markets: Annotated[list[int], Field(min_length=1, max_length=50)],
    idempotency_key: Annotated[str, Field(min_length=1, max_length=100)],
) -> LeadCapture:
    """Records how a new campaign captures leads (sources, channels, markets) in PromptCRM's checksummed log.
    The idempotency key makes a retry return the capture already prepared instead of writing a second one."""
    with pool("app").connection() as conn:
        if _has_link(conn):
            known = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM ads_link.campaigns WHERE campaign_id = %s)", (campaign_id,)
            ).fetchone()[0]
            if not known:
                raise ToolInputError(f"Campaign {campaign_id} does not exist in PromptAds.")
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"lead-capture:{idempotency_key}",))
            row = conn.execute(
                "SELECT log_id, value1 FROM crm.logs WHERE description = 'lead capture prepared' AND reference_id1 = %s"
                " AND value2 = %s ORDER BY log_id LIMIT 1",
                (campaign_id, idempotency_key),
            ).fetchone()
            if row is not None:
                config = json.loads(row[1])
                return LeadCapture(capture_id=row[0], campaign_id=campaign_id, created=False, **config)
            config = {
                "sources": sorted(set(sources)),
                "channels": sorted(set(channels)),
                "markets": sorted(set(markets)),
            }
            log_id = _log(
                conn, "audit", "lead capture prepared", campaign_id, None, json.dumps(config), idempotency_key
            )
    return LeadCapture(capture_id=log_id, campaign_id=campaign_id, created=True, **config)

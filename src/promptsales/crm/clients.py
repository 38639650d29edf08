"""PromptCRM clients (SPEC R1, R5): a new client with encrypted sensitive fields, and the 360° view of one.

Plain functions over an open connection; the MCP tools (``registerLead``, ``client360``) call them.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from pydantic import BaseModel, Field

from promptsales.config import Settings
from promptsales.crm.crypto import BlindIndex, blind_index
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import reveal_client
from promptsales.crm.subject_keys import new_client_cipher
from promptsales.db.fetch import lookup, one, scalar


# Models of the MCP tools' published schemas: no class docstrings (a docstring would change the schema).
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
    consent_third_party: bool = Field(
        default=False, description="Consent to share with third parties (integrations); CCPA opt-outs override it."
    )


class LeadIntent(BaseModel):
    lead_id: int
    campaign_id: int
    stage: str
    probability: float = Field(description="Stored purchase-intent probability (lead_scoring model).")
    model_version: int


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
    purchase_intent: list[LeadIntent] = Field(
        default_factory=list, description="The client's open leads with their stored purchase-intent score."
    )
    sensitive_included: bool
    national_id: str | None = None
    context: dict[str, Any] | None = None


def find_client_by_email(conn: psycopg.Connection, email: str) -> int | None:
    """The id of the (first) client with this e-mail address, compared case-insensitively; None if none."""
    row = conn.execute(
        "SELECT client_id FROM crm.clients WHERE lower(email) = lower(%s) ORDER BY client_id LIMIT 1", (email,)
    ).fetchone()
    return None if row is None else row[0]


def create_client(
    conn: psycopg.Connection, keystore: KeyStore, person: Person, national_id: str, home_market_id: int
) -> int:
    """Insert a client with ``national_id`` (normalised) and the context data encrypted under a key of the client's
    own (:func:`promptsales.crm.subject_keys.new_client_cipher`), and the national ID's blind index; returns the new
    client id. A person whose e-mail is on the CCPA opt-out list is stored opted out (``do_not_sell``, no
    third-party consent) whatever the form said. The caller commits."""
    index = blind_index(conn, keystore, create=True)
    client_id: int = scalar(conn, "SELECT nextval(pg_get_serial_sequence('crm.clients', 'client_id'))")
    cipher = new_client_cipher(conn, keystore, client_id)
    opted_out = bool(
        scalar(
            conn,
            "SELECT EXISTS (SELECT 1 FROM crm.privacy_optouts WHERE email_bidx = %s)",
            (email_index(index, person.email),),
        )
    )
    conn.execute(
        "INSERT INTO crm.clients (client_id, first_name, last_name, email, phone, birth_year, home_market_id,"
        " country_code, region, city, latitude, longitude, interests, consent_email, consent_sms,"
        " consent_third_party, do_not_sell, national_id_enc, national_id_bidx, context_enc, data_key_id)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (
            client_id,
            person.first_name,
            person.last_name,
            person.email,
            person.phone,
            person.birth_year,
            home_market_id,
            person.country_code,
            person.region,
            person.city,
            person.latitude,
            person.longitude,
            person.interests,
            person.consent_email,
            person.consent_sms,
            person.consent_third_party and not opted_out,
            opted_out,
            cipher.encrypt_national_id(client_id, national_id),
            index.digest(national_id),
            cipher.encrypt_context(client_id, person.context),
            cipher.data_key_id,
        ),
    )
    return client_id


def email_index(index: BlindIndex, email: str) -> bytes:
    """Keyed hash of a lower-cased e-mail (the opt-out list and request references hold this, never the address)."""
    return index.digest("email:" + email.strip().lower())


def client_360(conn: psycopg.Connection, settings: Settings, client_id: int, include_pii: bool) -> Client360:
    """Profile, consents, campaigns, leads, sales, interactions and the stored purchase-intent score of each open
    lead of a client (read on ``conn``); with
    ``include_pii`` also the decrypted national ID and context (:func:`reveal_client`, not logged here: the
    caller logs every PII read). An unknown client is a UserError."""
    with conn.cursor(row_factory=dict_row) as cur:
        profile = lookup(
            cur,
            "SELECT client_id, first_name, last_name, email, phone, country_code, region, city, interests,"
            " consent_email, consent_sms, consent_whatsapp, consent_phone, consent_social FROM crm.clients"
            " WHERE client_id = %s",
            (client_id,),
            f"No client has id {client_id}.",
        )
        activity = one(
            cur,
            "SELECT (SELECT count(*) FROM crm.leads WHERE client_id = %(c)s) AS leads,"
            " (SELECT coalesce(array_agg(DISTINCT campaign_id ORDER BY campaign_id), '{}') FROM crm.client_campaigns"
            "  WHERE client_id = %(c)s) AS campaigns,"
            " (SELECT count(*) FROM crm.sales WHERE client_id = %(c)s) AS sales,"
            " (SELECT coalesce(sum(amount), 0) FROM crm.sales WHERE client_id = %(c)s) AS amount,"
            " (SELECT count(*) FROM crm.interactions WHERE client_id = %(c)s) AS interactions",
            {"c": client_id},
        )
        intent = cur.execute(
            "SELECT l.lead_id, l.campaign_id, f.code AS stage, s.probability, s.model_version"
            " FROM crm.leads l JOIN crm.lead_scores s USING (lead_id) JOIN crm.funnel_stages f USING (stage_id)"
            " WHERE l.client_id = %s AND l.stage_id NOT IN (6, 7) ORDER BY s.probability DESC",
            (client_id,),
        ).fetchall()
    consents = {k.removeprefix("consent_"): profile.pop(k) for k in list(profile) if k.startswith("consent_")}
    result = Client360(
        **profile,
        consents=consents,
        leads=activity["leads"],
        campaigns=list(activity["campaigns"]),
        sales=activity["sales"],
        amount=activity["amount"],
        interactions=activity["interactions"],
        purchase_intent=[LeadIntent(**row) for row in intent],
        sensitive_included=False,
    )
    if not include_pii:
        return result
    revealed = reveal_client(settings, client_id, log=False)
    return result.model_copy(
        update={"sensitive_included": True, "national_id": revealed["national_id"], "context": revealed["context"]}
    )

"""PromptCRM operations as plain functions over the databases (the CLI and MCP layers call these).

* :func:`check_consistency` — SPEC R3: CRM vs PromptAds per campaign × channel × market, one SQL
  statement through the linked server.
* :func:`crm_stats` — row counts and the clients-per-campaign range (SPEC R2).
* :func:`reveal_client`, :func:`find_by_national_id` — SPEC R5: decrypt a client's sensitive fields with
  the key store, and search by national ID through the blind index without decrypting the table;
  :func:`log_reveal`/:func:`log_client_reveal` write the security row of a reveal.

Leads, clients and campaign sales as the MCP tools use them: :mod:`promptsales.crm.leads`,
:mod:`promptsales.crm.clients`, :mod:`promptsales.crm.campaigns`.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

import psycopg

from promptsales.audit.trail import current_actor, record
from promptsales.config import Settings
from promptsales.crm.crypto import ClientFieldCipher, blind_index, normalise_national_id
from promptsales.crm.keystore import KeyStore
from promptsales.crm.link import ensure_link
from promptsales.crm.log import write_log
from promptsales.db.connect import connect
from promptsales.db.fetch import lookup, one, scalar
from promptsales.errors import UserError

COUNTED_TABLES = (
    "clients",
    "leads",
    "client_campaigns",
    "interactions",
    "lead_stage_history",
    "sales",
    "data_keys",
    "logs",
    "lead_sources",
    "funnel_stages",
    "interaction_types",
)


def _sql(name: str) -> str:
    return (resources.files("promptsales.crm") / "sql" / name).read_text()


def unknown_client(client_id: int) -> str:
    """The user's error for a client id PromptCRM does not hold."""
    return f"Unknown client {client_id}: no such client in PromptCRM."


@dataclass
class ConsistencyReport:
    """Outcome of the CRM ↔ PromptAds comparison."""

    groups_compared: int
    mismatches: list[dict[str, Any]] = field(default_factory=list)
    duration_ms: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every campaign × channel × market agrees."""
        return not self.mismatches

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"ok": self.ok, **asdict(self)}


def check_consistency(
    settings: Settings, crm_dbname: str | None = None, ads_dbname: str | None = None
) -> ConsistencyReport:
    """Compare leads/clients, sales and revenue with PromptAds per campaign × channel × market.

    Reach agrees when the number of distinct CRM clients with a lead for a campaign × channel × market
    equals PromptAds ``SUM(ad_results.leads)`` there; sales when the CRM sale count equals
    ``SUM(sales)``; amounts when ``SUM(crm.sales.amount)`` equals ``SUM(revenue)`` to the cent.
    """
    ensure_link(settings, crm_dbname, ads_dbname)
    with connect("crm", "analyst", settings=settings, dbname=crm_dbname) as conn:
        try:
            return consistency_report(conn)
        except (psycopg.OperationalError, psycopg.errors.ProhibitedSqlStatementAttempted) as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise UserError(f"The check cannot read PromptAds through the linked server: {reason}") from None


def consistency_report(conn: psycopg.Connection) -> ConsistencyReport:
    """Run the one-statement comparison on an open PromptCRM connection (sees its uncommitted changes)."""
    started = time.perf_counter()
    groups, mismatches = one(conn, _sql("consistency.sql").encode())
    elapsed = (time.perf_counter() - started) * 1000
    return ConsistencyReport(int(groups or 0), list(mismatches or []), round(elapsed, 1))


def crm_stats(settings: Settings, dbname: str | None = None) -> dict[str, Any]:
    """Row counts per table (top-level keys, e.g. ``clients``) plus clients per campaign and sales totals."""
    with connect("crm", "analyst", settings=settings, dbname=dbname) as conn:
        counts = {
            table: scalar(conn, f"SELECT count(*) FROM crm.{table}")  # names from COUNTED_TABLES
            for table in COUNTED_TABLES
        }
        per_campaign = one(
            conn,
            "SELECT count(*), min(n), max(n), round(avg(n), 1) FROM "
            "(SELECT campaign_id, count(DISTINCT client_id) AS n FROM crm.leads GROUP BY campaign_id) c",
        )
        repeat = scalar(
            conn,
            "SELECT count(*) FILTER (WHERE n > 1) FROM (SELECT client_id, count(*) AS n FROM crm.leads GROUP BY 1) c",
        )
        revenue = scalar(conn, "SELECT coalesce(sum(amount), 0) FROM crm.sales")
    return {
        **counts,
        "campaigns": per_campaign[0],
        "clients_per_campaign": {"min": per_campaign[1], "max": per_campaign[2], "avg": float(per_campaign[3] or 0)},
        "clients_in_several_campaigns": repeat,
        "sales_amount_usd": str(revenue),
    }


def _keystore(settings: Settings, dbname: str | None, keystore: KeyStore | None) -> KeyStore:
    return keystore or KeyStore.for_server(settings, "crm", dbname)


def log_reveal(conn: psycopg.Connection, client_id: int, data_key_id: int | None, actor: str) -> None:
    """Write the security row of one reveal of a client's sensitive fields to PromptCRM's checksummed log
    (who, which client, with which data key). The caller commits."""
    write_log(conn, "security", "service", "sensitive fields of a client revealed", client_id, data_key_id, actor)


def log_client_reveal(conn: psycopg.Connection, client_id: int, actor: str) -> None:
    """:func:`log_reveal` for a reveal made elsewhere (the cached ``client360``): the client's data key is
    looked up here (none for an unknown client). The caller commits."""
    row = conn.execute("SELECT data_key_id FROM crm.clients WHERE client_id = %s", (client_id,)).fetchone()
    log_reveal(conn, client_id, row[0] if row else None, actor)


def reveal_client(
    settings: Settings,
    client_id: int,
    dbname: str | None = None,
    keystore: KeyStore | None = None,
    actor: str | None = None,
    log: bool = True,
) -> dict[str, Any]:
    """A client's record with national ID and context data decrypted; the reveal is logged (PromptCRM's security
    row and the central audit, category ``pii``) under ``actor`` (default: whoever is acting now).

    ``log=False`` leaves the log rows to the caller (the cached MCP ``client360`` writes them on every call, hit
    or miss). Unknown clients are a UserError; a missing or wrong certificate is a KeyStoreError (a UserError).
    """
    if not isinstance(client_id, int) or isinstance(client_id, bool) or client_id <= 0:
        raise UserError(f"Client id must be a positive integer, got {client_id!r}.")
    actor = actor or current_actor()
    started = time.perf_counter()
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        row = lookup(
            conn,
            "SELECT client_id, first_name, last_name, email, phone, country_code, city, data_key_id, "
            "national_id_enc, context_enc FROM crm.clients WHERE client_id = %s",
            (client_id,),
            unknown_client(client_id),
        )
        cipher = ClientFieldCipher.load(conn, _keystore(settings, dbname, keystore), row[7])
        national_id = cipher.decrypt_national_id(client_id, row[8])
        context = cipher.decrypt_context(client_id, row[9])
        if log:
            log_reveal(conn, client_id, row[7], actor)
        conn.commit()
    if log:
        record(
            actor,
            "crm",
            "crm.reveal",
            "ok",
            (time.perf_counter() - started) * 1000,
            {"client_id": client_id, "fields": ["national_id", "context"]},
            settings,
            category="pii",
        )
    return {
        "client_id": row[0],
        "first_name": row[1],
        "last_name": row[2],
        "email": row[3],
        "phone": row[4],
        "country_code": row[5],
        "city": row[6],
        "national_id": national_id,
        "context": context,
    }


def find_by_national_id(
    settings: Settings, national_id: str, dbname: str | None = None, keystore: KeyStore | None = None
) -> list[int]:
    """Client ids whose national ID equals ``national_id``, found through the blind index.

    The table is never decrypted wholesale: the HMAC of the normalised ID is looked up in an index, and
    only the (usually single) candidate rows are decrypted to rule out a truncated-HMAC collision.
    """
    normalised = normalise_national_id(national_id)
    store = _keystore(settings, dbname, keystore)
    with connect("crm", "app", settings=settings, dbname=dbname) as conn:
        index = blind_index(conn, store)
        rows = conn.execute(
            "SELECT client_id, data_key_id, national_id_enc FROM crm.clients WHERE national_id_bidx = %s",
            (index.digest(normalised),),
        ).fetchall()
        found = []
        for client_id, data_key_id, blob in rows:
            if ClientFieldCipher.load(conn, store, data_key_id).decrypt_national_id(client_id, blob) == normalised:
                found.append(client_id)
    return found


def json_default(value: Any) -> Any:
    """JSON encoder for Decimal and dates in service results."""
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")

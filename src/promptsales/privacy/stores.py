"""What each store holds about a data subject, and how each forgets them.

| store | holds | export | erase |
|---|---|---|---|
| PromptCRM (PostgreSQL) | the client, leads, reach, sales, interactions, stage history, AI scores, log rows, requests | every row, protected fields decrypted | ``crm.crmsp_privacy_erase``: anonymise, destroy the subject key, blank comments, drop scores |
| PromptContent (MongoDB API) | content requests and message logs whose text names them | the documents | identifiers replaced by ``[erased]`` |
| cache (Valkey) | cached answers and AI entries that contain them | key, TTL and value | keys deleted, the client's generation bumped |
| PromptSales (PostgreSQL) | audit rows (ids only), AI-usage rows (ids, or their identifiers in texts) | the rows | identifiers in AI texts redacted; audit kept (append-only, 90 days) |
| warehouse ``wh.*`` | aggregates per campaign × channel × market × month — no person | nothing | nothing (facts kept: totals unchanged) |
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

from promptsales.cache import Scope
from promptsales.cache.instances import get_cache
from promptsales.cache.keys import FLUSH_PATTERNS, STATS_KEY
from promptsales.cache.serialise import loads
from promptsales.config import Settings
from promptsales.content.store import mongo_database
from promptsales.crm.crypto import ClientFieldCipher, DecryptionError
from promptsales.crm.keystore import KeyStore
from promptsales.db.connect import connect
from promptsales.errors import ServiceUnavailable
from promptsales.privacy.subject import Subject

#: PromptContent collections that log what people typed or what was generated.
CONTENT_LOGS: dict[str, tuple[str, ...]] = {
    "content_requests": ("campaign_description", "target_audiences", "requested_by"),
    "campaign_message_logs": ("campaign_description", "target_audiences", "messages.text"),
}
REDACTED = "[erased]"
#: CRM tables read per client (``client_id``) and per lead (``lead_id``).
CRM_CLIENT_TABLES = ("leads", "client_campaigns", "sales", "interactions")
CRM_LEAD_TABLES = ("lead_stage_history", "lead_scores")
#: Columns of crm.clients never exported as stored (ciphertexts and blind index; the clear values replace them).
CLIENT_CIPHER_COLUMNS = ("national_id_enc", "context_enc", "national_id_bidx")


def plain(value: Any) -> Any:
    """A JSON-ready copy of a database or document value (times ISO 8601, decimals as text, bytes as hex)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# ---- PromptCRM ------------------------------------------------------------------------------------------------


def crm_rows(conn: psycopg.Connection, keystore: KeyStore, subject: Subject) -> dict[str, list[dict]]:
    """Every PromptCRM row about the subject, per table; the clients with their national ID and context decrypted
    (the caller audits the reveal)."""
    clients, leads = subject.client_ids, subject.lead_ids
    out: dict[str, list[dict]] = {}
    with conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            "SELECT * FROM crm.clients WHERE client_id = ANY (%s::integer[]) ORDER BY client_id", (clients,)
        )
        out["clients"] = []
        for row in rows.fetchall():
            client = {k: v for k, v in row.items() if k not in CLIENT_CIPHER_COLUMNS}
            try:
                cipher = ClientFieldCipher.load(conn, keystore, row["data_key_id"])
                client["national_id"] = cipher.decrypt_national_id(row["client_id"], row["national_id_enc"])
                client["context"] = cipher.decrypt_context(row["client_id"], row["context_enc"])
            except DecryptionError as error:
                client["protected_fields_error"] = str(error)
            out["clients"].append(plain(client))
        for tables, column, ids in ((CRM_CLIENT_TABLES, "client_id", clients), (CRM_LEAD_TABLES, "lead_id", leads)):
            for table in tables:
                query = sql.SQL("SELECT * FROM {} WHERE {} = ANY (%s::bigint[]) ORDER BY 1").format(
                    sql.Identifier("crm", table), sql.Identifier(column)
                )
                out[table] = plain(cur.execute(query, (ids,)).fetchall())
        out["logs"] = plain(
            cur.execute(
                "SELECT l.log_id, l.logged_at, t.code AS type, s.code AS source, l.description, l.username,"
                " l.reference_id1, l.reference_id2, l.value1, l.value2 FROM crm.logs l"
                " JOIN crm.log_types t USING (log_type_id) JOIN crm.log_sources s USING (log_source_id)"
                " WHERE (t.code = 'security' AND l.reference_id1 = ANY (%(c)s::bigint[]))"
                "    OR (t.code = 'audit' AND l.reference_id1 = ANY (%(l)s::bigint[])"
                "        AND l.reference_id2 = ANY (%(c)s::bigint[]))"
                " ORDER BY l.log_id",
                {"c": clients, "l": leads},
            ).fetchall()
        )
        out["privacy_requests"] = plain(
            cur.execute(
                "SELECT request_id, kind, regime, subject_ref, client_ids, received_at, due_at, completed_at, outcome,"
                " detail FROM crm.privacy_requests WHERE subject_ref = %s OR client_ids && %s::integer[] ORDER BY request_id",
                (subject.reference, clients),
            ).fetchall()
        )
    return out


def erase_crm(conn: psycopg.Connection, subject: Subject, request_id: int, actor: str) -> None:
    """Anonymise the subject's clients and destroy their keys (one procedure call). The caller commits."""
    conn.execute("CALL crm.crmsp_privacy_erase(%s::integer[], %s, %s)", (subject.client_ids, request_id, actor))


# ---- PromptContent's logs (MongoDB API) ---------------------------------------------------------------------


def _needle_pattern(subject: Subject) -> re.Pattern[str] | None:
    needles = subject.needles
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE) if needles else None


def _content_query(pattern: re.Pattern[str], fields: Iterable[str]) -> dict:
    return {"$or": [{name: {"$regex": pattern.pattern, "$options": "i"}} for name in fields]}


def content_documents(settings: Settings, subject: Subject) -> dict[str, list[dict]]:
    """The PromptContent log documents whose text names the subject (e-mail, name or national ID), per collection."""
    pattern = _needle_pattern(subject)
    if pattern is None:
        return {name: [] for name in CONTENT_LOGS}
    db = mongo_database(settings)
    try:
        return {
            name: [plain(doc) for doc in db[name].find(_content_query(pattern, fields)).sort("_id", 1)]
            for name, fields in CONTENT_LOGS.items()
        }
    except Exception as error:  # pymongo's errors: the store is down
        raise ServiceUnavailable(f"PromptContent's MongoDB cannot be read: {str(error).splitlines()[0]}") from None


def _redact(value: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(REDACTED, value)
    if isinstance(value, list):
        return [_redact(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v, pattern) for k, v in value.items()}
    return value


def erase_content(settings: Settings, subject: Subject) -> int:
    """Replace the subject's identifiers by ``[erased]`` in PromptContent's log documents; returns documents changed."""
    pattern = _needle_pattern(subject)
    if pattern is None:
        return 0
    db = mongo_database(settings)
    changed = 0
    for name, fields in CONTENT_LOGS.items():
        top_fields = sorted({field.split(".")[0] for field in fields})
        for doc in db[name].find(_content_query(pattern, fields), {field: 1 for field in top_fields}):
            update = {field: _redact(doc[field], pattern) for field in top_fields if field in doc}
            changed += db[name].update_one({"_id": doc["_id"]}, {"$set": update}).modified_count
    return changed


# ---- the cache (Valkey) -------------------------------------------------------------------------------------


def _mentions(value: Any, subject: Subject, needles: list[str]) -> bool:
    """Whether a cached value names one of the subject's ids (``client_id``/``lead_id`` fields) or identifiers."""
    clients, leads = set(subject.client_ids), set(subject.lead_ids)

    def walk(node: Any) -> bool:
        if isinstance(node, dict):
            if node.get("client_id") in clients or node.get("lead_id") in leads:
                return True
            return any(walk(v) for v in node.values())
        if isinstance(node, list):
            return any(walk(v) for v in node)
        return isinstance(node, str) and any(n in node.lower() for n in needles)

    return walk(value)


def cache_entries(settings: Settings, subject: Subject) -> list[dict]:
    """Every cached value (answers, AI entries) that contains the subject: key, seconds to live and value."""
    if not subject.client_ids and not subject.needles:
        return []
    needles = subject.needles

    def scan(client: Any) -> list[dict]:
        found = []
        for pattern in FLUSH_PATTERNS:
            batch = [key for key in client.scan_iter(match=pattern, count=1000) if key != STATS_KEY.encode()]
            for start in range(0, len(batch), 500):
                keys = batch[start : start + 500]
                pipe = client.pipeline(transaction=False)
                for key in keys:
                    pipe.type(key)
                types = pipe.execute()
                strings = [k for k, t in zip(keys, types) if t in (b"string", "string")]
                for key, raw in zip(strings, client.mget(strings) if strings else []):
                    if raw is None:
                        continue
                    try:
                        value = loads(raw)
                    except ValueError:
                        value = raw.decode(errors="replace")
                    if _mentions(value, subject, needles):
                        found.append({"key": key.decode(), "ttl_seconds": client.ttl(key), "value": value})
        return found

    return get_cache(settings).connection.run(scan)


def erase_cache(settings: Settings, subject: Subject) -> int:
    """Delete every cached value that contains the subject and bump the generations of their clients (answers
    built later start afresh); returns the keys deleted."""
    entries = cache_entries(settings, subject)
    if entries:
        get_cache(settings).connection.run(lambda client: client.unlink(*[entry["key"] for entry in entries]))
    bump_clients(settings, subject.client_ids)
    return len(entries)


def bump_clients(settings: Settings, client_ids: list[int]) -> None:
    """Make every cached answer about these clients unreachable (their generation counters)."""
    if client_ids:
        get_cache(settings).bump(*[Scope("crm", "client", str(client_id)) for client_id in client_ids])


# ---- PromptSales: audit and AI-usage rows ----------------------------------------------------------------------


def sales_rows(settings: Settings, subject: Subject) -> dict[str, list[dict]]:
    """The central audit's and the AI-usage log's rows about the subject (``portal.privacy_subject_rows``)."""
    out: dict[str, list[dict]] = {"audit_log": [], "ai_usage_log": []}
    with connect("sales", "app", settings=settings) as conn:
        for store, _row_id, _at, content in conn.execute(
            "SELECT store, row_id, occurred_at, content FROM portal.privacy_subject_rows(%s::integer[], %s::bigint[], %s::text[])"
            " ORDER BY store, occurred_at, row_id",
            (subject.client_ids, subject.lead_ids, subject.needles),
        ):
            out[store].append(plain(content))
    return out


def erase_sales(settings: Settings, subject: Subject) -> int:
    """Redact the subject's identifiers from AI prompts and results; returns the rows changed."""
    with connect("sales", "app", settings=settings) as conn:
        changed = conn.execute("SELECT portal.privacy_redact_ai_usage(%s::text[])", (subject.needles,)).fetchone()
        conn.commit()
    return int(changed[0]) if changed else 0

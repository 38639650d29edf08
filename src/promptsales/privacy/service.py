"""Export, erase and opt-out for one data subject, across every store; each a recorded, audited request.

Every operation: check the input (a UserError before anything is written), resolve the person to PromptCRM
clients, record the request (``crm.privacy_requests``: kind, regime, keyed reference, deadline), do the work, mark
the request answered, and write one ``privacy`` row to the central audit (ids and counts, never the identifier).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg

from promptsales.audit.trail import current_actor, record
from promptsales.config import Settings
from promptsales.crm.clients import email_index
from promptsales.crm.crypto import blind_index
from promptsales.crm.keystore import KeyStore
from promptsales.crm.service import log_reveal
from promptsales.db.connect import connect
from promptsales.errors import UserError
from promptsales.privacy import archive, stores
from promptsales.privacy.requests import Kind, Regime, complete_request, list_requests, open_request
from promptsales.privacy.subject import Subject, parse_identifier, resolve

REGIMES: tuple[str, ...] = ("gdpr", "ccpa")


@dataclass
class Answer:
    """What a request did: its id, outcome, the clients concerned and what each store did."""

    request_id: int
    kind: str
    regime: str
    outcome: str
    subject_ref: str
    client_ids: list[int]
    detail: dict[str, Any]
    archive: bytes | None = None
    manifest: dict[str, Any] | None = None
    stores: dict[str, dict[str, list[dict]]] | None = None


def check_regime(regime: str) -> Regime:
    """``gdpr`` or ``ccpa``; a UserError otherwise."""
    if regime not in REGIMES:
        raise UserError(f"Unknown regime {regime!r}: expected gdpr (30-day deadline) or ccpa (45 days).")
    return regime  # type: ignore[return-value]


@contextmanager
def _request(
    settings: Settings, kind: Kind, regime: str, email: str | None, national_id: str | None, actor: str | None
) -> Iterator[tuple[psycopg.Connection, KeyStore, Subject, int, str, Callable[[str, dict], None]]]:
    """Check, resolve and record a request; yields (crm connection, key store, subject, request id, actor,
    finish(outcome, detail)). An error after the request was recorded marks it ``failed`` and is re-raised."""
    checked = check_regime(regime)
    identifier = parse_identifier(email, national_id)
    actor = actor or current_actor()
    started = time.perf_counter()
    keystore = KeyStore.for_server(settings)
    with connect("crm", "app", settings=settings) as conn:
        subject = resolve(conn, keystore, identifier)
        request_id = open_request(conn, kind, checked, subject.reference, subject.client_ids, actor)
        conn.commit()
        state: dict[str, Any] = {}

        def finish(outcome: str, detail: dict) -> None:
            complete_request(conn, request_id, outcome, detail, subject.client_ids)
            conn.commit()
            state.update(outcome=outcome, detail=detail)

        try:
            yield conn, keystore, subject, request_id, actor, finish
        except BaseException as error:
            conn.rollback()
            failure = {"error": str(error).splitlines()[0][:300] if str(error) else type(error).__name__}
            complete_request(conn, request_id, "failed", failure, subject.client_ids)
            conn.commit()
            state.update(outcome="failed", detail=failure)
            raise
        finally:
            record(
                actor,
                "crm",
                f"privacy.{kind}",
                "ok" if state.get("outcome") in ("completed", "no_data") else "error",
                (time.perf_counter() - started) * 1000,
                {
                    "request_id": request_id,
                    "regime": checked,
                    "client_ids": subject.client_ids,
                    "outcome": state.get("outcome", "failed"),
                    **{k: v for k, v in state.get("detail", {}).items() if k != "error"},
                },
                settings,
                category="privacy",
            )


def export_subject(
    settings: Settings,
    *,
    email: str | None = None,
    national_id: str | None = None,
    regime: str = "gdpr",
    actor: str | None = None,
) -> Answer:
    """Everything held about a person, from every store, as an archive (GDPR art. 15/20, CCPA right to know).
    Decrypting the protected fields is an authorised reveal: one security row per client in PromptCRM's log."""
    with _request(settings, "export", regime, email, national_id, actor) as (
        conn,
        keystore,
        subject,
        request_id,
        who,
        finish,
    ):
        collected: dict[str, dict[str, list[dict]]] = {
            "promptcrm": stores.crm_rows(conn, keystore, subject) if subject.client_ids else {},
            "promptcontent": stores.content_documents(settings, subject),
            "cache": {"entries": stores.cache_entries(settings, subject)},
            "promptsales": stores.sales_rows(settings, subject),
        }
        for client in collected["promptcrm"].get("clients", []):
            log_reveal(conn, client["client_id"], client["data_key_id"], who)
        counts = {
            f"{store}/{table}": len(rows) for store, tables in collected.items() for table, rows in tables.items()
        }
        found = any(counts.values())
        detail = {"rows": {k: v for k, v in counts.items() if v}, "fields_revealed": ["national_id", "context"]}
        manifest = {
            "request_id": request_id,
            "kind": "export",
            "regime": regime,
            "subject_ref": subject.reference,
            "client_ids": subject.client_ids,
        }
        data, full = archive.build(manifest, collected)
        finish("completed" if found else "no_data", detail)
    return Answer(
        request_id,
        "export",
        regime,
        "completed" if found else "no_data",
        subject.reference,
        subject.client_ids,
        detail,
        data,
        full,
        collected,
    )


def erase_subject(
    settings: Settings,
    *,
    email: str | None = None,
    national_id: str | None = None,
    regime: str = "gdpr",
    actor: str | None = None,
) -> Answer:
    """Forget a person everywhere (GDPR art. 17, CCPA right to delete): their identifiers out of PromptContent's
    logs, the AI texts and the cache first (while the CRM still knows them), then the CRM clients anonymised and
    their subject keys destroyed — which makes their protected fields unreadable in every backup — and the cache
    once more. Leads, sales and interactions stay (anonymised), so warehouse totals do not change."""
    with _request(settings, "erase", regime, email, national_id, actor) as (
        conn,
        _keystore,
        subject,
        request_id,
        who,
        finish,
    ):
        if not subject.client_ids:
            detail = {
                "content_documents": stores.erase_content(settings, subject),
                "ai_usage_rows": stores.erase_sales(settings, subject),
                "cache_keys": stores.erase_cache(settings, subject),
            }
            finish("no_data" if not any(detail.values()) else "completed", detail)
            return Answer(
                request_id,
                "erase",
                regime,
                "no_data" if not any(detail.values()) else "completed",
                subject.reference,
                [],
                detail,
            )
        content = stores.erase_content(settings, subject)
        ai_rows = stores.erase_sales(settings, subject)
        cached = stores.erase_cache(settings, subject)
        stores.erase_crm(conn, subject, request_id, who)
        conn.commit()
        cached += stores.erase_cache(settings, subject)
        detail = {
            "clients_anonymised": len(subject.client_ids),
            "subject_keys_destroyed": len(subject.client_ids),
            "leads_kept_anonymised": len(subject.lead_ids),
            "content_documents": content,
            "ai_usage_rows": ai_rows,
            "cache_keys": cached,
        }
        finish("completed", detail)
    return Answer(request_id, "erase", regime, "completed", subject.reference, subject.client_ids, detail)


def opt_out_subject(
    settings: Settings, *, email: str | None = None, national_id: str | None = None, actor: str | None = None
) -> Answer:
    """CCPA opt-out of sale and sharing: the person's clients are marked ``do_not_sell`` (no third-party export
    whatever their consent), and their e-mail is remembered by a keyed hash so that a later capture of the same
    person (``registerLead``) is stored opted out too."""
    with _request(settings, "opt_out", "ccpa", email, national_id, actor) as (
        conn,
        keystore,
        subject,
        request_id,
        who,
        finish,
    ):
        index = blind_index(conn, keystore, create=True)
        emails = sorted({*subject.emails, *([subject.identifier.value] if subject.identifier.kind == "email" else [])})
        conn.execute(
            "CALL crm.crmsp_privacy_opt_out(%s::integer[], %s::bytea[], %s, %s)",
            (subject.client_ids, [email_index(index, e) for e in emails], request_id, who),
        )
        conn.commit()
        stores.bump_clients(settings, subject.client_ids)
        detail = {"clients_opted_out": len(subject.client_ids), "emails_remembered": len(emails)}
        outcome = "completed" if subject.client_ids or emails else "no_data"
        finish(outcome, detail)
    return Answer(request_id, "opt_out", "ccpa", outcome, subject.reference, subject.client_ids, detail)


def requests(settings: Settings, open_only: bool = False) -> list[dict[str, Any]]:
    """The recorded requests, newest first, overdue ones flagged."""
    with connect("crm", "app", settings=settings) as conn:
        return list_requests(conn, open_only)

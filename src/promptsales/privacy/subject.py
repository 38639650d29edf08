"""Who a data-subject request is about: an e-mail address or a national ID, resolved to PromptCRM clients."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import psycopg

from promptsales.crm.clients import email_index
from promptsales.crm.crypto import BlindIndex, ClientFieldCipher, DecryptionError, blind_index, normalise_national_id
from promptsales.crm.keystore import KeyStore
from promptsales.errors import UserError

IdentifierKind = Literal["email", "national_id"]
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Identifier:
    """The identifier a person gave: its kind and its normalised value (lower-cased e-mail, canonical ID)."""

    kind: IdentifierKind
    value: str


def parse_identifier(email: str | None, national_id: str | None) -> Identifier:
    """Exactly one of an e-mail or a national ID, checked and normalised; a UserError otherwise."""
    if (email is None) == (national_id is None):
        raise UserError("Give exactly one of --email or --national-id (the person the request is about).")
    if email is not None:
        cleaned = email.strip().lower()
        if len(cleaned) > 200 or not EMAIL.match(cleaned):
            raise UserError(f"Malformed e-mail address {email[:60]!r}: expected name@domain.tld.")
        return Identifier("email", cleaned)
    return Identifier("national_id", normalise_national_id(str(national_id)))


@dataclass
class Subject:
    """A resolved data subject: the request's keyed reference and the CRM rows that are theirs."""

    identifier: Identifier
    reference: str
    client_ids: list[int] = field(default_factory=list)
    lead_ids: list[int] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    national_ids: list[str] = field(default_factory=list)

    @property
    def needles(self) -> list[str]:
        """Identifiers to look for in free text (logs, AI prompts, cached answers), lower-cased, ≥ 3 characters."""
        values = {self.identifier.value, *self.emails, *self.names, *self.national_ids}
        return sorted({value.lower() for value in values if len(value) >= 3 and not value.startswith("erased")})


def reference(index: BlindIndex, identifier: Identifier) -> str:
    """``email:<hex>`` / ``national_id:<hex>``: the keyed hash a request stores instead of the identifier."""
    digest = email_index(index, identifier.value) if identifier.kind == "email" else index.digest(identifier.value)
    return f"{identifier.kind}:{digest.hex()}"


def resolve(conn: psycopg.Connection, keystore: KeyStore, identifier: Identifier) -> Subject:
    """The clients (not yet erased) with this identifier — by the e-mail index, or by the national ID's blind index
    with each candidate decrypted to rule out a truncated-HMAC collision — with their leads, e-mails, names and
    national IDs."""
    index = blind_index(conn, keystore, create=True)
    subject = Subject(identifier, reference(index, identifier))
    if identifier.kind == "email":
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT client_id FROM crm.clients WHERE lower(email) = %s AND erased_at IS NULL ORDER BY client_id",
                (identifier.value,),
            )
        ]
    else:
        ids = []
        for client_id, data_key_id, blob in conn.execute(
            "SELECT client_id, data_key_id, national_id_enc FROM crm.clients WHERE national_id_bidx = %s"
            " AND erased_at IS NULL ORDER BY client_id",
            (index.digest(identifier.value),),
        ).fetchall():
            try:
                if (
                    ClientFieldCipher.load(conn, keystore, data_key_id).decrypt_national_id(client_id, blob)
                    == identifier.value
                ):
                    ids.append(client_id)
            except DecryptionError:
                continue
    if not ids:
        return subject
    subject.client_ids = ids
    subject.lead_ids = [
        row[0]
        for row in conn.execute(
            "SELECT lead_id FROM crm.leads WHERE client_id = ANY (%s::integer[]) ORDER BY lead_id", (ids,)
        )
    ]
    for client_id, email, first, last, data_key_id, blob in conn.execute(
        "SELECT client_id, email, first_name, last_name, data_key_id, national_id_enc FROM crm.clients"
        " WHERE client_id = ANY (%s::integer[]) ORDER BY client_id",
        (ids,),
    ).fetchall():
        subject.emails.append(email.lower())
        subject.names.append(f"{first} {last}")
        try:
            cipher = ClientFieldCipher.load(conn, keystore, data_key_id)
            subject.national_ids.append(cipher.decrypt_national_id(client_id, blob))
        except DecryptionError:
            continue
    return subject

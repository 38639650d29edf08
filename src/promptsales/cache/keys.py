"""The key scheme of the shared cache: namespaces, kinds with their TTLs, scopes and argument digests.

Every key starts with ``ps:``. A cached value lives at::

    ps:{company}:{kind}:{name}:v{generations}:{permission}:{digest}

``generations`` are the current values (base 36) of the generation counters the entry depends on (the
company's, then each declared scope's), so bumping any of them makes every older entry unreachable in O(1).
``permission`` is the part of the caller's scopes that changes the answer (``crm.pii`` or ``base``), and
``digest`` is the SHA-256 of the normalised arguments. See docs/cache.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from promptsales.config import DATABASE_NAMES
from promptsales.errors import UserError

PREFIX = "ps"
COMPANIES = tuple(DATABASE_NAMES)


@dataclass(frozen=True)
class Kind:
    """A family of cached values that share a lifetime."""

    name: str
    ttl_seconds: int
    reason: str


#: TTL per kind. Invalidation is by generation counters; the TTL only bounds memory and the staleness
#: of data changed behind the application's back (psql, another tool) — see docs/cache.md.
KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "tool",
            600,
            "operational reads (ads, crm, content); writes bump their scopes, 10 min bounds out-of-band edits",
        ),
        Kind("report", 1320, "warehouse answers fed by the 11-minute ETL, which bumps the generation: two ETL cycles"),
        Kind("catalog", 3600, "near-static catalogues (channels, markets, hashtags)"),
        Kind("pii", 60, "answers with decrypted personal data: kept one minute to minimise exposure (GDPR)"),
        Kind("ai", 7 * 86400, "exact-prompt AI results: deterministic for the same prompt and model, costly to redo"),
        Kind("semantic", 86400, "semantic AI cache entries: paraphrase reuse for a day"),
    )
}


@dataclass(frozen=True)
class Scope:
    """Something whose change invalidates cached answers: a company, a collection, or one entity.

    ``Scope("ads")`` is the whole company (the ETL bumps it); ``Scope("ads", "campaign")`` is the
    collection (lists, rankings); ``Scope("ads", "campaign", 42)`` is one campaign. Bumping an entity
    also bumps its collection, so list answers never outlive a change to any member.
    """

    company: str
    collection: str | None = None
    entity: str | None = None

    def __post_init__(self) -> None:
        if self.entity is not None:
            object.__setattr__(self, "entity", str(self.entity))  # 42 and "42" are the same entity
        if self.company not in COMPANIES:
            raise UserError(
                f"Unknown company {self.company!r} for a cache scope; expected one of {', '.join(COMPANIES)}."
            )
        if self.entity is not None and not self.collection:
            raise UserError("A cache scope with an entity needs its collection, e.g. Scope('ads', 'campaign', 42).")
        for part in (self.collection, self.entity):
            if part is not None and not _SAFE_PART.fullmatch(str(part)):
                raise UserError(f"Cache scope part {part!r} may only contain letters, digits, '.', '_' and '-'.")

    @property
    def counter_key(self) -> str:
        """The Redis key of this scope's generation counter (8-day TTL refreshed by bumps; not flushed)."""
        parts = [PREFIX, "gen", self.company]
        if self.collection:
            parts.append(self.collection)
        if self.entity is not None:
            parts.append(str(self.entity))
        return ":".join(parts)

    def with_parents(self) -> list[Scope]:
        """What a bump of this scope increments: itself, the collection above an entity, and the company's
        "any change" counter that answers without declared dependencies follow (the company itself is
        bumped only explicitly — it invalidates everything)."""
        if self.collection is None:
            return [self]
        parents = [self, Scope.any_change(self.company)]
        if self.entity is not None:
            parents.insert(1, Scope(self.company, self.collection))
        return parents

    @staticmethod
    def any_change(company: str) -> Scope:
        """The scope of answers that declare no dependencies: bumped by every write in the company."""
        return Scope(company, ANY_CHANGE)

    def __str__(self) -> str:
        return "/".join(str(part) for part in (self.company, self.collection, self.entity) if part is not None)


#: Collection name of the per-company counter bumped by every entity or collection bump.
ANY_CHANGE = "_any"
_SAFE_PART = re.compile(r"[A-Za-z0-9._-]{1,64}")
_SPACES = re.compile(r"\s+")


def parse_scope(text: str) -> Scope:
    """Parse ``company[/collection[/entity]]`` (the CLI form) into a :class:`Scope`."""
    parts = [part for part in text.strip().split("/") if part]
    if not 1 <= len(parts) <= 3:
        raise UserError(f"Bad cache scope {text!r}: write company, company/collection or company/collection/id.")
    return Scope(*parts)


def normalise(value: Any) -> Any:
    """A canonical JSON-ready form of tool arguments: trimmed, whitespace-collapsed strings, sorted keys,
    sets sorted, dates in ISO form. Equal questions asked differently get the same digest."""
    if isinstance(value, str):
        return _SPACES.sub(" ", value.strip())
    if isinstance(value, bool) or value is None or isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Decimal):
        return normalise(float(value))
    if isinstance(value, Enum):
        return normalise(value.value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if hasattr(value, "model_dump"):
        return normalise(value.model_dump(mode="json"))
    if isinstance(value, Mapping):
        return {str(key): normalise(item) for key, item in sorted(value.items(), key=lambda pair: str(pair[0]))}
    if isinstance(value, (set, frozenset)):
        return sorted((normalise(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, (list, tuple)):
        return [normalise(item) for item in value]
    raise TypeError(f"Cannot use a {type(value).__name__} as a cache-key argument.")


def args_digest(args: Mapping[str, Any]) -> str:
    """SHA-256 (first 32 hex digits, 128 bits) of the canonical JSON of the normalised arguments."""
    canonical = json.dumps(normalise(dict(args)), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def permission_level(caller_scopes: Iterable[str], relevant: Iterable[str]) -> str:
    """The caller's scopes that change the answer, e.g. ``crm.pii``; ``base`` when none of them."""
    held = sorted(set(caller_scopes) & set(relevant))
    return "+".join(scope.replace(":", ".") for scope in held) or "base"


def entry_key(company: str, kind: str, name: str, generations: Iterable[int], permission: str, digest: str) -> str:
    """The key of one cached value (see the module docstring)."""
    version = ".".join(_base36(int(value)) for value in generations)
    return f"{PREFIX}:{company}:{kind}:{name}:v{version}:{permission}:{digest}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if not number:
            return text


def lock_key(key: str) -> str:
    """The single-flight lock guarding the computation of ``key``."""
    return f"{PREFIX}:lock:{key[len(PREFIX) + 1 :]}"


#: Patterns of everything ``cache flush`` deletes: cached values and AI cache entries. Generation
#: counters stay (deleting them would be safe — they are recreated above their old value — but would
#: turn every live entry into a miss), and so do rate limits, locks and temporary results.
FLUSH_PATTERNS = tuple(f"{PREFIX}:{company}:*" for company in COMPANIES) + (f"{PREFIX}:ai:*", f"{PREFIX}:stats")
STATS_KEY = f"{PREFIX}:stats"

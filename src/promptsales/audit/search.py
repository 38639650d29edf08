"""``promptsales audit search``: who did what, when — rows of the central audit by actor, time, action, kind and
outcome (read-only role; the partition key and the ``(actor, occurred_at)`` index keep it to the days asked)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from psycopg import sql
from psycopg.rows import dict_row

from promptsales.audit.trail import CATEGORIES, OUTCOMES
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.errors import UserError

_RELATIVE = re.compile(r"^(\d{1,5})([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
MAX_LIMIT = 10_000


def parse_time(text: str, now: datetime | None = None) -> datetime:
    """A point in time from ``2026-12-01``, ``2026-12-01T10:00[:00][+00:00]`` (UTC when no offset is given) or a
    span back from now: ``90m``, ``24h``, ``7d``."""
    now = now or datetime.now(UTC)
    value = text.strip()
    relative = _RELATIVE.match(value)
    if relative:
        return now - timedelta(**{_UNITS[relative.group(2)]: int(relative.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"Cannot read the time {text!r}: use a date (2026-12-01), a date and time (2026-12-01T10:00) or a span "
            "back from now (90m, 24h, 7d)."
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class AuditQuery:
    """What to look for; every field optional."""

    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    action: str | None = None
    category: str | None = None
    outcome: str | None = None
    limit: int = 100

    def check(self) -> None:
        """A UserError for values the table can never hold."""
        if self.category is not None and self.category not in CATEGORIES:
            raise UserError(f"Unknown category {self.category!r}; expected one of {', '.join(CATEGORIES)}.")
        if self.outcome is not None and self.outcome not in OUTCOMES:
            raise UserError(f"Unknown outcome {self.outcome!r}; expected one of {', '.join(OUTCOMES)}.")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise UserError(f"--limit must be between 1 and {MAX_LIMIT}, got {self.limit}.")
        if self.since and self.until and self.since > self.until:
            raise UserError("--since is after --until: nothing can match.")


_FILTERS: dict[str, str] = {
    "actor": "actor = {}",
    "since": "occurred_at >= {}",
    "until": "occurred_at < {}",
    "action": "action = {}",
    "category": "category = {}",
    "outcome": "outcome = {}",
}


def search(settings: Settings, query: AuditQuery, dbname: str | None = None) -> list[dict[str, Any]]:
    """The matching rows, newest first (at most ``query.limit``)."""
    query.check()
    clauses = [
        sql.SQL(template).format(sql.Placeholder(name))
        for name, template in _FILTERS.items()
        if getattr(query, name) is not None
    ]
    where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(clauses) if clauses else sql.SQL("")
    statement = sql.SQL(
        "SELECT occurred_at, actor, service, category, action, scope, outcome, latency_ms, detail, "
        "tableoid::regclass::text AS partition, chain_seq FROM portal.audit_log{} "
        "ORDER BY occurred_at DESC, chain_seq DESC LIMIT {}"
    ).format(where, sql.Placeholder("limit"))
    params = {name: getattr(query, name) for name in (*_FILTERS, "limit")}
    with (
        connect("sales", "analyst", settings=settings, dbname=dbname) as conn,
        conn.cursor(row_factory=dict_row) as cur,
    ):
        return list(cur.execute(statement, params).fetchall())

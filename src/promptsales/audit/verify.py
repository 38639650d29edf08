"""``promptsales audit verify``: recompute the hash chain of every audit partition and say what was tampered with.

Each row of a daily partition carries its place in the chain (``chain_seq`` 1, 2, …), the hash of the row before it
(``prev_hash``; the first row: the partition's genesis hash) and its own hash (``row_hash`` = sha256(prev_hash ||
canonical row), computed by the database's insert trigger). One set-based pass per partition finds:

* an **edited** row — its stored hash no longer matches its content;
* a **deleted** row — a gap in ``chain_seq`` and a broken link after it; deleted last rows — the partition ends
  before its chain head (``portal.audit_chain``) or its HMAC seal (``portal.audit_seals``);
* a **reordered** or **inserted** row — a link that does not point at the row before it;
* a **dropped** partition — a chain head, seal or day without its table (retention drops are recorded and take
  their heads with them).
"""

from __future__ import annotations

import hmac
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta

import psycopg
from psycopg import sql

from promptsales.audit.seal import SealKey, seal_digest
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.fetch import one, scalar

#: At most this many rows are named per partition and kind of problem (the counts are always complete).
MAX_NAMED = 20

_CHECK = """
SELECT count(*),
       coalesce(max(chain_seq), 0),
       coalesce(bool_or(chain_seq = %(head_seq)s AND row_hash = %(head_hash)s), false),
       count(*) FILTER (WHERE NOT hash_ok),
       (array_agg(chain_seq ORDER BY chain_seq) FILTER (WHERE NOT hash_ok))[1:{named}],
       count(*) FILTER (WHERE NOT link_ok),
       (array_agg(chain_seq ORDER BY chain_seq) FILTER (WHERE NOT link_ok))[1:{named}]
FROM (
    SELECT chain_seq, row_hash, hash_ok,
           prev_hash = coalesce(lag(row_hash) OVER w, portal.audit_genesis(%(name)s))
               AND chain_seq = coalesce(lag(chain_seq) OVER w, 0) + 1 AS link_ok
    FROM (
        SELECT chain_seq, prev_hash, row_hash,
               row_hash = portal.audit_row_digest(prev_hash, chain_seq, occurred_at, actor, service, action,
                                                  category, scope, outcome, latency_ms, detail) AS hash_ok
        FROM portal.{table}
        OFFSET 0
    ) hashed
    WINDOW w AS (ORDER BY chain_seq, row_hash)
) linked
"""


@dataclass
class PartitionReport:
    """What the chain of one daily partition says."""

    partition: str
    rows: int = 0
    problems: list[str] = field(default_factory=list)
    sealed: bool = False

    @property
    def ok(self) -> bool:
        """True when the partition's chain, head and seal all agree."""
        return not self.problems


@dataclass
class VerifyReport:
    """The outcome of ``audit verify`` over every partition checked."""

    partitions: list[PartitionReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # not tied to one existing partition (a missing day…)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.problems and all(p.ok for p in self.partitions)

    @property
    def rows(self) -> int:
        """Rows checked."""
        return sum(p.rows for p in self.partitions)

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"ok": self.ok, "rows": self.rows, **asdict(self)}


def partition_day(name: str) -> date:
    """The UTC day of ``audit_log_YYYYMMDD``."""
    return date(int(name[10:14]), int(name[14:16]), int(name[16:18]))


def partitions(conn: psycopg.Connection) -> list[str]:
    """The daily partitions of ``portal.audit_log``, oldest first."""
    return [
        row[0]
        for row in conn.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'portal.audit_log'::regclass AND c.relname ~ '^audit_log_[0-9]{8}$' "
            "ORDER BY c.relname"
        )
    ]


def verify_partition(conn: psycopg.Connection, name: str, key: SealKey | None = None) -> PartitionReport:
    """Recompute the chain of partition ``name`` and compare its end with the chain head and the seal."""
    report = PartitionReport(name)
    head = conn.execute(
        "SELECT last_seq, last_hash FROM portal.audit_chain WHERE partition_name = %s", (name,)
    ).fetchone()
    if head is None:
        report.problems.append("its chain head is missing from portal.audit_chain (deleted by hand?)")
        head_seq, head_hash = -1, b""
    else:
        head_seq, head_hash = int(head[0]), bytes(head[1])
    query = sql.SQL(_CHECK.format(named=MAX_NAMED, table="{table}")).format(table=sql.Identifier(name))
    rows, last_seq, head_matches, edited, edited_at, broken, broken_at = one(
        conn, query, {"head_seq": head_seq, "head_hash": head_hash, "name": name}
    )
    report.rows = int(rows)
    if edited:
        report.problems.append(f"{edited} row(s) changed after they were written (chain_seq {_list(edited_at)})")
    if broken:
        report.problems.append(
            f"{broken} broken link(s): a row before chain_seq {_list(broken_at)} was deleted, inserted or moved"
        )
    if head is not None and (last_seq != head_seq or (rows and not head_matches)):
        if last_seq < head_seq:
            report.problems.append(f"the last {head_seq - last_seq} row(s) were deleted (chain head at {head_seq})")
        else:
            report.problems.append(f"the chain ends at {last_seq} but its head says {head_seq} (rewritten?)")
    seal = conn.execute(
        "SELECT rows, last_hash, seal, key_id FROM portal.audit_seals WHERE partition_name = %s", (name,)
    ).fetchone()
    if seal is not None:
        report.sealed = True
        sealed_rows, sealed_hash, mac, key_id = int(seal[0]), bytes(seal[1]), bytes(seal[2]), seal[3]
        if key is not None and key.id == key_id:
            if not hmac.compare_digest(mac, seal_digest(key, name, sealed_rows, sealed_hash)):
                report.problems.append("its seal does not match (the seal or the sealed head was rewritten)")
        elif key is not None:
            report.problems.append(f"sealed with key {key_id}, not the configured audit seal key {key.id}")
        if (sealed_rows, sealed_hash) != (head_seq, head_hash):
            report.problems.append(
                f"sealed with {sealed_rows} rows, its chain now has {max(head_seq, 0)}: rows were added or removed "
                "after the day was closed"
            )
    return report


def _list(values: list[int] | None) -> str:
    values = values or []
    return ", ".join(str(v) for v in values) + (" …" if len(values) >= MAX_NAMED else "")


def missing_partitions(conn: psycopg.Connection, existing: list[str], today: date) -> list[str]:
    """Problems with partitions that are gone: chain heads or seals without their table, and days between the
    oldest partition and today without one (maintenance creates every day's partition ahead of time)."""
    problems = []
    present = set(existing)
    for (name,) in conn.execute(
        "SELECT partition_name FROM portal.audit_chain UNION SELECT partition_name FROM portal.audit_seals ORDER BY 1"
    ):
        if name not in present:
            problems.append(f"partition {name} is gone but its chain head or seal is there (dropped by hand?)")
    if existing:
        day, last = partition_day(existing[0]), today
        while day <= last:
            name = f"audit_log_{day:%Y%m%d}"
            if name not in present:
                problems.append(f"partition {name} is missing: no audit for {day} (dropped with its chain head?)")
            day += timedelta(days=1)
    return problems


def verify(
    settings: Settings,
    days: list[date] | None = None,
    jobs: int = 2,
    key: SealKey | None = None,
    dbname: str | None = None,
) -> VerifyReport:
    """Verify the partitions of ``days`` (default: every partition), ``jobs`` partitions at a time, each on its own
    read-only connection (role analyst)."""
    import time

    started = time.perf_counter()
    report = VerifyReport()
    with connect("sales", "analyst", settings=settings, dbname=dbname, autocommit=True) as conn:
        existing = partitions(conn)
        today = scalar(conn, "SELECT (now() AT TIME ZONE 'UTC')::date")
        if days is None:
            chosen = existing
            report.problems.extend(missing_partitions(conn, existing, today))
        else:
            chosen = [f"audit_log_{day:%Y%m%d}" for day in days]
            report.problems.extend(f"partition {n} does not exist" for n in chosen if n not in set(existing))
            chosen = [n for n in chosen if n in set(existing)]

    def check(name: str) -> PartitionReport:
        # one snapshot for the head, the seal and the rows: writers appending meanwhile are not a false alarm
        with connect("sales", "analyst", settings=settings, dbname=dbname) as conn:
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with conn.transaction():
                conn.execute("SET LOCAL work_mem = '256MB'")
                return verify_partition(conn, name, key)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        report.partitions = list(pool.map(check, chosen))
    report.seconds = round(time.perf_counter() - started, 3)
    return report

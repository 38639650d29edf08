"""The audit's daily maintenance (``promptsales audit maintain``, Dagster job ``audit_maintenance``):

1. drop the partitions whose whole day is older than the retention (90 days, N4) — whole partitions, never row
   deletes; each drop is itself recorded in the audit (``audit.partition_dropped``);
2. create the next days' partitions, each with its chain head;
3. seal every closed day (older than yesterday, UTC) that is not sealed yet, once its chain verifies.

It runs as the owner role: partitions are DDL, and seals are out of the services' reach.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from promptsales.audit.seal import SealKey, load_seal_key, seal_digest
from promptsales.audit.trail import current_actor, record
from promptsales.audit.verify import partition_day, partitions, verify_partition
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.fetch import one, scalar
from promptsales.errors import UserError

#: Days the audit is kept (SPEC N4).
KEEP_DAYS = 90
#: Days of partitions created ahead of today.
AHEAD_DAYS = 7


@dataclass
class MaintenanceReport:
    """What one maintenance run did."""

    keep_days: int
    dropped: int = 0
    created: int = 0
    sealed: list[str] = field(default_factory=list)
    not_sealed: dict[str, list[str]] = field(default_factory=dict)  # partition → what its verification found
    seconds: float = 0.0

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


def maintain(
    settings: Settings,
    keep_days: int = KEEP_DAYS,
    ahead: int = AHEAD_DAYS,
    key: SealKey | None = None,
    dbname: str | None = None,
) -> MaintenanceReport:
    """Drop expired partitions, create the next ones, seal closed days; the run is recorded in the audit."""
    if keep_days < 1:
        raise UserError(f"--keep-days must be at least 1, got {keep_days}.")
    started = time.perf_counter()
    key = key or load_seal_key(settings)
    report = MaintenanceReport(keep_days)
    with connect("sales", "owner", settings=settings, dbname=dbname, autocommit=True) as conn:
        report.dropped = int(scalar(conn, "SELECT portal.audit_drop_old_partitions(%s)", (keep_days,)))
        today = scalar(conn, "SELECT (now() AT TIME ZONE 'UTC')::date")
        report.created = int(scalar(conn, "SELECT portal.audit_ensure_partitions(%s, %s)", (today, ahead)))
        sealed = {row[0] for row in conn.execute("SELECT partition_name FROM portal.audit_seals")}
        for name in partitions(conn):
            if name in sealed or partition_day(name) >= today - timedelta(days=1):
                continue
            with conn.transaction():
                # the head cannot move while the day is checked and sealed
                last_seq, last_hash = one(
                    conn,
                    "SELECT last_seq, last_hash FROM portal.audit_chain WHERE partition_name = %s FOR UPDATE",
                    (name,),
                )
                checked = verify_partition(conn, name, key)
                if not checked.ok:
                    report.not_sealed[name] = checked.problems
                    continue
                conn.execute(
                    "INSERT INTO portal.audit_seals (partition_name, day, rows, last_hash, seal, key_id) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    (
                        name,
                        partition_day(name),
                        last_seq,
                        last_hash,
                        seal_digest(key, name, int(last_seq), bytes(last_hash)),
                        key.id,
                    ),
                )
                report.sealed.append(name)
    report.seconds = round(time.perf_counter() - started, 3)
    record(
        current_actor(),
        "audit",
        "audit.maintain",
        "error" if report.not_sealed else "ok",
        report.seconds * 1000,
        {
            "dropped": report.dropped,
            "created": report.created,
            "sealed": len(report.sealed),
            "not_sealed": sorted(report.not_sealed),
        },
        settings,
        category="audit",
    )
    return report

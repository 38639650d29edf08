"""PostgreSQL side of a backup: exported snapshots, ``pg_dump -Fc`` streamed into encryption, role globals.

Consistency: before any dump starts, one REPEATABLE READ transaction per database exports a snapshot
(``pg_export_snapshot()``) and records ``pg_current_wal_lsn()`` and the time; the four snapshots are taken
back to back (milliseconds apart) and each ``pg_dump --snapshot`` then dumps exactly that state, however
long the dumps take. PostgreSQL cannot share one snapshot between databases, so the four points are as
close as the server allows without stopping writes; the manifest records each one.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from promptsales.backup.streams import ByteSink
from promptsales.crm.subject_keys import NOT_BACKED_UP as SUBJECT_KEYS
from promptsales.db.fetch import one
from promptsales.errors import UserError
from promptsales.runtime.postgres import bin_dir

READ_BYTES = 1 << 20


@dataclass(frozen=True)
class ExportedSnapshot:
    """A snapshot held open by a transaction, and where it sits in the WAL."""

    database: str
    snapshot_id: str
    lsn: str
    taken_at: str
    server_version: str
    system_identifier: str

    def as_dict(self) -> dict[str, str]:
        """JSON form for the manifest."""
        return dict(self.__dict__)


@contextmanager
def exported_snapshots(conninfos: dict[str, str]) -> Iterator[dict[str, ExportedSnapshot]]:
    """Hold one exported snapshot per database (keyed like ``conninfos``) while the block runs."""
    with ExitStack() as stack:
        snapshots: dict[str, ExportedSnapshot] = {}
        for key, info in conninfos.items():
            try:
                conn = stack.enter_context(psycopg.connect(info, connect_timeout=10))
            except psycopg.OperationalError as error:
                raise UserError(f"Cannot connect to database {key} to back it up: {error}".strip()) from error
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            row = one(
                conn,
                "SELECT pg_export_snapshot(), pg_current_wal_lsn()::text, clock_timestamp(), current_database(),"
                " current_setting('server_version'), (SELECT system_identifier::text FROM pg_control_system())",
            )
            snapshots[key] = ExportedSnapshot(
                database=row[3],
                snapshot_id=row[0],
                lsn=row[1],
                taken_at=row[2].astimezone(UTC).isoformat(),
                server_version=row[4],
                system_identifier=row[5],
            )
        yield snapshots


def tool_version(tool: str) -> str:
    """``pg_dump (PostgreSQL) 18.6`` and the like."""
    result = subprocess.run([str(bin_dir() / tool), "--version"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def _stream(argv: list[str], sink: ByteSink, what: str) -> None:
    """Run ``argv`` and copy its stdout into ``sink``; a clear error with its stderr when it fails."""
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=stderr)
        assert process.stdout is not None
        try:
            while chunk := process.stdout.read(READ_BYTES):
                sink.write(chunk)
        finally:
            process.stdout.close()
            code = process.wait()
        if code != 0:
            stderr.seek(0)
            message = stderr.read().decode(errors="replace").strip()
            raise UserError(f"{what} failed (exit {code}): {message}")


def dump_database(conninfo: str, snapshot: ExportedSnapshot, sink: ByteSink, compression: str = "gzip") -> None:
    """``pg_dump --format=custom`` of one database at ``snapshot`` into ``sink`` (never to disk in clear). The rows
    of PromptCRM's per-subject keys are left out (schema kept): a backup must not be able to bring back the key of
    a client erased after it was taken (crypto-shredding, issue 23)."""
    argv = [
        str(bin_dir() / "pg_dump"),
        "--format=custom",
        f"--compress={compression}",
        f"--snapshot={snapshot.snapshot_id}",
        f"--exclude-table-data={SUBJECT_KEYS}",
        "--no-password",
        "--dbname",
        conninfo,
    ]
    _stream(argv, sink, f"pg_dump of {snapshot.database}")


def dump_globals(conninfo: str, sink: ByteSink) -> None:
    """The cluster's roles (``pg_dumpall --roles-only --no-role-passwords``): who may own and use what."""
    argv = [str(bin_dir() / "pg_dumpall"), "--roles-only", "--no-role-passwords", "--no-password", "--dbname", conninfo]
    _stream(argv, sink, "pg_dumpall --roles-only")


def now_utc() -> str:
    """Current UTC time, ISO 8601."""
    return datetime.now(UTC).isoformat()


def pg_bin(tool: str) -> Path:
    """Path of a PostgreSQL client tool."""
    return bin_dir() / tool

"""A small, strict migration runner for the company databases.

Migrations are ``NNNN_description.sql`` files in ``promptsales/<company>/migrations/``. Each file runs
in its own transaction, as the company's owner role (unless its first line is ``-- migrate: as-admin``),
and is recorded in ``meta.schema_migrations`` with its SHA-256. A recorded file whose content changed
is refused: fix forward with a new file instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import psycopg
from psycopg import sql

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import admin_conninfo, role_name
from promptsales.db.fetch import scalar
from promptsales.db.roles import ensure_extensions, ensure_roles
from promptsales.errors import ServiceUnavailable, UserError

FILENAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
AS_ADMIN = "-- migrate: as-admin"
LOCK_KEY = 0x5052_4F4D  # pg_advisory_xact_lock key shared by every migration run


class MigrationError(UserError):
    """A migration cannot be applied (changed after it ran, or failed)."""


@dataclass(frozen=True)
class Migration:
    """One versioned SQL file."""

    version: str
    name: str
    path: Path

    @property
    def text(self) -> str:
        """The SQL of the file."""
        return self.path.read_text()

    @property
    def checksum(self) -> str:
        """SHA-256 of the file content."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()

    @property
    def as_admin(self) -> bool:
        """True when the file asks to run as the admin role (e.g. event triggers, foreign servers)."""
        return self.text.lstrip().startswith(AS_ADMIN)


def migrations_dir(company: str) -> Path:
    """Folder with the company's migration files."""
    return Path(str(resources.files("promptsales") / company / "migrations"))


def discover(company: str, directory: Path | None = None) -> list[Migration]:
    """The company's migrations in version order; badly named files are an error."""
    directory = directory or migrations_dir(company)
    found: list[Migration] = []
    if not directory.exists():
        return found
    for path in sorted(directory.glob("*.sql")):
        match = FILENAME.match(path.name)
        if not match:
            raise MigrationError(f"Migration file {path} must be named NNNN_description.sql")
        found.append(Migration(match.group(1), match.group(2), path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"Two migrations of {company} share a version number: {versions}")
    return found


BOOKKEEPING = """
CREATE SCHEMA IF NOT EXISTS meta;
CREATE TABLE IF NOT EXISTS meta.schema_migrations (
    version     text PRIMARY KEY,
    name        text NOT NULL,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now(),
    duration_ms numeric NOT NULL
);
"""


def migrate_company(
    settings: Settings,
    company: str,
    *,
    dbname: str | None = None,
    directory: Path | None = None,
) -> list[str]:
    """Apply the pending migrations of one company database; returns the applied file names."""
    migrations = discover(company, directory)
    try:
        conn = psycopg.connect(admin_conninfo(settings, company, dbname), autocommit=True)
    except psycopg.OperationalError as error:
        raise ServiceUnavailable(f"Cannot reach the {company} database to migrate it: {error}") from error
    applied: list[str] = []
    with conn:
        ensure_extensions(conn)
        ensure_roles(conn, settings, company)
        owner = sql.Identifier(role_name(company, "owner"))
        conn.execute(sql.SQL("SET ROLE {}").format(owner))
        conn.execute(BOOKKEEPING)
        conn.execute("RESET ROLE")
        for migration in migrations:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
                row = conn.execute(
                    "SELECT checksum FROM meta.schema_migrations WHERE version = %s", (migration.version,)
                ).fetchone()
                if row is not None:
                    if row[0] != migration.checksum:
                        raise MigrationError(
                            f"Migration {migration.path.name} of {company} was changed after it was applied "
                            f"(recorded checksum {row[0][:12]}…, file now {migration.checksum[:12]}…). "
                            "Applied migrations are immutable: restore the file and add a new migration."
                        )
                    continue
                if not migration.as_admin:
                    conn.execute(sql.SQL("SET LOCAL ROLE {}").format(owner))
                try:
                    started = scalar(conn, "SELECT clock_timestamp()")
                    conn.execute(migration.text.encode())
                except psycopg.Error as error:
                    raise MigrationError(f"Migration {migration.path.name} of {company} failed: {error}") from error
                conn.execute("RESET ROLE")
                conn.execute(
                    "INSERT INTO meta.schema_migrations (version, name, checksum, duration_ms) "
                    "VALUES (%s, %s, %s, extract(epoch FROM clock_timestamp() - %s) * 1000)",
                    (migration.version, migration.name, migration.checksum, started),
                )
                applied.append(f"{company}/{migration.path.name}")
    return applied


def migrate_all(settings: Settings, companies: list[str] | None = None) -> list[str]:
    """Apply pending migrations to every company database (or the ones named)."""
    applied: list[str] = []
    for company in companies or list(DATABASE_NAMES):
        applied += migrate_company(settings, company)
    return applied

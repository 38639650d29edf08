"""Fixtures of the backup tests: a second installation (another PostgreSQL cluster, FerretDB and key
store in its own data directory), private source databases with known PII, and a private backup dir."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pymongo
import pytest
from psycopg import sql

from promptsales.backup.restore import embedded_target_settings
from promptsales.backup.settings import BackupSettings
from promptsales.config import DATABASE_NAMES, Settings
from promptsales.crm.link import SERVER as LINK_SERVER
from promptsales.crm.link import ensure_link
from promptsales.db.connect import admin_conninfo
from promptsales.db.copies import copy_database, drop_database, scratch_name
from promptsales.db.derived import refresh_materialized_views
from promptsales.runtime import manager
from promptsales.runtime.mongo import MongoServer

#: Values that must never appear in clear in a backup file (SPEC N4); every one is loaded below.
KNOWN_PII = {
    "name": "Zebulon Quixote-Marchetti",
    "email": "zebulon.quixote@backup-test.example",
    "national_id": "1-0987-6543",
    "mongo_text": "Quixotic sunset over the Hudson for Zebulon",
}


@dataclass
class BackupSource:
    """Private copies of the four databases, a private Mongo database and media store, with known data."""

    settings: Settings
    backup: BackupSettings
    databases: dict[str, str]
    media: Path


@pytest.fixture(scope="session")
def second_install(tmp_path_factory: pytest.TempPathFactory, settings: Settings) -> Iterator[Settings]:
    """Settings of a second installation: its own data dir, PostgreSQL cluster, port, FerretDB, key store."""
    target = embedded_target_settings(tmp_path_factory.mktemp("second-server"))
    yield target
    manager.wipe(target)


def _truncate_everything(conninfo: str) -> None:
    """Empty every user table of a cloned database so the test does not depend on what others seeded."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = conn.execute(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r','p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog','information_schema','meta')"
            " AND n.nspname NOT LIKE 'pg_toast%'"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')"
        ).fetchall()
        if tables:
            conn.execute(sql.SQL("TRUNCATE {} CASCADE").format(sql.SQL(", ").join(sql.SQL(t[0]) for t in tables)))


def _repoint_derived_data(settings: Settings, databases: dict[str, str]) -> None:
    """Make the copies self-contained: the CRM linked server reads the PromptAds copy, views match the tables."""
    with psycopg.connect(admin_conninfo(settings, "crm", databases["crm"])) as conn:
        linked = conn.execute("SELECT 1 FROM pg_foreign_server WHERE srvname = %s", (LINK_SERVER,)).fetchone()
    if linked:
        ensure_link(settings, crm_dbname=databases["crm"], ads_dbname=databases["ads"])
    for company, dbname in databases.items():
        refresh_materialized_views(admin_conninfo(settings, company, dbname))


def _load_known_rows(conninfo: str, schema: str) -> None:
    """A table with PII and many column types, loaded with COPY."""
    with psycopg.connect(conninfo, autocommit=True) as conn:
        owner = conn.execute(
            "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = %s", (schema,)
        ).fetchone()[0]
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(owner)))
        table = sql.Identifier(schema, "backup_probe")
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (id int PRIMARY KEY, full_name text, email text, national_id text, amount numeric(12,2),"
                " seen_at timestamptz, attrs jsonb, embedding vector(3), blob bytea)"
            ).format(table)
        )
        with conn.cursor().copy(sql.SQL("COPY {} FROM STDIN").format(table)) as copy:
            base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
            for i in range(1, 2001):
                copy.write_row(
                    (
                        i,
                        f"{KNOWN_PII['name']} {i}",
                        KNOWN_PII["email"].replace("@", f"+{i}@"),
                        f"{KNOWN_PII['national_id']}-{i}",
                        i * 1.25,
                        base + dt.timedelta(minutes=i),
                        f'{{"i": {i}, "tags": ["a", "b"]}}',
                        f"[{i},{i / 2},{-i}]",
                        bytes([i % 256]) * 8,
                    )
                )


@pytest.fixture(scope="session")
def backup_source(settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackupSource]:
    """Copies of the four databases (emptied, plus a PII probe table), a private Mongo db and media store.

    Read-only for the tests (they tamper with backups, never with the source), so it is built once.
    """
    tmp_path = tmp_path_factory.mktemp("backup-source")
    databases = {
        company: copy_database(settings, company, scratch_name(company, "bk"), close_idle_sessions=True)
        for company in DATABASE_NAMES
    }
    schemas = {"ads": "ads", "crm": "crm", "sales": "portal", "content": "content"}
    for company, dbname in databases.items():
        info = admin_conninfo(settings, company, dbname)
        _truncate_everything(info)
        _load_known_rows(info, schemas[company])
    _repoint_derived_data(settings, databases)
    mongo_db = f"backup_test_{uuid.uuid4().hex[:8]}"
    source_settings = settings.model_copy(update={"content_mongo_database": mongo_db})
    client = pymongo.MongoClient(MongoServer(settings).url)
    db = client[mongo_db]
    db.images.insert_many(
        [
            {
                "n": i,
                "description": f"{KNOWN_PII['mongo_text']} #{i}",
                "created": dt.datetime(2025, 2, 1, 12, i % 60),
                "thumb": bytes([i % 256]) * 16,
                "tags": ["sunset", f"t{i % 7}"],
            }
            for i in range(250)
        ]
    )
    db.images.create_index([("n", 1)], unique=True, name="n_unique")
    db.hashtags.insert_many([{"_id": f"tag{i}", "count": i} for i in range(40)])
    media = tmp_path / "media"
    for i in range(12):
        digest = uuid.UUID(int=i + 1).hex
        path = media / digest[:2] / f"{digest}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(5000 + i * 997))
    backup = BackupSettings(dir=tmp_path / "backups", key_file=tmp_path / "keys" / "backup.key", media_dir=media)
    yield BackupSource(source_settings, backup, databases, media)
    client.drop_database(mongo_db)
    client.close()
    for company, dbname in databases.items():
        drop_database(settings, company, dbname)


@pytest.fixture(scope="session")
def full_backup(backup_source: BackupSource):
    """One complete backup of the source, made once; tests that damage a backup use :func:`backup_copy`."""
    from promptsales.backup.create import run_backup

    return run_backup(backup_source.settings, backup_source.backup, databases=backup_source.databases)


@pytest.fixture
def backup_copy(backup_source: BackupSource, full_backup, tmp_path: Path):
    """A private copy of the full backup in its own backup dir (same key): free to tamper with."""
    import shutil

    from promptsales.backup.store import BackupFolder

    backup = backup_source.backup.model_copy(update={"dir": tmp_path / "backups"})
    shutil.copytree(full_backup.root, tmp_path / "backups" / full_backup.id)
    source = BackupSource(backup_source.settings, backup, backup_source.databases, backup_source.media)
    return source, BackupFolder(tmp_path / "backups" / full_backup.id)

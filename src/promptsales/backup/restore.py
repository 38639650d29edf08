"""``promptsales backup restore ID --target DIR_OR_URL``: restore a verified backup into another server.

Order of work, so that a bad backup or a bad target changes nothing:

1. find the backup and verify it completely (every chunk, every digest) — a missing or corrupt backup
   stops here, before the target is even contacted;
2. check the target: each database/collection set/media store to restore must be absent or empty,
   unless ``--replace``;
3. PostgreSQL: ``pg_restore`` into a staging database ``<db>__restore``, then drop the old database and
   rename the staging one (a failure drops only the staging database); MongoDB: load the collections;
   media: extract to a staging folder, then rename.

Targets: a data directory (a second embedded installation: its own PostgreSQL cluster, port, FerretDB
and key store; started if needed; roles recreated, owners and grants kept) or a ``postgresql://`` admin
URL of any server (PostgreSQL databases only; objects owned by the connecting user:
``--no-owner --no-privileges``).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from promptsales.audit.trail import audited
from promptsales.backup.create import select_components
from promptsales.backup.crypto import BackupIntegrityError, DecryptingReader
from promptsales.backup.keys import load_key
from promptsales.backup.media_archive import extract_media, media_dir
from promptsales.backup.mongo_dump import import_database
from promptsales.backup.postgres_dump import pg_bin
from promptsales.backup.roles_restore import create_missing_roles
from promptsales.backup.settings import BackupSettings
from promptsales.backup.store import BackupFolder, BackupStore
from promptsales.backup.verify import verify_backup
from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.derived import refresh_materialized_views
from promptsales.db.fetch import scalar
from promptsales.errors import UserError

STAGING_SUFFIX = "__restore"


@dataclass
class Target:
    """Where a restore goes."""

    description: str
    settings: Settings | None = None  # a local data directory (embedded servers)
    url: str | None = None  # an admin URL of another PostgreSQL server

    @property
    def is_embedded(self) -> bool:
        """True for a data-directory target."""
        return self.settings is not None

    @property
    def embedded(self) -> Settings:
        """The settings of a data-directory target (UserError for a URL target, which has no local servers)."""
        if self.settings is None:
            raise UserError(f"The target {self.description} is a PostgreSQL URL, not a data directory.")
        return self.settings

    def admin_conninfo(self, dbname: str) -> str:
        """Superuser connection string to ``dbname`` on the target."""
        if self.url:
            return make_conninfo(self.url, dbname=dbname)
        from promptsales.runtime.postgres import EmbeddedPostgres

        return EmbeddedPostgres(self.embedded).admin_conninfo(dbname)


@dataclass
class RestoreReport:
    """What a restore did."""

    backup_id: str
    target: str
    restored: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0


def embedded_target_settings(data_dir: Path) -> Settings:
    """Settings of a second embedded installation in ``data_dir`` (ignores the *_URL env of this one)."""
    return Settings(
        data_dir=data_dir,
        ads_database_url=None,
        crm_database_url=None,
        sales_database_url=None,
        content_database_url=None,
        content_mongo_url=None,
        redis_url=None,
    )


def parse_target(text: str) -> Target:
    """``postgresql://…`` → URL target; anything else is a data directory."""
    if text.startswith(("postgresql://", "postgres://")):
        return Target(description=text.split("@")[-1], url=text)
    path = Path(text).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise UserError(f"--target {text}: not a directory and not a postgresql:// URL.")
    return Target(description=str(path), settings=embedded_target_settings(path))


def _database_has_content(conninfo: str) -> bool:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return bool(
            scalar(
                conn,
                "SELECT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE c.relkind IN ('r','p','v','m','S','f')"
                " AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
                " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e'))",
            )
        )


def _database_exists(target: Target, dbname: str) -> bool:
    with psycopg.connect(target.admin_conninfo("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (dbname,)).fetchone() is not None


def _check_postgres_target(target: Target, dbname: str, replace: bool) -> None:
    if _database_exists(target, dbname) and _database_has_content(target.admin_conninfo(dbname)) and not replace:
        raise UserError(f"Database {dbname} on {target.description} already has data; pass --replace to overwrite it.")


def _open_reader(folder: BackupFolder, key: bytes, entry: dict[str, Any], handle) -> DecryptingReader:
    return DecryptingReader(handle, key, f"backup {folder.id}, file {entry['path']}", expected_name=entry["name"])


def _check_digest(reader: DecryptingReader, entry: dict[str, Any], folder: BackupFolder) -> None:
    if reader.plain_sha.hexdigest() != entry["plain_sha256"]:
        raise BackupIntegrityError(f"backup {folder.id}, file {entry['path']}: content changed during the restore.")


def _globals_text(folder: BackupFolder, key: bytes, manifest: dict[str, Any]) -> str:
    for entry in manifest["files"]:
        if entry.get("kind") == "postgres-globals":
            with open(folder.root / entry["path"], "rb") as handle:
                return _open_reader(folder, key, entry, handle).read().decode()
    return ""


def _restore_postgres(
    target: Target, folder: BackupFolder, key: bytes, entry: dict[str, Any], globals_sql: str
) -> dict[str, Any]:
    dbname = entry["database"] if not target.is_embedded else DATABASE_NAMES[entry["company"]]
    staging = f"{dbname}{STAGING_SUFFIX}"
    with psycopg.connect(target.admin_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(staging)))
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(staging)))
    try:
        argv = [
            str(pg_bin("pg_restore")),
            "--exit-on-error",
            "--no-password",
            "--dbname",
            target.admin_conninfo(staging),
        ]
        if target.is_embedded:
            from promptsales.db.roles import ensure_roles

            with psycopg.connect(target.admin_conninfo(staging), autocommit=True) as conn:
                create_missing_roles(conn, globals_sql)
                ensure_roles(conn, target.embedded, entry["company"])
        else:
            argv += ["--no-owner", "--no-privileges"]
        with open(folder.root / entry["path"], "rb") as handle, tempfile.TemporaryFile() as stderr:
            reader = _open_reader(folder, key, entry, handle)
            process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr)
            assert process.stdin is not None
            try:
                for chunk in reader.chunks():
                    process.stdin.write(chunk)
                process.stdin.close()
            except BrokenPipeError:
                pass
            except BaseException:
                process.kill()
                process.wait()
                raise
            code = process.wait()
            if code != 0:
                stderr.seek(0)
                raise UserError(f"pg_restore of {dbname} failed: {stderr.read().decode(errors='replace').strip()}")
            _check_digest(reader, entry, folder)
        with psycopg.connect(target.admin_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname)))
            admin.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(staging), sql.Identifier(dbname))
            )
    except BaseException:
        with psycopg.connect(target.admin_conninfo("postgres"), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(staging)))
        raise
    return {"database": dbname, "bytes": entry["plain_bytes"]}


def _restore_mongo(
    target: Target, folder: BackupFolder, key: bytes, entry: dict[str, Any], replace: bool
) -> dict[str, Any]:
    from promptsales.runtime.mongo import MongoServer

    server = MongoServer(target.embedded)
    with open(folder.root / entry["path"], "rb") as handle:
        reader = _open_reader(folder, key, entry, handle)
        counts = import_database(server.url, target.embedded.content_mongo_database, reader, replace=replace)
        _check_digest(reader, entry, folder)
    return {"database": target.embedded.content_mongo_database, "collections": counts}


def _restore_media(
    target: Target, folder: BackupFolder, key: bytes, entry: dict[str, Any], replace: bool
) -> dict[str, Any]:
    with open(folder.root / entry["path"], "rb") as handle:
        reader = _open_reader(folder, key, entry, handle)
        info = extract_media(reader, media_dir(target.embedded.data_path), replace=replace)
        reader.read()
        _check_digest(reader, entry, folder)
    return info


def _mongo_has_collections(settings: Settings) -> bool:
    import pymongo

    from promptsales.runtime.mongo import MongoServer

    client: pymongo.MongoClient = pymongo.MongoClient(MongoServer(settings).url, serverSelectionTimeoutMS=5000)
    try:
        return any(not n.startswith("system.") for n in client[settings.content_mongo_database].list_collection_names())
    finally:
        client.close()


@audited("backup", "backup.restore", category="backup")  # who, outcome, duration in the central audit
def restore_backup(
    settings: Settings,
    backup_id: str,
    target_text: str,
    only: list[str] | None = None,
    replace: bool = False,
    backup: BackupSettings | None = None,
) -> RestoreReport:
    """Verify ``backup_id`` and restore it (or the ``only`` components of it) into ``target_text``."""
    started = time.perf_counter()
    backup = backup or BackupSettings()
    if only:
        select_components(only)
    target = parse_target(target_text)
    key = load_key(settings, backup)
    folder = BackupStore(backup.backup_dir(settings)).get(backup_id)
    verify_backup(folder, key, record=False)  # read-only: the backup medium may be mounted read-only
    manifest = folder.manifest(key.key)
    available = set(manifest["components"])
    wanted = list(only or manifest["components"])
    missing = sorted(set(wanted) - available)
    if missing:
        raise UserError(
            f"Backup {folder.id} does not contain {', '.join(missing)} (it has {', '.join(sorted(available))})."
        )
    if not target.is_embedded:
        not_pg = [c for c in wanted if c not in DATABASE_NAMES]
        if only and not_pg:
            raise UserError(f"A postgresql:// target takes only PostgreSQL databases, not {', '.join(not_pg)}.")
        wanted = [c for c in wanted if c in DATABASE_NAMES]
    entries = {e.get("company") or e["kind"]: e for e in manifest["files"] if e["kind"] != "postgres-globals"}

    try:
        report = _restore_into(target, folder, key.key, manifest, entries, wanted, replace)
    except psycopg.OperationalError as error:
        raise UserError(f"Cannot reach the target {target.description}: {' '.join(str(error).split())}") from error
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _restore_into(
    target: Target,
    folder: BackupFolder,
    key: bytes,
    manifest: dict[str, Any],
    entries: dict[str, dict[str, Any]],
    wanted: list[str],
    replace: bool,
) -> RestoreReport:
    """The part of a restore that touches the target (the backup is already verified)."""
    # Start the target's servers, then check that nothing would be overwritten, then restore.
    if target.is_embedded:
        from promptsales.runtime.mongo import MongoServer
        from promptsales.runtime.postgres import EmbeddedPostgres

        if any(c in DATABASE_NAMES for c in wanted):
            EmbeddedPostgres(target.embedded).start()
        if "mongo" in wanted:
            MongoServer(target.embedded).start()
    for component in wanted:
        if component in DATABASE_NAMES:
            dbname = DATABASE_NAMES[component] if target.is_embedded else entries[component]["database"]
            _check_postgres_target(target, dbname, replace)
        elif component == "mongo" and _mongo_has_collections(target.embedded) and not replace:
            raise UserError(f"MongoDB on {target.description} already has content; pass --replace to overwrite it.")
        elif component == "media":
            store = media_dir(target.embedded.data_path)
            if store.exists() and any(store.iterdir()) and not replace:
                raise UserError(f"The media store {store} is not empty; pass --replace to overwrite it.")

    report = RestoreReport(backup_id=folder.id, target=target.description)
    globals_sql = _globals_text(folder, key, manifest) if target.is_embedded else ""
    for component in wanted:
        entry = entries[component]
        if component in DATABASE_NAMES:
            report.restored[component] = _restore_postgres(target, folder, key, entry, globals_sql)
        elif component == "mongo":
            report.restored[component] = _restore_mongo(target, folder, key, entry, replace)
        elif component == "media":
            report.restored[component] = _restore_media(target, folder, key, entry, replace)
    _rebuild_derived_data(target, [c for c in wanted if c in DATABASE_NAMES])
    return report


def _rebuild_derived_data(target: Target, companies: list[str]) -> None:
    """Point the CRM linked server at the target's own PromptAds, then refresh every materialized view.

    pg_restore refreshes a view while restoring its database, when the databases it reads through the
    linked server may not be restored yet (or are the original server's). Views are derived data, so
    they are rebuilt once every database is in place.
    """
    if not target.is_embedded or not companies:
        return
    if "crm" in companies and "ads" in companies:
        from promptsales.crm.link import ensure_link

        ensure_link(target.embedded)
    for company in companies:
        refresh_materialized_views(target.admin_conninfo(DATABASE_NAMES[company]))

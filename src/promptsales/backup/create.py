"""``promptsales backup run``: dump, encrypt and describe every database of the ecosystem."""

from __future__ import annotations

import functools
import platform
import shutil
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from promptsales.audit.trail import audited
from promptsales.backup.crypto import EncryptingWriter
from promptsales.backup.keys import BackupKey, load_key
from promptsales.backup.media_archive import archive_media
from promptsales.backup.mongo_dump import export_database
from promptsales.backup.postgres_dump import dump_database, dump_globals, exported_snapshots, now_utc, tool_version
from promptsales.backup.settings import BackupSettings
from promptsales.backup.store import FORMAT, MANIFEST, BackupFolder, BackupStore, new_backup_id, write_signed
from promptsales.backup.streams import ByteSink
from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import admin_conninfo
from promptsales.errors import UserError
from promptsales.runtime.mongo import MongoServer

COMPONENTS: tuple[str, ...] = (*DATABASE_NAMES, "mongo", "media")
CIPHER = "AES-256-GCM; per-file key HKDF-SHA256(backup key, random salt); nonce = 7-byte prefix | counter | last flag"


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def _encrypt_to(
    folder: Path, relative: str, key: BackupKey, chunk_size: int, produce: Callable[[ByteSink], Any]
) -> tuple[dict[str, Any], Any]:
    """Run ``produce(writer)`` into ``folder/relative.enc``; returns the file entry and what produce returned."""
    path = folder / f"{relative}.enc"
    path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with open(path, "wb") as sink:
        writer = EncryptingWriter(sink, key.key, relative, chunk_size)
        produced = produce(writer)
        writer.close()
    entry = {
        "name": relative,
        "path": f"{relative}.enc",
        "seconds": round(time.perf_counter() - started, 3),
        **writer.summary(),
    }
    return entry, produced


def select_components(only: list[str] | None) -> list[str]:
    """Validate ``--only`` values (companies, ``mongo``, ``media``)."""
    chosen = list(only or COMPONENTS)
    unknown = sorted(set(chosen) - set(COMPONENTS))
    if unknown:
        raise UserError(f"Unknown backup component {', '.join(unknown)}; expected some of {', '.join(COMPONENTS)}.")
    return [c for c in COMPONENTS if c in chosen]


@audited("backup", "backup.run", category="backup")  # who, outcome, duration in the central audit
def run_backup(
    settings: Settings,
    backup: BackupSettings | None = None,
    only: list[str] | None = None,
    databases: dict[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BackupFolder:
    """Make one backup; ``databases`` overrides database names per company (tests back up private copies).

    Nothing is visible under the backup's id until every file is written and the manifest is signed.
    """
    backup = backup or BackupSettings()
    components = select_components(only)
    key = load_key(settings, backup, create=True)
    databases = {company: (databases or {}).get(company, name) for company, name in DATABASE_NAMES.items()}
    store = BackupStore(backup.backup_dir(settings))
    backup_id = new_backup_id()
    partial = store.start(backup_id)
    say = progress or (lambda _message: None)
    started = now_utc()
    clock = time.perf_counter()
    files: list[dict[str, Any]] = []
    versions: dict[str, Any] = {
        "promptsales": _package_version("promptsales"),
        "python": platform.python_version(),
        "cryptography": _package_version("cryptography"),
        "pymongo": _package_version("pymongo"),
    }
    try:
        companies = [c for c in components if c in DATABASE_NAMES]
        if companies:
            versions["pg_dump"] = tool_version("pg_dump")
            conninfos = {c: admin_conninfo(settings, c, databases[c]) for c in companies}
            with exported_snapshots(conninfos) as snapshots:
                for company in companies:
                    snapshot = snapshots[company]
                    versions.setdefault("postgresql_server", {})[company] = snapshot.server_version
                    say(f"pg_dump {snapshot.database}")
                    entry, _ = _encrypt_to(
                        partial,
                        f"postgres/{DATABASE_NAMES[company]}.dump",
                        key,
                        backup.chunk_size,
                        functools.partial(dump_database, conninfos[company], snapshot, compression=backup.compression),
                    )
                    entry.update(
                        kind="postgres", company=company, database=snapshot.database, snapshot=snapshot.as_dict()
                    )
                    files.append(entry)
            say("roles (pg_dumpall --roles-only)")
            entry, _ = _encrypt_to(
                partial,
                "postgres/globals.sql",
                key,
                backup.chunk_size,
                lambda sink: dump_globals(admin_conninfo(settings, companies[0], "postgres"), sink),
            )
            entry.update(kind="postgres-globals")
            files.append(entry)
        if "mongo" in components:
            say("MongoDB export")
            url = MongoServer(settings).url
            entry, info = _encrypt_to(
                partial,
                f"mongo/{settings.content_mongo_database}.ejson",
                key,
                backup.chunk_size,
                lambda sink: export_database(url, settings.content_mongo_database, sink),
            )
            versions["mongo_server"] = info["server_version"]
            entry.update(kind="mongo", database=settings.content_mongo_database, collections=info["collections"])
            files.append(entry)
        if "media" in components:
            say("media store")
            entry, info = _encrypt_to(
                partial,
                "media/media.tar",
                key,
                backup.chunk_size,
                lambda sink: archive_media(backup.media_path(settings), sink),
            )
            entry.update(kind="media", media_files=info["files"], media_bytes=info["bytes"])
            files.append(entry)
        manifest = {
            "format": FORMAT,
            "id": backup_id,
            "started_at": started,
            "finished_at": now_utc(),
            "seconds": round(time.perf_counter() - clock, 3),
            "components": components,
            "key_id": key.id,
            "cipher": CIPHER,
            "chunk_size": backup.chunk_size,
            "pg_dump_compression": backup.compression,
            "versions": versions,
            "source": {
                "data_dir": str(settings.data_path),
                "databases": {c: databases[c] for c in components if c in databases},
            },
            "files": files,
        }
        write_signed(partial / MANIFEST, key.key, "manifest", manifest)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return store.finish(partial)

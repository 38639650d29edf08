"""Backup → restore on a second cluster (SPEC N3, N4; issue 9 acceptance).

Every database comes back with the same row count and the same per-table checksum; MongoDB documents,
indexes and media files are equal; the restored databases keep their owners and grants (the target's own
login roles can read them); no backup file contains a known PII value in clear.
"""

from __future__ import annotations

import json
import subprocess

import psycopg
import pymongo
from bson import json_util
from psycopg import sql

from conftest import KNOWN_PII
from promptsales.backup.checksums import table_checksums
from promptsales.backup.crypto import DecryptingReader
from promptsales.backup.keys import load_key
from promptsales.backup.media_archive import tree_digest
from promptsales.backup.postgres_dump import pg_bin
from promptsales.backup.restore import restore_backup
from promptsales.config import DATABASE_NAMES
from promptsales.db.connect import admin_conninfo, connect
from promptsales.runtime.mongo import MongoServer


def mongo_snapshot(url: str, database: str) -> dict[str, list[str]]:
    """Every document of every collection as canonical Extended JSON, in ``_id`` order."""
    client = pymongo.MongoClient(url)
    try:
        db = client[database]
        return {
            name: [
                json_util.dumps(doc, json_options=json_util.CANONICAL_JSON_OPTIONS)
                for doc in db[name].find({}, sort=[("_id", 1)])
            ]
            for name in sorted(db.list_collection_names())
        }
    finally:
        client.close()


def test_backup_then_restore_on_second_cluster_gives_equal_data(backup_source, full_backup, second_install):
    source, folder = backup_source, full_backup
    report = restore_backup(
        source.settings, folder.id, str(second_install.data_path), replace=True, backup=source.backup
    )
    assert set(report.restored) == {*DATABASE_NAMES, "mongo", "media"}

    for company, dbname in source.databases.items():
        before = table_checksums(admin_conninfo(source.settings, company, dbname))
        after = table_checksums(admin_conninfo(second_install, company))
        assert after == before, f"{company}: restored tables differ"
        probe = [t for t in before if t.endswith(".backup_probe")]
        assert probe and before[probe[0]][0] == 2000

    # Owners and grants survived: the target's own app role (its own password) reads the restored rows.
    with connect("crm", "app", settings=second_install) as conn:
        assert conn.execute("SELECT count(*) FROM crm.backup_probe").fetchone()[0] == 2000
    with connect("crm", "admin", settings=second_install) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'backup_probe'").fetchone()[0]
    assert owner == "promptcrm_owner"

    assert mongo_snapshot(MongoServer(second_install).url, second_install.content_mongo_database) == mongo_snapshot(
        MongoServer(source.settings).url, source.settings.content_mongo_database
    )
    client = pymongo.MongoClient(MongoServer(second_install).url)
    indexes = {ix["name"]: ix for ix in client[second_install.content_mongo_database].images.list_indexes()}
    client.close()
    assert indexes["n_unique"]["unique"] is True

    restored_media = tree_digest(second_install.data_path / "media")
    assert restored_media == tree_digest(source.media) and len(restored_media) == 12


def test_backup_files_hold_no_plaintext_pii(backup_source, full_backup):
    source, folder = backup_source, full_backup
    needles = [value.encode() for value in KNOWN_PII.values()]
    files = [path for path in folder.root.rglob("*") if path.is_file()]
    assert len(files) >= 8
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, f"{needle!r} in clear in {path.name}"

    # The search is meaningful: decrypted, the same files do contain the values.
    key = load_key(source.settings, source.backup).key
    manifest = folder.manifest(key)
    entries = {entry["name"]: entry for entry in manifest["files"]}
    with open(folder.root / entries["postgres/promptcrm.dump"]["path"], "rb") as handle:
        dump = DecryptingReader(handle, key, "crm dump").read()
    sql_text = subprocess.run(
        [str(pg_bin("pg_restore")), "--data-only", "-f", "-"], input=dump, capture_output=True, check=True
    ).stdout
    assert KNOWN_PII["name"].encode() in sql_text and KNOWN_PII["national_id"].encode() in sql_text
    mongo_name = f"mongo/{source.settings.content_mongo_database}.ejson"
    with open(folder.root / entries[mongo_name]["path"], "rb") as handle:
        lines = [json.loads(line) for line in DecryptingReader(handle, key, "mongo")]
    assert lines[0]["type"] == "header" and lines[-1] == {"type": "end", "collections": 2, "documents": 290}
    assert any(KNOWN_PII["mongo_text"] in line.get("doc", {}).get("description", "") for line in lines)


def test_manifest_records_sizes_digests_versions_and_snapshots(backup_source, full_backup):
    source, folder = backup_source, full_backup
    key = load_key(source.settings, source.backup)
    manifest = folder.manifest(key.key)
    assert manifest["key_id"] == key.id and manifest["id"] == folder.id
    assert manifest["versions"]["pg_dump"].startswith("pg_dump (PostgreSQL) 18")
    assert set(manifest["versions"]["postgresql_server"]) == set(DATABASE_NAMES)
    assert manifest["versions"]["mongo_server"]
    postgres = [entry for entry in manifest["files"] if entry["kind"] == "postgres"]
    assert {entry["database"] for entry in postgres} == set(source.databases.values())
    for entry in manifest["files"]:
        assert (folder.root / entry["path"]).stat().st_size == entry["cipher_bytes"]
        assert len(entry["plain_sha256"]) == 64 and len(entry["cipher_sha256"]) == 64
    for entry in postgres:
        assert entry["snapshot"]["lsn"] and entry["snapshot"]["snapshot_id"] and entry["snapshot"]["taken_at"]
    # The key is not next to the backups, and no backup file contains it (raw or base64).
    from pathlib import Path

    from promptsales.backup.crypto import encode_key

    assert folder.root.parent not in Path(key.source).parents
    for path in folder.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert key.key not in data and encode_key(key.key).encode() not in data


def test_restore_to_a_postgresql_url_takes_ownership_without_roles(backup_source, full_backup, second_install):
    """A server whose roles someone else manages: restored with --no-owner --no-privileges (D57)."""
    from psycopg.conninfo import make_conninfo

    from promptsales.runtime.postgres import EmbeddedPostgres
    from promptsales.runtime.state import Secrets

    server = EmbeddedPostgres(second_install)
    server.start()
    url = f"postgresql://postgres:{Secrets(second_install.data_path).get('postgres_superuser')}@127.0.0.1:{server.port}/postgres"
    report = restore_backup(
        backup_source.settings, full_backup.id, url, only=["sales"], replace=True, backup=backup_source.backup
    )
    restored_name = backup_source.databases["sales"]
    assert report.restored["sales"]["database"] == restored_name
    target = make_conninfo(url, dbname=restored_name)
    assert table_checksums(target) == table_checksums(admin_conninfo(backup_source.settings, "sales", restored_name))
    with psycopg.connect(target) as conn:
        owner = conn.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'backup_probe'").fetchone()[0]
    assert owner == "postgres"
    with psycopg.connect(admin_conninfo(second_install, "sales", "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(restored_name)))

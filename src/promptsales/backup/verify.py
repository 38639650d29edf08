"""``promptsales backup verify ID``: authenticate the manifest, then decrypt and check every file."""

from __future__ import annotations

import hashlib
import time
from typing import Any

from promptsales.audit.trail import audited
from promptsales.backup.crypto import BackupIntegrityError, DecryptingReader
from promptsales.backup.keys import BackupKey
from promptsales.backup.postgres_dump import now_utc
from promptsales.backup.store import BackupFolder

POSTGRES_DUMP_MAGIC = b"PGDMP"


def _check_file(folder: BackupFolder, key: BackupKey, entry: dict[str, Any]) -> None:
    path = folder.root / entry["path"]
    where = f"backup {folder.id}, file {entry['path']}"
    if not path.is_file():
        raise BackupIntegrityError(f"{where}: missing.")
    size = path.stat().st_size
    if size != entry["cipher_bytes"]:
        raise BackupIntegrityError(f"{where}: {size} bytes on disk, the manifest says {entry['cipher_bytes']}.")
    cipher_sha = hashlib.sha256()
    with open(path, "rb") as raw:

        class Hashing:
            def read(self, n: int) -> bytes:
                data = raw.read(n)
                cipher_sha.update(data)
                return data

        reader = DecryptingReader(Hashing(), key.key, where, expected_name=entry["name"])
        first = b""
        for chunk in reader.chunks():
            if not first:
                first = chunk[:8]
    if cipher_sha.hexdigest() != entry["cipher_sha256"]:
        raise BackupIntegrityError(f"{where}: ciphertext SHA-256 differs from the manifest.")
    if reader.plain_bytes != entry["plain_bytes"] or reader.plain_sha.hexdigest() != entry["plain_sha256"]:
        raise BackupIntegrityError(f"{where}: decrypted content differs from the manifest (size or SHA-256).")
    if entry.get("kind") == "postgres" and not first.startswith(POSTGRES_DUMP_MAGIC):
        raise BackupIntegrityError(f"{where}: decrypted content is not a pg_dump custom-format archive.")


@audited("backup", "backup.verify", category="backup")  # who, outcome, duration in the central audit
def verify_backup(folder: BackupFolder, key: BackupKey, record: bool = True) -> dict[str, Any]:
    """Check everything; raises :class:`BackupIntegrityError` (exit 2 on the CLI) at the first problem.

    On success (and with ``record``) an authenticated ``verified.json`` is written: prune keeps the newest
    verified backup. A failure removes any previous verification mark.
    """
    started = time.perf_counter()
    try:
        claimed = (folder.unverified_manifest() or {}).get("key_id")
        if claimed and claimed != key.id:
            raise BackupIntegrityError(
                f"backup {folder.id} says it was made with backup key {claimed}; the current key is {key.id} "
                f"({key.source})."
            )
        manifest = folder.manifest(key.key)
        for entry in manifest["files"]:
            _check_file(folder, key, entry)
    except BackupIntegrityError:
        if record:
            folder.clear_verified()
        raise
    result = {
        "id": folder.id,
        "verified_at": now_utc(),
        "files": len(manifest["files"]),
        "plain_bytes": sum(entry["plain_bytes"] for entry in manifest["files"]),
        "cipher_bytes": sum(entry["cipher_bytes"] for entry in manifest["files"]),
        "seconds": round(time.perf_counter() - started, 3),
    }
    if record:
        folder.mark_verified(key.key, result)
    return result

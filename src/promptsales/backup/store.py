"""The backup directory: one folder per backup (``<id>/``) with encrypted files and an authenticated manifest.

Layout::

    <backup dir>/
      20261127T030000Z/
        manifest.json            {"manifest": {...}, "hmac_sha256": "..."}  (no secrets, no PII)
        verified.json            written by `backup verify` when every file checked out (also authenticated)
        postgres/promptcrm.dump.enc, ...    pg_dump custom format, encrypted
        mongo/promptcontent.ejson.enc       canonical Extended JSON lines, encrypted
        media/media.tar.enc                 tar of <data_dir>/media, encrypted
      20261127T030000Z.partial/  a backup being written (renamed when complete; never listed as usable)
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from promptsales.backup.crypto import BackupIntegrityError, check_manifest_mac, manifest_mac
from promptsales.errors import UserError

FORMAT = "promptsales-backup/1"
ID_PATTERN = re.compile(r"^\d{8}T\d{6}(\d{6})?Z$")
MANIFEST = "manifest.json"
VERIFIED = "verified.json"


def new_backup_id(now: datetime | None = None) -> str:
    """A sortable UTC id such as ``20261127T030000Z`` (microseconds added when needed for uniqueness)."""
    return (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")


def backup_time(backup_id: str) -> datetime:
    """The UTC creation time encoded in an id."""
    digits = backup_id.rstrip("Z")
    fmt = "%Y%m%dT%H%M%S%f" if len(digits) > 15 else "%Y%m%dT%H%M%S"
    return datetime.strptime(digits, fmt).replace(tzinfo=UTC)


def canonical(data: Any) -> bytes:
    """The bytes a manifest's MAC is computed over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def write_signed(path: Path, key: bytes, field: str, body: dict[str, Any]) -> None:
    """Write ``{field: body, "hmac_sha256": mac}`` atomically."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(
        json.dumps({field: body, "hmac_sha256": manifest_mac(key, canonical(body))}, indent=2, sort_keys=True)
    )
    tmp.replace(path)


def read_signed(path: Path, key: bytes, field: str) -> dict[str, Any]:
    """Read and authenticate a signed JSON file; a clear error when it is missing, malformed or changed."""
    try:
        data = json.loads(path.read_text())
        body = data[field]
        mac = data["hmac_sha256"]
    except FileNotFoundError:
        raise BackupIntegrityError(f"{path} is missing.") from None
    except (ValueError, KeyError, TypeError):
        raise BackupIntegrityError(f"{path} is not a valid signed {field} file.") from None
    check_manifest_mac(key, canonical(body), mac, str(path))
    return body


@dataclass
class BackupFolder:
    """One backup on disk."""

    root: Path

    @property
    def id(self) -> str:
        """The backup's id (folder name)."""
        return self.root.name

    @property
    def created(self) -> datetime:
        """Creation time from the id."""
        return backup_time(self.id)

    def manifest(self, key: bytes) -> dict[str, Any]:
        """The authenticated manifest."""
        manifest = read_signed(self.root / MANIFEST, key, "manifest")
        if manifest.get("id") != self.id or manifest.get("format") != FORMAT:
            raise BackupIntegrityError(f"{self.root / MANIFEST}: manifest of {manifest.get('id')!r}, not of {self.id}.")
        return manifest

    def unverified_manifest(self) -> dict[str, Any] | None:
        """The manifest as stored, without authentication (for listing only); None when unreadable."""
        try:
            return json.loads((self.root / MANIFEST).read_text())["manifest"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def verified_record(self, key: bytes) -> dict[str, Any] | None:
        """The authenticated record of the last successful verification, or None."""
        if not (self.root / VERIFIED).exists():
            return None
        try:
            record = read_signed(self.root / VERIFIED, key, "verified")
        except BackupIntegrityError:
            return None
        return record if record.get("id") == self.id else None

    def mark_verified(self, key: bytes, record: dict[str, Any]) -> None:
        """Record a successful verification."""
        write_signed(self.root / VERIFIED, key, "verified", record)

    def clear_verified(self) -> None:
        """Forget a previous verification (after a failed one)."""
        (self.root / VERIFIED).unlink(missing_ok=True)

    def size_bytes(self) -> int:
        """Bytes on disk."""
        return sum(path.stat().st_size for path in self.root.rglob("*") if path.is_file())


class BackupStore:
    """The backup directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def backups(self) -> list[BackupFolder]:
        """Complete backups, oldest first."""
        if not self.root.is_dir():
            return []
        folders = [BackupFolder(p) for p in self.root.iterdir() if p.is_dir() and ID_PATTERN.match(p.name)]
        return sorted(folders, key=lambda folder: folder.id)

    def partials(self) -> list[Path]:
        """Unfinished backups (interrupted runs)."""
        if not self.root.is_dir():
            return []
        return sorted(
            p
            for p in self.root.iterdir()
            if p.is_dir() and p.name.endswith(".partial") and ID_PATTERN.match(p.name.removesuffix(".partial"))
        )

    def get(self, backup_id: str) -> BackupFolder:
        """A backup by id (``latest`` = newest); a clear error when it does not exist."""
        if backup_id == "latest":
            folders = self.backups()
            if not folders:
                raise UserError(f"There is no backup in {self.root} yet; run `promptsales backup run`.")
            return folders[-1]
        if not ID_PATTERN.match(backup_id):
            raise UserError(f"{backup_id!r} is not a backup id (expected e.g. 20261127T030000123456Z or 'latest').")
        folder = self.root / backup_id
        if not folder.is_dir():
            raise UserError(f"Backup {backup_id} does not exist in {self.root}; see `promptsales backup list`.")
        return BackupFolder(folder)

    def start(self, backup_id: str) -> Path:
        """Create the ``.partial`` folder of a new backup."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f"{backup_id}.partial"
        folder.mkdir()
        return folder

    def finish(self, partial: Path) -> BackupFolder:
        """Make a written backup visible (atomic rename)."""
        final = partial.with_name(partial.name.removesuffix(".partial"))
        partial.rename(final)
        return BackupFolder(final)

    @staticmethod
    def delete(folder: BackupFolder | Path) -> None:
        """Remove a backup folder."""
        shutil.rmtree(folder.root if isinstance(folder, BackupFolder) else folder)

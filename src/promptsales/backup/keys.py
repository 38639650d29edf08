"""The backup key: from ``PROMPTSALES_BACKUP_KEY``, or a key file that is never inside the backup directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from promptsales.backup.crypto import decode_key, key_id, new_key, write_key_file
from promptsales.backup.settings import BackupSettings
from promptsales.config import Settings
from promptsales.errors import UserError


@dataclass(frozen=True)
class BackupKey:
    """The 256-bit key and where it came from."""

    key: bytes
    source: str
    created: bool = False

    @property
    def id(self) -> str:
        """Public fingerprint of the key, recorded in manifests."""
        return key_id(self.key)


def _check_not_next_to_backups(key_path: Path, backup_dir: Path) -> None:
    if key_path == backup_dir or backup_dir in key_path.parents:
        raise UserError(
            f"The backup key file {key_path} is inside the backup directory {backup_dir}: a key stored next to "
            "the backups protects nothing. Move it (PROMPTSALES_BACKUP_KEY_FILE) or use PROMPTSALES_BACKUP_KEY."
        )


def load_key(settings: Settings, backup: BackupSettings, create: bool = False) -> BackupKey:
    """The backup key; with ``create`` a missing key file is generated (first backup of a new install)."""
    if backup.key is not None:
        return BackupKey(
            decode_key(backup.key.get_secret_value(), "PROMPTSALES_BACKUP_KEY"), "env PROMPTSALES_BACKUP_KEY"
        )
    path = backup.key_path(settings)
    _check_not_next_to_backups(path, backup.backup_dir(settings))
    if not path.exists():
        if not create:
            raise UserError(
                f"No backup key: {path} does not exist and PROMPTSALES_BACKUP_KEY is not set. Backups can only be "
                "read with the key they were made with."
            )
        write_key_file(path, new_key())
        return BackupKey(decode_key(path.read_text(), str(path)), str(path), created=True)
    return BackupKey(decode_key(path.read_text(), str(path)), str(path))

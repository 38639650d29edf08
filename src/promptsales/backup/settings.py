"""Where backups go, where their key lives and how long they are kept (env prefix ``PROMPTSALES_BACKUP_``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from promptsales.config import Settings


class BackupSettings(BaseSettings):
    """Backup configuration; every path defaults to a place under the data directory."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_BACKUP_", env_file=".env", extra="ignore")

    dir: Path | None = Field(default=None, description="Backup directory (default <data_dir>/backups).")
    key_file: Path | None = Field(
        default=None, description="File with the 32-byte backup key, base64 (default <data_dir>/secrets/backup.key)."
    )
    key: SecretStr | None = Field(default=None, description="The backup key itself, base64; wins over key_file.")
    media_dir: Path | None = Field(default=None, description="Media store to back up (default <data_dir>/media).")
    keep_daily: int = Field(default=30, ge=1, description="Daily backups that prune keeps (SPEC N3: at least 30).")
    compression: str = Field(
        default="gzip:1",
        description="pg_dump --compress for the custom-format dumps (gzip:1 ≈ 3× faster than gzip:6, ~10% larger).",
    )
    chunk_size: int = Field(default=1 << 20, ge=4096, description="Plaintext bytes per AES-GCM chunk.")

    def backup_dir(self, settings: Settings) -> Path:
        """Absolute backup directory."""
        return (self.dir or settings.data_path / "backups").expanduser().resolve()

    def media_path(self, settings: Settings) -> Path:
        """Absolute path of the media store that is backed up."""
        return (self.media_dir or settings.data_path / "media").expanduser().resolve()

    def key_path(self, settings: Settings) -> Path:
        """Absolute path of the key file."""
        return (self.key_file or settings.data_path / "secrets" / "backup.key").expanduser().resolve()

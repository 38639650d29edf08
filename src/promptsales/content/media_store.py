"""A local content-addressed media store: ``<data_dir>/media/<sha256[:2]>/<sha256>.<ext>``.

The URI stored in MongoDB is ``media://sha256/<hex>.<ext>``; identical bytes are stored once. In
production the same URIs map onto an object store bucket with the same key layout.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from promptsales.config import Settings
from promptsales.errors import UserError


class MediaStore:
    """Put and get media files by their SHA-256."""

    def __init__(self, settings: Settings) -> None:
        self.root = settings.data_path / "media"

    def path_for(self, sha256: str, ext: str) -> Path:
        """Where the file with this hash lives."""
        return self.root / sha256[:2] / f"{sha256}.{ext}"

    def put(self, data: bytes, ext: str) -> tuple[str, str]:
        """Store ``data`` (atomically, once); returns ``(sha256, uri)``."""
        sha256 = hashlib.sha256(data).hexdigest()
        path = self.path_for(sha256, ext)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return sha256, f"media://sha256/{sha256}.{ext}"

    def resolve(self, uri: str) -> Path:
        """The file behind a ``media://sha256/<hex>.<ext>`` URI."""
        prefix = "media://sha256/"
        if not uri.startswith(prefix):
            raise UserError(f"Not a media store URI: {uri!r}")
        name = uri[len(prefix) :]
        sha256, _, ext = name.partition(".")
        if len(sha256) != 64 or not ext:
            raise UserError(f"Malformed media store URI: {uri!r}")
        return self.path_for(sha256, ext)

    def read(self, uri: str) -> bytes:
        """The bytes behind a URI, checked against their hash."""
        path = self.resolve(uri)
        data = path.read_bytes()
        if hashlib.sha256(data).hexdigest() != path.name.split(".")[0]:
            raise UserError(f"Media file {path} does not match its hash; the store is corrupted.")
        return data

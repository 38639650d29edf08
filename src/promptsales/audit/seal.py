"""Seals of closed audit days: HMAC-SHA256 over a partition's row count and last hash, with a key kept outside the
database (``PROMPTSALES_AUDIT_SEAL_KEY``, else ``audit_seal_key`` in ``<data_dir>/secrets.json``, mode 0600).

A chain alone shows that rows were edited, deleted or reordered by anyone who cannot rewrite the whole chain and
its head; a seal also covers whoever can (the database owner, a superuser): without the key they cannot make a
rewritten day's seal match.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass

from promptsales.config import Settings
from promptsales.runtime.state import Secrets

SEAL_KEY_ENV = "PROMPTSALES_AUDIT_SEAL_KEY"


@dataclass(frozen=True)
class SealKey:
    """The audit seal key and its public id (the first 16 hex digits of its SHA-256)."""

    key: bytes

    @property
    def id(self) -> str:
        """Public fingerprint of the key, stored with each seal."""
        return hashlib.sha256(self.key).hexdigest()[:16]


def load_seal_key(settings: Settings) -> SealKey:
    """The configured seal key (created in the secrets file on first use)."""
    configured = os.environ.get(SEAL_KEY_ENV)
    secret = configured or Secrets(settings.data_path).get("audit_seal_key")
    return SealKey(secret.encode())


def seal_digest(key: SealKey, partition: str, rows: int, last_hash: bytes) -> bytes:
    """HMAC-SHA256 of ``partition|rows|last hash`` under the seal key."""
    message = f"{partition}|{rows}|{last_hash.hex()}".encode()
    return hmac.new(key.key, message, hashlib.sha256).digest()

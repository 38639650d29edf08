"""The course log of PromptAds (``ads.logs``): the checksum shared by SQL and Python writers."""

from __future__ import annotations

import hashlib


def checksum(
    log_type: str,
    log_source: str,
    severity: str,
    description: str,
    reference_id1: int | None = None,
    reference_id2: int | None = None,
    value1: str | None = None,
    value2: str | None = None,
) -> str:
    """SHA-256 (hex) of a log row's content, identical to SQL ``ads.log_checksum(...)``."""
    parts = [log_type, log_source, severity, description]
    parts += ["" if v is None else str(v) for v in (reference_id1, reference_id2, value1, value2)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()

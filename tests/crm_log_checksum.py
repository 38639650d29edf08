"""PromptCRM's log-row checksum recomputed independently in Python, for the tests that check log rows."""

from __future__ import annotations

import hashlib


def canonical_checksum(row: dict) -> str:
    """SHA-256 of the row's canonical form (the same form as crm.crmfn_log_checksum), from a ``crm.logs``
    row read as a dict: microseconds since the epoch, the type/source/severity ids, the texts, and the
    references and values with NULL written as ``\\N``, joined by the unit separator."""
    epoch_us = round(row["logged_at"].timestamp() * 1_000_000)
    parts = [
        epoch_us,
        row["log_type_id"],
        row["log_source_id"],
        row["severity_id"],
        row["description"],
        row["computer"],
        row["username"],
    ]
    parts += ["\\N" if row[k] is None else row[k] for k in ("reference_id1", "reference_id2", "value1", "value2")]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()

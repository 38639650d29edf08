"""The export archive (GDPR art. 15/20, CCPA right to know): a zip of one JSON file per store and table, and a
``manifest.json`` naming each file with its row count and SHA-256, and saying what is held elsewhere and why it
is not in the archive (warehouse aggregates, backups)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import UTC, datetime
from typing import Any

FORMAT = "promptsales-subject-export/1"
#: What the archive does not contain, and why — part of every manifest.
NOT_INCLUDED = {
    "warehouse": "PromptSales' warehouse (wh.*) holds aggregates per campaign, channel, market and month only — no "
    "person, no client id: not personal data. An erasure keeps the facts (anonymised), so totals do not change.",
    "backups": "Encrypted daily backups (kept 30 days) hold the PromptCRM rows above as they were on each day. The "
    "national ID and context in them are encrypted under this person's own key, which is never in a backup: after "
    "an erasure no backup can reveal them.",
    "audit": "The central audit holds ids (client, lead, request), never names or identifiers; its rows about this "
    "person are in promptsales/audit_log.json and are kept 90 days, unchanged (accountability, GDPR art. 17(3)).",
}


def build(manifest: dict[str, Any], stores: dict[str, dict[str, list[dict]]]) -> tuple[bytes, dict[str, Any]]:
    """The zip (bytes) of ``stores`` (store → table → rows) and the manifest it carries (with its file list)."""
    files = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for store, tables in sorted(stores.items()):
            for table, rows in sorted(tables.items()):
                path = f"{store}/{table}.json"
                data = json.dumps(rows, indent=2, ensure_ascii=False, sort_keys=True).encode()
                archive.writestr(path, data)
                files.append(
                    {
                        "path": path,
                        "store": store,
                        "table": table,
                        "rows": len(rows),
                        "sha256": hashlib.sha256(data).hexdigest(),
                    }
                )
        full = {
            "format": FORMAT,
            "generated_at": datetime.now(UTC).isoformat(),
            **manifest,
            "files": files,
            "not_included": NOT_INCLUDED,
        }
        archive.writestr("manifest.json", json.dumps(full, indent=2, ensure_ascii=False))
    return buffer.getvalue(), full

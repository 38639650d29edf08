"""Make FerretDB's SQLite backend answer ``_id`` lookups from an index (docs/decisions.md D6).

FerretDB v1.24 pushes a filter ``{"_id": X}`` down to SQLite as ``_ferretdb_sjson->'$._id' = ?`` but
creates its unique ``_id`` index on the expression ``_ferretdb_sjson->"_id"``. SQLite only uses an
expression index for the same expression, so every lookup by ``_id`` scans the whole collection:
37 ms per lookup at 100,000 media documents, which made ``getContent`` (five lookups) miss its target.
An index on the pushed-down expression fixes it (0.2 ms at 300 or 100,000 documents). SQLite maintains
it on every write like any other index; FerretDB does not list it and drops it with the collection.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

#: The expression FerretDB's SQLite backend filters ``_id`` by (``metadata.IDColumn`` in its source).
ID_EXPRESSION = "_ferretdb_sjson->'$._id'"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def index_id_lookups(data_dir: Path) -> int:
    """Add the ``_id`` lookup index to every collection table of the FerretDB SQLite files in
    ``data_dir`` that lacks it; returns how many indexes were created (0 when all exist)."""
    created = 0
    for path in sorted(data_dir.glob("*.sqlite")):
        with closing(sqlite3.connect(path, timeout=30)) as db:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_ferretdb%' ESCAPE '\\' "
                    "AND sql LIKE '%_ferretdb_sjson%'"
                )
            ]
            existing = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
            for table in tables:
                index = f"{table}__id_lookup"
                if index not in existing:
                    # Identifiers come from SQLite's own catalogue (FerretDB's table names), quoted.
                    db.execute(f"CREATE INDEX IF NOT EXISTS {_quoted(index)} ON {_quoted(table)} ({ID_EXPRESSION})")
                    created += 1
            db.commit()
    return created

"""The attributes of every asset in PostgreSQL (``content.media_facets``, issue 24), for hybrid search.

Generated assets take their scene's attributes. A description edited by hand no longer comes from the scene,
so its attributes are what the embedding model reads in the new text (:func:`promptsales.content.hybrid.
text_row`). Written in one COPY after the seed and after a full reindex (:func:`promptsales.content.hybrid.
load_facets`), and row by row after an edit.
"""

from __future__ import annotations

import psycopg

from promptsales.db import bulk

#: Columns of ``content.media_facets`` after ``media_id`` and ``media_type``: the searchable attributes.
FACETS = ("product", "setting", "style", "palette", "mood", "audience", "format")
COLUMNS = ("media_id", "media_type", *FACETS)
PROJECTION = {"_id": 1, "media_type": 1, "scene": 1, "attributes": 1, "description_edited_at": 1}


def scene_row(doc: dict) -> tuple:
    """id, type and the scene's attributes (None where the medium has none)."""
    scene = doc.get("scene") or doc["attributes"]
    return (doc["_id"], doc["media_type"], *(scene.get(name) for name in FACETS))


def write_facets(conn: psycopg.Connection, rows: list[tuple]) -> None:
    """Replace every row of ``content.media_facets`` (TRUNCATE + COPY, in the caller's transaction)."""
    conn.execute("TRUNCATE content.media_facets")
    with conn.cursor().copy(bulk.copy_statement("content.media_facets", COLUMNS, binary=False)) as copy:
        for row in rows:
            copy.write_row(row)
    conn.execute("ANALYZE content.media_facets")


def upsert_facets(conn: psycopg.Connection, row: tuple) -> None:
    """Insert or replace one asset's attribute row."""
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS[1:])
    conn.execute(
        f"INSERT INTO content.media_facets ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
        f"ON CONFLICT (media_id) DO UPDATE SET {assignments}",
        row,
    )

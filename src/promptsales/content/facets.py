"""The attributes of every asset in PostgreSQL (``content.media_facets``, issue 24), for hybrid search.

Generated assets take their scene's attributes. A description edited by hand no longer comes from the scene,
so its attributes are what the embedding model reads in the new text (:func:`promptsales.content.hybrid.
text_facets`). Written in one COPY after the seed and after a full reindex, and row by row after an edit.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import psycopg
from pymongo.database import Database

from promptsales.config import Settings
from promptsales.db import bulk
from promptsales.db.connect import connect

#: Columns of ``content.media_facets`` after ``media_id`` and ``media_type``: the searchable attributes.
FACETS = ("product", "setting", "style", "palette", "mood", "audience", "format")
COLUMNS = ("media_id", "media_type", *FACETS)
PROJECTION = {"_id": 1, "media_type": 1, "scene": 1, "attributes": 1, "description_edited_at": 1}


def scene_row(doc: dict) -> tuple:
    """id, type and the scene's attributes (None where the medium has none)."""
    scene = doc.get("scene") or doc["attributes"]
    return (doc["_id"], doc["media_type"], *(scene.get(name) for name in FACETS))


def text_row(doc: dict, vector: np.ndarray) -> tuple:
    """id, type and the attributes the model reads in the description's embedding."""
    from promptsales.content.hybrid import text_facets  # hybrid imports this module

    found = text_facets(vector)
    return (doc["_id"], doc["media_type"], *(found.get(name) for name in FACETS))


def _parse_vector(text: str) -> np.ndarray:
    return np.array([float(x) for x in text.strip("[]").split(",")], dtype=np.float32)


def load_facets(settings: Settings, db: Database, dbname: str | None = None) -> int:
    """Replace ``content.media_facets`` by the attributes of every MongoDB media document; returns the count."""
    docs: Iterable[dict] = db.media_assets.find({}, PROJECTION)
    generated: list[dict] = []
    edited: list[dict] = []
    for doc in docs:
        (edited if doc.get("description_edited_at") else generated).append(doc)
    with connect("content", "owner", settings=settings, dbname=dbname) as conn:
        vectors: dict[str, str] = dict(
            conn.execute(
                "SELECT media_id, embedding::text FROM content.media_embeddings WHERE media_id = ANY(%s)",
                ([d["_id"] for d in edited],),
            ).fetchall()
        )
        rows = [scene_row(d) for d in generated]
        rows += [text_row(d, _parse_vector(vectors[d["_id"]])) for d in edited if d["_id"] in vectors]
        conn.execute("TRUNCATE content.media_facets")
        with conn.cursor().copy(bulk.copy_statement("content.media_facets", COLUMNS, binary=False)) as copy:
            for row in rows:
                copy.write_row(row)
        conn.execute("ANALYZE content.media_facets")
    return len(rows)


def upsert_facets(conn: psycopg.Connection, row: tuple) -> None:
    """Insert or replace one asset's attribute row."""
    assignments = ", ".join(f"{name} = EXCLUDED.{name}" for name in COLUMNS[1:])
    conn.execute(
        f"INSERT INTO content.media_facets ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))}) "
        f"ON CONFLICT (media_id) DO UPDATE SET {assignments}",
        row,
    )

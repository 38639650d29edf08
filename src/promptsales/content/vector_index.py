"""The pgvector index of PromptContent (SPEC C3): embed descriptions, load them with COPY, search.

Rows live in ``content.media_embeddings`` (HNSW, cosine). A full rebuild loads a staging table with
COPY, builds the HNSW index once (faster than incremental inserts) and swaps it in, so searches never
wait for a rebuild; single changes are upserted so
the index follows description edits immediately (:func:`upsert_embeddings`), and
:func:`sync_changed` catches up with edits made directly in MongoDB (by ``updated_at``).
"""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

import numpy as np
import psycopg
from psycopg import sql
from pymongo.database import Database

from promptsales.ai.embeddings import get_encoder
from promptsales.config import Settings
from promptsales.db import bulk
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar

BATCH = 512
COLUMN_NAMES = ("media_id", "media_type", "description_sha256", "embedding", "source_updated_at")
COLUMNS = "(" + ", ".join(COLUMN_NAMES) + ")"


def description_sha256(text: str) -> str:
    """The hash that tells whether a stored embedding is still the description's."""
    return hashlib.sha256(text.encode()).hexdigest()


def vector_literal(vector: np.ndarray) -> str:
    """pgvector text form ``[x1,x2,…]``."""
    return "[" + ",".join(f"{x:.7g}" for x in vector.tolist()) + "]"


def _copy_rows(conn: psycopg.Connection, table: str, docs: list[dict], vectors: np.ndarray) -> None:
    buffer = io.StringIO()
    for doc, vector in zip(docs, vectors):
        updated = doc["updated_at"].isoformat()
        buffer.write(
            f"{doc['_id']}\t{doc['media_type']}\t{description_sha256(doc['description'])}\t{vector_literal(vector)}\t{updated}\n"
        )
    with conn.cursor().copy(bulk.copy_statement(table, COLUMN_NAMES, binary=False)) as copy:
        copy.write(buffer.getvalue())


#: Indexes of ``content.media_embeddings`` besides its primary key (as in migration 0002).
INDEXES = {
    "media_embeddings_hnsw": "USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)",
    "media_embeddings_type": "(media_type)",
    "media_embeddings_source_updated": "(source_updated_at)",
}
STAGING = "media_embeddings_rebuild"


def rebuild(
    settings: Settings,
    db: Database,
    dbname: str | None = None,
    advance: Callable[[int], None] | None = None,
    mode: str = "full",
) -> dict[str, float]:
    """Re-embed every media description into a staging table and swap it in; returns counts and timings.

    Searches keep using the current index for the whole rebuild (only the final swap takes an exclusive
    lock, for milliseconds); descriptions edited while it ran are re-embedded before the swap commits.
    The HNSW index is built once over the loaded rows (faster than incremental inserts).
    """
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    encoder = get_encoder()
    total = db.media_assets.count_documents({})
    embed_seconds = 0.0
    staging = sql.Identifier("content", STAGING)
    with connect("content", "owner", settings=settings, dbname=dbname) as conn:
        conn.execute("SET maintenance_work_mem = '256MB'")
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(staging))
        conn.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE content.media_embeddings INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                "INCLUDING COMMENTS INCLUDING STORAGE)"
            ).format(staging)
        )
        cursor = db.media_assets.find({}, {"_id": 1, "media_type": 1, "description": 1, "updated_at": 1}).sort("_id", 1)
        loaded = 0
        for batch in _batches(cursor, BATCH):
            e0 = time.perf_counter()
            vectors = encoder.encode([d["description"] for d in batch])
            embed_seconds += time.perf_counter() - e0
            _copy_rows(conn, f"content.{STAGING}", batch, vectors)
            loaded += len(batch)
            if advance:
                advance(len(batch))
        i0 = time.perf_counter()
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY (media_id)").format(
                staging, sql.Identifier(f"{STAGING}_pkey")
            )
        )
        for name, definition in INDEXES.items():
            conn.execute(
                sql.SQL("CREATE INDEX {} ON {} ").format(sql.Identifier(f"{STAGING}_{name}"), staging)
                + sql.SQL(definition)
            )
        index_seconds = time.perf_counter() - i0
        _swap_in(conn)
        edited = list(
            db.media_assets.find(
                {"updated_at": {"$gte": started}}, {"_id": 1, "media_type": 1, "description": 1, "updated_at": 1}
            )
        )
        upsert_embeddings(conn, edited)
        seconds = time.perf_counter() - t0
        conn.execute(
            "INSERT INTO content.index_runs (mode, started_at, finished_at, documents, embedded, seconds) VALUES (%s, %s, now(), %s, %s, %s)",
            (mode, started, total, loaded, round(seconds, 3)),
        )
    return {
        "documents": total,
        "embedded": loaded,
        "seconds": seconds,
        "embed_seconds": embed_seconds,
        "hnsw_seconds": index_seconds,
        "docs_per_second": loaded / seconds if seconds else 0.0,
    }


def _batches(cursor: Iterable[dict], size: int) -> Iterable[list[dict]]:
    batch: list[dict] = []
    for doc in cursor:
        batch.append(doc)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _swap_in(conn: psycopg.Connection) -> None:
    """Replace the live table by the staging one (same transaction: readers see one or the other)."""
    conn.execute("LOCK TABLE content.media_embeddings IN ACCESS EXCLUSIVE MODE")
    conn.execute("DROP TABLE content.media_embeddings")
    conn.execute(sql.SQL("ALTER TABLE {} RENAME TO media_embeddings").format(sql.Identifier("content", STAGING)))
    conn.execute(
        sql.SQL("ALTER TABLE content.media_embeddings RENAME CONSTRAINT {} TO media_embeddings_pkey").format(
            sql.Identifier(f"{STAGING}_pkey")
        )
    )
    for name in INDEXES:
        conn.execute(
            sql.SQL("ALTER INDEX {} RENAME TO {}").format(
                sql.Identifier("content", f"{STAGING}_{name}"), sql.Identifier(name)
            )
        )


def upsert_embeddings(conn: psycopg.Connection, docs: Iterable[dict]) -> int:
    """Embed and upsert the given documents (their description changed); returns how many."""
    docs = list(docs)
    if not docs:
        return 0
    vectors = get_encoder().encode([d["description"] for d in docs])
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO content.media_embeddings " + COLUMNS + " VALUES (%s, %s, %s, %s::vector, %s) "
            "ON CONFLICT (media_id) DO UPDATE SET media_type = EXCLUDED.media_type, "
            "description_sha256 = EXCLUDED.description_sha256, embedding = EXCLUDED.embedding, "
            "source_updated_at = EXCLUDED.source_updated_at, indexed_at = now()",
            [
                (d["_id"], d["media_type"], description_sha256(d["description"]), vector_literal(v), d["updated_at"])
                for d, v in zip(docs, vectors)
            ],
        )
    return len(docs)


def sync_changed(
    settings: Settings, db: Database, dbname: str | None = None, overlap_seconds: int = 60
) -> dict[str, int]:
    """Re-embed documents changed in MongoDB since the newest indexed ``updated_at`` (minus an overlap)
    whose description hash differs, and index new documents; returns counts."""
    started = datetime.now(UTC)
    t0 = time.perf_counter()
    with connect("content", "app", settings=settings, dbname=dbname) as conn:
        newest = scalar(conn, "SELECT max(source_updated_at) FROM content.media_embeddings")
        query = {} if newest is None else {"updated_at": {"$gte": newest - timedelta(seconds=overlap_seconds)}}
        candidates = list(db.media_assets.find(query, {"_id": 1, "media_type": 1, "description": 1, "updated_at": 1}))
        known: dict[str, str] = dict(
            conn.execute(
                "SELECT media_id, description_sha256 FROM content.media_embeddings WHERE media_id = ANY(%s)",
                ([d["_id"] for d in candidates],),
            ).fetchall()
        )
        stale = [d for d in candidates if known.get(d["_id"]) != description_sha256(d["description"])]
        embedded = upsert_embeddings(conn, stale)
        conn.execute(
            "INSERT INTO content.index_runs (mode, started_at, finished_at, documents, embedded, seconds) VALUES ('changed', %s, now(), %s, %s, %s)",
            (started, len(candidates), embedded, round(time.perf_counter() - t0, 3)),
        )
    return {"checked": len(candidates), "embedded": embedded}


def search(
    conn: psycopg.Connection, vector: np.ndarray, limit: int, media_type: str | None = None, ef_search: int = 80
) -> list[tuple[str, str, float]]:
    """The ``limit`` nearest media ``(media_id, media_type, similarity)`` by cosine similarity."""
    conn.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(max(ef_search, limit)),))
    if media_type:
        conn.execute("SELECT set_config('hnsw.iterative_scan', 'relaxed_order', false)")
    literal = vector_literal(vector)
    if media_type:
        rows = conn.execute(
            "SELECT media_id, media_type, 1 - (embedding <=> %s::vector) AS similarity FROM content.media_embeddings "
            "WHERE media_type = %s ORDER BY embedding <=> %s::vector LIMIT %s",
            (literal, media_type, literal, limit),
        ).fetchall()
    else:
        rows = conn.execute(
            "SELECT media_id, media_type, 1 - (embedding <=> %s::vector) AS similarity FROM content.media_embeddings "
            "ORDER BY embedding <=> %s::vector LIMIT %s",
            (literal, literal, limit),
        ).fetchall()
    rows.sort(key=lambda row: -row[2])  # relaxed_order may return slightly out-of-order rows
    return [(media_id, kind, float(similarity)) for media_id, kind, similarity in rows]

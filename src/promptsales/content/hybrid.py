"""Hybrid search for getContent (issue 24): vector similarity re-ranked by the scene attributes a query asks for.

The query's embedding is compared with an embedding of every attribute value of the vocabulary (product,
setting, style, palette, mood, audience, format, media type — "coffee beans, a bag of single-origin coffee
beans"); a value the query stands out for (z-score above :data:`Z_MIN` among its category) gets a weight.
Candidates are the nearest descriptions (HNSW) plus every asset whose product or setting is one the query
asks for (``content.media_facets`` indexes); each is scored in SQL as cosine similarity plus the
weights of its attributes, and the best ``limit`` are returned. No word list is matched: a brief in other
words finds the attribute through the model, so it works for synonyms and business language.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import psycopg
from pymongo.database import Database

from promptsales.ai.embeddings import get_encoder
from promptsales.config import Settings
from promptsales.content.facets import FACETS, PROJECTION, scene_row, write_facets
from promptsales.content.vector_index import search, vector_literal
from promptsales.content.vocabulary import ATTRIBUTE_LISTS
from promptsales.db.connect import connect

#: How a medium is named, for detecting a request for one kind of media.
MEDIA_TEXTS = {
    "image": "image, a still picture",
    "video": "video, a moving clip with shots and motion",
    "audio": "audio, a spoken radio spot with voice and music",
}
#: A value counts when its similarity to the query is this many standard deviations above its category's mean.
Z_MIN = 1.5
#: Standard deviations above Z_MIN that count at most (one strong value must not outweigh everything else).
Z_CAP = 3.0
#: At most this many values per category.
TOP_VALUES = 3
#: Score added per standard deviation above Z_MIN, by category (tuned on the development briefs only).
WEIGHTS = {
    "product": 0.2,
    "setting": 0.12,
    "style": 0.1,
    "palette": 0.08,
    "mood": 0.08,
    "audience": 0.1,
    "format": 0.08,
    "media_type": 0.5,  # a flat bonus, not per standard deviation
}
#: A medium is asked for when the query's similarity to it is at least MEDIA_MIN and MEDIA_LEAD above the next.
MEDIA_MIN = 0.3
MEDIA_LEAD = 0.1
#: Categories whose values also bring candidates (selective enough for an index).
CANDIDATE_FACETS = ("product", "setting")
VECTOR_CANDIDATES = 100


@lru_cache(maxsize=1)
def value_vectors() -> dict[str, tuple[list[str], np.ndarray]]:
    """Per category: the value keys and the unit embeddings of ``"key, phrase"`` (computed once per process)."""
    texts: dict[str, list[tuple[str, str]]] = {
        name: [(str(entry[0]), f"{entry[0]}, {entry[1]}") for entry in ATTRIBUTE_LISTS[name]] for name in FACETS
    }
    texts["media_type"] = list(MEDIA_TEXTS.items())
    flat = [text for pairs in texts.values() for _, text in pairs]
    vectors = get_encoder().encode(flat)
    out, start = {}, 0
    for name, pairs in texts.items():
        out[name] = ([key for key, _ in pairs], vectors[start : start + len(pairs)])
        start += len(pairs)
    return out


def query_facets(vector: np.ndarray) -> dict[str, dict[str, float]]:
    """The attribute values the query asks for, per category, with their weight (0 < weight)."""
    asked: dict[str, dict[str, float]] = {}
    for name, (keys, matrix) in value_vectors().items():
        sims = matrix @ vector
        if name == "media_type":  # three values: a clear lead over the others, not a z-score
            first, second = np.argsort(-sims)[:2]
            if sims[first] >= MEDIA_MIN and sims[first] - sims[second] >= MEDIA_LEAD:
                asked[name] = {keys[first]: WEIGHTS[name]}
            continue
        z = (sims - sims.mean()) / (sims.std() + 1e-6)
        best = np.argsort(-z)[:TOP_VALUES]
        chosen = {keys[i]: round(float(min(z[i] - Z_MIN, Z_CAP)) * WEIGHTS[name], 5) for i in best if z[i] > Z_MIN}
        if chosen:
            asked[name] = chosen
    return asked


def text_facets(vector: np.ndarray) -> dict[str, str]:
    """The attribute a text stands out for in each category (its strongest value, when above Z_MIN)."""
    found = {}
    for name, (keys, matrix) in value_vectors().items():
        if name == "media_type":
            continue
        sims = matrix @ vector
        z = (sims - sims.mean()) / (sims.std() + 1e-6)
        if z.max() > Z_MIN:
            found[name] = keys[int(z.argmax())]
    return found


_SCORE = " + ".join(f"coalesce((%(w)s::jsonb -> '{name}' ->> f.{name})::float8, 0)" for name in (*FACETS, "media_type"))
HYBRID_SQL = (
    "SELECT f.media_id, f.media_type, 1 - (e.embedding <=> %(v)s::vector) AS similarity, "
    f"(1 - (e.embedding <=> %(v)s::vector)) + {_SCORE} AS score "
    "FROM content.media_facets f JOIN content.media_embeddings e USING (media_id) "
    "WHERE (f.media_id = ANY(%(ids)s) "
    + "".join(f"OR f.{name} = ANY(%({name})s) " for name in CANDIDATE_FACETS)
    + ") AND (%(type)s::text IS NULL OR f.media_type = %(type)s) "
    "ORDER BY score DESC, f.media_id LIMIT %(limit)s"
)


def hybrid_search(
    conn: psycopg.Connection, vector: np.ndarray, limit: int, media_type: str | None = None
) -> list[tuple[str, str, float]]:
    """The ``limit`` best media ``(media_id, media_type, cosine similarity)`` by vector + attribute score;
    plain vector search when the attribute table is empty (an installation not yet reindexed)."""
    hits = search(conn, vector, max(VECTOR_CANDIDATES, limit), media_type)
    asked = query_facets(vector)
    params = {
        "v": vector_literal(vector),
        "w": json.dumps(asked),
        "ids": [h[0] for h in hits],
        "type": media_type,
        "limit": limit,
        **{name: list(asked.get(name, {})) for name in CANDIDATE_FACETS},
    }
    rows = conn.execute(HYBRID_SQL, params).fetchall()
    if not rows:
        return hits[:limit]
    return [(media_id, kind, float(similarity)) for media_id, kind, similarity, _score in rows]


def text_row(doc: dict, vector: np.ndarray) -> tuple:
    """id, type and the attributes the model reads in the description's embedding."""
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
        write_facets(conn, rows)
    return len(rows)

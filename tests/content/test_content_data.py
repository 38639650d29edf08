"""C1–C3: the generated library (official scale), the real embedding model, and the vector index."""

from __future__ import annotations

import numpy as np
import pytest
from content_paraphrases import WORDING, content_words, independent_query

from promptsales.content import vocabulary
from promptsales.content.describe import paraphrase
from promptsales.content.media_store import MediaStore
from promptsales.content.store import mongo_database
from promptsales.db.connect import connect


def test_embedding_model_reproduces_published_all_minilm_similarities():
    """The numpy forward pass matches sentence-transformers' documented all-MiniLM-L6-v2 output."""
    from promptsales.ai.embeddings import SentenceEncoder

    vectors = SentenceEncoder().encode(
        ["The weather is lovely today.", "It's so sunny outside!", "He drove to the stadium."]
    )
    similarity = vectors @ vectors.T
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert similarity[0, 1] == pytest.approx(0.6660, abs=1e-3)
    assert similarity[0, 2] == pytest.approx(0.1046, abs=1e-3)
    assert similarity[1, 2] == pytest.approx(0.1411, abs=1e-3)


def test_official_library_has_100_plus_images_with_files_long_distinct_descriptions(content_seeded):
    settings = content_seeded
    db = mongo_database(settings)
    images = list(db.media_assets.find({"media_type": "image"}))
    assert len(images) >= 100
    store = MediaStore(settings)
    for doc in images:
        assert doc["uri"] and store.resolve(doc["uri"]).exists() and store.read(doc["uri"])[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(doc["description"].split()) >= 60
        assert len(doc["hashtags"]) >= 7 and all(tag.startswith("#") for tag in doc["hashtags"])
    all_docs = list(db.media_assets.find({}, {"description": 1, "media_type": 1, "campaign_id": 1}))
    assert len({d["description"] for d in all_docs}) == len(all_docs)
    assert {d["media_type"] for d in all_docs} == {"image", "video", "audio"}
    assert (
        db.hashtags.count_documents({}) > 50
        and db.integrations.count_documents({"auth_scheme": "oauth2_client_credentials"}) >= 1
    )
    with connect("content", "app", settings=settings) as conn:
        assert conn.execute("SELECT count(*) FROM content.media_embeddings").fetchone()[0] == len(all_docs)
    with connect("ads", "etl", settings=settings) as conn:  # G7: references are real PromptAds campaigns
        campaigns = {r[0] for r in conn.execute("SELECT campaign_id FROM ads.campaigns")}
    assert campaigns, "content_seeded seeds PromptAds first"
    unknown = [d["_id"] for d in all_docs if d["campaign_id"] not in campaigns]
    assert unknown == [], f"{len(unknown)} assets reference no PromptAds campaign, e.g. {unknown[:3]}"


def test_paraphrase_of_20_images_finds_each_in_top_5(content_service):
    """Queries built from the attribute keys (not description text) find the image among the 5 best matches.

    The keys appear verbatim in most descriptions, so this checks retrieval on shared words; meaning alone
    is checked by the independently worded queries below."""
    images = list(
        content_service.db.media_assets.find({"media_type": "image"}, {"attributes": 1, "description": 1}).sort(
            "_id", 1
        )
    )
    sample = images[:: max(1, len(images) // 20)][:20]
    assert len(sample) == 20
    for doc in sample:
        query = paraphrase(doc["attributes"])
        assert query not in doc["description"]
        result = content_service.get_content(query, limit=5, media_type="image", actor="test")
        assert doc["_id"] in [match.id for match in result.results], query


def test_independent_wording_shares_no_word_with_the_vocabulary():
    """The hand-written wording covers every vocabulary value and shares no word with any vocabulary key,
    nor with the phrase the descriptions use for that value."""
    tables = {
        "product": vocabulary.PRODUCTS,
        "setting": vocabulary.SETTINGS,
        "style": vocabulary.STYLES,
        "palette": vocabulary.PALETTES,
        "mood": vocabulary.MOODS,
        "audience": vocabulary.AUDIENCES,
        "format": vocabulary.FORMATS,
    }
    all_keys = set().union(*(content_words(row[0]) for table in tables.values() for row in table))
    for name, table in tables.items():
        assert set(WORDING[name]) == {row[0] for row in table}, name
        for key, phrase, *_ in table:
            shared = content_words(WORDING[name][key]) & (all_keys | content_words(phrase))
            assert not shared, (name, key, shared)


#: Recall@5 the independently worded queries must reach, on every third image (80 of the official 240).
#: Measured: 59/80 (74 %; 173/240 on all images) — the key-based paraphrases above reach 20/20, a random
#: ranking would reach about 5/240 (2 %). The encoder and the seeded library are deterministic, so the
#: figure only moves when search or the library change; the floor sits a few misses below it, so a real
#: loss of semantic matching fails the test while a one-query shift does not.
INDEPENDENT_RECALL_FLOOR = 0.65


def test_independently_worded_queries_find_most_images_in_top_5(content_service, capsys):
    """Queries that share no word with the vocabulary (synonyms, other word order) still find most images:
    semantic retrieval, reported separately from the key-based paraphrase test above."""
    images = list(content_service.db.media_assets.find({"media_type": "image"}, {"attributes": 1}).sort("_id", 1))
    sample = images[:: max(1, len(images) // 80)][:80]
    assert len(sample) == 80
    misses = []
    for variant, doc in enumerate(sample):
        query = independent_query(doc["attributes"], variant)
        result = content_service.get_content(query, limit=5, media_type="image", actor="test")
        if doc["_id"] not in [match.id for match in result.results]:
            misses.append(query)
    recall = 1 - len(misses) / len(sample)
    with capsys.disabled():
        print(f"\nindependently worded queries: recall@5 {len(sample) - len(misses)}/{len(sample)} = {recall:.0%}")
    assert recall >= INDEPENDENT_RECALL_FLOOR, misses


def test_index_follows_description_changes(content_service):
    doc = content_service.db.media_assets.find_one({"media_type": "audio"})
    original = doc["description"]
    new_text = (
        "A thirty second radio jingle about a cheerful submarine bakery that delivers warm croissants "
        "to divers under a coral reef, sung by a choir of sea turtles for marine biology students."
    )
    try:
        content_service.update_description(doc["_id"], new_text)
        top = content_service.get_content(
            "submarine bakery croissants for divers, sea turtle choir", limit=1, actor="test"
        )
        assert top.results[0].id == doc["_id"]
    finally:
        content_service.update_description(doc["_id"], original)
    top = content_service.get_content("submarine bakery croissants for divers, sea turtle choir", limit=3, actor="test")
    assert doc["_id"] not in [m.id for m in top.results]


def test_rebuild_swaps_in_a_new_index_while_searches_keep_answering(content_service):
    """C3 / `content reindex`: a full rebuild never blocks searches, and an edit made meanwhile is kept."""
    from promptsales.ai.embeddings import get_encoder
    from promptsales.content.vector_index import description_sha256, rebuild, search

    settings = content_service.settings
    doc = content_service.db.media_assets.find_one({"media_type": "video"})
    original = doc["description"]
    edited = (
        "A slow motion video of a lighthouse keeper painting seashells in neon colours at midnight, "
        "filmed for a stationery brand that sells glow in the dark notebooks to art students."
    )
    during: dict[str, list] = {}

    def while_rebuilding(_loaded: int) -> None:
        if during:
            return
        with connect("content", "app", settings=settings, autocommit=True) as reader:
            reader.execute("SET lock_timeout = '5s'")  # a blocked search would fail here
            during["hits"] = search(reader, get_encoder().encode_one("sunset beach campaign for sneakers"), 3)
        content_service.update_description(doc["_id"], edited)

    try:
        result = rebuild(settings, content_service.db, advance=while_rebuilding)
        assert len(during["hits"]) == 3
        documents = content_service.db.media_assets.count_documents({})
        assert result["embedded"] == documents
        with connect("content", "app", settings=settings) as conn:
            assert conn.execute("SELECT count(*) FROM content.media_embeddings").fetchone()[0] == documents
            stored = conn.execute(
                "SELECT description_sha256 FROM content.media_embeddings WHERE media_id = %s", (doc["_id"],)
            ).fetchone()[0]
            assert stored == description_sha256(edited)
            indexes = {
                row[0] for row in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'media_embeddings'")
            }
            assert {
                "media_embeddings_pkey",
                "media_embeddings_hnsw",
                "media_embeddings_type",
                "media_embeddings_source_updated",
            } <= indexes
            assert conn.execute("SELECT to_regclass('content.media_embeddings_rebuild')").fetchone()[0] is None
        top = content_service.get_content(
            "lighthouse keeper painting neon seashells for glow in the dark notebooks", limit=1, actor="test"
        )
        assert top.results[0].id == doc["_id"]
    finally:
        content_service.update_description(doc["_id"], original)


def test_lookups_by_id_use_an_index_on_the_embedded_ferretdb(content_service):
    """D6: getContent's `_id` lookups are answered from an index, not a collection scan."""
    import json

    from promptsales.runtime.mongo import MongoServer

    media_id = content_service.db.media_assets.find_one({}, {"_id": 1})["_id"]
    plan = content_service.db.command("explain", {"find": "media_assets", "filter": {"_id": media_id}})
    if MongoServer(content_service.settings).state.get("mongo").get("engine") == "ferretdb":
        assert plan["filterPushdown"] is True
        assert "USING INDEX" in " ".join(plan["queryPlanner"]["Plan"]), plan["queryPlanner"]
    else:  # a real mongod plans `_id` equality as an index lookup
        assert "COLLSCAN" not in json.dumps(plan["queryPlanner"]), plan["queryPlanner"]

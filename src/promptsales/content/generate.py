"""PromptContent data generator (SPEC C1, C2, G7): media assets from attributes, rendered images in
the content-addressed media store, hashtags, integrations, and the vector index.

Every asset gets one scene (:mod:`promptsales.content.scene`); the renderer draws it and the description
writer states it, so the picture and the text agree (issue 24). Scales: ``small`` 70 documents (60
images), ``official`` 300 (240 images with files, 40 videos with a rendered key frame, 20 audio spots),
``large`` 100,000 (80% images; pictures rendered for the first 1,000 images and key frames for the first
200 videos, the rest are metadata-only records used by the search benchmarks — docs/content.md).
Deterministic for a seed; attribute combinations are drawn without replacement so every description is
distinct.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np

from promptsales.content.describe import compose
from promptsales.content.documents import Hashtag, MediaAsset, validated
from promptsales.content.hybrid import load_facets
from promptsales.content.integrations import default_integrations
from promptsales.content.media_store import MediaStore
from promptsales.content.render import png_bytes, render, thumbnail_png
from promptsales.content.scene import build_scene
from promptsales.content.store import migrated_database, mongo_database
from promptsales.content.vector_index import rebuild
from promptsales.content.vocabulary import (
    AUDIENCES,
    CATEGORIES,
    FORMATS,
    MOODS,
    PALETTES,
    PRODUCTS,
    SETTINGS,
    STYLES,
    attribute_entries,
    hashtag,
)

#: scale → (images, videos, audios, images that get a rendered file, videos that get a rendered key frame)
SIZES: dict[str, tuple[int, int, int, int, int]] = {
    "small": (60, 6, 4, 60, 6),
    "official": (240, 40, 20, 240, 40),
    "large": (80_000, 15_000, 5_000, 1_000, 200),
}
RADIX = (len(PRODUCTS), len(SETTINGS), len(STYLES), len(PALETTES), len(MOODS), len(AUDIENCES), len(FORMATS))
START = datetime(2024, 7, 1, tzinfo=UTC)
END = datetime(2026, 1, 31, tzinfo=UTC)
LICENCES = ["royalty-free", "rights-managed", "exclusive buyout", "CC-BY-4.0 internal"]
TERRITORIES = ["US", "CA", "MX", "GB", "ES", "DE", "BR"]
APPROVERS = ["art.director", "brand.manager", "legal.review"]
INSERT_BATCH = 2_000


def draw_attributes(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct attribute combinations (rows of vocabulary indexes), drawn without replacement."""
    total = int(np.prod(RADIX))
    codes = rng.choice(total, size=n, replace=False)
    columns = []
    for base in reversed(RADIX):
        columns.append(codes % base)
        codes = codes // base
    return np.stack(list(reversed(columns)), axis=1)


def attribute_names(row: np.ndarray) -> dict[str, str]:
    """The attribute keys of one row (what hashtags and paraphrases are built from)."""
    return {name: entry[0] for name, entry in attribute_entries(row).items()}


def _campaign_refs(ctx) -> list[tuple[int, int]]:
    """(campaign_id, brand_id) pairs of PromptAds when its data exists (G7 consistency), else []."""
    from promptsales.db.connect import connect

    try:
        with connect("ads", "etl", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
            return conn.execute("SELECT campaign_id, brand_id FROM ads.campaigns ORDER BY campaign_id").fetchall()
    except Exception:
        return []


def build_documents(ctx, progress_task=None) -> list[dict]:
    """Every media document of the scale (images rendered into the media store as they are built)."""
    images, videos, audios, rendered, key_frames = SIZES[ctx.scale]
    n = images + videos + audios
    rng = np.random.default_rng(ctx.seed)
    attrs = draw_attributes(rng, n)
    variants = rng.integers(0, 1_000_000, size=(n, 10))
    kinds = np.array(["image"] * images + ["video"] * videos + ["audio"] * audios)
    created_offsets = rng.uniform(0, (END - START).total_seconds(), size=n)
    update_offsets = rng.uniform(0, 30 * 86400, size=n)
    licence_years = rng.integers(1, 4, size=n)
    version_counts = rng.integers(1, 4, size=n)
    durations = np.round(rng.uniform(6, 60, size=n), 1)
    licences = rng.integers(0, len(LICENCES), size=n)
    territory_masks = rng.integers(1, 2 ** len(TERRITORIES), size=n)
    refs = _campaign_refs(ctx)
    ref_index = rng.integers(0, max(len(refs), 1), size=n)
    store = MediaStore(ctx.settings)
    now = datetime.now(UTC)
    docs = []
    for i in range(n):
        kind = str(kinds[i])
        names = attribute_names(attrs[i])
        duration = float(durations[i]) if kind != "image" else None
        scene = build_scene(attrs[i], kind, variants[i], duration)
        title, description = compose(scene, variants[i])
        created = START + timedelta(seconds=float(created_offsets[i]))
        updated = min(created + timedelta(seconds=float(update_offsets[i])), now)
        sha256 = uri = thumb_uri = None
        width = height = size = None
        fmt = "png" if kind == "image" else ("mp4" if kind == "video" else "mp3")
        if kind == "image" and i < rendered:
            picture = render(scene, ctx.seed + i).image
            data = png_bytes(picture)
            sha256, uri = store.put(data, "png")
            _, thumb_uri = store.put(thumbnail_png(picture), "png")
            width, height = picture.size
            size = len(data)
        elif kind == "image":
            width, height = FORMATS[int(attrs[i][6])][3]
        elif kind == "video" and i - images < key_frames:  # the key frame is the video's thumbnail
            _, thumb_uri = store.put(thumbnail_png(render(scene, ctx.seed + i).image), "png")
            width, height = FORMATS[int(attrs[i][6])][4]
        campaign_id, brand_id = refs[int(ref_index[i])] if refs else (None, None)
        channels = [FORMATS[int(attrs[i][6])][2]]
        doc = {
            "_id": f"media-{i + 1:06d}",
            "media_type": kind,
            "title": title,
            "uri": uri,
            "thumbnail_uri": thumb_uri,
            "sha256": sha256,
            "format": fmt,
            "width": width,
            "height": height,
            "duration_seconds": duration,
            "size_bytes": size,
            "description": description,
            "hashtags": [hashtag(names[c]) for c in CATEGORIES if c in scene] + [hashtag(kind)],
            "attributes": names,
            "scene": scene,
            "usage_rights": {
                "licence": LICENCES[int(licences[i])],
                "territories": [t for b, t in enumerate(TERRITORIES) if int(territory_masks[i]) >> b & 1],
                "channels": channels,
                "licence_expires_at": created + timedelta(days=365 * int(licence_years[i])),
            },
            "versions": [
                {
                    "version": v + 1,
                    "approved_at": created + timedelta(days=v + 1),
                    "approved_by": APPROVERS[v % 3],
                    "sha256": sha256,
                    "note": f"version {v + 1} approved",
                }
                for v in range(int(version_counts[i]))
            ],
            "brand_id": int(brand_id) if brand_id is not None else None,
            "campaign_id": int(campaign_id) if campaign_id is not None else None,
            "created_at": created,
            "updated_at": updated,
        }
        docs.append(validated(MediaAsset, doc))
        if progress_task is not None and ctx.progress is not None and (i + 1) % 100 == 0:
            ctx.progress.update(progress_task, completed=i + 1)
    descriptions = [d["description"] for d in docs]
    if len(set(descriptions)) != len(descriptions):
        raise AssertionError("generator produced duplicate descriptions")  # impossible: unique attribute rows
    return docs


def hashtag_catalogue(docs: list[dict]) -> list[dict]:
    """One catalogue document per hashtag, with its category and how many assets use it."""
    uses: Counter = Counter(tag for d in docs for tag in d["hashtags"])
    categories: dict[str, tuple[str, str]] = {}
    for d in docs:
        for category in CATEGORIES:
            categories[hashtag(d["attributes"][category])] = (category, d["attributes"][category])
        categories[hashtag(d["media_type"])] = ("media type", d["media_type"])
    return [
        validated(Hashtag, {"_id": tag, "category": categories[tag][0], "label": categories[tag][1], "uses": uses[tag]})
        for tag in sorted(uses)
    ]


def is_seeded(ctx) -> bool:
    """True when media documents exist."""
    db = mongo_database(ctx.settings, ctx.database("content_mongo"))
    return db.media_assets.estimated_document_count() > 0


def seed(ctx) -> dict[str, int]:
    """Generate and load PromptContent: MongoDB collections, media files, vector index."""
    db, _ = migrated_database(ctx.settings, ctx.database("content_mongo"))
    images, videos, audios, _, _ = SIZES[ctx.scale]
    n = images + videos + audios
    task = ctx.progress.add_task("content: media + images", total=n) if ctx.progress else None
    docs = build_documents(ctx, task)
    if task is not None:
        ctx.progress.update(task, completed=n)
    for name in ("media_assets", "hashtags", "integrations"):
        db[name].delete_many({})
    for start in range(0, len(docs), INSERT_BATCH):
        db.media_assets.insert_many(docs[start : start + INSERT_BATCH], ordered=False)
    tags = hashtag_catalogue(docs)
    db.hashtags.insert_many(tags)
    integrations = default_integrations()
    db.integrations.insert_many(integrations)
    index_task = ctx.progress.add_task("content: vector index", total=n) if ctx.progress else None
    advance = (lambda k: ctx.progress.advance(index_task, k)) if index_task is not None else None
    result = rebuild(ctx.settings, db, ctx.database("content"), advance, mode="seed")
    load_facets(ctx.settings, db, ctx.database("content"))
    return {
        "media_assets": len(docs),
        "image_files": sum(1 for d in docs if d["uri"]),
        "hashtags": len(tags),
        "integrations": len(integrations),
        "media_embeddings": int(result["embedded"]),
    }

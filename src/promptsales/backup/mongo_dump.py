"""PromptContent's MongoDB documents as canonical Extended JSON lines (``mongodump`` is not packaged here).

Debian bookworm has no ``mongo-tools`` package (see docs/backup.md, D51), so the export is a documented,
tool-independent format that ``mongoimport``-style tools and any MongoDB driver can read back:

* UTF-8 text, one JSON object per line;
* ``{"type": "header", "database": ..., "server_version": ..., "exported_at": ...}`` first;
* per collection, sorted by name: ``{"type": "collection", "name": ..., "options": {...}, "indexes": [...]}``
  (``listIndexes`` output minus the ``_id_`` index and ``v``/``ns``), then one
  ``{"type": "document", "collection": ..., "doc": <canonical Extended JSON v2>}`` line per document in
  ``_id`` order, so that every BSON type (ObjectId, dates, binaries, decimals, int64) survives exactly;
* ``{"type": "end", "collections": n, "documents": n}`` last (a missing end line means a cut export).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pymongo
from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS
from pymongo.errors import PyMongoError

from promptsales.backup.postgres_dump import now_utc
from promptsales.backup.streams import ByteSink
from promptsales.errors import UserError

BATCH = 1000


def _client(url: str) -> pymongo.MongoClient:
    return pymongo.MongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=True)


def _line(record: dict[str, Any]) -> bytes:
    return (json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def _ejson(value: Any) -> Any:
    return json.loads(json_util.dumps(value, json_options=CANONICAL_JSON_OPTIONS))


def export_database(url: str, database: str, sink: ByteSink) -> dict[str, Any]:
    """Write every collection of ``database`` to ``sink``; returns counts and the server version."""
    client = _client(url)
    try:
        db = client[database]
        version = client.server_info().get("version", "unknown")
        sink.write(_line({"type": "header", "database": database, "server_version": version, "exported_at": now_utc()}))
        counts: dict[str, int] = {}
        for info in sorted(db.list_collections(), key=lambda item: item["name"]):
            name = info["name"]
            if info.get("type", "collection") != "collection" or name.startswith("system."):
                continue
            indexes = [
                {k: v for k, v in index.items() if k not in ("v", "ns")}
                for index in db[name].list_indexes()
                if index.get("name") != "_id_"
            ]
            sink.write(
                _line(
                    {
                        "type": "collection",
                        "name": name,
                        "options": _ejson(info.get("options", {})),
                        "indexes": _ejson(indexes),
                    }
                )
            )
            count = 0
            for doc in db[name].find({}, sort=[("_id", 1)], batch_size=BATCH):
                sink.write(_line({"type": "document", "collection": name, "doc": _ejson(doc)}))
                count += 1
            counts[name] = count
        sink.write(_line({"type": "end", "collections": len(counts), "documents": sum(counts.values())}))
        return {"server_version": version, "collections": counts}
    except PyMongoError as error:
        raise UserError(f"Cannot export MongoDB database {database}: {error}") from error
    finally:
        client.close()


def _parse(lines: Iterable[bytes]):
    for number, raw in enumerate(lines, start=1):
        try:
            yield number, json.loads(raw)
        except ValueError:
            raise UserError(f"MongoDB export line {number} is not JSON.") from None


def import_database(url: str, database: str, lines: Iterable[bytes], replace: bool = False) -> dict[str, int]:
    """Load an export into ``database`` at ``url``; refuses a non-empty database unless ``replace``."""
    client = _client(url)
    try:
        db = client[database]
        existing = [name for name in db.list_collection_names() if not name.startswith("system.")]
        if existing and not replace:
            raise UserError(
                f"MongoDB database {database} at the target already has collections ({', '.join(sorted(existing)[:5])}); "
                "pass --replace to overwrite it."
            )
        if existing:
            client.drop_database(database)
        counts: dict[str, int] = {}
        batch: list[dict[str, Any]] = []
        current: str | None = None
        ended = False

        def flush() -> None:
            if batch and current is not None:
                db[current].insert_many(batch, ordered=True)
                batch.clear()

        for number, record in _parse(lines):
            kind = record.get("type")
            if kind == "collection":
                flush()
                current = record["name"]
                options = json_util.loads(json.dumps(record.get("options") or {}))
                db.create_collection(current, **options)
                for index in json_util.loads(json.dumps(record.get("indexes") or [])):
                    keys = list(index.pop("key").items())
                    db[current].create_index(keys, **index)
                counts[current] = 0
            elif kind == "document":
                if current is None or record.get("collection") != current:
                    raise UserError(f"MongoDB export line {number}: document outside its collection section.")
                batch.append(json_util.loads(json.dumps(record["doc"])))
                counts[current] += 1
                if len(batch) >= BATCH:
                    flush()
            elif kind == "end":
                flush()
                ended = True
                if record.get("documents") != sum(counts.values()):
                    raise UserError("MongoDB export: the end line's document count does not match the lines read.")
        if not ended:
            raise UserError("MongoDB export has no end line: it was cut short.")
        return counts
    except PyMongoError as error:
        raise UserError(f"Cannot import into MongoDB database {database}: {error}") from error
    finally:
        client.close()

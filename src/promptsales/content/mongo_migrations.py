"""Versioned migrations of the PromptContent MongoDB database (collections, validators, indexes).

Applied in order and recorded in the ``schema_migrations`` collection (``_id`` = version), like the
SQL migrations. Validators: a ``$jsonSchema`` validator is installed when the server supports it
(real MongoDB); FerretDB v1 answers "not implemented", which is recorded (``validator: "python"``)
and validation happens in Python for every write (:mod:`promptsales.content.documents`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import CollectionInvalid, OperationFailure

from promptsales.content.documents import COLLECTIONS


def _json_schema(name: str) -> dict:
    """A MongoDB ``$jsonSchema`` (required fields + bsonType object) derived from the pydantic model."""
    schema = COLLECTIONS[name].model_json_schema(by_alias=True)
    return {"$jsonSchema": {"bsonType": "object", "required": list(schema.get("required", []))}}


def _create_collections(db: Database) -> dict:
    modes = {}
    existing = set(db.list_collection_names())
    for name in COLLECTIONS:
        if name in existing:
            modes[name] = "existing"
            continue
        try:
            db.create_collection(name, validator=_json_schema(name), validationLevel="strict")
            modes[name] = "server"
        except OperationFailure as error:
            if error.code not in (238, 115) and "not implemented" not in str(error).lower():
                raise
            try:
                db.create_collection(name)
            except CollectionInvalid:
                pass
            modes[name] = "python"
    return {"validator": modes}


def _create_indexes(db: Database) -> dict:
    db.media_assets.create_index([("media_type", ASCENDING), ("updated_at", DESCENDING)], name="type_updated")
    db.media_assets.create_index([("updated_at", ASCENDING)], name="updated_at")
    db.media_assets.create_index([("hashtags", ASCENDING)], name="hashtags")
    db.media_assets.create_index([("sha256", ASCENDING)], name="sha256")
    db.media_assets.create_index([("campaign_id", ASCENDING)], name="campaign")
    db.hashtags.create_index([("category", ASCENDING)], name="category")
    db.content_requests.create_index([("created_at", DESCENDING)], name="created_at")
    db.campaign_message_logs.create_index([("request_id", ASCENDING)], name="request", unique=True)
    db.campaign_message_logs.create_index([("created_at", DESCENDING)], name="created_at")
    return {"indexes": 9}


#: (version, name, function) in order; never edit an applied one, add a new one.
MIGRATIONS: list[tuple[int, str, Callable[[Database], dict]]] = [
    (1, "collections", _create_collections),
    (2, "indexes", _create_indexes),
]


def migrate_mongo(db: Database) -> list[str]:
    """Apply pending Mongo migrations; returns their names."""
    applied = {doc["_id"] for doc in db.schema_migrations.find({}, {"_id": 1})}
    done = []
    for version, name, function in MIGRATIONS:
        if version in applied:
            continue
        result = function(db)
        db.schema_migrations.insert_one(
            {"_id": version, "name": name, "applied_at": datetime.now(UTC), "result": result}
        )
        done.append(f"content-mongo/{version:04d}_{name}")
    return done


def validator_modes(db: Database) -> dict:
    """How each collection is validated (``server`` = $jsonSchema, ``python`` = pydantic only)."""
    record = db.schema_migrations.find_one({"_id": 1}) or {}
    return record.get("result", {}).get("validator", {})

"""Connections of PromptContent: the MongoDB database (documents) and helpers shared by the service."""

from __future__ import annotations

from functools import lru_cache

import pymongo
from pymongo.database import Database

from promptsales.config import Settings, get_settings
from promptsales.runtime.mongo import MongoServer


@lru_cache(maxsize=8)
def _client(url: str) -> pymongo.MongoClient:
    return pymongo.MongoClient(url, serverSelectionTimeoutMS=5000, tz_aware=True)


def mongo_database(settings: Settings | None = None, name: str | None = None) -> Database:
    """The PromptContent MongoDB database (``PROMPTSALES_CONTENT_MONGO_DATABASE``, or ``name``)."""
    settings = settings or get_settings()
    return _client(MongoServer(settings).url)[name or settings.content_mongo_database]


def migrated_database(settings: Settings, name: str | None = None) -> tuple[Database, list[str]]:
    """The PromptContent database with its Mongo migrations applied (returned with the names applied)
    and, on the embedded FerretDB, its collections' ``_id`` lookups indexed (docs/decisions.md D6)."""
    from promptsales.content.mongo_migrations import migrate_mongo

    db = mongo_database(settings, name)
    applied = migrate_mongo(db)
    MongoServer(settings).index_id_lookups()
    return db, applied

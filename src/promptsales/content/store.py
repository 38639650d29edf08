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

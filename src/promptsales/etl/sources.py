"""Where the ETL reads and writes: one small object naming every company database (tests use copies)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import psycopg

from promptsales.config import Settings
from promptsales.db.connect import Role, connect

#: PostgreSQL sources with change capture (company key → name used in etl.horizons and reports).
PG_SOURCES: tuple[str, ...] = ("ads", "crm")

#: How a captured key maps to campaign ids, per source and key column (SQL run in the source snapshot).
#: Every table with a cdc trigger (0090_cdc.sql of ads and crm) records one of these keys.
CHANGE_KEYS: dict[str, dict[str, str | None]] = {
    "ads": {
        "campaign_id": None,  # already a campaign id
        "brand_id": "SELECT campaign_id FROM ads.campaigns WHERE brand_id = ANY(%(keys)s)",
        "channel_id": "SELECT campaign_id FROM ads.campaign_channels WHERE channel_id = ANY(%(keys)s)",
        "market_id": "SELECT campaign_id FROM ads.campaign_markets WHERE market_id = ANY(%(keys)s)",
    },
    "crm": {"campaign_id": None},
}


@dataclass(frozen=True)
class Sources:
    """The databases of one ETL pass: defaults are the company databases, ``dbnames`` overrides them.

    ``Sources(settings, {"ads": "promptads_t1", "crm": "promptcrm_t1", "sales": "promptsales_t1"})``
    points a pass at private copies; ``mongo_database`` does the same for PromptContent.
    """

    settings: Settings
    dbnames: dict[str, str] = field(default_factory=dict)
    mongo_database: str | None = None

    def connect(self, company: str, role: Role, **kwargs) -> psycopg.Connection:
        """A connection to ``company``'s database (or its override) as ``role``."""
        return connect(company, role, settings=self.settings, dbname=self.dbnames.get(company), **kwargs)

    def source(self, company: str) -> psycopg.Connection:
        """A read-only ETL-role connection to a source database, in UTC."""
        conn = self.connect(company, "etl")
        conn.execute("SET TIME ZONE 'UTC'")
        conn.commit()
        return conn

    def warehouse(self, autocommit: bool = False) -> psycopg.Connection:
        """A connection to the PromptSales database, which holds the portal, the warehouse and etl.*."""
        conn = self.connect("sales", "app", autocommit=autocommit)
        conn.execute("SET TIME ZONE 'UTC'")
        if not autocommit:
            conn.commit()
        return conn

    def content_database(self):
        """The PromptContent MongoDB database (pymongo), or None when no MongoDB is configured/running."""
        from promptsales.runtime.mongo import MongoServer

        url = MongoServer(self.settings).url
        if not url:  # no MongoDB configured or started: the content source is skipped
            return None
        return mongo_client(url, self.settings.connect_timeout)[
            self.mongo_database or self.settings.content_mongo_database
        ]


@lru_cache(maxsize=8)
def mongo_client(url: str, timeout: float):
    """One pymongo client per URL and process (clients pool connections and are thread-safe)."""
    from pymongo import MongoClient

    return MongoClient(url, serverSelectionTimeoutMS=int(timeout * 1000), tz_aware=True)

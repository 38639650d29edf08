"""Fixtures of the concurrency lab tests (SPEC R11): a private copy of the CRM database with a few real rows.

The scenarios run on the real CRM tables (crm.clients, crm.leads, crm.sales, …) of a clone of the migrated
PromptCRM database, into which :func:`insert_lab_rows` writes a handful of clients, leads and sales —
enough for every scenario, without depending on the official seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from promptsales.config import Settings
from promptsales.crm.concurrency.harness import find_leaks
from promptsales.db.connect import admin_conninfo, conninfo
from promptsales.db.copies import copy_database, drop_database, scratch_name

#: campaign ids used by the rows below (PromptAds ids are small; these stay clear of generated ones)
LAB_CAMPAIGNS = (990001, 990002)


def insert_lab_rows(conn: psycopg.Connection) -> None:
    """Insert 6 clients, 6 leads (2 closed as won) and 6 sales in two campaigns into the real CRM tables."""
    with conn.transaction():
        key_id = conn.execute(
            "INSERT INTO crm.data_keys (purpose, algorithm, wrapped_key, cert_fingerprint) "
            "VALUES ('field', 'AES-256-GCM', %s, %s) RETURNING data_key_id",
            (b"\x01" * 256, "ab" * 32),
        ).fetchone()[0]
        clients = conn.execute(
            "INSERT INTO crm.clients (first_name, last_name, email, phone, birth_year, home_market_id, country_code, "
            "region, city, latitude, longitude, national_id_enc, national_id_bidx, context_enc, data_key_id) "
            "SELECT 'Lab', 'Client ' || g, 'lab' || g || '@example.com', '+1555000' || g, 1980 + g, 1, 'US', 'NY', "
            "'New York', 40.7, -74.0, %s, decode(lpad(to_hex(g), 32, '0'), 'hex'), %s, %s "
            "FROM generate_series(1, 6) g RETURNING client_id",
            (b"\x02" * 40, b"\x03" * 40, key_id),
        ).fetchall()
        client_ids = [r[0] for r in clients]
        leads = conn.execute(
            "INSERT INTO crm.leads (client_id, campaign_id, ad_id, channel_id, market_id, source_id, stage_id, score, created_at) "
            "SELECT c, (%s::int[])[1 + (o - 1) %% 2], 1, 1, 1, 1, CASE WHEN o <= 2 THEN 6 ELSE 4 END, 40, now() "
            "FROM unnest(%s::int[]) WITH ORDINALITY AS u(c, o) RETURNING lead_id, client_id, campaign_id",
            (list(LAB_CAMPAIGNS), client_ids),
        ).fetchall()
        conn.execute(
            "INSERT INTO crm.sales (lead_id, client_id, campaign_id, ad_id, channel_id, market_id, amount, sold_at) "
            "SELECT l, c, k, 1, 1, 1, 100.00 + 10 * o, now() FROM unnest(%s::bigint[], %s::int[], %s::int[]) "
            "WITH ORDINALITY AS u(l, c, k, o)",
            ([r[0] for r in leads], [r[1] for r in leads], [r[2] for r in leads]),
        )


@pytest.fixture(scope="session")
def lab_rows():
    """The function that writes the lab rows into a CRM database (for servers other than the session's)."""
    return insert_lab_rows


@pytest.fixture(scope="module")
def lab_db(settings: Settings) -> Iterator[str]:
    """A private copy of the migrated PromptCRM database with the lab rows; dropped after the module."""
    name = copy_database(settings, "crm", scratch_name("crm", "lab"), close_idle_sessions=True)
    try:
        with psycopg.connect(conninfo(settings, "crm", "app", dbname=name), autocommit=True) as conn:
            insert_lab_rows(conn)
        yield name
    finally:
        drop_database(settings, "crm", name)


@pytest.fixture
def app_dsn(settings: Settings, lab_db: str) -> str:
    """Connection string of the CRM app role on the lab copy."""
    return conninfo(settings, "crm", "app", dbname=lab_db)


@pytest.fixture
def no_leaks(settings: Settings, lab_db: str) -> Iterator[None]:
    """After the test: no session inside a transaction, no lock held, no lab lock anywhere (R11 acceptance)."""
    yield
    with psycopg.connect(admin_conninfo(settings, "crm", lab_db), autocommit=True) as admin:
        leaks = find_leaks(admin, dbname=lab_db)
    assert leaks == [], f"left behind: {leaks}"

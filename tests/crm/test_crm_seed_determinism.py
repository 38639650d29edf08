"""Same seed, same data (SPEC G7): PromptAds, PromptCRM and the portal seeded twice into fresh databases hold
identical tables — apart from what is random by design (ciphertexts, blind index, data keys, per-client keys) or stamped with
the time of the run (the run log, ``now()`` defaults)."""

from __future__ import annotations

from psycopg import sql

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.copies import create_empty_database, drop_database, scratch_name
from promptsales.db.migrate import migrate_company
from promptsales.seed import seed_all

SCHEMAS = {"ads": "ads", "crm": "crm", "sales": "portal"}
RANDOM_TABLES = {"crm.data_keys", "crm.subject_keys", "crm.logs"}
RANDOM_COLUMNS = {
    "crm.clients": {"national_id_enc", "context_enc", "national_id_bidx"},
    "portal.client_companies": {"created_at"},  # the PromptAds brands' created_at, a now() default there
}


def table_digests(settings: Settings, company: str, dbname: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of the sorted rows) of every table of the company's schema, random columns left out."""
    schema = SCHEMAS[company]
    digests = {}
    with connect(company, "owner", settings=settings, dbname=dbname) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s AND table_type = 'BASE TABLE'",
            (schema,),
        ).fetchall()
        for (table,) in tables:
            name = f"{schema}.{table}"
            if name in RANDOM_TABLES:
                continue
            columns = [
                column
                for (column,) in conn.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
                    "AND coalesce(column_default, '') NOT ILIKE '%%now()%%'",
                    (schema, table),
                )
                if column not in RANDOM_COLUMNS.get(name, set())
            ]
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(x::text, E'\\n' ORDER BY x::text), '')) FROM (SELECT {} FROM {}) x"
            ).format(sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(schema, table))
            digests[name] = conn.execute(query).fetchone()
    return digests


def seed_fresh_databases(settings: Settings, seed: int) -> dict[str, dict[str, tuple[int, str]]]:
    """Seed PromptAds, PromptCRM and the portal (small) into new databases; the digests of their tables."""
    names = {company: scratch_name(company, "det") for company in SCHEMAS}
    try:
        for company, name in names.items():
            create_empty_database(settings, company, name)
            migrate_company(settings, company, dbname=name)
        seed_all(settings, "small", seed, companies=list(SCHEMAS), dbname=names)
        return {company: table_digests(settings, company, name) for company, name in names.items()}
    finally:
        for company, name in names.items():
            drop_database(settings, company, name)


def test_the_same_seed_loads_identical_tables(settings: Settings) -> None:
    first = seed_fresh_databases(settings, 5)
    second = seed_fresh_databases(settings, 5)
    assert first == second
    for company, table in (("ads", "ads.ad_results"), ("crm", "crm.clients"), ("sales", "portal.proposals")):
        assert first[company][table][0] > 0, table

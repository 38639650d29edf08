"""Per-table row counts and content checksums, to prove that a restore equals its source.

The checksum of a table is the sum, over its rows, of the first 64 bits of ``md5(row::text)``: independent
of physical row order, computed in one pass with constant memory (no giant ``string_agg``), so it works on
millions of rows. Two tables with the same count and sum hold the same multiset of rows (up to a 2^-64-ish
accidental collision).
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from promptsales.db.fetch import one

USER_TABLES = (
    "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE c.relkind IN ('r','p','m') AND c.relispopulated"
    " AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%'"
    " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e') ORDER BY 1"
)


def table_checksums(conninfo: str) -> dict[str, tuple[int, str]]:
    """``schema.table → (rows, checksum)`` for every user table and materialized view of a database."""
    with psycopg.connect(conninfo) as conn:
        tables = [row[0] for row in conn.execute(USER_TABLES)]
        result: dict[str, tuple[int, str]] = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text"
                " FROM ONLY {} t"
            ).format(sql.SQL(table))
            count, checksum = one(conn, query)
            result[table] = (count, checksum)
        return result

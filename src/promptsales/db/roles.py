"""Least-privilege roles of each company database, with default privileges.

Default privileges are declared *for the owner role*, so every table, sequence, function and type that
a later migration creates is granted to the right roles without repeating grants in that migration.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from promptsales.config import Settings
from promptsales.db.connect import login_roles, role_name, role_password
from promptsales.db.fetch import scalar
from promptsales.runtime.postgres import EXTENSIONS

#: Object privileges per login role, applied as default privileges of the owner role.
DEFAULT_PRIVILEGES: dict[str, list[tuple[str, str]]] = {
    "app": [
        ("SELECT, INSERT, UPDATE, DELETE", "TABLES"),
        ("USAGE, SELECT, UPDATE", "SEQUENCES"),
        ("EXECUTE", "ROUTINES"),
        ("USAGE", "TYPES"),
        ("USAGE", "SCHEMAS"),
    ],
    "etl": [("SELECT", "TABLES"), ("SELECT", "SEQUENCES"), ("USAGE", "TYPES"), ("USAGE", "SCHEMAS")],
    "analyst": [("SELECT", "TABLES"), ("SELECT", "SEQUENCES"), ("USAGE", "TYPES"), ("USAGE", "SCHEMAS")],
}


def ensure_roles(conn: psycopg.Connection, settings: Settings, company: str) -> None:
    """Create the owner and login roles of ``company`` and their privileges (idempotent); the ``mcp`` and ``log``
    roles get no default privileges: their migrations grant exactly what they need.

    ``conn`` is an autocommit admin connection to the company's database.
    """
    dbname = sql.Identifier(scalar(conn, "SELECT current_database()"))
    owner = sql.Identifier(role_name(company, "owner"))
    existing = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
    if role_name(company, "owner") not in existing:
        conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(owner))
    for role in login_roles(company):
        ident = sql.Identifier(role_name(company, role))
        password = sql.Literal(role_password(settings, company, role))
        verb = "ALTER" if role_name(company, role) in existing else "CREATE"
        conn.execute(sql.SQL(verb + " ROLE {} LOGIN PASSWORD {}").format(ident, password))

    conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(owner))
    conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(dbname, owner))
    conn.execute(sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(dbname))
    conn.execute(sql.SQL("REVOKE ALL ON SCHEMA public FROM PUBLIC"))
    conn.execute(sql.SQL("ALTER SCHEMA public OWNER TO {}").format(owner))
    logins = [sql.Identifier(role_name(company, role)) for role in login_roles(company)]
    conn.execute(sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(dbname, sql.SQL(", ").join(logins)))
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(sql.SQL(", ").join(logins)))
    conn.execute(sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} REVOKE EXECUTE ON ROUTINES FROM PUBLIC").format(owner))
    for role, grants in DEFAULT_PRIVILEGES.items():
        grantee = sql.Identifier(role_name(company, role))
        for privileges, kind in grants:
            conn.execute(
                sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} GRANT " + privileges + " ON " + kind + " TO {}").format(
                    owner, grantee
                )
            )


def ensure_extensions(conn: psycopg.Connection) -> None:
    """Create the extensions every company database may use (needs the admin connection)."""
    available = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
    for extension in EXTENSIONS:
        if extension in available:
            conn.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(extension)))

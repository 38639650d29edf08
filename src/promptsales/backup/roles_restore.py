"""Recreate, on a target cluster, the roles a restored database refers to (roles are cluster-global).

``pg_dump`` archives name owners and grantees but do not contain the roles themselves; the backup keeps
``pg_dumpall --roles-only --no-role-passwords`` for that. On an embedded target we create every missing
role with its attributes and memberships (parsed, whitelisted — never executed as text), then
:func:`promptsales.db.roles.ensure_roles` gives the company's login roles the *target's own* passwords.
Passwords never travel in a backup.
"""

from __future__ import annotations

import re

import psycopg
from psycopg import sql

SUPERUSER_ATTRIBUTES = {"SUPERUSER", "REPLICATION", "BYPASSRLS"}
ALLOWED_ATTRIBUTES = {
    "INHERIT",
    "NOINHERIT",
    "LOGIN",
    "NOLOGIN",
    "CREATEROLE",
    "NOCREATEROLE",
    "CREATEDB",
    "NOCREATEDB",
    "NOSUPERUSER",
    "NOREPLICATION",
    "NOBYPASSRLS",
}
_NAME = r'("(?:[^"]|"")+"|[A-Za-z_][\w$]*)'
CREATE = re.compile(rf"^CREATE ROLE {_NAME};$")
ALTER = re.compile(rf"^ALTER ROLE {_NAME} WITH ([A-Z ]+);$")
GRANT = re.compile(rf"^GRANT {_NAME} TO {_NAME}\b.*;$")


def _unquote(name: str) -> str:
    return name[1:-1].replace('""', '"') if name.startswith('"') else name


def parse_roles(text: str) -> tuple[dict[str, list[str]], list[tuple[str, str]]]:
    """Roles with their attributes, and (role, member) memberships, from ``pg_dumpall --roles-only``."""
    roles: dict[str, list[str]] = {}
    grants: list[tuple[str, str]] = []
    for line in text.splitlines():
        if match := CREATE.match(line):
            roles.setdefault(_unquote(match.group(1)), [])
        elif match := ALTER.match(line):
            roles.setdefault(_unquote(match.group(1)), []).extend(match.group(2).split())
        elif match := GRANT.match(line):
            grants.append((_unquote(match.group(1)), _unquote(match.group(2))))
    return roles, grants


def create_missing_roles(conn: psycopg.Connection, globals_sql: str) -> list[str]:
    """Create roles of the dump that the target lacks (no superusers, no passwords); returns their names."""
    roles, grants = parse_roles(globals_sql)
    existing = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
    created = []
    for name, attributes in roles.items():
        if name in existing or SUPERUSER_ATTRIBUTES & set(attributes) or name.startswith("pg_"):
            continue
        keep = [a for a in attributes if a in ALLOWED_ATTRIBUTES]
        conn.execute(sql.SQL("CREATE ROLE {} " + " ".join(keep)).format(sql.Identifier(name)))
        created.append(name)
    now = {row[0] for row in conn.execute("SELECT rolname FROM pg_roles")}
    for role, member in grants:
        if role in now and member in now:
            try:
                conn.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(role), sql.Identifier(member)))
            except psycopg.errors.DatabaseError:
                pass  # already a member, or a grant the target's superuser layout does not allow
    return created

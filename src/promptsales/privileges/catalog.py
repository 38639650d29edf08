"""What the database roles may really do, read from the catalogs of each company database.

For every role of the platform (``promptads_*``, ``promptcrm_*``, ``promptsales_*``, ``promptcontent_*``) and for
``PUBLIC``: role attributes and memberships, parameter privileges (cluster-wide), and per database the database,
schema, table (views, materialized and foreign tables; the partitions of a partitioned table folded into
``<table>#partitions``), column, sequence, function, foreign-server and default privileges — from
``pg_roles``, ``pg_auth_members``, ``pg_parameter_acl``, ``pg_database``, ``pg_namespace``, ``pg_class``,
``pg_attribute``, ``pg_proc``, ``pg_foreign_server`` and ``pg_default_acl`` through ``aclexplode`` (a NULL ACL
reads as its built-in default, ``acldefault``), the same source ``information_schema`` reports from. Per database
also: row-level security (tables with RLS on, their policies) and every object *not* owned by the company's owner
role. Objects that belong to an extension (pgvector, pg_trgm, postgres_fdw…) are left out: they come with the
extension, not from us. A grant to an object's owner is ownership, not a grant, and is left out too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import psycopg

#: The role name pattern of the platform's roles (``promptcrm_app``…); PUBLIC is read as well.
ROLE_PATTERN = r"^prompt(ads|crm|sales|content)_[a-z]+$"
PUBLIC = "PUBLIC"

Grants = dict[str, Any]

_ROLES = """
SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
       r.rolinherit, coalesce(array_agg(g.rolname ORDER BY g.rolname) FILTER (WHERE g.rolname IS NOT NULL), '{}')
FROM pg_roles r
LEFT JOIN pg_auth_members m ON m.member = r.oid
LEFT JOIN pg_roles g ON g.oid = m.roleid
WHERE r.rolname ~ %(pattern)s
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
"""

_PARAMETERS = """
SELECT coalesce(r.rolname, 'PUBLIC'), p.parname, a.privilege_type
FROM pg_parameter_acl p, aclexplode(p.paracl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
"""

# (kind, object name, grantee, privilege) of every ACL entry of this database's own objects
_OBJECT_ACLS = """
WITH ext AS (SELECT objid, classid FROM pg_depend WHERE deptype = 'e'),
objects AS (
    SELECT 'database' AS kind, d.datname::text AS name, coalesce(d.datacl, acldefault('d', d.datdba)) AS acl,
           d.datdba AS owner
    FROM pg_database d WHERE d.datname = current_database()
    UNION ALL
    SELECT 'schemas', n.nspname, coalesce(n.nspacl, acldefault('n', n.nspowner)), n.nspowner
    FROM pg_namespace n
    WHERE n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.objid = n.oid AND ext.classid = 'pg_namespace'::regclass)
    UNION ALL
    SELECT CASE WHEN c.relkind = 'S' THEN 'sequences' ELSE 'tables' END,
           n.nspname || '.' || coalesce(
               (SELECT p.relname || '#partitions' FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent
                WHERE i.inhrelid = c.oid AND c.relispartition), c.relname),
           coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)),
           c.relowner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S') AND n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.objid = c.oid AND ext.classid = 'pg_class'::regclass)
    UNION ALL
    SELECT 'functions', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           coalesce(p.proacl, acldefault('f', p.proowner)), p.proowner
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.objid = p.oid AND ext.classid = 'pg_proc'::regclass)
    UNION ALL
    SELECT 'foreign_servers', s.srvname, coalesce(s.srvacl, acldefault('S', s.srvowner)), s.srvowner
    FROM pg_foreign_server s
)
SELECT o.kind, o.name, coalesce(r.rolname, 'PUBLIC'), a.privilege_type
FROM objects o, aclexplode(o.acl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE a.grantee <> o.owner
"""

_COLUMN_ACLS = """
SELECT n.nspname || '.' || c.relname || '.' || att.attname, coalesce(r.rolname, 'PUBLIC'), a.privilege_type
FROM pg_attribute att
JOIN pg_class c ON c.oid = att.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(att.attacl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE att.attacl IS NOT NULL AND NOT att.attisdropped AND a.grantee <> c.relowner
  AND n.nspname !~ '^(pg_|information_schema$)'
"""

_DEFAULT_ACLS = """
SELECT o.rolname, CASE d.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
           WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE d.defaclobjtype::text END
       || coalesce(' in ' || n.nspname, ''),
       coalesce(r.rolname, 'PUBLIC'), a.privilege_type
FROM pg_default_acl d
JOIN pg_roles o ON o.oid = d.defaclrole
LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) a
LEFT JOIN pg_roles r ON r.oid = a.grantee
WHERE a.grantee <> d.defaclrole
"""

_NOT_OWNED = """
SELECT kind || ' ' || name || ' (owner ' || owner || ')' FROM (
    SELECT 'schema' AS kind, n.nspname::text AS name, pg_get_userbyid(n.nspowner)::text AS owner
    FROM pg_namespace n WHERE n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.deptype = 'e' AND e.objid = n.oid)
    UNION ALL
    SELECT 'relation', n.nspname || '.' || c.relname, pg_get_userbyid(c.relowner)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'v', 'm', 'f', 'p', 'S') AND n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.deptype = 'e' AND e.objid = c.oid)
    UNION ALL
    SELECT 'function', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           pg_get_userbyid(p.proowner)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname !~ '^(pg_|information_schema$)'
      AND NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.deptype = 'e' AND e.objid = p.oid)
) o WHERE owner <> %(owner)s ORDER BY 1
"""

_RLS = """
SELECT n.nspname || '.' || c.relname, c.relrowsecurity, c.relforcerowsecurity,
       coalesce(jsonb_object_agg(p.polname, jsonb_build_object(
           'command', p.polcmd, 'permissive', p.polpermissive,
           'roles', (SELECT coalesce(jsonb_agg(coalesce(r.rolname, 'PUBLIC') ORDER BY 1), '[]'::jsonb)
                     FROM unnest(p.polroles) u(oid) LEFT JOIN pg_roles r ON r.oid = u.oid),
           'using', pg_get_expr(p.polqual, p.polrelid), 'check', pg_get_expr(p.polwithcheck, p.polrelid)))
           FILTER (WHERE p.polname IS NOT NULL), '{}'::jsonb)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_policy p ON p.polrelid = c.oid
WHERE c.relrowsecurity OR c.relforcerowsecurity OR p.polname IS NOT NULL
GROUP BY 1, 2, 3
"""


def _add(target: dict, key: str, privilege: str) -> None:
    privileges = target.setdefault(key, [])
    if privilege not in privileges:
        privileges.append(privilege)
        privileges.sort()


def _ours(role: str) -> bool:
    return role == PUBLIC or re.match(ROLE_PATTERN, role) is not None


def read_cluster(conn: psycopg.Connection) -> dict[str, Grants]:
    """Role → attributes, memberships and parameter privileges (cluster-wide: the same from any database)."""
    roles: dict[str, Grants] = {}
    for name, login, superuser, createdb, createrole, replication, bypassrls, inherit, member_of in conn.execute(
        _ROLES, {"pattern": ROLE_PATTERN}
    ):
        roles[name] = {
            "attributes": {
                "login": login,
                "superuser": superuser,
                "createdb": createdb,
                "createrole": createrole,
                "replication": replication,
                "bypassrls": bypassrls,
                "inherit": inherit,
            },
            "member_of": list(member_of),
            "parameters": {},
        }
    for role, parameter, privilege in conn.execute(_PARAMETERS):
        if role in roles:
            _add(roles[role]["parameters"], parameter, privilege)
    return roles


def read_database(conn: psycopg.Connection, owner: str) -> tuple[dict[str, Grants], dict[str, Any]]:
    """(role → this database's privileges, database facts: objects not owned by ``owner`` and RLS)."""
    grants: dict[str, Grants] = defaultdict(dict)
    for kind, name, role, privilege in conn.execute(_OBJECT_ACLS):
        if _ours(role):
            if kind == "database":
                _add(grants[role], "database", privilege)
            else:
                _add(grants[role].setdefault(kind, {}), name, privilege)
    for column, role, privilege in conn.execute(_COLUMN_ACLS):
        if _ours(role):
            _add(grants[role].setdefault("columns", {}), column, privilege)
    for grantor, kind, role, privilege in conn.execute(_DEFAULT_ACLS):
        if _ours(role):
            _add(grants[role].setdefault("default_privileges", {}), f"{grantor}: {kind}", privilege)
    facts = {
        "not_owned_by_owner": [row[0] for row in conn.execute(_NOT_OWNED, {"owner": owner})],
        "row_level_security": {
            table: {"enabled": enabled, "forced": forced, "policies": policies}
            for table, enabled, forced, policies in conn.execute(_RLS)
        },
    }
    return dict(grants), facts

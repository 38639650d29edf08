"""The declared least privilege (issue 23) and its comparison with the real grants and the issuer's client registry.

``policy/roles/<role>.toml`` — one file per database role (and ``PUBLIC``): what the role is for, its attributes,
memberships and parameter privileges, and per company database the database, schema, table, column, sequence,
function, foreign-server and default privileges it holds. ``policy/databases.toml`` — per database, the objects
not owned by the company's owner role (none) and the row-level security in force. ``policy/oauth/<client>.toml``
— one file per OAuth client: what it is for and the scopes it may request.

:func:`drift` lists every difference in either direction: a privilege granted but not declared (a hand-added
GRANT), one declared but not granted, a role or client without a policy file, a policy file without its role or
client. ``promptsales privileges check`` runs it; ``promptsales privileges write`` rewrites the files from the
running installation (after a migration that changes grants — review the diff, it *is* the change of policy).
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

from promptsales.auth.config import SCOPES, load_clients
from promptsales.config import DATABASE_NAMES, Settings
from promptsales.db.connect import connect, role_name
from promptsales.privileges.catalog import read_cluster, read_database

#: The privilege kinds of one role in one database, in the order the files list them.
KINDS = ("database", "schemas", "tables", "columns", "sequences", "functions", "foreign_servers", "default_privileges")


def policy_dir() -> Path:
    """The folder of the policy files (inside the package: they are versioned with the migrations)."""
    return Path(str(resources.files("promptsales.privileges") / "policy"))


# ---- the real state ------------------------------------------------------------------------------------


def actual(settings: Settings, dbnames: dict[str, str] | None = None) -> dict[str, Any]:
    """``{"roles": {role: {"cluster": …, <database>: …}}, "databases": {<database>: facts}}`` read from the
    running servers; ``dbnames`` maps a company to the database to read (tests read private copies). Databases are
    named by their company's canonical name (``promptcrm``) whatever copy was read."""
    dbnames = dbnames or {}
    roles: dict[str, dict[str, Any]] = {}
    databases: dict[str, Any] = {}
    for company, canonical in DATABASE_NAMES.items():
        with connect(company, "admin", settings=settings, dbname=dbnames.get(company)) as conn:
            if not roles:
                roles = {name: {"cluster": facts} for name, facts in read_cluster(conn).items()}
                roles["PUBLIC"] = {}
            grants, facts = read_database(conn, role_name(company, "owner"))
        for role, kinds in grants.items():
            roles.setdefault(role, {})[canonical] = {kind: kinds[kind] for kind in KINDS if kind in kinds}
        databases[canonical] = facts
    return {"roles": roles, "databases": databases}


def registry(settings: Settings) -> dict[str, list[str]]:
    """The issuer's client registry: client id → the scopes it may request (sorted)."""
    return {client: sorted(scopes) for client, scopes in load_clients(settings).items()}


# ---- the declared state --------------------------------------------------------------------------------


def declared(directory: Path | None = None) -> dict[str, Any]:
    """The policy files, in the shape of :func:`actual` plus ``clients`` and each file's ``purpose``."""
    root = directory or policy_dir()
    roles, purposes, clients = {}, {}, {}
    for path in sorted((root / "roles").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        purposes[path.stem] = data.pop("purpose", "")
        roles[path.stem] = data
    for path in sorted((root / "oauth").glob("*.toml")):
        data = tomllib.loads(path.read_text())
        clients[path.stem] = {"purpose": data.get("purpose", ""), "scopes": sorted(data.get("scopes", []))}
    databases = tomllib.loads((root / "databases.toml").read_text()) if (root / "databases.toml").exists() else {}
    return {"roles": roles, "databases": databases, "clients": clients, "purposes": purposes}


# ---- the comparison ------------------------------------------------------------------------------------


def _flatten(tree: Any, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    """Leaves of nested dicts by path; a list of privileges is one leaf per privilege (value True)."""
    if isinstance(tree, dict):
        leaves: dict[tuple[str, ...], Any] = {}
        for key, value in tree.items():
            leaves.update(_flatten(value, (*path, str(key))))
        return leaves
    if isinstance(tree, list) and all(isinstance(item, str) for item in tree):
        return {(*path, item): True for item in tree}
    return {path: tree}


def _describe(path: tuple[str, ...]) -> str:
    return " / ".join(path)


def compare_roles(declared_roles: dict[str, Any], actual_roles: dict[str, Any]) -> list[str]:
    """Differences between declared and real role privileges, both directions."""
    problems = []
    for role in sorted(set(actual_roles) - set(declared_roles)):
        if actual_roles[role]:
            problems.append(f"role {role} exists but has no policy file (policy/roles/{role}.toml)")
    for role in sorted(set(declared_roles) - set(actual_roles)):
        problems.append(f"role {role} has a policy file but does not exist")
    for role in sorted(set(declared_roles) & set(actual_roles)):
        want, have = _flatten(declared_roles[role]), _flatten(actual_roles[role])
        for path in sorted(set(have) - set(want)):
            problems.append(f"{role}: {_describe(path)} is granted but not declared")
        for path in sorted(set(want) - set(have)):
            problems.append(f"{role}: {_describe(path)} is declared but not granted")
        for path in sorted(set(want) & set(have)):
            if want[path] != have[path]:
                problems.append(f"{role}: {_describe(path)} is {have[path]!r}, declared {want[path]!r}")
    return problems


def compare_databases(declared_dbs: dict[str, Any], actual_dbs: dict[str, Any]) -> list[str]:
    """Ownership and row-level security: what is in force against what is declared."""
    problems = []
    for database, facts in actual_dbs.items():
        want = declared_dbs.get(database, {})
        for item in sorted(set(facts["not_owned_by_owner"]) - set(want.get("not_owned_by_owner", []))):
            problems.append(f"{database}: {item} is not owned by the owner role")
        have_rls = json.loads(json.dumps(facts["row_level_security"]))
        if have_rls != want.get("row_level_security", {}):
            problems.append(
                f"{database}: row-level security is {json.dumps(have_rls, sort_keys=True)}, declared "
                f"{json.dumps(want.get('row_level_security', {}), sort_keys=True)}"
            )
    return problems


def compare_clients(declared_clients: dict[str, Any], registered: dict[str, list[str]]) -> list[str]:
    """The issuer's client registry against the declared clients, both directions; unknown scopes too."""
    problems = []
    for client in sorted(set(registered) - set(declared_clients)):
        problems.append(f"OAuth client {client} is registered but has no policy file (policy/oauth/{client}.toml)")
    for client in sorted(set(declared_clients) - set(registered)):
        problems.append(f"OAuth client {client} has a policy file but is not registered")
    for client in sorted(set(declared_clients) & set(registered)):
        want, have = set(declared_clients[client]["scopes"]), set(registered[client])
        for scope in sorted(have - want):
            problems.append(f"OAuth client {client}: scope {scope} may be requested but is not declared")
        for scope in sorted(want - have):
            problems.append(f"OAuth client {client}: scope {scope} is declared but may not be requested")
        for scope in sorted(want - set(SCOPES)):
            problems.append(f"OAuth client {client}: declared scope {scope} does not exist")
    return problems


def drift(settings: Settings, dbnames: dict[str, str] | None = None, directory: Path | None = None) -> list[str]:
    """Every difference between the policy files and the real grants and client registry (empty: no drift)."""
    want, have = declared(directory), actual(settings, dbnames)
    return (
        compare_roles(want["roles"], have["roles"])
        + compare_databases(want["databases"], have["databases"])
        + compare_clients(want["clients"], registry(settings))
    )


# ---- writing the files from the real state -------------------------------------------------------------


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    return json.dumps(value)


def _toml_table(lines: list[str], name: str, table: dict[str, Any]) -> None:
    scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
    nested = {k: v for k, v in table.items() if isinstance(v, dict)}
    if scalars or not nested:
        lines.append(f"\n[{name}]")
        lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in sorted(scalars.items()))
    for key, value in sorted(nested.items()):
        _toml_table(lines, f"{name}.{_toml_key(key)}", value)


def to_toml(header: str, data: dict[str, Any]) -> str:
    """A small TOML writer for the policy shapes (strings, booleans, lists of strings, nested tables)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict)}
    lines.extend(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in scalars.items())
    for key, value in data.items():
        if isinstance(value, dict):
            _toml_table(lines, _toml_key(key), value)
    return "\n".join(lines).lstrip("\n") + "\n"


HEADER = (
    "Least-privilege policy (issue 23): what this role may do. tests/security/test_privileges.py fails when the\n"
    "real grants differ in either direction. Regenerate with `promptsales privileges write` after a migration that\n"
    "changes grants, and review the diff: it is the change of policy."
)


def write(settings: Settings, dbnames: dict[str, str] | None = None, directory: Path | None = None) -> list[Path]:
    """Rewrite the role files and ``databases.toml`` from the databases ``dbnames`` (default: the installation's),
    keeping each ``purpose``."""
    root = directory or policy_dir()
    purposes = declared(root)["purposes"]
    state = actual(settings, dbnames)
    written = []
    (root / "roles").mkdir(parents=True, exist_ok=True)
    for role, grants in sorted(state["roles"].items()):
        path = root / "roles" / f"{role}.toml"
        body = {"purpose": purposes.get(role, "TODO: say what this role is for"), **grants}
        path.write_text(to_toml(HEADER, body))
        written.append(path)
    databases = root / "databases.toml"
    databases.write_text(
        to_toml(
            "Per database: objects not owned by the company's owner role, and row-level security in force.",
            state["databases"],
        )
    )
    written.append(databases)
    return written

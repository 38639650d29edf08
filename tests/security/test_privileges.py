"""Least privilege, declared and tested (issue 23): the real grants of a freshly set-up installation and the issuer's
client registry equal the policy files (src/promptsales/privileges/policy), and any drift in either direction —
a hand-added grant, a revoked one, a new role or membership, row-level security, a changed client — is reported.
MCP server processes connect with their own roles only."""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from promptsales.auth.config import DEFAULT_CLIENTS, SCOPES
from promptsales.db.connect import connect, serve_as
from promptsales.errors import UserError
from promptsales.privileges.policy import compare_clients, declared, drift, registry
from promptsales.privileges.reference import reference_installation


@pytest.fixture(scope="module")
def reference(settings) -> Iterator[dict[str, str]]:
    """A fresh installation's four databases (scratch copies on the session cluster, dropped after the module)."""
    with reference_installation(settings) as names:
        yield names


@pytest.fixture
def registry_file(tmp_path, monkeypatch):
    """The issuer's client registry as a fresh installation has it, in a private file."""
    path = tmp_path / "clients.json"
    monkeypatch.setenv("PROMPTSALES_AUTH_CLIENTS_FILE", str(path))
    return path


def _admin(settings, company: str, dbname: str, statement: str) -> None:
    with connect(company, "admin", settings=settings, dbname=dbname, autocommit=True) as conn:
        conn.execute(statement)


def test_the_grants_and_clients_of_a_fresh_installation_are_as_declared(settings, reference, registry_file):
    assert drift(settings, reference) == []


def test_every_role_and_client_says_what_it_is_for_and_every_scope_is_someones():
    policy = declared()
    assert all(purpose and "TODO" not in purpose for purpose in policy["purposes"].values())
    assert all(client["purpose"] for client in policy["clients"].values())
    assert set().union(*(set(c["scopes"]) for c in policy["clients"].values())) <= set(SCOPES)


@pytest.mark.parametrize(
    ("company", "grant", "revoke", "expected"),
    [
        (
            "crm",
            "GRANT UPDATE ON crm.clients TO promptcrm_analyst",
            "REVOKE UPDATE ON crm.clients FROM promptcrm_analyst",
            "promptcrm_analyst: promptcrm / tables / crm.clients / UPDATE is granted but not declared",
        ),
        (
            "crm",
            "GRANT SELECT (national_id_enc) ON crm.clients TO promptcrm_etl",
            "REVOKE SELECT (national_id_enc) ON crm.clients FROM promptcrm_etl",
            "promptcrm_etl: promptcrm / columns / crm.clients.national_id_enc / SELECT is granted but not declared",
        ),
        (
            "sales",
            "GRANT SELECT ON portal.audit_log TO promptsales_log",
            "REVOKE SELECT ON portal.audit_log FROM promptsales_log",
            "promptsales_log: promptsales / tables / portal.audit_log / SELECT is granted but not declared",
        ),
        (
            "ads",
            "GRANT EXECUTE ON FUNCTION cdc.purge(xid8) TO promptads_mcp",
            "REVOKE EXECUTE ON FUNCTION cdc.purge(xid8) FROM promptads_mcp",
            "promptads_mcp: promptads / functions / cdc.purge(p_before xid8) / EXECUTE is granted but not declared",
        ),
        (
            "content",
            "ALTER DEFAULT PRIVILEGES FOR ROLE promptcontent_owner GRANT DELETE ON TABLES TO promptcontent_mcp",
            "ALTER DEFAULT PRIVILEGES FOR ROLE promptcontent_owner REVOKE DELETE ON TABLES FROM promptcontent_mcp",
            "promptcontent_mcp: promptcontent / default_privileges / promptcontent_owner: tables / DELETE is granted "
            "but not declared",
        ),
        (
            "crm",
            "GRANT USAGE ON SCHEMA cdc TO PUBLIC",
            "REVOKE USAGE ON SCHEMA cdc FROM PUBLIC",
            "PUBLIC: promptcrm / schemas / cdc / USAGE is granted but not declared",
        ),
        (
            "crm",
            "REVOKE INSERT ON crm.leads FROM promptcrm_mcp",
            "GRANT INSERT ON crm.leads TO promptcrm_mcp",
            "promptcrm_mcp: promptcrm / tables / crm.leads / INSERT is declared but not granted",
        ),
    ],
)
def test_a_grant_added_or_removed_by_hand_is_drift(
    settings, reference, registry_file, company, grant, revoke, expected
):
    _admin(settings, company, reference[company], grant)
    try:
        assert drift(settings, reference) == [expected]
    finally:
        _admin(settings, company, reference[company], revoke)
    assert drift(settings, reference) == []


def test_role_attributes_memberships_new_roles_and_row_level_security_are_drift(settings, reference, registry_file):
    changes = [
        ("ALTER ROLE promptcrm_mcp CREATEDB", "ALTER ROLE promptcrm_mcp NOCREATEDB"),
        ("GRANT promptcrm_owner TO promptcrm_mcp", "REVOKE promptcrm_owner FROM promptcrm_mcp"),
        ("CREATE ROLE promptcrm_intruder LOGIN", "DROP ROLE promptcrm_intruder"),
        ("ALTER TABLE crm.leads ENABLE ROW LEVEL SECURITY", "ALTER TABLE crm.leads DISABLE ROW LEVEL SECURITY"),
        ("CREATE TABLE crm.side_table (x int)", "DROP TABLE crm.side_table"),
    ]
    applied = []
    try:
        for change, _ in changes:
            _admin(settings, "crm", reference["crm"], change)
            applied.append(_)
        found = drift(settings, reference)
    finally:
        for undo in reversed(applied):
            _admin(settings, "crm", reference["crm"], undo)
    assert "promptcrm_mcp: cluster / attributes / createdb is True, declared False" in found
    assert "promptcrm_mcp: cluster / member_of / promptcrm_owner is granted but not declared" in found
    assert "role promptcrm_intruder exists but has no policy file (policy/roles/promptcrm_intruder.toml)" in found
    assert any(line.startswith('promptcrm: row-level security is {"crm.leads"') for line in found)
    assert any(line.startswith("promptcrm: relation crm.side_table (owner ") for line in found)
    assert drift(settings, reference) == []


def test_a_changed_client_registry_is_drift(settings, registry_file):
    clients = {client: list(scopes) for client, scopes in DEFAULT_CLIENTS.items()}
    clients["portal"].append("crm:pii")  # a scope added by hand
    clients["etl"].remove("sales:read")  # one taken away
    clients["partner-x"] = ["ads:read"]  # a client nobody declared
    del clients["content-reader"]
    registry_file.write_text(json.dumps({"clients": clients}))
    assert compare_clients(declared()["clients"], registry(settings)) == [
        "OAuth client partner-x is registered but has no policy file (policy/oauth/partner-x.toml)",
        "OAuth client content-reader has a policy file but is not registered",
        "OAuth client etl: scope sales:read is declared but may not be requested",
        "OAuth client portal: scope crm:pii may be requested but is not declared",
    ]


def test_an_mcp_server_process_connects_with_its_own_roles_only(settings):
    from promptsales.db.connect import conninfo

    try:
        serve_as("crm")
        for role in ("app", "etl", "analyst"):
            assert "user=promptcrm_mcp" in conninfo(settings, "crm", role)  # type: ignore[arg-type]
        assert "user=promptsales_log" in conninfo(settings, "sales", "app")
        for company, role in (("ads", "etl"), ("content", "app"), ("crm", "owner"), ("crm", "admin")):
            with pytest.raises(UserError, match="connects to its own database as promptcrm_mcp only"):
                conninfo(settings, company, role)  # type: ignore[arg-type]
        serve_as("sales")
        assert "user=promptsales_mcp" in conninfo(settings, "sales", "analyst")
    finally:
        serve_as(None)
    assert "user=promptcrm_app" in conninfo(settings, "crm", "app")


@pytest.mark.parametrize(
    ("company", "role", "statement"),
    [
        ("crm", "mcp", "DELETE FROM crm.logs"),
        ("crm", "mcp", "UPDATE crm.clients SET email = email"),
        ("crm", "mcp", "SELECT count(*) FROM cdc.changes"),
        ("crm", "mcp", "SELECT cdc.purge(pg_current_xact_id())"),
        ("ads", "mcp", "UPDATE ads.campaigns SET budget = 0"),
        ("content", "mcp", "DELETE FROM content.media_embeddings"),
        ("sales", "mcp", "SELECT count(*) FROM portal.audit_log"),
        ("sales", "log", "SELECT count(*) FROM portal.proposals"),
        ("sales", "log", "SELECT count(*) FROM portal.ai_usage_log"),
    ],
)
def test_the_mcp_and_log_roles_cannot_do_more(settings, reference, company, role, statement):
    with connect(company, role, settings=settings, dbname=reference[company], autocommit=True) as conn:  # type: ignore[arg-type]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)

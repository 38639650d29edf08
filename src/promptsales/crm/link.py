"""The linked server (SPEC R4): ``postgres_fdw`` from promptcrm to promptads, read-only.

* Foreign server ``promptads_link`` with ``updatable 'false'`` (writes through the link are refused
  locally) pointing at the PromptAds database (embedded cluster's TCP port, or the host/port/dbname of
  ``PROMPTSALES_ADS_DATABASE_URL``).
* One user mapping ``FOR PUBLIC`` that logs in as ``promptads_etl`` — the read-only ETL role of PromptAds,
  never its owner — so even a changed ``updatable`` option could not write.
* ``IMPORT FOREIGN SCHEMA ads … INTO ads_link``: every PromptAds table appears as ``ads_link.<table>``.

Host, port and password are only known at run time, so this is applied by :func:`ensure_link` (from
``promptsales up``, the CRM seed and the consistency check), not by a SQL migration.
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from promptsales.config import Settings
from promptsales.db.connect import admin_conninfo, database_name, role_name, role_password
from promptsales.errors import UserError
from promptsales.runtime.profile import postgres_server

SERVER = "promptads_link"
#: The linked PromptAds tables the CRM MCP server reads (least privilege, issue 23): registerLead and
#: prepareLeadCapture check a lead's campaign, ad and market; scoreLeads reads each campaign's brand industry,
#: product price and audience ages (none of them personal data).
MCP_LINKED_TABLES = ("campaigns", "ads", "campaign_markets", "brands", "products", "audiences")
FOREIGN_SCHEMA = "ads_link"
REMOTE_SCHEMA = "ads"


def ads_target(settings: Settings, ads_dbname: str | None = None) -> dict[str, str]:
    """host, port and dbname of the PromptAds database as seen from the CRM server."""
    external = settings.external_database_url("ads")
    if external:
        parts = conninfo_to_dict(external)
        return {
            "host": str(parts.get("host") or "127.0.0.1"),
            "port": str(parts.get("port") or 5432),
            "dbname": ads_dbname or str(parts.get("dbname") or database_name("ads")),
        }
    # The local server's address (HA profile: every node, and only the leader accepted).
    address = {key: str(value) for key, value in postgres_server(settings).client_address().items()}
    return {**address, "dbname": ads_dbname or database_name("ads")}


def _options(target: dict[str, str], verb: str) -> sql.Composable:
    return sql.SQL(", ").join(
        sql.SQL(verb + " {} {}").format(sql.Identifier(key), sql.Literal(value)) for key, value in target.items()
    )


def ensure_link(
    settings: Settings, crm_dbname: str | None = None, ads_dbname: str | None = None, refresh: bool = False
) -> int:
    """Create or update the foreign server, user mapping and foreign schema; returns the foreign tables count.

    ``refresh`` re-imports the foreign schema (after PromptAds migrations added tables). A PromptAds the linked
    server cannot reach or log in to is a UserError naming why (one transaction: nothing is left half-made).
    """
    try:
        return _ensure_link(settings, crm_dbname, ads_dbname, refresh)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise UserError(f"The linked server from PromptCRM to PromptAds cannot be set up or used: {reason}") from None


def _ensure_link(settings: Settings, crm_dbname: str | None, ads_dbname: str | None, refresh: bool) -> int:
    target = ads_target(settings, ads_dbname)
    server = sql.Identifier(SERVER)
    owner = sql.Identifier(role_name("crm", "owner"))
    mapping = {"user": role_name("ads", "etl"), "password": role_password(settings, "ads", "etl")}
    with psycopg.connect(admin_conninfo(settings, "crm", crm_dbname), autocommit=True) as conn:
        with conn.transaction():
            exists = conn.execute("SELECT 1 FROM pg_foreign_server WHERE srvname = %s", (SERVER,)).fetchone()
            if exists:
                current = dict(
                    row[0].split("=", 1)
                    for row in conn.execute(
                        "SELECT unnest(srvoptions) FROM pg_foreign_server WHERE srvname = %s", (SERVER,)
                    ).fetchall()
                )
                changes = {k: v for k, v in target.items() if current.get(k) != v}
                if changes:
                    parts = [
                        sql.SQL("{} {} {}").format(
                            sql.SQL("SET" if k in current else "ADD"), sql.Identifier(k), sql.Literal(v)
                        )
                        for k, v in changes.items()
                    ]
                    conn.execute(sql.SQL("ALTER SERVER {} OPTIONS ({})").format(server, sql.SQL(", ").join(parts)))
            else:
                conn.execute(
                    sql.SQL(
                        "CREATE SERVER {} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({}, updatable 'false', "
                        "fetch_size '10000')"
                    ).format(server, _options(target, ""))
                )
                conn.execute(
                    sql.SQL("COMMENT ON SERVER {} IS {}").format(
                        server, sql.Literal("Linked server to PromptAds (read-only, as promptads_etl)")
                    )
                )
            conn.execute(sql.SQL("GRANT USAGE ON FOREIGN SERVER {} TO {}").format(server, owner))
            has_mapping = conn.execute(
                "SELECT 1 FROM pg_user_mappings WHERE srvname = %s AND usename = 'public'", (SERVER,)
            ).fetchone()
            verb = "SET" if has_mapping else ""
            body = _options(mapping, verb)
            statement = (
                "ALTER USER MAPPING FOR PUBLIC SERVER {} OPTIONS ({})"
                if has_mapping
                else ("CREATE USER MAPPING FOR PUBLIC SERVER {} OPTIONS ({})")
            )
            conn.execute(sql.SQL(statement).format(server, body))
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(owner))
            if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (FOREIGN_SCHEMA,)).fetchone():
                conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(FOREIGN_SCHEMA)))
            present = _foreign_tables(conn)
            if refresh or not present:
                # Import only the tables not linked yet: dropping existing ones would cascade to the
                # analytics materialized views built on them.
                remote = [sql.Identifier(name) for name in present]
                conn.execute(
                    sql.SQL("IMPORT FOREIGN SCHEMA {} {} FROM SERVER {} INTO {}").format(
                        sql.Identifier(REMOTE_SCHEMA),
                        sql.SQL("EXCEPT ({})").format(sql.SQL(", ").join(remote)) if remote else sql.SQL(""),
                        server,
                        sql.Identifier(FOREIGN_SCHEMA),
                    )
                )
                present = _foreign_tables(conn)
            # the CRM MCP server reads only these there (MCP_LINKED_TABLES)
            mcp = sql.Identifier(role_name("crm", "mcp"))
            conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(FOREIGN_SCHEMA), mcp))
            for table in MCP_LINKED_TABLES:
                conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(FOREIGN_SCHEMA, table), mcp))
            count = len(present)
            conn.execute("RESET ROLE")
    return count


def _foreign_tables(conn: psycopg.Connection) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_foreign_table ft JOIN pg_class c ON c.oid = ft.ftrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s ORDER BY 1",
        (FOREIGN_SCHEMA,),
    ).fetchall()
    return [row[0] for row in rows]

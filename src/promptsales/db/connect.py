"""Connection strings and connections for each company database, per role.

Roles (created by ``promptsales migrate``, least privilege):

* ``admin`` – the configured admin URL (superuser of the embedded cluster); used only to set things up.
* ``owner`` – owns every object; migrations run as this role.
* ``app`` – the company's service: read and write data, execute procedures.
* ``etl`` – read-only, used by the ETL and the linked server.
* ``analyst`` – read-only, for people querying the data.
* ``mcp`` – the company's MCP server: reads its business data, writes only what its write tools write.
* ``log`` – PromptSales only: the audit and AI-usage log writer of every process, and the AI model registry's
  reader for the MCP servers of the other companies.

A process that serves one company (``promptsales mcp serve NAME``) declares it with :func:`serve_as`: from then
on every connection it asks for as ``app``, ``etl`` or ``analyst`` is made as that company's ``mcp`` role (and
as ``log`` in the PromptSales database when it is another company's server), and every other database, the
owner and the admin role are refused — whatever code path asks (decisions.md, issue 23).
"""

from __future__ import annotations

from typing import Literal

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from promptsales.config import DATABASE_NAMES, Settings, get_settings
from promptsales.errors import ServiceUnavailable, UserError
from promptsales.runtime.profile import postgres_server
from promptsales.runtime.service import redact
from promptsales.runtime.state import Secrets

Role = Literal["admin", "owner", "app", "etl", "analyst", "mcp", "log"]
#: Login roles every company database has.
LOGIN_ROLES: tuple[str, ...] = ("app", "etl", "analyst", "mcp")
#: Login roles only some databases have.
EXTRA_LOGIN_ROLES: dict[str, tuple[str, ...]] = {"sales": ("log",)}
ALL_ROLES: tuple[str, ...] = ("owner", *LOGIN_ROLES, "log")
#: The roles a process that serves one company may use instead of the general ones (:func:`serve_as`).
_serving: dict[str, str] = {}


def login_roles(company: str) -> tuple[str, ...]:
    """The login roles of ``company``'s database."""
    return LOGIN_ROLES + EXTRA_LOGIN_ROLES.get(company, ())


def serve_as(company: str | None) -> None:
    """Declare that this process serves ``company``'s MCP server (None: it does not any more): its connections
    use the company's ``mcp`` role, and ``log`` for the PromptSales database of another company's server."""
    _serving.clear()
    if company is not None:
        _serving[company] = "mcp"
        _serving.setdefault("sales", "log")


def served_role(company: str, role: str) -> str:
    """The role this process really connects with when it asks for ``role`` (see :func:`serve_as`); a UserError
    when a serving process may not connect that way at all."""
    if not _serving or role == "log":
        return role
    if role in ("admin", "owner") or company not in _serving:
        served = next(name for name, kind in _serving.items() if kind == "mcp")
        raise UserError(
            f"The {served} MCP server connects to its own database as {role_name(served, 'mcp')} only; it may not "
            f"connect to the {company} database as {role}."
        )
    return _serving[company]


def database_name(company: str) -> str:
    """The database a company owns (``ads`` → ``promptads``); unknown companies are a UserError."""
    try:
        return DATABASE_NAMES[company]
    except KeyError:
        raise UserError(f"Unknown company {company!r}; expected one of {', '.join(DATABASE_NAMES)}.") from None


def role_name(company: str, role: str) -> str:
    """The PostgreSQL role of ``role`` in ``company`` (``ads``, ``app`` → ``promptads_app``)."""
    return f"{database_name(company)}_{role}"


def role_password(settings: Settings, company: str, role: str) -> str:
    """The generated password of a login role (kept in ``<data_dir>/secrets.json``)."""
    return Secrets(settings.data_path).get(f"pg_{role_name(company, role)}")


def admin_conninfo(settings: Settings, company: str, dbname: str | None = None) -> str:
    """Admin connection string of a company database (external URL or embedded superuser)."""
    external = settings.external_database_url(company)
    if external:
        return make_conninfo(external, dbname=dbname) if dbname else external
    return postgres_server(settings).admin_conninfo(dbname or database_name(company))


def conninfo(settings: Settings, company: str, role: Role = "app", dbname: str | None = None) -> str:
    """Connection string for ``role`` on a company database (the served role in a serving process)."""
    role = served_role(company, role)  # type: ignore[assignment]
    admin = admin_conninfo(settings, company, dbname)
    if role == "admin":
        return admin
    if role == "owner":
        return make_conninfo(admin, options=f"-c role={role_name(company, 'owner')}")
    if role not in login_roles(company):
        raise UserError(f"Unknown database role {role!r}; expected one of admin, {', '.join(ALL_ROLES)}.")
    overrides: dict[str, str | int | None] = {
        "user": role_name(company, role),
        "password": role_password(settings, company, role),
    }
    if not settings.external_database_url(company):
        # HA profile: every node, target_session_attrs=read-write — a new connection finds the leader.
        overrides.update(postgres_server(settings).client_address())
    return make_conninfo(admin, **overrides)


def connect(
    company: str,
    role: Role = "app",
    *,
    settings: Settings | None = None,
    dbname: str | None = None,
    **kwargs,
) -> psycopg.Connection:
    """Open a connection to a company database as ``role``; a clear error when it is unreachable."""
    settings = settings or get_settings()
    info = conninfo(settings, company, role, dbname)
    kwargs.setdefault("connect_timeout", max(1, int(settings.connect_timeout)))
    try:
        return psycopg.connect(info, **kwargs)
    except psycopg.OperationalError as error:
        target = conninfo_to_dict(info)
        where = redact(info) if "://" in info else f"{target.get('host')}:{target.get('port')}/{target.get('dbname')}"
        raise ServiceUnavailable(
            f"Cannot connect to the {company} database ({where}) as {role}: "
            f"{str(error).strip().splitlines()[-1] if str(error).strip() else error}. "
            "Is it running? Try `promptsales up` or check PROMPTSALES_*_DATABASE_URL."
        ) from error

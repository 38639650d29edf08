"""Connection strings and connections for each company database, per role.

Roles (created by ``promptsales migrate``, least privilege):

* ``admin`` – the configured admin URL (superuser of the embedded cluster); used only to set things up.
* ``owner`` – owns every object; migrations run as this role.
* ``app`` – the company's service: read and write data, execute procedures.
* ``etl`` – read-only, used by the ETL and the linked server.
* ``analyst`` – read-only, for people querying the data.
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

Role = Literal["admin", "owner", "app", "etl", "analyst"]
LOGIN_ROLES: tuple[str, ...] = ("app", "etl", "analyst")
ALL_ROLES: tuple[str, ...] = ("owner", *LOGIN_ROLES)


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
    """Connection string for ``role`` on a company database."""
    admin = admin_conninfo(settings, company, dbname)
    if role == "admin":
        return admin
    if role == "owner":
        return make_conninfo(admin, options=f"-c role={role_name(company, 'owner')}")
    if role not in LOGIN_ROLES:
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

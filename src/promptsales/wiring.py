"""The platform's wiring, in one place: what ``promptsales up`` starts and in which order, the MCP servers,
and the teaching-lab entries. Nothing registers itself on import; this module lists every part.

Services start after the database servers (:mod:`promptsales.runtime.manager`), in this order:

1. ``crm-keystore`` — PromptCRM's key store and linked server (needs the migrated databases);
2. ``cache`` — the shared cache's health line (nothing to start);
3. ``auth-issuer`` — the local OAuth issuer (the MCP servers read its port and JWKS);
4. ``mcp-content``, ``mcp-ads``, ``mcp-crm``, ``mcp-sales`` — one MCP server per company over HTTPS;
5. ``dagster-code``, ``dagster-webserver``, ``dagster-daemon`` — the ETL's schedule and the daily backup run
   by themselves (:mod:`promptsales.etl.scheduler`; the daemon's health is read through the webserver);
6. ``etl-lag`` — the ETL's lag line (nothing to start).

The AI modules (:data:`AI_MODULES`) are packages ``promptsales.ai.<name>`` with ``train``, ``evaluate`` and
``status`` (:mod:`promptsales.ai.modules`); ``promptsales ai`` and the Dagster job ``ai_retrain`` find them here.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from promptsales.auth.config import ISSUER_SERVICE
from promptsales.cache.status import CacheService
from promptsales.config import Settings
from promptsales.crm.runtime import CrmKeyStoreService
from promptsales.errors import UserError
from promptsales.etl import scheduler
from promptsales.etl.lag import EtlLagService
from promptsales.lab import registry
from promptsales.runtime.dagster_service import DagsterProcessService
from promptsales.runtime.https_service import HttpsProcessService
from promptsales.runtime.service import ManagedService

if TYPE_CHECKING:
    from promptsales.ai.modules import AIModule
    from promptsales.lab.registry import LabEntry
    from promptsales.mcpkit.server import ToolKit

#: The command line every server process runs (through the pre-fork launcher, docs/decisions.md D5).
CLI_ENTRY_POINT = "promptsales.cli:main"
#: What every HTTPS server process imports besides the CLI: the kit's runner (MCP SDK, Starlette, uvicorn).
HTTPS_PRELOAD = ("promptsales.mcpkit.runner",)
#: The MCP servers, one per company, in the order ``up`` starts them.
MCP_SERVERS: tuple[str, ...] = ("content", "ads", "crm", "sales")
#: What the Dagster processes import besides the CLI: Dagster, the code location (the code server serves it) and
#: the webserver (≈1.2 s of imports each, paid once in the launcher while the databases start).
DAGSTER_PRELOAD = ("dagster", scheduler.DEFINITIONS_MODULE, "dagster_webserver.cli")
#: The AI modules (SPEC I1): each a package ``promptsales.ai.<name>`` keeping :mod:`promptsales.ai.modules`'
#: contract. Add a module by adding its name here.
AI_MODULES: tuple[str, ...] = ("lead_scoring", "sentiment", "ranking", "ad_optimisation")


def load_kit(name: str) -> ToolKit:
    """The :class:`~promptsales.mcpkit.server.ToolKit` of MCP server ``name`` (imported on use)."""
    if name == "content":
        from promptsales.content.mcp import kit
    elif name == "ads":
        from promptsales.ads.mcp import kit
    elif name == "crm":
        from promptsales.crm.mcp import kit
        from promptsales.privacy.mcp import attach

        attach(kit)  # the data-subject request tools (privacy:admin) live on the server that owns the people
    elif name == "sales":
        from promptsales.sales.mcp import kit
    else:
        raise UserError(f"Unknown MCP server {name!r}; expected one of {', '.join(sorted(MCP_SERVERS))}.")
    return kit


def load_ai_module(name: str) -> AIModule:
    """The AI module ``name`` (imported on use): its ``train``, ``evaluate`` and ``status``."""
    if name not in AI_MODULES:
        raise UserError(f"Unknown AI module {name!r}; expected one of {', '.join(AI_MODULES) or '(none yet)'}.")
    from promptsales.ai.modules import AIModule

    return AIModule(name)


def train_ai_module(settings: Settings, name: str) -> dict:
    """Train AI module ``name`` (a new stored version) and make its company's MCP server answer with it at
    once: the cached answers that depend on the module's model (``Scope(company, "ai_model", name)``) are
    invalidated. Returns the module's status after training."""
    from promptsales.cache import Scope, get_cache

    status = load_ai_module(name).train(settings)
    get_cache(settings).bump(Scope(status["company"], "ai_model", name))
    return status


def issuer_service(settings: Settings) -> HttpsProcessService:
    """The local OAuth issuer as a managed HTTPS process."""
    return HttpsProcessService(
        settings, ISSUER_SERVICE, lambda port: ["auth", "issuer", "--port", str(port)], CLI_ENTRY_POINT, HTTPS_PRELOAD
    )


def mcp_service(settings: Settings, name: str) -> HttpsProcessService:
    """MCP server ``name`` as a managed HTTPS process (``mcp-<name>``)."""
    if name not in MCP_SERVERS:
        raise UserError(f"Unknown MCP server {name!r}; expected one of {', '.join(sorted(MCP_SERVERS))}.")
    return HttpsProcessService(
        settings,
        f"mcp-{name}",
        lambda port: ["mcp", "serve", name, "--transport", "http", "--port", str(port)],
        CLI_ENTRY_POINT,
        HTTPS_PRELOAD,
    )


def dagster_services(settings: Settings) -> list[DagsterProcessService]:
    """The Dagster code server, webserver and daemon as managed processes (the webserver before the daemon:
    the daemon's heartbeat is read through it)."""
    parts = [
        (scheduler.CODE_SERVER, "code-server", scheduler.code_server_probe, "grpc"),
        (scheduler.WEBSERVER, "webserver", scheduler.webserver_probe, "http"),
        (scheduler.DAEMON, "daemon", scheduler.daemon_probe, ""),
    ]
    return [
        DagsterProcessService(
            settings,
            name,
            partial(scheduler.dagster_argv, part),
            CLI_ENTRY_POINT,
            DAGSTER_PRELOAD,
            partial(probe, settings),
            scheme,
        )
        for name, part, probe, scheme in parts
    ]


def extra_services(settings: Settings) -> list[ManagedService]:
    """Every service ``up`` starts after the databases, ``down`` stops and ``status`` reports, in order."""
    return [
        CrmKeyStoreService(settings),
        CacheService(settings),
        issuer_service(settings),
        *(mcp_service(settings, name) for name in MCP_SERVERS),
        *dagster_services(settings),
        EtlLagService(settings),
    ]


def load_lab_entries() -> None:
    """Import every module that declares Python lab entries (the SQL scripts are found by the registry)."""
    import promptsales.ads.labs
    import promptsales.backup.labs
    import promptsales.crm.concurrency.labs
    import promptsales.crm.lab_entries
    import promptsales.sales.labs  # noqa: F401


def labs() -> dict[str, LabEntry]:
    """Every lab entry of every company, by name."""
    load_lab_entries()
    return registry.discover()


def lab(name: str) -> LabEntry:
    """The lab entry called ``name``; a ``UserError`` listing close names when it does not exist."""
    load_lab_entries()
    return registry.get(name)

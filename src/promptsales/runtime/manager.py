"""Bring the whole local ecosystem up, down, or report on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.runtime.external import ExternalDatabase
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.postgres import EmbeddedPostgres
from promptsales.runtime.service import ManagedService, ServiceStatus
from promptsales.runtime.valkey import ValkeyServer

#: Factories of services that later parts of the system add (MCP servers, the OAuth issuer...).
#: They are started after the databases, in registration order.
EXTRA_SERVICES: list[Callable[[Settings], ManagedService]] = []


def register_service(factory: Callable[[Settings], ManagedService]) -> None:
    """Add a service that ``up`` starts, ``down`` stops and ``status`` reports."""
    if factory not in EXTRA_SERVICES:
        EXTRA_SERVICES.append(factory)


def data_services(settings: Settings) -> list[ManagedService]:
    """The database servers: embedded ones, or probes of the external ones the user configured."""
    services: list[ManagedService] = []
    if settings.uses_embedded_postgres():
        services.append(EmbeddedPostgres(settings))
    for company in DATABASE_NAMES:
        if settings.external_database_url(company):
            services.append(ExternalDatabase(settings, company))
    services.append(MongoServer(settings))
    services.append(ValkeyServer(settings))
    return services


def all_services(settings: Settings) -> list[ManagedService]:
    """Every service, databases first."""
    return data_services(settings) + [factory(settings) for factory in EXTRA_SERVICES]


@dataclass
class UpReport:
    """What ``up`` did: which services it started and which were already running."""

    started: list[str] = field(default_factory=list)
    already_running: list[str] = field(default_factory=list)
    migrations_applied: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """True when anything was started or migrated."""
        return bool(self.started or self.migrations_applied)


def check_external(settings: Settings) -> None:
    """Fail before touching anything when a configured external server does not answer."""
    for service in data_services(settings):
        if getattr(service, "external", False) or isinstance(service, ExternalDatabase):
            service.start()


def start_databases(settings: Settings, report: UpReport | None = None) -> UpReport:
    """Start (or probe) every database server."""
    report = report or UpReport()
    check_external(settings)
    for service in data_services(settings):
        (report.started if service.start() else report.already_running).append(service.name)
    return report


def start_extras(settings: Settings, report: UpReport) -> UpReport:
    """Start the registered extra services (MCP servers, issuer)."""
    for factory in EXTRA_SERVICES:
        service = factory(settings)
        (report.started if service.start() else report.already_running).append(service.name)
    return report


def stop_all(settings: Settings) -> list[str]:
    """Stop everything we started, extras first; returns the names of stopped services."""
    stopped = []
    for service in reversed(all_services(settings)):
        if service.stop():
            stopped.append(service.name)
    return stopped


def statuses(settings: Settings) -> list[ServiceStatus]:
    """Health of every service."""
    return [service.status() for service in all_services(settings)]


def wipe(settings: Settings) -> None:
    """Stop everything and delete the data directory."""
    stop_all(settings)
    if settings.uses_embedded_postgres():
        EmbeddedPostgres(settings).wipe()
    shutil.rmtree(settings.data_path, ignore_errors=True)

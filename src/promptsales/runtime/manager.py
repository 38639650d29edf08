"""Bring the whole local ecosystem up, down, or report on it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.runtime.external import ExternalDatabase
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.postgres import EmbeddedPostgres
from promptsales.runtime.prefork import Launcher
from promptsales.runtime.service import LaunchedService, ManagedService, ServiceStatus
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
    return data_services(settings) + extra_services(settings)


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


def extra_services(settings: Settings) -> list[ManagedService]:
    """The registered extra services, in registration order."""
    return [factory(settings) for factory in EXTRA_SERVICES]


def preload_launcher(settings: Settings) -> Launcher | None:
    """A launcher already importing what the stopped server processes share; None when all run.

    Created before the databases start so that its imports overlap with them (docs/decisions.md D5).
    """
    stopped = [s for s in extra_services(settings) if isinstance(s, LaunchedService) and not s.process_alive()]
    if not stopped:
        return None
    return Launcher(tuple(dict.fromkeys(module for service in stopped for module in service.preload)))


def start_extras(settings: Settings, report: UpReport, launcher: Launcher | None = None) -> UpReport:
    """Start the registered extra services (the OAuth issuer, MCP servers) at once.

    Ports are recorded in registration order before any process starts (the MCP servers find the
    issuer's port that way); the server processes are forked together by the preloading launcher; the
    services without a process run meanwhile; then ``up`` waits until every process is healthy.
    """
    services = extra_services(settings)
    process_services = [s for s in services if isinstance(s, LaunchedService)]
    jobs = [(service, service.prepare_launch()) for service in process_services]
    pending = [(service, job) for service, job in jobs if job is not None]
    report.already_running.extend(service.name for service, job in jobs if job is None)
    launcher = launcher or (Launcher() if pending else None)
    pids = launcher.launch([job for _, job in pending]) if launcher else []
    for (service, _), pid in zip(pending, pids):
        service.launched(pid)
    for service in services:
        if not isinstance(service, LaunchedService):
            (report.started if service.start() else report.already_running).append(service.name)
    for (service, _), pid in zip(pending, pids):
        service.wait_ready(pid)
        report.started.append(service.name)
    return report


def stop_all(settings: Settings) -> list[str]:
    """Stop everything we started, extras first; returns the names of stopped services."""
    stopped = []
    for service in reversed(all_services(settings)):
        if service.stop():
            stopped.append(service.name)
    return stopped


def statuses(settings: Settings) -> list[ServiceStatus]:
    """Health of every service, probed concurrently (each probe waits on the network, not the CPU)."""
    services = all_services(settings)
    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        return list(pool.map(lambda service: service.status(), services))


def wipe(settings: Settings) -> None:
    """Stop everything and delete the data directory."""
    stop_all(settings)
    if settings.uses_embedded_postgres():
        EmbeddedPostgres(settings).wipe()
    shutil.rmtree(settings.data_path, ignore_errors=True)

"""Bring the whole local ecosystem up, down, or report on it.

The database servers are known here; every other service (the OAuth issuer, the MCP servers, the CRM key
store, the cache's health line) is passed in by the caller, in the order it starts them: the platform's list
is :func:`promptsales.wiring.extra_services`.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from promptsales.config import DATABASE_NAMES, Settings
from promptsales.runtime.external import ExternalDatabase
from promptsales.runtime.ha.etcd import EtcdCluster
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.prefork import LauncherPool
from promptsales.runtime.profile import active_profile, postgres_server, valkey_server
from promptsales.runtime.service import LaunchedService, ManagedService, ServiceStatus


def data_services(settings: Settings) -> list[ManagedService]:
    """The database servers: embedded ones (replicated ones in the HA profile, with etcd first), or probes of
    the external ones the user configured."""
    ha = active_profile(settings) == "ha"
    services: list[ManagedService] = [EtcdCluster(settings)] if ha and settings.uses_embedded_postgres() else []
    if settings.uses_embedded_postgres():
        services.append(postgres_server(settings))
    for company in DATABASE_NAMES:
        if url := settings.external_database_url(company):
            services.append(ExternalDatabase(settings, company, url))
    services.append(MongoServer(settings))
    services.append(valkey_server(settings))
    return services


def all_services(settings: Settings, extras: Sequence[ManagedService] = ()) -> list[ManagedService]:
    """Every service, databases first, then ``extras`` in their order."""
    return data_services(settings) + list(extras)


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


def preload_launcher(extras: Sequence[ManagedService]) -> LauncherPool | None:
    """Launchers already importing what the stopped server processes share, one per group of servers with
    the same imports; None when all run.

    Created before the databases start so that their imports overlap with them (docs/decisions.md D5).
    """
    stopped = [s for s in extras if isinstance(s, LaunchedService) and not s.process_alive()]
    if not stopped:
        return None
    return LauncherPool(service.preload for service in stopped)


def start_extras(extras: Sequence[ManagedService], report: UpReport, launcher: LauncherPool | None = None) -> UpReport:
    """Start the extra services (the OAuth issuer, MCP servers…) at once.

    Ports are recorded in the order of ``extras`` before any process starts (the MCP servers find the
    issuer's port that way); the server processes are forked by the preloading launchers; the
    services without a process run meanwhile; then ``up`` waits until every process is healthy.
    """
    services = list(extras)
    process_services = [s for s in services if isinstance(s, LaunchedService)]
    jobs = [(service, service.prepare_launch()) for service in process_services]
    pending = [(service, job) for service, job in jobs if job is not None]
    report.already_running.extend(service.name for service, job in jobs if job is None)
    launcher = launcher or LauncherPool(())
    pids = launcher.launch([(service.preload, job) for service, job in pending])
    for (service, _), pid in zip(pending, pids):
        service.launched(pid)
    for other in services:
        if not isinstance(other, LaunchedService):
            (report.started if other.start() else report.already_running).append(other.name)
    for (service, _), pid in zip(pending, pids):
        service.wait_ready(pid)
        report.started.append(service.name)
    return report


def stop_all(settings: Settings, extras: Sequence[ManagedService] = ()) -> list[str]:
    """Stop everything we started: the extras at once (each server's graceful shutdown waits on its clients,
    some of which are the other servers, so one after the other they waited in turn), then the data services in
    reverse order; returns the names of stopped services."""
    stopped = stop_at_once(extras)[::-1]
    for service in reversed(data_services(settings)):
        if service.stop():
            stopped.append(service.name)
    return stopped


def stop_at_once(services: Sequence[ManagedService]) -> list[str]:
    """Stop ``services`` concurrently (servers with no dependency between them); the names of those stopped."""
    with ThreadPoolExecutor(max_workers=max(1, len(services))) as pool:
        stopped = list(pool.map(lambda service: service.stop(), services))
    return [service.name for service, was_running in zip(services, stopped) if was_running]


def statuses(settings: Settings, extras: Sequence[ManagedService] = ()) -> list[ServiceStatus]:
    """Health of every service, probed concurrently (each probe waits on the network, not the CPU); a replicated
    service reports one line per member (its ``statuses()``)."""
    services = all_services(settings, extras)

    def rows(service: ManagedService) -> list[ServiceStatus]:
        several = getattr(service, "statuses", None)
        return several() if several else [service.status()]

    with ThreadPoolExecutor(max_workers=len(services)) as pool:
        return [row for found in pool.map(rows, services) for row in found]


def wipe(settings: Settings, extras: Sequence[ManagedService] = ()) -> None:
    """Stop everything and delete the data directory."""
    stop_all(settings, extras)
    if settings.uses_embedded_postgres():
        postgres_server(settings).wipe()
    shutil.rmtree(settings.data_path, ignore_errors=True)

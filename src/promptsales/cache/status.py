"""The ``cache`` line of ``promptsales status``: is caching on, or are tools answering from the databases?"""

from __future__ import annotations

import time

from promptsales.cache.connection import read_health
from promptsales.config import Settings
from promptsales.runtime.processes import pid_alive
from promptsales.runtime.profile import valkey_server
from promptsales.runtime.service import ServiceStatus, StatusLine, redact
from promptsales.runtime.valkey import redis_is_healthy


class CacheService(StatusLine):
    """A pseudo-service (nothing to start) that reports the cache mode and recent outages seen by processes."""

    name = "cache"

    def status(self) -> ServiceStatus:
        """Healthy when Redis answers; the detail says whether processes are degraded or were recently."""
        url = valkey_server(self.settings).url
        healthy = bool(url) and redis_is_healthy(url, self.settings.connect_timeout)
        return ServiceStatus(
            self.name, redact(url) if url else "", None, healthy, detail=describe(self.settings, healthy)
        )


def describe(settings: Settings, reachable: bool) -> str:
    """One line: caching or degraded, and which processes reported an outage (with when and how many calls)."""
    reports = read_health(settings)
    open_now = {
        pid: state for pid, state in reports.items() if state.get("state") == "open" and pid_alive(int(pid))
    }  # a dead process degrades nothing
    if not reachable:
        return "degraded: Redis unreachable, tools answer from the databases"
    if open_now:
        since = min(state["since"] for state in open_now.values())
        return (
            f"recovering: {len(open_now)} process(es) degraded since "
            f"{time.strftime('%H:%M:%S', time.localtime(since))}, caching resumes on their next call"
        )
    outages = sum(state.get("outages", 0) for state in reports.values())
    return f"caching (past outages: {outages})" if outages else "caching"

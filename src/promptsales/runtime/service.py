"""The common shape of a managed server: start, stop, and a status report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol

from psycopg.conninfo import conninfo_to_dict


@dataclass
class ServiceStatus:
    """What ``promptsales status`` reports for one service."""

    name: str
    url: str
    pid: int | None
    healthy: bool
    external: bool = False
    detail: str = ""

    def as_dict(self) -> dict:
        """A JSON-ready dictionary."""
        return asdict(self)


class ManagedService(Protocol):
    """A server that ``promptsales up`` starts unless the user configured an external one."""

    name: str

    def start(self) -> bool:
        """Start the server if needed; True when something was started, False when it already ran."""

    def stop(self) -> bool:
        """Stop the server if we started it; True when something was stopped."""

    def status(self) -> ServiceStatus:
        """Probe the server and report."""


def redact(url: str) -> str:
    """Hide the password of a URL or conninfo string so it can be printed."""
    if "://" in url:
        scheme, rest = url.split("://", 1)
        if "@" in rest:
            creds, host = rest.rsplit("@", 1)
            user = creds.split(":", 1)[0]
            return f"{scheme}://{user}:***@{host}" if ":" in creds else url
        return url
    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return url
    if "password" in parts:
        parts["password"] = "***"
    return " ".join(f"{key}={value}" for key, value in parts.items())

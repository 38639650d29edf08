"""The common shape of a managed server: start, stop, and a status report."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from psycopg.conninfo import conninfo_to_dict

from promptsales.config import Settings

if TYPE_CHECKING:
    from promptsales.runtime.prefork import Job


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


class StatusLine:
    """A line of ``promptsales status`` with no process behind it: nothing to start or stop, only a report."""

    name: str

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def start(self) -> bool:
        """Nothing to start."""
        return False

    def stop(self) -> bool:
        """Nothing to stop."""
        return False

    def status(self) -> ServiceStatus:
        """The report of this line."""
        raise NotImplementedError


@runtime_checkable
class LaunchedService(ManagedService, Protocol):
    """A server process that ``up`` starts with others at once through the preloading launcher.

    See :mod:`promptsales.runtime.prefork` and docs/decisions.md D5. ``start()`` still starts it alone.
    """

    #: Modules worth importing once in the launcher before forking the server (shared by its peers).
    preload: tuple[str, ...]

    def process_alive(self) -> bool:
        """True when its recorded process exists (a cheap check, no network probe)."""

    def prepare_launch(self) -> Job | None:
        """Record the port and return the job to launch; None when it already runs and is healthy."""

    def launched(self, pid: int) -> None:
        """Record the pid of the launched process."""

    def wait_ready(self, pid: int) -> None:
        """Block until the launched process is healthy; stop it and raise ``UserError`` otherwise."""


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

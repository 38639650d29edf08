"""A company database that the user runs elsewhere (configured by URL): probed, never started."""

from __future__ import annotations

import psycopg

from promptsales.config import Settings
from promptsales.errors import ServiceUnavailable
from promptsales.runtime.service import ServiceStatus, redact


class ExternalDatabase:
    """Health of one externally configured PostgreSQL database."""

    def __init__(self, settings: Settings, company: str, url: str) -> None:
        self.settings = settings
        self.company = company
        self.name = f"postgres:{company}"
        self.url = url

    def _answers(self) -> bool:
        try:
            with psycopg.connect(self.url, connect_timeout=max(1, int(self.settings.connect_timeout))) as conn:
                conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    def start(self) -> bool:
        """Check that the external database answers; raise a clear error when it does not."""
        if not self._answers():
            raise ServiceUnavailable(
                f"The {self.company} database at {redact(self.url)} "
                f"(PROMPTSALES_{self.company.upper()}_DATABASE_URL) does not answer."
            )
        return False

    def stop(self) -> bool:
        """External servers are never stopped by us."""
        return False

    def status(self) -> ServiceStatus:
        """Probe the database."""
        return ServiceStatus(self.name, redact(self.url), None, self._answers(), external=True)

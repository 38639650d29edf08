"""Managed HTTPS processes (the OAuth issuer, each MCP server) for ``promptsales up/down/status``."""

from __future__ import annotations

import httpx

from promptsales.runtime.detached_service import DetachedProcessService
from promptsales.runtime.tls import client_ssl_context, ensure_tls

#: What ``status`` shows about such a process, running or not.
DETAIL = "https, TLS 1.3"


class HttpsProcessService(DetachedProcessService):
    """A command-line subcommand run detached on a loopback HTTPS port, probed at ``health_path``."""

    scheme = "https"
    stopped_detail = DETAIL
    #: The path that answers 200 when the process is healthy.
    health_path = "/health"

    def healthy(self, timeout: float = 2.0) -> bool:
        """True when the process answers its health endpoint over TLS 1.3."""
        if not self.url:
            return False
        try:
            response = httpx.get(self.url + self.health_path, verify=client_ssl_context(self.settings), timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def probe(self, timeout: float = 2.0) -> tuple[bool, str]:
        """Whether the health endpoint answers (``status`` shows the protocol)."""
        return self.healthy(timeout), DETAIL

    def before_launch(self) -> None:
        """Make sure the TLS certificate the process serves exists."""
        ensure_tls(self.settings)

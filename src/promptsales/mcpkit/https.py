"""Run an ASGI app over HTTPS with TLS 1.3 minimum (uvicorn with our SSL context)."""

from __future__ import annotations

import logging
import sys

import uvicorn

from promptsales.config import Settings
from promptsales.tls import ensure_tls, server_ssl_context


def configure_stderr_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr (stdout is the MCP stdio protocol)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def serve_https(app, settings: Settings, host: str, port: int, log_level: str = "warning") -> None:
    """Serve ``app`` on ``https://host:port`` until stopped; a TLS 1.2 client is refused."""
    files = ensure_tls(settings)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        log_config=None,
        ssl_certfile=str(files.server_cert),
        ssl_keyfile=str(files.server_key),
        ssl_context_factory=lambda _config, _default: server_ssl_context(files),
        timeout_graceful_shutdown=3,
    )
    uvicorn.Server(config).run()

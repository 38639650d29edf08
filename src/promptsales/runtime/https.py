"""Run an ASGI app over HTTPS with TLS 1.3 minimum (uvicorn with our SSL context)."""

from __future__ import annotations

import logging
import sys
import threading
import time

import uvicorn

from promptsales.config import Settings
from promptsales.runtime.tls import ensure_tls, server_ssl_context


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
    server = uvicorn.Server(config)
    threading.Thread(
        target=_stop_with_databases, args=(settings, server), name="promptsales-watchdog", daemon=True
    ).start()
    server.run()


def _stop_with_databases(settings: Settings, server: uvicorn.Server, interval: float = 2.0, misses: int = 3) -> None:
    """Stop serving when the data directory's embedded PostgreSQL has stopped (``down``, ``reset``, or a
    test session ending) or the data directory is gone, so no orphaned HTTPS process is left behind."""
    if not settings.uses_embedded_postgres():
        return
    from promptsales.runtime.profile import postgres_server

    missing = 0
    while not server.should_exit:
        time.sleep(interval)
        # In the HA profile: any node's Patroni (a failover, or a node's restart, is no reason to stop).
        alive = settings.data_path.exists() and postgres_server(settings).is_alive()
        missing = 0 if alive else missing + 1
        if missing >= misses:
            logging.getLogger("promptsales.watchdog").warning("PostgreSQL of %s is gone: stopping", settings.data_path)
            server.should_exit = True

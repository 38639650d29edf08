"""Run an ASGI app over HTTPS with TLS 1.3 minimum (uvicorn with our SSL context)."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
import time

import uvicorn

from promptsales.config import Settings
from promptsales.runtime.tls import ensure_tls, server_ssl_context

#: How long an idle HTTPS connection is kept open (seconds).
KEEP_ALIVE_SECONDS = 75
#: prctl option: the signal a process gets when its parent dies.
_PR_SET_PDEATHSIG = 1


def configure_stderr_logging(level: int = logging.INFO) -> None:
    """Send every log record to stderr (stdout is the MCP stdio protocol)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def serve_https(app, settings: Settings, host: str, port: int, log_level: str = "warning", workers: int = 1) -> None:
    """Serve ``app`` on ``https://host:port`` until stopped; a TLS 1.2 client is refused.

    ``workers`` > 1: this process binds the port, then forks ``workers - 1`` copies of itself that accept on the
    same listening socket (the kernel hands each connection to one of them), so one server uses several cores;
    the copies are forked before any thread or connection exists, each has its own connection pools, cache client
    and batched log writer (flushed when it exits), and they stop with this process: SIGTERM when it exits, or
    when it dies (``PR_SET_PDEATHSIG``). Stopping this process stops them all, each draining its requests.
    """
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
        # Agents pause between calls (seconds to minutes): a connection kept longer than their pauses saves a TLS
        # handshake per call, and a client's reuse racing the server's close of an idle connection (uvicorn's
        # 5 s default) failed calls under load (docs/performance.md).
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    sockets = [config.bind_socket()] if workers > 1 else None
    children = [pid for pid in (_fork_worker() for _ in range(workers - 1)) if pid]
    server = uvicorn.Server(config)
    threading.Thread(
        target=_stop_with_databases, args=(settings, server), name="promptsales-watchdog", daemon=True
    ).start()
    try:
        server.run(sockets=sockets)
    finally:
        _stop_workers(children)


def _fork_worker() -> int:
    """Fork one worker: its pid in the parent, 0 in the worker (which dies with its parent)."""
    pid = os.fork()
    if pid == 0:
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        except OSError:  # not Linux: the parent's exit still stops the workers
            pass
    return pid


def _stop_workers(children: list[int], timeout: float = 10.0) -> None:
    """SIGTERM the workers and wait for them (their log writers flush on exit), SIGKILL after ``timeout``."""
    for pid in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for pid in children:
        while True:
            try:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    break
            except ChildProcessError:
                break
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError, ChildProcessError):
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                break
            time.sleep(0.05)


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

"""Free TCP ports on the loopback interface."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """True when nothing listens on ``host:port`` and we could bind it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


@contextlib.contextmanager
def distinct_ports(host: str = "127.0.0.1") -> Iterator[Callable[[], int]]:
    """A picker of ports that are free right now and distinct from each other: every port it gives is held open
    until the block ends, so the operating system cannot hand the same one out twice (closing each port as soon
    as it is picked — consecutive :func:`free_port` calls — can)."""
    with contextlib.ExitStack() as held:

        def pick() -> int:
            sock = held.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            return sock.getsockname()[1]

        yield pick


def free_port(host: str = "127.0.0.1") -> int:
    """A port that the operating system says is free right now."""
    with distinct_ports(host) as pick:
        return pick()


def reuse_or_pick(previous: int | None, host: str = "127.0.0.1") -> int:
    """Keep the previously recorded port when it is still free, else pick a new one."""
    if previous and port_is_free(previous, host):
        return previous
    return free_port(host)

"""Start and stop detached server processes, and tell whether a pid is alive."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path


def pid_alive(pid: int | None) -> bool:
    """True when a process with this pid exists and is not a zombie."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return True


def spawn_detached(argv: list[str], log_file: Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> int:
    """Start ``argv`` in its own session, output appended to ``log_file``; returns its pid (``env``: the
    child's whole environment, default this process's)."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    return process.pid


def terminate(pid: int | None, timeout: float = 10.0, group: bool = False) -> None:
    """Send SIGTERM, wait up to ``timeout`` seconds, then SIGKILL.

    ``group``: signal the whole process group ``pid`` leads (a detached server and the children it started).
    """
    if pid is None or not pid_alive(pid):
        return
    kill = os.killpg if group else os.kill
    try:
        kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    if wait_until(lambda: _reaped_or_gone(pid), timeout):
        return
    try:
        kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    # SIGKILL is delivered asynchronously: until the kernel has torn the process down it still looks alive
    wait_until(lambda: _reaped_or_gone(pid), KILL_GRACE)


#: Seconds a SIGKILLed process is given to disappear (normally a few milliseconds).
KILL_GRACE = 5.0


def _reaped_or_gone(pid: int) -> bool:
    """Whether ``pid`` is gone (a zombie child of ours is reaped first)."""
    _reap(pid)
    return not pid_alive(pid)


def stop_process(pid: int | None, group: bool = False) -> bool:
    """Terminate ``pid`` (with its process group when ``group``) if it is alive; True when something was stopped."""
    if not pid_alive(pid):
        return False
    terminate(pid, group=group)
    return True


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except (ChildProcessError, TypeError):
        pass


def wait_until(check, timeout: float, interval: float = 0.05) -> bool:
    """Poll ``check()`` until it returns True or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return bool(check())

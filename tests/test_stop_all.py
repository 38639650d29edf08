"""``promptsales down`` stops the servers at once (each one's graceful shutdown waits on its clients, some of
them the other servers), then the data services; a real process group is stopped the same way."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from promptsales.config import Settings
from promptsales.runtime import manager
from promptsales.runtime.processes import pid_alive


class Rendezvous:
    """A stand-in server whose stop() returns only once every other one is stopping too."""

    def __init__(self, name: str, barrier: threading.Barrier) -> None:
        self.name = name
        self.barrier = barrier

    def start(self) -> bool:
        return False

    def stop(self) -> bool:
        self.barrier.wait()  # BrokenBarrierError after the timeout when the others are stopped one by one
        return True

    def status(self):  # pragma: no cover - not used by stop_all
        raise NotImplementedError


def test_the_extras_are_stopped_at_once_and_reported(tmp_path: Path) -> None:
    barrier = threading.Barrier(3, timeout=10)
    extras = [Rendezvous(name, barrier) for name in ("mcp-ads", "mcp-crm", "mcp-sales")]
    stopped = manager.stop_all(Settings(data_dir=tmp_path / "nothing-runs"), extras)
    assert stopped == ["mcp-sales", "mcp-crm", "mcp-ads"]


def test_a_real_server_process_is_stopped(tmp_path: Path) -> None:
    """A process stopped through stop_all's path (terminate: SIGTERM, then SIGKILL after the timeout) is gone."""
    # nothing blocked or ignored: a signal mask and an ignored disposition are inherited, and a library in the test
    # process may have left SIGTERM blocked or ignored (then only the SIGKILL after the timeout stops it)
    sleeper = (
        "import signal, time; signal.pthread_sigmask(signal.SIG_SETMASK, set()); "
        "signal.signal(signal.SIGTERM, signal.SIG_DFL); time.sleep(600)"
    )
    child = subprocess.Popen([sys.executable, "-c", sleeper])

    class Sleeper:
        name = "sleeper"

        def stop(self) -> bool:
            from promptsales.runtime.processes import stop_process

            return stop_process(child.pid)

    assert manager.stop_all(Settings(data_dir=tmp_path / "nothing-runs"), [Sleeper()]) == ["sleeper"]  # type: ignore[list-item]
    assert not pid_alive(child.pid)


def test_a_process_that_ignores_sigterm_is_killed_and_gone_when_terminate_returns(tmp_path: Path) -> None:
    """SIGTERM ignored: terminate waits its timeout, sends SIGKILL, and returns only once the process is gone
    (SIGKILL is delivered asynchronously; checking right after it had found the process still there)."""
    from promptsales.runtime.processes import terminate

    # SIGTERM caught and ignored (it says so), so only the SIGKILL after the timeout can stop it
    stubborn = (
        "import signal, time; signal.signal(signal.SIGTERM, lambda *_: print('term', flush=True)); "
        "print('ready', flush=True); time.sleep(600)"
    )
    child = subprocess.Popen([sys.executable, "-c", stubborn], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"  # its handler is installed
    terminate(child.pid, timeout=0.5)
    assert not pid_alive(child.pid)
    assert child.stdout.read().split() == ["term"]  # it got SIGTERM and lived on: the SIGKILL stopped it

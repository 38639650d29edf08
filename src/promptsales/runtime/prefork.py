"""Start several ``promptsales`` server processes from one process that imported their libraries once.

Every MCP server and the OAuth issuer is a Python process that spends most of its start-up importing
the same libraries (the MCP SDK alone builds ~1 s of pydantic models). Started one by one, or even in
parallel, five of them pay that five times on two cores. Like gunicorn's ``--preload``, a launcher
process imports the shared modules once — while ``up`` is still starting the databases — and then
``fork()``s one child per server; each child starts its own session, writes to its own log, and calls
the command-line entry point it was given (``module:function``, e.g. ``promptsales.cli:main``) in-process
with the server's arguments (so its pid is the server's).
See docs/decisions.md D5.

    launcher = Launcher(preload=("promptsales.cli", "promptsales.mcpkit.runner"))  # imports start now
    ...                                                                            # databases, migrations
    pids = launcher.launch([Job("promptsales.cli:main", ["mcp", "serve", "ads", "--transport", "http"], log_path)])

The launcher reads one JSON list of jobs on stdin, answers with the pids (one per line) and exits; the
children are re-parented to init like any detached daemon. The launcher has a single thread, so
forking it is safe (no lock can be held by a thread that does not exist in the child).
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import setproctitle

from promptsales.errors import UserError

#: How long the launcher may take to import its modules and fork (seconds).
LAUNCH_TIMEOUT = 120.0


@dataclass(frozen=True)
class Job:
    """One server to start: the command line to call (``module:function``), its arguments and its log file."""

    entry_point: str
    args: list[str]
    log: Path


class Launcher:
    """A preloading launcher process; create it early, call :meth:`launch` once, or :meth:`close`."""

    def __init__(self, preload: tuple[str, ...] = ()) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "promptsales.runtime.prefork", *preload],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def launch(self, jobs: list[Job]) -> list[int]:
        """Fork one detached child per job; their pids, in the order of ``jobs``."""
        payload = json.dumps(
            [{"entry_point": job.entry_point, "args": job.args, "log": str(job.log)} for job in jobs]
        ).encode()
        try:
            out, err = self._process.communicate(payload, timeout=LAUNCH_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.communicate()
            raise UserError(f"The service launcher did not answer within {LAUNCH_TIMEOUT:.0f} s.") from None
        if self._process.returncode != 0:
            last = (err.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
            raise UserError(f"The service launcher failed: {last}")
        pids = [int(line) for line in out.split()]
        if len(pids) != len(jobs):
            raise UserError(f"The service launcher started {len(pids)} of {len(jobs)} services.")
        return pids

    def close(self) -> None:
        """Stop the launcher if :meth:`launch` was never called (nothing needed starting): killed, not asked —
        it has forked nothing yet, and asking waits for its imports to finish (≈ 3 s of every `up` that had
        nothing to start or stopped on an error)."""
        if self._process.returncode is None:
            self._process.kill()
            self._process.communicate()


class LauncherPool:
    """One preloading launcher per group of servers that import the same modules (the HTTPS servers, the
    Dagster processes), so that the groups' imports run at the same time on different cores."""

    def __init__(self, groups: Iterable[tuple[str, ...]]) -> None:
        self._launchers = {group: Launcher(group) for group in dict.fromkeys(groups)}

    def launch(self, jobs: list[tuple[tuple[str, ...], Job]]) -> list[int]:
        """Fork one detached child per ``(preload group, job)`` from its group's launcher; pids in job order."""
        by_group: dict[tuple[str, ...], list[int]] = {}
        for index, (group, _) in enumerate(jobs):
            by_group.setdefault(group, []).append(index)
        pids: list[int] = [0] * len(jobs)
        for group, indexes in by_group.items():
            launcher = self._launchers.pop(group, None) or Launcher(group)
            for index, pid in zip(indexes, launcher.launch([jobs[index][1] for index in indexes])):
                pids[index] = pid
        self.close()
        return pids

    def close(self) -> None:
        """Stop the launchers that had nothing to start."""
        for launcher in self._launchers.values():
            launcher.close()
        self._launchers.clear()


def launch_one(job: Job) -> int:
    """Start one server process detached (no preloading); its pid."""
    return Launcher().launch([job])[0]


def _entry(entry_point: str) -> Callable[[list[str]], object]:
    module, _, function = entry_point.partition(":")
    return getattr(importlib.import_module(module), function)


def _run_child(main: Callable[[list[str]], object], args: list[str], log: str) -> None:
    """In the forked child: detach, redirect output to ``log``, run the command line, never return."""
    code = 1
    try:
        os.setsid()
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        null_fd = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null_fd, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        # Without this, `ps` would show every server as the launcher's command line.
        setproctitle.setproctitle(" ".join(["promptsales", *args]))
        main(args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _serve(preload: list[str]) -> None:
    for module in preload:
        importlib.import_module(module)
    jobs = json.loads(sys.stdin.read() or "[]")
    sys.stdout.flush()
    sys.stderr.flush()
    pids = []
    for job in jobs:
        pid = os.fork()
        if pid == 0:
            _run_child(_entry(job["entry_point"]), job["args"], job["log"])
        pids.append(pid)
    sys.stdout.write("".join(f"{pid}\n" for pid in pids))
    sys.stdout.flush()


if __name__ == "__main__":
    _serve(sys.argv[1:])

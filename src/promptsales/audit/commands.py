"""Admin CLI actions in the audit: one row per ``promptsales …`` command that acts on data, keys or the audit.

The row names the command (``cli crm reveal``), the option names given (never their values: an e-mail address, a
national ID or a password file must not land in the audit), how many other tokens there were, the exit code
and how long it ran. Commands run as ``cli:<operating-system user>`` (:func:`promptsales.caller.acting_as`), so
what they do below — a reveal, a backup, a key-store operation — is recorded under the same actor.

Not recorded: running the platform (``up``, ``down``, ``status``, ``reset``), serving (``mcp serve``, ``auth
issuer``, the Dagster processes), rendering configuration (``deploy``, ``mcp config``), the HA drills and help.
"""

from __future__ import annotations

import getpass
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from promptsales.audit.trail import record
from promptsales.caller import acting_as

#: Command paths that are not admin actions on data (a prefix of the path matches).
NOT_AUDITED: tuple[tuple[str, ...], ...] = (
    ("up",),
    ("down",),
    ("status",),
    ("reset",),
    ("deploy",),
    ("drill",),
    ("mcp", "serve"),
    ("mcp", "bridge"),
    ("mcp", "config"),
    ("mcp", "list"),
    ("auth", "issuer"),
    ("auth", "clients"),
    ("etl", "ui"),
    ("etl", "dagster"),
    ("lab", "list"),
)


def command_path(group: Any, argv: Sequence[str]) -> tuple[list[str], int, list[str]]:
    """(command names, number of other tokens — arguments and option values —, option names) of ``argv`` under ``group`` (a click group, or
    Typer's own copy of click: anything with ``commands``)."""
    path: list[str] = []
    command = group
    positional: int = 0
    options: list[str] = []
    for token in argv:
        if token.startswith("-"):
            options.append(token.split("=", 1)[0])
        elif token in (getattr(command, "commands", None) or {}) and not options and not positional:
            command = command.commands[token]
            path.append(token)
        else:
            positional += 1
    return path, positional, sorted(set(options))


def _audited(path: list[str], options: list[str]) -> bool:
    if not path or "--help" in options:
        return False
    return not any(tuple(path[: len(prefix)]) == prefix for prefix in NOT_AUDITED)


@contextmanager
def audited_command(group: Any, argv: Sequence[str]) -> Iterator[None]:
    """Run one CLI invocation as ``cli:<user>`` and record it (category ``admin``) however it ends."""
    path, positional, options = command_path(group, argv)
    if not _audited(path, options):
        yield
        return
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        user = "unknown"
    actor = f"cli:{user}"
    started = time.perf_counter()
    code: int | str | None = "exception"
    try:
        with acting_as(actor, authenticated=False):
            yield
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) or stop.code is None else 1
        raise
    finally:
        exit_code = 0 if code is None else code
        record(
            actor,
            "cli",
            "cli " + " ".join(path),
            "ok" if exit_code == 0 else "error",
            (time.perf_counter() - started) * 1000,
            {"options": options, "other_tokens": positional, "exit": exit_code},
            category="admin",
        )

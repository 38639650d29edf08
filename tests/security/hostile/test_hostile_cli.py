"""Hostile input over every CLI command (issue 23): Hypothesis builds command lines from each command's own
parameters — its options with hostile or wrong-typed values, unknown options, injection payloads and oversized
arguments — and runs them in process through ``promptsales.cli.main`` against private copies of every store. A
command ends with exit 0, 1 or 2, never a stack trace, says why when it fails, and a failed command writes nothing.

Commands that run the platform or never return (up, down, reset, seed, serve, issuer, bridge, ui, drills, backups
and restores, labs, training, deploy rendering, policy rewriting, exports to arbitrary paths) are not fuzzed here:
each has its own tests."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout

import pytest
import typer
from hostile import PAYLOADS, TRACE_MARKERS, what_was_written, writes
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from promptsales.cli import app, main

EXAMPLES = int(os.environ.get("HYPOTHESIS_CLI_EXAMPLES", "25"))

NOT_FUZZED = {
    "up", "down", "reset", "seed", "lab run", "lab deadlock-client", "backup run", "backup restore", "etl run",
    "etl ui", "etl dagster", "content reindex", "auth issuer", "mcp serve", "mcp bridge", "drill run",
    "deploy render", "deploy validate", "ai train", "ai evaluate", "privileges write", "cache flush",
    "crm keys export", "crm keys import",
}  # fmt: skip
#: Options left out everywhere: they write files where told or build whole installations (tested elsewhere).
NOT_FUZZED_OPTIONS = {"--write", "--path", "--out", "--reference"}
#: Commands whose failing exit is a verdict on the data, after doing their work (which writes).
VERDICTS = {"audit verify", "audit maintain", "privileges check", "status"}


def _commands() -> list[tuple[str, object]]:
    found = []

    def walk(command, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, [*path, name])
        elif " ".join(path) not in NOT_FUZZED:
            found.append((" ".join(path), command))

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = _commands()

_value = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(min_size=1, max_size=40).filter(lambda t: "\x00" not in t),
    st.integers(min_value=-(2**40), max_value=2**40).map(str),
    st.sampled_from(["0", "-1", "1", "2", "latest", "crm", "ads", "7d", "2026-12-01", "true", ""]),
)


def command_lines(path: str, command) -> st.SearchStrategy[list[str]]:
    """``promptsales <path> …``: each parameter given or not, with a hostile value; sometimes an unknown option."""
    parts = []
    for param in command.params:
        opts = [opt for opt in getattr(param, "opts", []) if opt.startswith("-")]
        if any(opt in NOT_FUZZED_OPTIONS for opt in opts):
            continue
        if not opts:  # an argument
            parts.append(st.one_of(st.just([]), _value.map(lambda v: [v])))
        elif getattr(param, "is_flag", False):
            parts.append(st.sampled_from([[], [opts[0]]]))
        else:
            parts.append(st.one_of(st.just([]), _value.map(lambda v, o=opts[0]: [o, v])))
    extra = st.sampled_from([[], [], ["--no-such-option"], ["--json", "--json"], [PAYLOADS[1]]])
    forced = ["--dry-run"] if path == "backup prune" else []
    return st.tuples(*parts, extra).map(lambda chosen: [*path.split(), *[x for part in chosen for x in part], *forced])


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of ``promptsales argv`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as stop:
            code = stop.code
    return (code if isinstance(code, int) else (0 if code is None else 1)), out.getvalue(), err.getvalue()


def test_every_command_is_fuzzed_or_named_as_tested_elsewhere():
    assert len(COMMANDS) >= 30
    assert {path for path, _ in COMMANDS} | NOT_FUZZED >= {"crm reveal", "audit search", "backup verify"}


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_hostile_command_lines_end_cleanly_and_write_nothing_when_refused(stores, tmp_path, monkeypatch, path, command):
    monkeypatch.chdir(tmp_path)  # any file a command writes by default lands here

    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=os.environ.get("HYPOTHESIS_PROFILE") != "explore",
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(command_lines(path, command))
    def run(argv: list[str]) -> None:
        before = writes(stores)
        code, out, err = run_cli(argv)
        shown = f"promptsales {' '.join(a[:60] for a in argv)} → exit {code}\n{err[-800:]}"
        assert code in (0, 1, 2), shown
        assert not any(marker in out + err for marker in TRACE_MARKERS), shown
        if code != 0:
            assert err.strip() or out.strip(), f"no message: {shown}"
            if path not in VERDICTS:
                assert writes(stores) == before, f"{shown}\nwrote {what_was_written(stores, before)}"

    run()

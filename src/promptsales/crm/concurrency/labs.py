"""Lab entries of the concurrency scenarios: ``promptsales lab run crm.<scenario> [--unsafe|--safe]``.

Imported by :mod:`promptsales.crm.labs`. Without a flag a scenario runs unsafe then safe. ``--param
repeat=N`` runs it N times and prints the first timeline plus one line per run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import psycopg

from promptsales.config import Settings
from promptsales.crm.concurrency import deadlock_cascade, dirty_read, incorrect_summary, lost_update, two_clients
from promptsales.crm.concurrency.harness import APP_PREFIX, LabError, new_run_id, settled_leaks
from promptsales.crm.concurrency.result import ScenarioResult, to_lab_result
from promptsales.db.connect import conninfo
from promptsales.db.fetch import scalar
from promptsales.errors import ServiceUnavailable, UserError
from promptsales.lab.registry import LabEntry, LabParam, LabResult, StepResult, register

DOC = "See docs/concurrency.md for the timeline, the cause, the fix and the isolation levels involved."
MIGRATIONS = ("0080_concurrency_lab.sql", "0081_concurrency_lab_backoff.sql")
#: The procedures each scenario compares (shown by ``promptsales lab show``).
PROCEDURES = {
    "deadlock-cascade": ("crmsp_transfer_sale_amount_unsafe", "crmsp_transfer_sale_amount_safe"),
    "deadlock-two-clients": ("crmsp_transfer_sale_amount_unsafe", "crmsp_transfer_sale_amount_safe"),
    "lost-update": ("crmsp_adjust_lead_score_unsafe", "crmsp_adjust_lead_score_safe"),
    "incorrect-summary": ("crmsp_sales_summary_unsafe", "crmsp_sales_summary_safe"),
}


def procedure_source(names: tuple[str, ...]) -> str:
    """The current SQL of the named procedures, cut from the lab's migrations (the latest definition wins)."""
    from promptsales.db.migrate import migrations_dir

    text = "\n".join((migrations_dir("crm") / name).read_text() for name in MIGRATIONS)
    parts = []
    for name in names:
        start = max(text.rfind(f"CREATE PROCEDURE crm.{name}("), text.rfind(f"CREATE OR REPLACE PROCEDURE crm.{name}("))
        end = text.find(f"COMMENT ON PROCEDURE crm.{name} ", start)
        if start >= 0 and end >= 0:
            parts.append(text[start : text.find("\n", end) + 1])
    return "-- " + " vs ".join(names) + "\n" + "\n".join(parts)


def _source(name: str) -> str:
    if name in PROCEDURES:
        return procedure_source(PROCEDURES[name])
    import inspect

    from promptsales.crm.concurrency import cache_publish

    return inspect.getsource(cache_publish)


def _check_ready(dsn: str) -> None:
    """Clear errors when the server is down or migration 0080 has not been applied."""
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            ready = scalar(conn, "SELECT to_regprocedure('crm.crmsp_can_commit(boolean)') IS NOT NULL")
    except psycopg.OperationalError as error:
        raise ServiceUnavailable(
            f"Cannot reach the PromptCRM database: {str(error).strip()}. Try `promptsales up`."
        ) from error
    if not ready:
        raise UserError("The concurrency-lab procedures are missing: run `promptsales up` to apply migrations.")


def _repeat_and_ready_dsn(settings: Settings, values: dict[str, Any]) -> tuple[int, str]:
    """The ``repeat`` parameter (1 to 200) and the PromptCRM app conninfo, its lab procedures checked ready."""
    repeat = values["repeat"]
    if not 1 <= repeat <= 200:
        raise UserError(f"--param repeat must be between 1 and 200, got {repeat}.")
    dsn = conninfo(settings, "crm", "app")
    _check_ready(dsn)
    return repeat, dsn


def _modes(options: dict[str, Any]) -> list[bool]:
    if options.get("safe"):
        return [True]
    if options.get("unsafe"):
        return [False]
    return [False, True]


def _summary_step(results: list[ScenarioResult]) -> StepResult:
    rows = [
        (
            i + 1,
            r.mode,
            "yes" if r.anomaly else "no",
            "yes" if r.final_ok else "no",
            "none" if not r.leaks else len(r.leaks),
        )
        for i, r in enumerate(results)
    ]
    anomalies = sum(r.anomaly for r in results)
    return StepResult(
        title=f"{len(results)} runs ({results[0].mode}): anomaly in {anomalies}, final data as expected in "
        f"{sum(r.final_ok for r in results)}",
        columns=["run", "mode", "anomaly", "final data ok", "left behind"],
        rows=rows,
    )


def _scenario_runner(name: str, run: Callable[..., ScenarioResult], needs_cache: bool = False):
    def runner(settings: Settings, values: dict[str, Any], options: dict[str, Any]) -> LabResult:
        repeat, dsn = _repeat_and_ready_dsn(settings, values)
        extra: dict[str, Any] = {}
        if needs_cache:
            from promptsales.runtime.profile import valkey_server

            extra["redis_url"] = valkey_server(settings).url
            if not extra["redis_url"]:
                raise ServiceUnavailable("Valkey is not running: try `promptsales up`.")
        lab = LabResult(f"crm.{name}")
        outcomes = []
        for safe in _modes(options):
            try:
                results = [run(dsn, safe=safe, **extra) for _ in range(repeat)]
            except LabError as error:
                raise UserError(f"Lab crm.{name} could not complete: {error}") from error
            lab.steps.extend(results[0].as_lab_steps())
            if repeat > 1:
                lab.steps.append(_summary_step(results))
            outcomes.append(
                f"[{results[0].mode}] {results[0].outcome}"
                + (f"  ({sum(r.anomaly for r in results)}/{repeat} runs showed the anomaly)" if repeat > 1 else "")
            )
        lab.outcome = "\n".join(outcomes) + "\n" + DOC
        return lab

    return runner


#: The deadlock client without the rest of the CLI (same command as ``promptsales lab deadlock-client``).
LIGHT_CLIENT = (sys.executable, "-m", "promptsales.crm.concurrency.cli")
#: The full CLI command.
CLI_CLIENT = (sys.executable, "-m", "promptsales.cli", "lab", "deadlock-client")


def run_two_clients_locally(
    dsn: str,
    *,
    safe: bool,
    rounds: int = 1,
    deadlock_timeout_ms: int = 100,
    timeout: float = 120.0,
    client_command: tuple[str, ...] = LIGHT_CLIENT,
    wrap: Callable[[str, list[str]], list[str]] | None = None,
    dsns: dict[str, str] | None = None,
) -> tuple[ScenarioResult, list[dict]]:
    """Start the deadlock client with ``--role a`` and ``--role b`` as two processes and merge their reports.

    ``wrap(role, argv)`` may put each process elsewhere (e.g. into a network namespace) and ``dsns`` give
    each role its own connection string (its own route to the server). Two real computers: run
    ``promptsales lab deadlock-client`` on each with ``--dsn``."""
    run_id = f"local{new_run_id()[:6]}"
    dsns = dsns or {"a": dsn, "b": dsn}
    argv = [
        *client_command,
        "--json",
        "--run-id",
        run_id,
        "--rounds",
        str(rounds),
        "--deadlock-timeout-ms",
        str(deadlock_timeout_ms),
        "--timeout",
        str(int(timeout)),
        "--safe" if safe else "--unsafe",
    ]
    wrap = wrap or (lambda _role, command: command)
    procs = {
        role: subprocess.Popen(
            wrap(role, [*argv, "--role", role]),
            env=dict(os.environ, PROMPTSALES_LAB_DSN=dsns[role]),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in ("b", "a")
    }
    reports = {}
    for role, proc in procs.items():
        out, err = proc.communicate(timeout=timeout + 30)
        if proc.returncode != 0:
            for other in procs.values():
                if other.poll() is None:
                    other.kill()
            raise UserError(f"deadlock-client --role {role} failed (exit {proc.returncode}): {err.strip()[-500:]}")
        reports[role] = json.loads(out)
    result = scenario_from_reports(reports["a"], reports["b"], safe)
    with psycopg.connect(dsn, autocommit=True) as conn:
        result.leaks = settled_leaks(conn, app_prefix=f"{APP_PREFIX}:{run_id}")
    return result, [reports["a"], reports["b"]]


def scenario_from_reports(report_a: dict, report_b: dict, safe: bool) -> ScenarioResult:
    """A ScenarioResult built from the coordinator's and the peer's JSON reports."""
    timeline = two_clients.merge_timelines([report_a, report_b])
    result = ScenarioResult(two_clients.NAME, "safe" if safe else "unsafe", report_a["run_id"], timeline)
    rounds_a, rounds_b = report_a["rounds"], report_b["rounds"]
    victims = sum(r["deadlock_victim"] for r in rounds_a + rounds_b)
    agree = all(ra["peer_ok"] == rb["ok"] for ra, rb in zip(rounds_a, rounds_b)) and len(rounds_a) == len(rounds_b)
    for ra in rounds_a:
        for sale, expected in ra["expected"].items():
            result.check(f"round {ra['round']}: amount of sale {sale}", expected, ra["after"][sale])
    result.check("b's own report agrees with the amounts a read", True, agree)
    result.anomaly = victims > 0
    all_committed = all(r["ok"] for r in rounds_a + rounds_b)
    result.final_ok = agree and all(r["final_ok"] for r in rounds_a) and (not safe or all_committed)
    addresses = rounds_a[0]["addresses"] if rounds_a else {}
    result.facts = {"victims": victims, "rounds": len(rounds_a), "addresses": addresses, "all_committed": all_committed}
    where = ", ".join(f"{k} from {v}" for k, v in addresses.items())
    if victims:
        result.outcome = (
            f"Deadlock between the two clients ({where}) in {victims} of {len(rounds_a)} round(s): "
            "PostgreSQL aborted one transfer per round (40P01 → PCC03); the other committed."
        )
    else:
        result.outcome = f"No deadlock in {len(rounds_a)} round(s) ({where}): both transfers committed every time."
    return result


def _two_clients_runner(settings: Settings, values: dict[str, Any], options: dict[str, Any]) -> LabResult:
    rounds, dsn = _repeat_and_ready_dsn(settings, values)
    results = [run_two_clients_locally(dsn, safe=safe, rounds=rounds)[0] for safe in _modes(options)]
    lab = to_lab_result("crm.deadlock-two-clients", results)
    lab.outcome += (
        "\nThe two clients ran as two processes of this computer. For two computers run "
        "`promptsales lab deadlock-client --role a|b --dsn postgresql://…` on each. " + DOC
    )
    return lab


REPEAT = [LabParam("repeat", "int", "1")]
SCENARIOS: list[tuple[str, str, Callable[..., ScenarioResult], bool]] = [
    (
        "deadlock-cascade",
        "Cascading deadlock of three transactions (T1→T2→T3→T1) and its fix",
        deadlock_cascade.run,
        False,
    ),
    ("lost-update", "Lost update of a lead's score and its fix (atomic UPDATE)", lost_update.run, False),
    (
        "incorrect-summary",
        "Incorrect summary while money moves between campaigns, and its fix (REPEATABLE READ)",
        incorrect_summary.run,
        False,
    ),
    (
        "dirty-read",
        "Dirty read: never in PostgreSQL, but through a cache written before COMMIT — and its fix",
        dirty_read.run,
        True,
    ),
]

for _name, _title, _run, _cache in SCENARIOS:
    _module = sys.modules[_run.__module__]
    register(
        LabEntry(
            name=f"crm.{_name}",
            company="crm",
            title=_title,
            explanation=(_module.__doc__ or _title).strip() + "\n\n" + DOC,
            params=REPEAT,
            runner=_scenario_runner(_name, _run, _cache),
            options=("safe", "unsafe"),
            source=_source(_name),
        )
    )

register(
    LabEntry(
        name="crm.deadlock-two-clients",
        company="crm",
        title="Deadlock between two clients on different computers, and its fix",
        explanation=(two_clients.__doc__ or "").strip() + "\n\n" + DOC,
        params=REPEAT,
        runner=_two_clients_runner,
        options=("safe", "unsafe"),
        source=_source("deadlock-two-clients"),
    )
)

"""Scenario ``crm.deadlock-two-clients``: a deadlock between two client programs on two computers.

Each computer runs ``promptsales lab deadlock-client --role a|b --dsn …`` against the same PromptCRM
server. Both pick the same two sales X < Y (the two lowest sale ids, or ``--sales X,Y``); client A moves
1.00 from X to Y, client B moves 2.00 from Y to X. They meet through the database only:

* A is the coordinator: it closes the run's gate (an advisory lock), starts its transfer, waits until
  both clients' sessions are waiting (at the gate or on a row lock — seen in pg_stat_activity by their
  application_name ``pslab:<run>-<round>:a|b``), then opens the gate;
* B waits until the gate is closed (pg_locks), then starts its transfer.

Unsafe: A holds X and B holds Y at the gate; when it opens, each wants the other's row — PostgreSQL
aborts one (40P01 → PCC03). Safe: both lock X then Y, so B queues behind A and both commit. A reads the
final amounts after each round and checks them (1.00 and 2.00 make every combination distinguishable);
``--rounds N`` repeats the whole exchange N times (run ids ``<run>-1 … <run>-N``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, dataclass, field
from decimal import Decimal

import psycopg

from promptsales.crm.concurrency.deadlock_cascade import DEADLOCK_CODES, transfer_call
from promptsales.crm.concurrency.harness import (
    APP_PREFIX,
    Gate,
    LabError,
    Monitor,
    Session,
    gate_key,
    open_connection,
)
from promptsales.crm.concurrency.rows import pick_sales, restore_sale_amounts, sale_amounts
from promptsales.crm.concurrency.timeline import Timeline, TimelineEvent
from promptsales.db.fetch import scalar
from promptsales.errors import UserError

NAME = "deadlock-two-clients"
ROLES = ("a", "b")
AMOUNTS = {"a": Decimal("1.00"), "b": Decimal("2.00")}


@dataclass
class RoundReport:
    """One round as seen by one client."""

    round: int
    run_id: str
    ok: bool
    sqlstate: str | None
    message: str
    deadlock_victim: bool
    # filled by the coordinator (role a) only
    peer_ok: bool | None = None
    addresses: dict[str, str | None] = field(default_factory=dict)
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)
    expected: dict[str, str] = field(default_factory=dict)
    final_ok: bool | None = None


@dataclass
class ClientReport:
    """Everything one client did, printed as JSON by ``deadlock-client --json``."""

    role: str
    mode: str
    run_id: str
    sales: list[int]
    rounds: list[RoundReport] = field(default_factory=list)
    timeline: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return asdict(self)


class _ClientRun:
    """The minimal LabRun surface a :class:`Session` needs, for one round of one client."""

    def __init__(self, conninfo: str, run_id: str, timeline: Timeline, deadlock_timeout_ms: int) -> None:
        self.conninfo = conninfo
        self.run_id = run_id
        self.timeline = timeline
        self.deadlock_timeout_ms: int | None = deadlock_timeout_ms


def _wait(predicate, what: str, timeout: float, poll: float = 0.005) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise LabError(f"timed out after {timeout:.0f}s waiting until {what}")
        time.sleep(poll)


def _session_active(conn: psycopg.Connection, run_id: str, role: str) -> bool:
    return bool(
        scalar(
            conn,
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE application_name = %s AND state = 'active')",
            (f"{APP_PREFIX}:{run_id}:{role}",),
        )
    )


def run_client(
    conninfo: str,
    role: str,
    *,
    safe: bool,
    run_id: str = "deadlock",
    rounds: int = 1,
    sale_ids: list[int] | None = None,
    deadlock_timeout_ms: int = 100,
    timeout: float = 120.0,
    restore: bool = True,
) -> ClientReport:
    """Play ``role`` (a = coordinator, b = peer) for ``rounds`` rounds; returns what happened."""
    if role not in ROLES:
        raise UserError(f"--role must be a or b, got {role!r}.")
    if rounds < 1 or rounds > 1000:
        raise UserError(f"--rounds must be between 1 and 1000, got {rounds}.")
    if sale_ids is not None and (len(sale_ids) != 2 or sale_ids[0] == sale_ids[1]):
        raise UserError("--sales needs two different sale ids, e.g. --sales 11,12.")
    timeline = Timeline()
    control = open_connection(conninfo, run_id, f"control-{role}")
    try:
        x, y = sorted(sale_ids) if sale_ids else pick_sales(control, 2)
        source, target = (x, y) if role == "a" else (y, x)
        report = ClientReport(role, "safe" if safe else "unsafe", run_id, [x, y])
        first_amounts = sale_amounts(control, [x, y])
        if len(first_amounts) != 2:
            raise UserError(f"Sales {x} and {y} must both exist in crm.sales.")
        for number in range(1, rounds + 1):
            round_id = f"{run_id}-{number}"
            play = _play_coordinator if role == "a" else _play_peer
            report.rounds.append(
                play(
                    conninfo,
                    control,
                    round_id,
                    number,
                    timeline,
                    safe,
                    source,
                    target,
                    x,
                    y,
                    deadlock_timeout_ms,
                    timeout,
                )
            )
        if role == "a" and restore:
            restore_sale_amounts(control, first_amounts)
            timeline.record("a", "restore the two sales", ", ".join(f"{k}={v}" for k, v in first_amounts.items()))
    finally:
        control.close()
    report.timeline = [e.as_dict() for e in timeline.events]
    return report


def _transfer(conninfo, round_id, role, timeline, safe, source, target, gate, deadlock_timeout_ms) -> Session:
    session = Session(_ClientRun(conninfo, round_id, timeline, deadlock_timeout_ms), role)
    session.call(
        f"move {AMOUNTS[role]} from sale {source} to sale {target}",
        transfer_call(safe),
        (source, target, AMOUNTS[role], gate),
    )
    return session


def _round_report(number: int, round_id: str, session: Session) -> RoundReport:
    last = session.last
    return RoundReport(
        number,
        round_id,
        last.ok,
        last.sqlstate,
        last.message if last.ok else last.describe(),
        (not last.ok) and last.sqlstate in DEADLOCK_CODES,
    )


def _play_peer(
    conninfo, control, round_id, number, timeline, safe, source, target, x, y, deadlock_timeout_ms, timeout
) -> RoundReport:
    gate = Gate(control, gate_key(round_id))
    _wait(gate.is_closed_by_anyone, f"client a has closed the gate of round {round_id}", timeout)
    timeline.record("b", f"round {number}: the gate is closed by a", "start")
    session = _transfer(conninfo, round_id, "b", timeline, safe, source, target, gate.key, deadlock_timeout_ms)
    session.close()
    return _round_report(number, round_id, session)


def _play_coordinator(
    conninfo, control, round_id, number, timeline, safe, source, target, x, y, deadlock_timeout_ms, timeout
) -> RoundReport:
    gate = Gate(control, gate_key(round_id))
    if not gate.try_close():
        raise UserError(f"Another client a already runs round {round_id}; use another --run-id.")
    timeline.record("a", f"round {number}: close the gate", f"sales {x}, {y}")
    before = sale_amounts(control, [x, y])
    holder: dict[str, Session] = {}
    worker = threading.Thread(
        target=lambda: holder.setdefault(
            "a", _transfer(conninfo, round_id, "a", timeline, safe, source, target, gate.key, deadlock_timeout_ms)
        ),
        daemon=True,
    )
    worker.start()
    monitor = Monitor(control, round_id, timeline, "a")
    try:
        snap = monitor.wait_until(
            lambda s: all(r in s and s[r].waiting for r in ROLES), "both clients' sessions wait", timeout
        )
    except LabError:
        gate.open()
        worker.join()
        raise
    addresses = {r: snap[r].client_addr for r in ROLES}
    timeline.record("a", "open the gate", "both clients wait: " + ", ".join(f"{r} from {addresses[r]}" for r in ROLES))
    gate.open()
    monitor.gate_open = True
    worker.join()
    # wait for b's call to end (its session is no longer active), then read what both left
    _wait(lambda: not _session_active(control, round_id, "b"), "client b's transfer has ended", timeout)
    holder["a"].close()
    after = sale_amounts(control, [x, y])
    result = _round_report(number, round_id, holder["a"])
    # B's outcome follows from the amounts: X changes by -1.00·[a committed] + 2.00·[b committed]
    delta_x = after[x] - before[x]
    own = -AMOUNTS["a"] if result.ok else Decimal("0")
    peer_ok = delta_x - own == AMOUNTS["b"]
    expected_x = before[x] + own + (AMOUNTS["b"] if peer_ok else 0)
    expected_y = before[y] - own - (AMOUNTS["b"] if peer_ok else 0)
    result.peer_ok = peer_ok
    result.addresses = addresses
    result.before = {str(k): str(v) for k, v in before.items()}
    result.after = {str(k): str(v) for k, v in after.items()}
    result.expected = {str(x): str(expected_x), str(y): str(expected_y)}
    result.final_ok = (after[x], after[y]) == (expected_x, expected_y) and (delta_x - own) in (0, AMOUNTS["b"])
    timeline.record(
        "a",
        f"round {number}: final amounts",
        f"{x}: {before[x]} → {after[x]}, {y}: {before[y]} → {after[y]}; a committed {result.ok}, b committed {peer_ok}",
    )
    return result


def merge_timelines(reports: list[dict]) -> Timeline:
    """One timeline from the JSON reports of several clients (wall-clock times; same host or NTP)."""
    timeline = Timeline()
    timeline.extend([TimelineEvent(**event) for report in reports for event in report["timeline"]])
    return timeline

"""Run database sessions concurrently with a deterministic interleaving, and record what happened.

How the interleaving is made deterministic (no sleeps-and-hope):

* every scenario procedure takes ``p_gate``; at one fixed point it calls ``crm.crmfn_lab_gate`` which waits
  while the coordinator holds the advisory lock ``('PSLB', gate)`` (:class:`Gate`);
* the coordinator (:class:`Monitor`) watches ``pg_stat_activity`` and ``pg_blocking_pids`` and opens the
  gate only when *every* session is waiting — at the gate or on a lock another session holds — i.e. when
  no session can make progress any more; what happens next depends only on the database's rules.

Sessions are found by their ``application_name`` (``pslab:<run>:<session>``), which also works for
sessions of other processes on other computers (:mod:`.two_clients`). After a run, :func:`find_leaks`
proves nothing is left behind: no session of the run still connected or inside a transaction, no lab
advisory lock held.
"""

from __future__ import annotations

import hashlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from psycopg import sql
from psycopg.abc import Params, QueryNoTemplate

from promptsales.crm.concurrency.timeline import Timeline
from promptsales.db.fetch import scalar

#: First key of every lab advisory lock ('PSLB'); the same constant is in crm.crmfn_lab_gate.
LAB_LOCK_CLASS = 0x50534C42
#: application_name prefix of every lab session.
APP_PREFIX = "pslab"
#: Safety net: no lab statement may run longer than this (ms).
STATEMENT_TIMEOUT_MS = 60_000


class LabError(RuntimeError):
    """A lab run did not go as scripted (timeout waiting for a state, leak, session crash)."""


def new_run_id() -> str:
    """A short random id that names one run's sessions and gate."""
    return uuid.uuid4().hex[:10]


def gate_key(run_id: str) -> int:
    """The gate's advisory-lock key (second int4 key) derived from the run id."""
    return int.from_bytes(hashlib.sha256(f"gate:{run_id}".encode()).digest()[:4], "big") & 0x7FFFFFFF


def application_name(run_id: str, session: str) -> str:
    """``pslab:<run>:<session>``: how the coordinator finds a session in pg_stat_activity."""
    return f"{APP_PREFIX}:{run_id}:{session}"


def open_connection(
    conninfo: str, run_id: str, session: str, deadlock_timeout_ms: int | None = None
) -> psycopg.Connection:
    """An autocommit connection named for the run; optionally with a lower ``deadlock_timeout``.

    ``deadlock_timeout`` is superuser-only; migration 0080 grants ``SET`` on it to the CRM app role.
    """
    conn = psycopg.connect(
        conninfo, autocommit=True, application_name=application_name(run_id, session), connect_timeout=10
    )
    conn.execute(sql.SQL("SET statement_timeout = {}").format(sql.Literal(f"{STATEMENT_TIMEOUT_MS}ms")))
    if deadlock_timeout_ms:
        conn.execute(sql.SQL("SET deadlock_timeout = {}").format(sql.Literal(f"{int(deadlock_timeout_ms)}ms")))
    return conn


@dataclass
class CallResult:
    """Outcome of one statement of a session."""

    ok: bool
    sqlstate: str | None = None
    message: str = ""
    detail: str = ""
    row: tuple | None = None

    def returned(self) -> tuple:
        """The row the statement returned (LabError when it returned none)."""
        if self.row is None:
            raise LabError(f"the statement returned no row: {self.describe()}")
        return self.row

    def describe(self) -> str:
        """Short text for the timeline."""
        if self.ok:
            return "ok" + (f" → {', '.join(str(v) for v in self.row)}" if self.row else "")
        detail = f" ({self.detail})" if self.detail else ""
        return f"ERROR {self.sqlstate}: {self.message}{detail}"


class SessionRun(Protocol):
    """What a :class:`Session` needs of its run (a :class:`LabRun`, or one round of a two-computer client)."""

    conninfo: str
    run_id: str
    timeline: Timeline
    deadlock_timeout_ms: int | None


class Session:
    """One database session of a scenario: its own connection, recording each step in the timeline."""

    def __init__(self, run: SessionRun, name: str, deadlock_timeout_ms: int | None = None) -> None:
        self.run = run
        self.name = name
        self.conn = open_connection(run.conninfo, run.run_id, name, deadlock_timeout_ms or run.deadlock_timeout_ms)
        self.pid = self.conn.info.backend_pid
        self.results: list[CallResult] = []
        self.error: BaseException | None = None
        self.done = threading.Event()

    def record(self, step: str, result: str = "") -> None:
        """Add an event of this session to the timeline."""
        self.run.timeline.record(self.name, step, result)

    def call(self, step: str, query: QueryNoTemplate, params: Params | None = None) -> CallResult:
        """Run one statement; record its start and its result (an SQL error is a result, not an exception)."""
        self.record(step, "started")
        try:
            cur = self.conn.execute(query, params)
            row = cur.fetchone() if cur.description else None
            result = CallResult(True, row=row)
        except psycopg.Error as error:
            diag = error.diag
            result = CallResult(False, diag.sqlstate, diag.message_primary or str(error), diag.message_detail or "")
        self.results.append(result)
        self.record(step, result.describe())
        return result

    @property
    def last(self) -> CallResult:
        """The last statement's result (LabError before the session has run one)."""
        if not self.results:
            raise LabError(f"session {self.name} has not run a statement")
        return self.results[-1]

    def close(self) -> None:
        """Close the connection (rolls back anything still open)."""
        self.conn.close()


class Gate:
    """The coordinator's advisory lock that every session waits at until it is opened."""

    def __init__(self, conn: psycopg.Connection, key: int) -> None:
        self.conn = conn
        self.key = key
        self.held = False

    def close(self) -> None:
        """Take the lock: from now on a session reaching the gate waits."""
        self.conn.execute("SELECT pg_advisory_lock(%s::int4, %s::int4)", (LAB_LOCK_CLASS, self.key))
        self.held = True

    def try_close(self) -> bool:
        """Take the lock if nobody else holds it (for a coordinator in another process)."""
        got = scalar(self.conn, "SELECT pg_try_advisory_lock(%s::int4, %s::int4)", (LAB_LOCK_CLASS, self.key))
        self.held = bool(got)
        return self.held

    def open(self) -> None:
        """Release the lock: every waiting session goes on."""
        if self.held:
            self.conn.execute("SELECT pg_advisory_unlock(%s::int4, %s::int4)", (LAB_LOCK_CLASS, self.key))
            self.held = False

    def is_closed_by_anyone(self) -> bool:
        """True when some session holds the gate (used by a client that is not the coordinator)."""
        return bool(
            scalar(
                self.conn,
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::int4::oid "
                "AND objid = %s::int4::oid AND objsubid = 2 AND granted AND mode = 'ExclusiveLock')",
                (LAB_LOCK_CLASS, self.key),
            )
        )


@dataclass(frozen=True)
class SessionState:
    """What pg_stat_activity says about one lab session."""

    name: str
    pid: int
    state: str | None
    wait_event_type: str | None
    wait_event: str | None
    client_addr: str | None
    blockers: tuple[str, ...] = ()

    @property
    def waiting(self) -> bool:
        """Waiting for a heavyweight lock (the gate or a row another transaction holds)."""
        return self.state == "active" and self.wait_event_type == "Lock"

    @property
    def at_gate(self) -> bool:
        """Waiting for an advisory lock: the lab gate."""
        return self.waiting and self.wait_event == "advisory"

    def describe(self) -> str:
        """Text for the timeline."""
        if self.at_gate:
            return "waits at the gate"
        if self.waiting:
            holders = ", ".join(self.blockers) or "?"
            return f"waits for a {self.wait_event} lock held by {holders}"
        return self.state or "?"


_SNAPSHOT_SQL = """
SELECT split_part(a.application_name, ':', 3), a.pid, a.state, a.wait_event_type, a.wait_event, host(a.client_addr),
       ARRAY(SELECT coalesce(nullif(split_part(b.application_name, ':', 3), ''), 'pid ' || b.pid)
             FROM pg_stat_activity b WHERE b.pid = ANY (pg_blocking_pids(a.pid)) ORDER BY 1)
FROM pg_stat_activity a
WHERE starts_with(a.application_name, %s) AND a.pid <> pg_backend_pid()
"""


class Monitor:
    """Watches the sessions of a run and records in the timeline each new lock wait it sees."""

    def __init__(self, conn: psycopg.Connection, run_id: str, timeline: Timeline, name: str = "coordinator") -> None:
        self.conn = conn
        self.run_id = run_id
        self.timeline = timeline
        self.name = name
        self._last: dict[str, tuple | None] = {}
        #: set once the gate is open: a late "waits at the gate" sample is then only a stale reading
        self.gate_open = False

    def snapshot(self) -> dict[str, SessionState]:
        """The current state of every session of the run (by session name)."""
        rows = self.conn.execute(_SNAPSHOT_SQL, (f"{APP_PREFIX}:{self.run_id}:",)).fetchall()
        return {r[0]: SessionState(r[0], r[1], r[2], r[3], r[4], r[5], tuple(r[6])) for r in rows}

    def _note(self, snap: dict[str, SessionState]) -> None:
        for name, st in snap.items():
            key = (st.wait_event_type, st.wait_event, st.blockers) if st.waiting else None
            informative = st.at_gate and not self.gate_open or (st.waiting and not st.at_gate and st.blockers)
            if key is not None and informative and self._last.get(name) != key:
                self.timeline.record(name, "observed by the coordinator", st.describe())
            self._last[name] = key

    def wait_until(
        self,
        predicate: Callable[[dict[str, SessionState]], bool],
        what: str,
        timeout: float = 30.0,
        poll: float = 0.002,
    ) -> dict[str, SessionState]:
        """Poll until ``predicate(snapshot)`` holds (recording lock waits); LabError after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            snap = self.snapshot()
            self._note(snap)
            if predicate(snap):
                return snap
            if time.monotonic() > deadline:
                states = "; ".join(f"{n}: {s.describe()}" for n, s in sorted(snap.items())) or "no session connected"
                raise LabError(f"timed out after {timeout:.0f}s waiting until {what} ({states})")
            time.sleep(poll)


def all_waiting(names: Iterable[str], finished: Callable[[str], bool] = lambda _n: False):
    """Predicate: every named session waits on a lock (gate or row) or has finished its work."""
    wanted = list(names)

    def predicate(snap: dict[str, SessionState]) -> bool:
        return all(finished(n) or (n in snap and snap[n].waiting) for n in wanted)

    return predicate


@dataclass
class Leak:
    """Something a run left behind."""

    kind: str
    detail: str


def find_leaks(
    conn: psycopg.Connection, run_id: str | None = None, dbname: str | None = None, app_prefix: str | None = None
) -> list[Leak]:
    """Sessions of the run (or whose application_name starts with ``app_prefix``) still connected, lab
    advisory locks still held, and — for ``dbname`` (needs a role that sees every session, e.g. admin) —
    any other session of that database inside a transaction or holding a lock."""
    leaks: list[Leak] = []
    if run_id or app_prefix:
        for pid, app, state in conn.execute(
            "SELECT pid, application_name, state FROM pg_stat_activity WHERE starts_with(application_name, %s) "
            "AND pid <> pg_backend_pid()",
            (app_prefix or f"{APP_PREFIX}:{run_id}:",),
        ):
            leaks.append(Leak("session", f"{app} (pid {pid}) is still connected, {state}"))
    for pid, objid, mode, granted in conn.execute(
        "SELECT pid, objid, mode, granted FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::int4::oid "
        "AND pid <> pg_backend_pid()",
        (LAB_LOCK_CLASS,),
    ):
        leaks.append(Leak("advisory lock", f"lab gate {objid} {mode} granted={granted} by pid {pid}"))
    if dbname:
        for pid, app, state in conn.execute(
            "SELECT pid, application_name, state FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend' AND (xact_start IS NOT NULL OR state LIKE 'idle in transaction%%')",
            (dbname,),
        ):
            leaks.append(Leak("open transaction", f"{app or '?'} (pid {pid}) is {state}"))
        for pid, locktype, mode in conn.execute(
            "SELECT l.pid, l.locktype, l.mode FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
            "WHERE d.datname = %s AND l.pid IS DISTINCT FROM pg_backend_pid() "
            "AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE backend_type = 'client backend')",
            (dbname,),
        ):
            leaks.append(Leak("lock", f"{locktype} {mode} held by pid {pid}"))
    return leaks


def settled_leaks(conn: psycopg.Connection, timeout: float = 5.0, **scope) -> list[Leak]:
    """:func:`find_leaks` after giving just-closed backends up to ``timeout`` s to exit."""
    deadline = time.monotonic() + timeout
    while True:
        leaks = find_leaks(conn, **scope)
        if not leaks or time.monotonic() > deadline:
            return leaks
        time.sleep(0.005)


@dataclass
class LabRun:
    """One run of a scenario: the coordinator's connection and gate, the sessions, their threads."""

    conninfo: str
    scenario: str
    deadlock_timeout_ms: int | None = 100
    run_id: str = field(default_factory=new_run_id)
    timeline: Timeline = field(default_factory=Timeline)
    coordinator_name: str = "coordinator"

    def __post_init__(self) -> None:
        self.sessions: dict[str, Session] = {}
        self._threads: dict[str, threading.Thread] = {}
        self.leaks: list[Leak] = []
        self._coordinator: psycopg.Connection | None = None

    @property
    def coordinator(self) -> psycopg.Connection:
        """The coordinator's connection (LabError outside the run's ``with`` block)."""
        if self._coordinator is None:
            raise LabError(f"lab run {self.run_id} is not open: use it in a with block")
        return self._coordinator

    # ---- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> LabRun:
        coordinator = self._coordinator = open_connection(self.conninfo, self.run_id, self.coordinator_name)
        self.gate = Gate(coordinator, gate_key(self.run_id))
        self.monitor = Monitor(coordinator, self.run_id, self.timeline, self.coordinator_name)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.gate.open()
            for thread in self._threads.values():
                thread.join(timeout=STATEMENT_TIMEOUT_MS / 1000)
            for session in self.sessions.values():
                session.close()
            self.leaks = self.check_leaks()
        finally:
            self.coordinator.close()

    def check_leaks(self, timeout: float = 5.0) -> list[Leak]:
        """Wait (bounded) for the run's closed sessions to disappear, then report what is left."""
        return settled_leaks(self.coordinator, timeout, run_id=self.run_id)

    # ---- sessions ---------------------------------------------------------------------------------
    def note(self, step: str, result: str = "") -> None:
        """A coordinator event in the timeline."""
        self.timeline.record(self.coordinator_name, step, result)

    def session(self, name: str, deadlock_timeout_ms: int | None = None) -> Session:
        """Open a named session (its own connection), optionally with its own ``deadlock_timeout``."""
        session = Session(self, name, deadlock_timeout_ms)
        self.sessions[name] = session
        return session

    def start(self, session: Session, work: Callable[[Session], Any]) -> None:
        """Run ``work(session)`` in a thread of its own."""

        def body() -> None:
            try:
                work(session)
            except BaseException as error:  # reported by finish()
                session.error = error
            finally:
                session.done.set()

        thread = threading.Thread(target=body, name=f"lab-{session.name}", daemon=True)
        self._threads[session.name] = thread
        thread.start()

    def finished(self, name: str) -> bool:
        """True when the session's thread has ended."""
        session = self.sessions.get(name)
        return session is not None and session.done.is_set()

    def wait_all_waiting(self, names: Iterable[str], what: str, timeout: float = 30.0) -> None:
        """Block until every named session waits on a lock or has finished."""
        self.monitor.wait_until(all_waiting(names, self.finished), what, timeout)

    def open_gate(self) -> None:
        """Open the gate and say so in the timeline."""
        self.note("open the gate", "every session is waiting")
        self.gate.open()
        self.monitor.gate_open = True

    def finish(self, timeout: float = 30.0) -> None:
        """Watch until every session thread has ended; re-raise a crash of one of them."""
        names = list(self._threads)
        self.monitor.wait_until(lambda _snap: all(self.finished(n) for n in names), "every session finished", timeout)
        for name in names:
            self._threads[name].join()
            if self.sessions[name].error is not None:
                raise LabError(f"session {name} crashed: {self.sessions[name].error!r}") from self.sessions[name].error

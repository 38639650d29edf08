"""The steady load of a drill: clients that keep writing, and an MCP client that keeps calling, each in its own
thread, recording when each attempt was acknowledged or failed.

A write counts as acknowledged only when the engine said so: a PostgreSQL COMMIT that returned (in
synchronous mode: the synchronous standby has it), a Valkey SADD followed by ``WAIT 1`` that reports one
replica, a MongoDB insert that returned. After the drill, every acknowledged key must be readable from the
new leader; the ones that are not are the acknowledged writes lost.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
import pymongo
import redis
from pymongo.errors import PyMongoError

from promptsales.config import Settings
from promptsales.runtime.profile import valkey_server
from promptsales.runtime.valkey import redis_client
from promptsales.testing import https_session, token_for

#: Seconds between two attempts of a client.
WRITE_INTERVAL = 0.05
CALL_INTERVAL = 0.25


@dataclass
class Recorder:
    """What one client saw: acknowledged keys with their time, and errors with theirs (monotonic seconds)."""

    name: str
    acked: list[tuple[float, Any]] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: When each acknowledged attempt was sent, in the order of :attr:`acked`.
    sent: list[float] = field(default_factory=list)
    #: When the attempt now running was sent: set before each attempt by :meth:`Client.run` and by any loop of
    #: its own (:class:`McpCaller`); an attempt left at 0 would never count as sent after a fault.
    attempt_started: float = 0.0

    def ok(self, key: Any = None) -> None:
        """Record an acknowledged attempt."""
        with self.lock:
            self.acked.append((time.monotonic(), key))
            self.sent.append(self.attempt_started)

    def failed(self, error: BaseException | str) -> None:
        """Record a failed attempt (first line of the error)."""
        text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        with self.lock:
            self.errors.append((time.monotonic(), text[:200]))

    def first_ok_after(self, moment: float) -> float | None:
        """Seconds from ``moment`` to the first acknowledged attempt sent after it, or None. An attempt sent
        before ``moment`` and acknowledged just after it (in flight when a fault was injected) says nothing about
        how soon writes resumed."""
        with self.lock:
            later = [at for (at, _), sent in zip(self.acked, self.sent) if sent >= moment]
        return min(later) - moment if later else None

    def errors_after(self, moment: float) -> list[str]:
        """The errors seen after ``moment``."""
        with self.lock:
            return [text for at, text in self.errors if at >= moment]

    def keys(self) -> list[Any]:
        """Every acknowledged key."""
        with self.lock:
            return [key for _, key in self.acked]


class Client(threading.Thread):
    """A daemon thread running ``attempt`` until :meth:`stop`, every ``interval`` seconds."""

    def __init__(self, name: str, interval: float) -> None:
        super().__init__(name=f"drill-{name}", daemon=True)
        self.recorder = Recorder(name)
        self.interval = interval
        self._halt = threading.Event()

    def attempt(self, sequence: int) -> None:
        """One write or call; record its outcome on ``self.recorder``."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections (called in the thread when it stops)."""

    def run(self) -> None:
        """Attempt until stopped."""
        sequence = 0
        try:
            while not self._halt.is_set():
                sequence += 1
                self.recorder.attempt_started = time.monotonic()
                self.attempt(sequence)
                self._halt.wait(self.interval)
        finally:
            self.close()

    def stop(self) -> None:
        """Stop after the current attempt and wait for the thread."""
        self._halt.set()
        self.join(timeout=60)


class PostgresWriter(Client):
    """Inserts ``(run, seq)`` rows in autocommit through the multi-host connection string (the leader)."""

    def __init__(self, conninfo: str, run: str, table: str = "writes") -> None:
        super().__init__("postgres-writer", WRITE_INTERVAL)
        self.conninfo, self.run_id, self.table = conninfo, run, table
        self.conn: psycopg.Connection | None = None

    def attempt(self, sequence: int) -> None:
        """Insert one row; reconnect (to whichever node leads) after a failure."""
        try:
            if self.conn is None:
                self.conn = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2)
            self.conn.execute(
                psycopg.sql.SQL("INSERT INTO {} (run, seq) VALUES (%s, %s)").format(psycopg.sql.Identifier(self.table)),
                (self.run_id, sequence),
            )
            self.recorder.ok(sequence)
        except psycopg.Error as error:
            self.recorder.failed(error)
            self.close()
            self._halt.wait(0.2)

    def close(self) -> None:
        """Close the connection."""
        if self.conn is not None:
            try:
                self.conn.close()
            except psycopg.Error:
                pass
            self.conn = None


class ValkeyWriter(Client):
    """SADD ``seq`` to a set, then ``WAIT 1``: acknowledged when a replica has it too — or, while the primary has
    no replica at all (after a failover, until the old primary rejoins), when the primary alone has it
    (counted in :attr:`alone`)."""

    def __init__(self, settings: Settings, key: str) -> None:
        super().__init__("valkey-writer", WRITE_INTERVAL)
        self.client = redis_client(valkey_server(settings).url, socket_timeout=0.5)
        self.key = key
        self.alone = 0

    def attempt(self, sequence: int) -> None:
        """Write one member and wait (0.2 s at most) for a replica to have it."""
        try:
            self.client.sadd(self.key, sequence)
            if int(self.client.execute_command("WAIT", 1, 200)) >= 1:
                self.recorder.ok(sequence)
            elif int(self.client.info("replication").get("connected_slaves", 0)) == 0:
                self.alone += 1
                self.recorder.ok(sequence)
            else:
                self.recorder.failed("not replicated within 0.2 s (WAIT 1 200 returned 0)")
        except (redis.RedisError, OSError) as error:
            self.recorder.failed(error)
            self.client.connection_pool.disconnect()
            self._halt.wait(0.1)

    def close(self) -> None:
        """Close the pool."""
        self.client.close()


class MongoWriter(Client):
    """Inserts ``{_id: seq, run}`` documents into PromptContent's MongoDB-protocol server (FerretDB on the
    replicated PostgreSQL in the HA profile)."""

    def __init__(self, url: str, database: str, collection: str, run: str) -> None:
        super().__init__("content-writer", WRITE_INTERVAL)
        self.client: pymongo.MongoClient = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000, socketTimeoutMS=15000, retryWrites=False
        )
        self.collection = self.client[database][collection]
        self.run_id = run

    def attempt(self, sequence: int) -> None:
        """Insert one document."""
        try:
            self.collection.insert_one({"_id": f"{self.run_id}:{sequence}", "run": self.run_id, "seq": sequence})
            self.recorder.ok(sequence)
        except PyMongoError as error:
            self.recorder.failed(error)
            self._halt.wait(0.2)

    def close(self) -> None:
        """Close the client."""
        self.client.close()


class McpCaller(Client):
    """Calls one tool of a running MCP server over HTTPS + OAuth, again and again, in one session; a session
    broken by a transport error is opened again (the server process is never restarted)."""

    def __init__(
        self, settings: Settings, server_url: str, client_id: str, tool: str, arguments: Callable[[int], dict]
    ) -> None:
        super().__init__(f"mcp-{tool}", CALL_INTERVAL)
        self.settings, self.server_url, self.client_id = settings, server_url, client_id
        self.tool, self.arguments = tool, arguments

    def run(self) -> None:
        """Keep a session open and call the tool until stopped."""
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        sequence = 0
        token = token_for(self.settings, self.client_id)
        while not self._halt.is_set():
            try:
                async with https_session(self.settings, self.server_url, token) as session:
                    while not self._halt.is_set():
                        sequence += 1
                        self.recorder.attempt_started = time.monotonic()
                        try:
                            result = await asyncio.wait_for(
                                session.call_tool(self.tool, self.arguments(sequence)), timeout=30
                            )
                        except TimeoutError:
                            self.recorder.failed("no answer within 30 s")
                            continue
                        if result.is_error:
                            text = getattr(result.content[0], "text", "isError") if result.content else "isError"
                            self.recorder.failed(text)
                        else:
                            self.recorder.ok(sequence)
                        await asyncio.sleep(self.interval)
            except Exception as error:  # noqa: BLE001 - a transport error is what the drill measures
                self.recorder.failed(error)
                await asyncio.sleep(0.5)

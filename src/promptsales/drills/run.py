"""The four drills: ``pg-failover``, ``pg-partition``, ``valkey-failover`` and ``content-failover``.

Each runs on the HA ecosystem of the configured data directory (``promptsales up --profile ha``, seeded), starts
a steady load (acknowledged writes, and MCP calls to a running MCP server), injects one fault, waits for the
managers (Patroni, Sentinel) to recover — the drill never promotes anything — and reports what the clients saw.
The failed node is then started again (or its link restored) and the drill measures how long it takes to
rejoin as a replica.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from promptsales.config import Settings
from promptsales.db.connect import admin_conninfo
from promptsales.drills.clients import Client, McpCaller, MongoWriter, PostgresWriter, ValkeyWriter
from promptsales.drills.report import DrillReport
from promptsales.errors import UserError
from promptsales.runtime.ha import network
from promptsales.runtime.ha.layout import PostgresNode
from promptsales.runtime.ha.patroni import PatroniCluster
from promptsales.runtime.ha.sentinel import ReplicatedValkey, replication_info
from promptsales.runtime.mongo import MongoServer
from promptsales.runtime.postgres import SUPERUSER
from promptsales.runtime.processes import terminate, wait_until
from promptsales.runtime.profile import active_profile
from promptsales.runtime.state import Secrets
from promptsales.testing import start_https_server

#: The database the PostgreSQL writers write to (created on the cluster, outside the company databases).
DRILL_DATABASE = "ha_drill"
#: The OAuth client the MCP callers use.
MCP_CLIENT = "promptsales-admin"
#: Seconds of steady load before the fault, and after recovery before the load stops.
WARM_UP = 2.0
SETTLE = 1.0
#: Seconds a drill waits for each step (a new leader, the first write and call, the rejoin).
STEP_TIMEOUT = 120.0
#: Seconds a drill waits for the cluster to be synchronous again before it starts.
READY_TIMEOUT = 90.0


# ---- preparation --------------------------------------------------------------------------------------
def require_ha(settings: Settings) -> PatroniCluster:
    """The running Patroni cluster; a UserError when the HA profile is not up here."""
    if active_profile(settings) != "ha":
        raise UserError("Drills need the HA profile: `promptsales up --profile ha` (docs/ha.md).")
    cluster = PatroniCluster(settings)
    if cluster.leader() is None:
        raise UserError("No PostgreSQL leader answers: run `promptsales up` (HA profile) and try again.")
    # A node that has just rejoined streams before Patroni lists it as the synchronous standby, and in
    # synchronous mode only that standby may be promoted: a fault injected earlier would find no candidate.
    if not wait_until(cluster.ready, READY_TIMEOUT, 0.5):
        raise UserError(
            f"The cluster has no synchronous standby after {READY_TIMEOUT:.0f} s: see `promptsales status`."
        )
    return cluster


def drill_conninfo(cluster: PatroniCluster) -> str:
    """Superuser conninfo of the drill database through every node (the leader is chosen by libpq)."""
    return make_conninfo(cluster.admin_conninfo(), dbname=DRILL_DATABASE)


def prepare_database(cluster: PatroniCluster) -> None:
    """Create the drill database and its ``writes`` table if missing."""
    with psycopg.connect(cluster.admin_conninfo(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DRILL_DATABASE,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DRILL_DATABASE)))
    with psycopg.connect(drill_conninfo(cluster), autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS writes (run text, seq int, at timestamptz DEFAULT clock_timestamp(), "
            "PRIMARY KEY (run, seq))"
        )


def mcp_url(settings: Settings, server: str) -> str:
    """The base URL of MCP server ``server`` over HTTPS (started, with the issuer, when it is not running)."""
    _, service = start_https_server(settings, server)
    return service.url


def campaign_probe(run: str) -> Callable[[int], dict]:
    """Arguments of the PromptAds write the pg drills repeat: the same campaign, the same idempotency key — the
    first call creates it, every retry returns it (a retried write never creates a second one)."""
    start = date.today() + timedelta(days=30)

    def arguments(_: int) -> dict:
        return {
            "brand_id": 1,
            "name": f"HA drill {run}",
            "objective": "leads",
            "budget": 1000,
            "start_date": start.isoformat(),
            "end_date": (start + timedelta(days=14)).isoformat(),
            "channels": [{"channel_id": 1, "budget_share": 1.0}],
            "markets": [1],
            "idempotency_key": f"ha-drill-{run}",
        }

    return arguments


def _warm_up(clients: list[Client]) -> None:
    for client in clients:
        client.start()
    if not wait_until(lambda: all(c.recorder.acked for c in clients), STEP_TIMEOUT, 0.1):
        failing = {c.recorder.name: c.recorder.errors[-1:] for c in clients if not c.recorder.acked}
        for client in clients:
            client.stop()
        raise UserError(f"The drill's load never succeeded before the fault (is the ecosystem seeded?): {failing}")
    time.sleep(WARM_UP)


def _until(check: Callable[[], object], start: float) -> float | None:
    """Seconds from ``start`` until ``check()`` is truthy (polled), or None after :data:`STEP_TIMEOUT`."""
    return time.monotonic() - start if wait_until(check, STEP_TIMEOUT - (time.monotonic() - start), 0.1) else None


def _finish(report: DrillReport, writer: Client, caller: Client, fault_at: float) -> None:
    wait_until(lambda: caller.recorder.first_ok_after(fault_at) is not None, STEP_TIMEOUT, 0.1)
    report.first_mcp_s = caller.recorder.first_ok_after(fault_at)
    time.sleep(SETTLE)
    for client in (writer, caller):
        client.stop()
    report.first_write_s = writer.recorder.first_ok_after(fault_at)
    report.acknowledged = len(writer.recorder.acked)
    report.write_errors = len(writer.recorder.errors)
    report.mcp_calls = len(caller.recorder.acked) + len(caller.recorder.errors)
    report.mcp_errors = len(caller.recorder.errors)
    seen = writer.recorder.errors_after(fault_at) + caller.recorder.errors_after(fault_at)
    report.error_samples = sorted(set(seen))[:5]


def _drive(
    report: DrillReport,
    writer: Client,
    caller: Client,
    fault: Callable[[], object],
    new_leader: Callable[[], str | None],
    restore: Callable[[], object],
    rejoined: Callable[[], bool],
) -> float:
    """Warm the load up, inject ``fault``, time the new leader, the first write and call; then ``restore`` the
    failed member and time until it has ``rejoined``. Returns the monotonic time of the fault."""
    _warm_up([writer, caller])
    fault_at = time.monotonic()
    try:
        fault()
        report.new_leader_s = _until(lambda: new_leader() is not None, fault_at)
        report.new_leader = new_leader()
        _until(lambda: writer.recorder.first_ok_after(fault_at) is not None, fault_at)
        _finish(report, writer, caller, fault_at)
    finally:
        for client in (writer, caller):
            client.stop()
        restored = time.monotonic()
        restore()
        report.rejoin_s = _until(rejoined, restored)
    return fault_at


def _pg_lost(cluster: PatroniCluster, run: str, acked: list) -> int:
    with psycopg.connect(drill_conninfo(cluster), connect_timeout=5) as conn:
        present = {row[0] for row in conn.execute("SELECT seq FROM writes WHERE run = %s", (run,))}
    return len(set(acked) - present)


def _campaign_copies(settings: Settings, run: str) -> int:
    with psycopg.connect(admin_conninfo(settings, "ads"), connect_timeout=5) as conn:
        row = conn.execute("SELECT count(*) FROM ads.campaigns WHERE name = %s", (f"HA drill {run}",)).fetchone()
        return int(row[0]) if row else 0


def _node_streams(cluster: PatroniCluster, name: str) -> bool:
    """The node is back as a streaming replica and the cluster synchronous again (redundancy restored)."""
    members = cluster.members(0.5)
    return any(m["name"] == name and m.get("state") == "streaming" for m in members) and cluster.ready()


def _new_leader(cluster: PatroniCluster, old: str) -> str | None:
    leader = cluster.leader(0.5)
    return leader if leader not in (None, old) else None


# ---- the drills ---------------------------------------------------------------------------------------
def pg_failover(settings: Settings) -> DrillReport:
    """Kill the PostgreSQL leader (its Patroni and its postmaster, SIGKILL: a crashed machine)."""
    cluster = require_ha(settings)
    run = _run_id()
    caller = McpCaller(settings, mcp_url(settings, "ads"), MCP_CLIENT, "createCampaign", campaign_probe(run))
    return _pg_kill_drill(settings, cluster, "pg-failover", caller, run=run)


def content_failover(settings: Settings) -> DrillReport:
    """Kill the PostgreSQL leader under FerretDB: PromptContent's documents fail over with it."""
    cluster = require_ha(settings)
    run = _run_id()
    caller = McpCaller(
        settings,
        mcp_url(settings, "content"),
        MCP_CLIENT,
        "getContent",
        lambda n: {"description": f"sunny beach campaign photo, drill {run} probe {n}", "limit": 3},
    )
    writer = MongoWriter(MongoServer(settings).url, DRILL_DATABASE, "writes", run)
    report = _pg_kill_drill(settings, cluster, "content-failover", caller, writer=writer, run=run)
    client = writer.client.__class__(MongoServer(settings).url, serverSelectionTimeoutMS=10_000)
    try:
        present = {doc["seq"] for doc in client[DRILL_DATABASE]["writes"].find({"run": run}, {"seq": 1})}
        report.lost = len(set(writer.recorder.keys()) - present)
        client[DRILL_DATABASE]["writes"].delete_many({"run": run})
    finally:
        client.close()
    return report


def _run_id() -> str:
    return f"{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(2)}"


def _pg_kill_drill(
    settings: Settings,
    cluster: PatroniCluster,
    name: str,
    caller: McpCaller,
    writer: Client | None = None,
    run: str | None = None,
) -> DrillReport:
    run = run or _run_id()
    prepare_database(cluster)
    old = cluster.leader()
    assert old is not None
    node = cluster.layout.node(old)
    report = DrillReport(name, "SIGKILL of the leader's Patroni and postmaster", old_leader=old)
    pg_writer = writer is None
    writer = writer or PostgresWriter(drill_conninfo(cluster), run)
    _drive(
        report,
        writer,
        caller,
        fault=lambda: cluster.kill_node(node),
        new_leader=lambda: _new_leader(cluster, old),
        restore=lambda: cluster.start_node(node),
        rejoined=lambda: _node_streams(cluster, old),
    )
    if pg_writer:
        report.lost = _pg_lost(cluster, run, writer.recorder.keys())
    if caller.tool == "createCampaign":
        report.details["campaigns created by the retried MCP write"] = _campaign_copies(settings, run)
    return report


def pg_partition(settings: Settings) -> DrillReport:
    """Cut the PostgreSQL leader off the network (its namespace's link goes down): it must stop acknowledging
    writes before another node is promoted."""
    cluster = require_ha(settings)
    layout = cluster.layout
    if layout.network != "netns":
        raise UserError(
            "pg-partition needs each PostgreSQL node in its own network namespace: start a data directory with "
            "PROMPTSALES_HA_NETWORK=netns promptsales up --profile ha (root)."
        )
    run = _run_id()
    prepare_database(cluster)
    old = cluster.leader()
    assert old is not None
    node = layout.node(old)
    report = DrillReport("pg-partition", f"link of {old}'s network namespace down", old_leader=old)
    writer = PostgresWriter(drill_conninfo(cluster), run)
    caller = McpCaller(settings, mcp_url(settings, "ads"), MCP_CLIENT, "createCampaign", campaign_probe(run))
    local_log = layout.root / f"partition-{run}.jsonl"
    wall_offset = time.time() - time.monotonic()
    link_down_at: list[float] = []

    def cut() -> None:
        network.cut(node.host)
        link_down_at.append(time.time())

    with ExitStack() as cleanup:
        local = _start_local_writer(cluster, node, run, local_log)
        cleanup.callback(terminate, local.pid)
        fault_at = _drive(
            report,
            writer,
            caller,
            fault=cut,
            new_leader=lambda: _new_leader(cluster, old),
            restore=lambda: network.heal(node.host),
            rejoined=lambda: _node_streams(cluster, old),
        )
        if link_down_at:  # a write sent while the link was still going down may have been the old leader's
            link_down = link_down_at[0] - wall_offset
            first = writer.recorder.first_ok_after(link_down)
            report.first_write_s = None if first is None else first + (link_down - fault_at)
        report.details.update(
            _old_leader_outcome(local_log, fault_at + wall_offset, link_down_at[0], report.first_write_s)
        )
    report.lost = _pg_lost(cluster, run, writer.recorder.keys())
    report.details["campaigns created by the retried MCP write"] = _campaign_copies(settings, run)
    return report


def _start_local_writer(cluster: PatroniCluster, node: PostgresNode, run: str, log: Path) -> subprocess.Popen:
    """The writer inside the leader's namespace, connected to that node only."""
    conninfo = make_conninfo(
        host=node.host.address,
        port=node.pg_port,
        user=SUPERUSER,
        password=Secrets(cluster.settings.data_path).get("postgres_superuser"),
        dbname=DRILL_DATABASE,
    )
    argv = node.host.command([sys.executable, "-m", "promptsales.drills.local_writer", conninfo, run, str(log)])
    return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _old_leader_outcome(log: Path, cut_at: float, link_down_at: float, new_first_write: float | None) -> dict:
    """What the cut-off leader did after the cut, from its local writer's lines (wall-clock seconds; times
    reported relative to ``cut_at``, when the cut began).

    A write counts as "acknowledged after the cut" when it was sent once the link was down (``link_down_at``)
    and still committed: no standby could have confirmed it. A write sent while the link was being taken down
    may have reached the synchronous standby first, so it proves nothing either way. "Stopped acknowledging"
    is the first attempt after the cut that failed (its commit waited for the synchronous standby, then Patroni
    demoted the node); "read-only" is the first refusal by a node in recovery (it may come only after the link
    is back).
    """
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []
    after = [line for line in lines if line["t"] >= cut_at]
    acked_after = [line["t"] - cut_at for line in after if line["ok"] and line["started"] >= link_down_at]
    failed = [line["t"] - cut_at for line in after if not line["ok"]]
    read_only = [
        line["t"] - cut_at
        for line in after
        if not line["ok"] and ("read-only" in line["error"] or "recovery" in line["error"])
    ]
    acked = [line["t"] - cut_at for line in after if line["ok"]]
    last_ack = max(acked) if acked else None
    return {
        "writes acknowledged by the old leader after the cut": len(acked_after),
        "old leader stopped acknowledging at (s)": round(min(failed), 2) if failed else None,
        "old leader read-only at (s)": round(min(read_only), 2) if read_only else None,
        "two_writers": last_ack is not None and new_first_write is not None and last_ack >= new_first_write,
    }


def valkey_failover(settings: Settings) -> DrillReport:
    """Kill the Valkey primary (SIGKILL): the Sentinels promote the replica; the cache rides through degraded."""
    if active_profile(settings) != "ha":
        raise UserError("Drills need the HA profile: `promptsales up --profile ha` (docs/ha.md).")
    valkey = ReplicatedValkey(settings)
    old_port = valkey.primary_port()
    if old_port is None:
        raise UserError("No Valkey primary is known to the Sentinels: run `promptsales up` and try again.")
    old = valkey.node_for_port(old_port)
    run = _run_id()
    report = DrillReport("valkey-failover", "SIGKILL of the Valkey primary", old_leader=old)
    key = f"ha-drill:{run}"
    writer = ValkeyWriter(settings, key)
    caller = McpCaller(settings, mcp_url(settings, "ads"), MCP_CLIENT, "listChannels", lambda _: {})

    def new_primary() -> str | None:
        port = valkey.primary_port()
        return valkey.node_for_port(port) if port not in (None, old_port) else None

    _drive(
        report,
        writer,
        caller,
        fault=lambda: valkey.kill(old),
        new_leader=new_primary,
        restore=lambda: valkey.restart_node(old),
        rejoined=lambda: (replication_info(old_port, valkey.password) or {}).get("master_link_status") == "up",
    )
    report.details["writes acknowledged by a primary without replica"] = writer.alone
    if report.new_leader is None:  # why the Sentinels did not promote the replica, for whoever reads the report
        report.details["sentinel events"] = valkey.failover_events()
    present = {int(member) for member in writer.client.smembers(key)}
    report.lost = len(set(writer.recorder.keys()) - present)
    writer.client.delete(key)
    writer.client.close()
    return report


#: Every drill by name.
DRILLS: dict[str, Callable[[Settings], DrillReport]] = {
    "pg-failover": pg_failover,
    "pg-partition": pg_partition,
    "valkey-failover": valkey_failover,
    "content-failover": content_failover,
}


def run_drill(settings: Settings, name: str) -> DrillReport:
    """Run drill ``name`` once."""
    try:
        drill = DRILLS[name]
    except KeyError:
        raise UserError(f"Unknown drill {name!r}; expected one of {', '.join(DRILLS)}.") from None
    return drill(settings)

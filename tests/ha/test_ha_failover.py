"""Issue 21 acceptance, with real processes (short versions of the drills; the long ones are in bench/ha_drills.py).

* A PostgreSQL leader killed (Patroni and postmaster): every acknowledged write (synchronous mode) is read back
  from the new leader, the MCP server answers again without a restart, a retried idempotent MCP write creates
  one campaign, and the ETL's next pass is correct — also when the stored horizon lies ahead of the xids the
  new leader hands out.
* A leader cut off the network acknowledges no write after the cut and is read-only before the other node
  takes writes.
* The cache answers through a Valkey failover: from the databases while no primary is known, cached again after.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from ci_skip import skip_or_fail_in_ci
from promptsales.cache import Cache, CacheSpec
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.drills.run import pg_failover, pg_partition, valkey_failover
from promptsales.etl.capture import XidHorizon, read_horizons
from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.runtime.ha.patroni import PatroniCluster
from promptsales.runtime.state import StateFile

pytestmark = pytest.mark.ha

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etl"))  # the ETL tests' probe of the sources
from etl_probe import direct_campaign_figures, warehouse_campaign_figures  # noqa: E402


def _assert_warehouse_equals_sources(sources: Sources) -> None:
    direct = direct_campaign_figures(sources)
    stored = warehouse_campaign_figures(sources)
    wrong = {cid: (direct[cid], stored.get(cid)) for cid in direct if direct[cid] != stored.get(cid)}
    assert not wrong, list(wrong.items())[:3]


def _raise_sales(sources: Sources, count: int, amount: int) -> list[int]:
    """Add ``amount`` to one sale of ``count`` campaigns (one transaction each); returns their xids."""
    xids = []
    with sources.connect("crm", "app") as crm:
        rows = crm.execute(
            "SELECT DISTINCT ON (campaign_id) sale_id FROM crm.sales ORDER BY campaign_id, sale_id LIMIT %s", (count,)
        ).fetchall()
        for (sale_id,) in rows:
            crm.execute("UPDATE crm.sales SET amount = amount + %s WHERE sale_id = %s", (amount, sale_id))
            xids.append(int(crm.execute("SELECT pg_current_xact_id()::text").fetchone()[0]))
            crm.commit()
    return xids


def test_leader_kill_loses_no_acknowledged_write_and_clients_ride_through(ha: Settings) -> None:
    sources = Sources(ha)
    assert run_pass(sources, trigger="test", full=True).status == "succeeded"
    mcp_pid = StateFile(ha.data_path).get("mcp-ads")["pid"]

    report = pg_failover(ha)

    assert report.new_leader not in (None, report.old_leader)
    assert report.acknowledged > 0 and report.lost == 0, report.as_dict()
    assert report.first_write_s is not None and report.first_mcp_s is not None, report.as_dict()
    assert StateFile(ha.data_path).get("mcp-ads")["pid"] == mcp_pid  # the same MCP server process, not restarted
    assert report.details["campaigns created by the retried MCP write"] == 1
    assert report.rejoin_s is not None  # the old leader is a streaming replica again
    assert PatroniCluster(ha).leader() == report.new_leader

    # The ETL across the promotion: the stored horizon was read on the old timeline.
    stored = read_horizons(sources.warehouse())
    xids = _raise_sales(sources, 3, 7)
    # The danger the timeline check exists for: a horizon recorded by a leader that had handed out xids the new
    # leader never heard of (a per-company cluster, or an asynchronous failover) lies ahead of new commits.
    ahead = max(xids) + 1000
    with sources.warehouse() as warehouse:
        warehouse.execute(
            "UPDATE etl.horizons SET xid_snapshot = %s::pg_snapshot, xid_horizon = %s::text::xid8 WHERE source = 'crm'",
            (f"{ahead}:{ahead}:", ahead),
        )
        warehouse.commit()
    assert all(XidHorizon(ahead, ahead).sees(xid) for xid in xids)  # the xid window alone would skip them
    assert stored.timelines["crm"] != _timeline(ha)
    after = run_pass(sources, trigger="test")
    assert after.status == "succeeded", after.error
    assert after.full_load and after.changes_read["crm"] == 0  # re-read in full, not through the stale window
    _assert_warehouse_equals_sources(sources)
    assert read_horizons(sources.warehouse()).timelines["crm"] == _timeline(ha)  # re-based on the new history
    again = run_pass(sources, trigger="test")
    assert not again.full_load and again.campaigns == 0


def _timeline(settings: Settings) -> str:
    with connect("crm", "etl", settings=settings) as conn:
        system, wal = conn.execute(
            "SELECT system_identifier::text, pg_walfile_name(pg_current_wal_lsn()) FROM pg_control_system()"
        ).fetchone()
    return f"{system}/{int(wal[:8], 16)}"


def test_partitioned_leader_stops_accepting_writes_before_another_is_promoted(ha: Settings) -> None:
    if PatroniCluster(ha).layout.network != "netns":
        skip_or_fail_in_ci("cutting a node off needs network namespaces (root)")
    report = pg_partition(ha)

    assert report.details["writes acknowledged by the old leader after the cut"] == 0, report.as_dict()
    assert report.details["two_writers"] is False
    assert report.new_leader not in (None, report.old_leader)
    assert report.acknowledged > 0 and report.lost == 0, report.as_dict()
    assert report.first_mcp_s is not None and report.rejoin_s is not None, report.as_dict()
    stopped = report.details["old leader stopped acknowledging at (s)"]
    assert stopped is not None and stopped < report.first_write_s, report.as_dict()


def test_cache_answers_through_a_valkey_failover(ha: Settings) -> None:
    cache = Cache.from_settings(ha)
    spec = CacheSpec("ads", "ha_probe")
    outcomes: list[tuple[float, str, object]] = []
    stop = threading.Event()

    def keep_reading() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            lookup = cache.fetch(spec, {"n": n % 5}, lambda n=n: (n % 5) * 10)
            outcomes.append((time.monotonic(), lookup.outcome, lookup.value == (n % 5) * 10))
            time.sleep(0.05)

    reader = threading.Thread(target=keep_reading, daemon=True)
    reader.start()
    try:
        report = valkey_failover(ha)
    finally:
        stop.set()
        reader.join(10)
        cache.close()

    assert report.lost == 0 and report.new_leader not in (None, report.old_leader), report.as_dict()
    assert report.first_write_s is not None and report.mcp_errors == 0, report.as_dict()
    assert all(correct for _, _, correct in outcomes)
    kinds = [outcome for _, outcome, _ in outcomes]
    assert "bypass" in kinds, "the cache never noticed the primary was gone"
    recovered = kinds[len(kinds) - 1 - kinds[::-1].index("bypass") + 1 :]
    assert {"hit", "miss"} & set(recovered), "caching did not resume through the new primary"
    assert cache.connection.breaker.state.outages >= 1


def test_up_refuses_the_other_profile_on_a_data_directory(ha: Settings) -> None:
    from promptsales.errors import UserError
    from promptsales.runtime.profile import record_profile

    with pytest.raises(UserError, match="started with the ha profile"):
        record_profile(ha, "single")


def test_status_reports_roles_and_lag(ha: Settings) -> None:
    from promptsales.runtime import manager

    rows = {row.name: row for row in manager.statuses(ha)}
    roles = sorted(rows[name].detail.split(",")[0] for name in ("postgres-1", "postgres-2"))
    assert roles == ["leader", "sync_standby"], {n: r.detail for n, r in rows.items()}
    assert all(rows[f"etcd-{i}"].healthy for i in (1, 2, 3))
    assert {rows["valkey-1"].detail.split(",")[0], rows["valkey-2"].detail.split(",")[0]} == {"primary", "replica"}
    assert "lag" in next(r.detail for r in rows.values() if r.detail.startswith("sync_standby"))
    assert rows["postgres"].healthy and rows["valkey"].healthy and rows["mongo"].healthy

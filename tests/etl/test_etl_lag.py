"""ETL lag and health (issue 17): unread changes per source, the open or prepared transaction holding some
back, the warning threshold, and `etl status --json`."""

from __future__ import annotations

import json
import time

import psycopg
from etl_probe import cli, settle

from promptsales.etl.engine import run_pass
from promptsales.etl.lag import SourceLag, lag_line, source_lags
from promptsales.etl.settings import EtlSettings
from promptsales.etl.sources import Sources


def _lags(sources: Sources, warn_after: float = 3600.0) -> dict[str, SourceLag]:
    return {lag.source: lag for lag in source_lags(sources, EtlSettings(lag_warn_seconds=warn_after))}


def _sale(sources: Sources, offset: int) -> int:
    with sources.source("crm") as crm:
        return crm.execute("SELECT sale_id FROM crm.sales ORDER BY sale_id OFFSET %s LIMIT 1", (offset,)).fetchone()[0]


def _raise(conn: psycopg.Connection, sale_id: int) -> str:
    """Change one sale on ``conn`` and return the writing transaction's id."""
    conn.execute("UPDATE crm.sales SET amount = amount + 1 WHERE sale_id = %s", (sale_id,))
    return conn.execute("SELECT pg_current_xact_id()::text").fetchone()[0]


def test_lag_counts_unread_changes_and_names_the_transaction_holding_some(loaded: Sources) -> None:
    """A committed change is unread (with its age) until a pass reads it; a transaction held open is named with
    its age, user and xid, and both pass the threshold as warnings; after its commit and a pass nothing is unread."""
    settle(loaded)
    quiet = _lags(loaded)
    assert [quiet[name].unread for name in ("ads", "crm", "content", "portal")] == [0, 0, 0, 0]
    assert quiet["crm"].oldest_unread_seconds is None and not quiet["crm"].warnings
    held = loaded.connect("crm", "app")
    try:
        held_xid = _raise(held, _sale(loaded, 0))
        with loaded.connect("crm", "app") as writer:
            _raise(writer, _sale(loaded, 1))
        time.sleep(1.2)
        lag = _lags(loaded, warn_after=1.0)["crm"]
        assert lag.unread == 1 and lag.oldest_unread_seconds is not None and lag.oldest_unread_seconds >= 1.0
        holder = lag.oldest_transaction
        assert holder is not None and holder.xid == held_xid and not holder.prepared
        assert holder.user == "promptcrm_app" and holder.age_seconds is not None and holder.age_seconds >= 1.0
        assert len(lag.warnings) == 2 and "oldest unread change" in lag.warnings[0] and "open" in lag.warnings[1]
        assert lag_line(list(_lags(loaded, warn_after=1.0).values())).startswith("WARNING ")
        run_pass(loaded, trigger="test")
        after = _lags(loaded)["crm"]
        assert after.unread == 0 and after.oldest_transaction is not None and after.oldest_transaction.xid == held_xid
        held.commit()
        assert _lags(loaded)["crm"].unread == 1  # the held change, committed now
        run_pass(loaded, trigger="test")
        assert _lags(loaded)["crm"].unread == 0
    finally:
        held.close()


def test_lag_names_a_prepared_transaction(loaded: Sources) -> None:
    """A prepared transaction is reported as the one holding changes back, with its global id."""
    with loaded.connect("crm", "app", autocommit=True) as conn:
        conn.execute("BEGIN")
        xid = _raise(conn, _sale(loaded, 2))
        conn.execute("PREPARE TRANSACTION 'etl17-lag'")
        try:
            holder = _lags(loaded)["crm"].oldest_transaction
            assert holder is not None and holder.prepared and holder.xid == xid
            assert holder.state == "prepared etl17-lag" and holder.pid is None and holder.age_seconds is not None
        finally:
            conn.execute("ROLLBACK PREPARED 'etl17-lag'")
    assert _lags(loaded)["crm"].unread == 0  # rolled back: nothing to read


def test_etl_status_json_lists_the_lag_of_every_source(etl_sources: Sources, own_databases: dict[str, str]) -> None:
    """`etl status --json` has one lag entry per source; the table output has a Lag section."""
    status = cli("status", "--json", env=own_databases)
    assert status.returncode == 0, status.stderr
    lag = json.loads(status.stdout)["lag"]
    assert [entry["source"] for entry in lag] == ["ads", "crm", "content", "portal"]
    assert all(entry["error"] is None and entry["unread"] >= 0 for entry in lag)
    table = cli("status", env=own_databases)
    assert table.returncode == 0 and "Lag" in table.stdout

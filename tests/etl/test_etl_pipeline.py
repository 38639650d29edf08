"""Acceptance of the delta ETL (SPEC S2, S3; docs/architecture.md §4) on copies of the official seeded data.

Order-independent: every test measures the warehouse right before and right after its own change.
"""

from __future__ import annotations

from datetime import UTC
from decimal import Decimal

from etl_probe import changed_keys, direct_campaign_figures, row_set, settle, snapshot, warehouse_campaign_figures

from promptsales.ads.service import create_campaign
from promptsales.etl.capture import XidHorizon
from promptsales.etl.engine import capture_all, record_pass, run_pass
from promptsales.etl.sources import Sources
from promptsales.testing import sample_campaign_request


def _one_sale(sources: Sources) -> tuple[int, int, int, int]:
    with sources.source("crm") as crm:
        return crm.execute(
            "SELECT sale_id, campaign_id, channel_id, market_id FROM crm.sales ORDER BY sale_id LIMIT 1 OFFSET 777"
        ).fetchone()


def _summaries_of(campaign: int, channel: int, market: int, day) -> dict[str, set[tuple]]:
    """The warehouse rows (table → keys) that one source row of campaign × channel × market × day feeds."""
    month = day.replace(day=1)
    return {
        "wh.campaign_facts": {(campaign, channel, market, month)},
        "wh.campaigns": {(campaign,)},
        "wh.campaign_channels": {(campaign, channel)},
        "wh.campaign_markets": {(campaign, market)},
        "wh.campaign_months": {(campaign, month)},
        "wh.campaign_days": {(campaign, channel, market, day)},
    }


def test_full_load_equals_direct_computation(loaded: Sources) -> None:
    """S2: after a full load every campaign's warehouse figures equal the figures computed from the sources."""
    settle(loaded)
    direct = direct_campaign_figures(loaded)
    stored = warehouse_campaign_figures(loaded)
    assert len(direct) >= 1000
    assert set(stored) == set(direct)
    mismatches = {cid: (direct[cid], stored[cid]) for cid in direct if direct[cid] != stored[cid]}
    assert not mismatches, list(mismatches.items())[:3]
    # The by-channel, by-market and by-month summaries add up to the campaign totals.
    with loaded.warehouse() as conn:
        for table in ("wh.campaign_channels", "wh.campaign_markets", "wh.campaign_months"):
            bad = conn.execute(
                f"SELECT count(*) FROM wh.campaigns c JOIN (SELECT campaign_id, sum(spend) s, sum(sales_amount) a, "
                f"sum(leads) l FROM {table} GROUP BY 1) x USING (campaign_id) "
                "WHERE x.s <> c.spend OR x.a <> c.sales_amount OR x.l <> c.leads"
            ).fetchone()[0]
            assert bad == 0, table
        funnel = conn.execute("SELECT count(DISTINCT campaign_id), count(*) FROM wh.campaign_funnel").fetchone()
        assert funnel == (len(direct), 5 * len(direct))
    # A campaign has a by-channel (by-market) row for every channel (market) it is assigned to or has results on.
    with loaded.source("ads") as ads, loaded.source("crm") as crm, loaded.warehouse() as conn:
        for table, key in (("campaign_channels", "channel_id"), ("campaign_markets", "market_id")):
            expected = row_set(ads, f"SELECT campaign_id, {key} FROM ads.{table}")
            expected |= row_set(ads, f"SELECT DISTINCT campaign_id, {key} FROM ads.ad_results")
            expected |= row_set(crm, f"SELECT DISTINCT campaign_id, {key} FROM crm.sales")
            expected |= row_set(crm, f"SELECT DISTINCT campaign_id, {key} FROM crm.leads WHERE campaign_id IS NOT NULL")
            assert row_set(conn, f"SELECT campaign_id, {key} FROM wh.{table}") == expected, table
        # Each market's name, country and city (questions break down by country and name markets by city).
        places = row_set(ads, "SELECT market_id, country || ' / ' || segment, country, city FROM ads.markets")
        stored_places = row_set(conn, "SELECT DISTINCT market_id, market_name, country, city FROM wh.campaign_markets")
        assert stored_places and stored_places <= places
        # Each campaign's objective and its brand's industry (questions filter, group and rank by them).
        classes = row_set(
            ads,
            "SELECT c.campaign_id, c.objective, b.industry FROM ads.campaigns c JOIN ads.brands b USING (brand_id)",
        )
        assert classes and row_set(conn, "SELECT campaign_id, objective, industry FROM wh.campaigns") == classes


def test_new_campaign_without_results_counts_on_its_channels_and_markets(loaded: Sources) -> None:
    """A campaign created in PromptAds (adssp_create_campaign) that has no results yet: after one delta pass
    it has a zero row per assigned channel and market, so "campaigns per channel" equals the source's count."""
    settle(loaded)
    with loaded.connect("ads", "app") as ads:
        campaign = create_campaign(ads, sample_campaign_request("Sin resultados ETL", n_channels=3, n_markets=2))
        ads.commit()
    report = run_pass(loaded, trigger="test")
    assert report.status == "succeeded"
    with loaded.warehouse() as conn:
        channels = conn.execute(
            "SELECT channel_id, spend, leads, roi FROM wh.campaign_channels WHERE campaign_id = %s ORDER BY 1",
            (campaign,),
        ).fetchall()
        markets = conn.execute(
            "SELECT market_id, sales_amount FROM wh.campaign_markets WHERE campaign_id = %s ORDER BY 1", (campaign,)
        ).fetchall()
        per_channel = dict(conn.execute("SELECT channel_id, count(*) FROM wh.campaign_channels GROUP BY 1").fetchall())
    assert channels == [(1, 0, 0, None), (2, 0, 0, None), (3, 0, 0, None)]
    assert markets == [(1, 0), (2, 0)]
    with loaded.source("ads") as ads:
        assert per_channel == dict(ads.execute("SELECT channel_id, count(*) FROM ads.campaign_channels GROUP BY 1"))


def test_second_run_reads_nothing_and_changes_no_byte(loaded: Sources) -> None:
    """S3: a run with no source change reads 0 changes and leaves every warehouse tuple untouched."""
    settle(loaded)
    before = snapshot(loaded, with_tuples=True)
    report = run_pass(loaded, trigger="test")
    assert report.status == "succeeded"
    assert report.changes_read == {"ads": 0, "crm": 0, "content": 0, "portal": 0}
    assert report.rows_read.get("ads", 0) == 0 and report.rows_read.get("crm", 0) == 0
    assert sum(report.rows_written.values()) == 0
    assert snapshot(loaded, with_tuples=True) == before  # same values, same ctid and xmin: nothing rewritten


def test_one_sale_amount_updates_exactly_its_summaries(loaded: Sources) -> None:
    """S3: changing one sale amount rewrites only that campaign's rows it touches, and the run reads 1 change."""
    settle(loaded)
    sale_id, campaign, channel, market = _one_sale(loaded)
    before = snapshot(loaded)
    with loaded.connect("crm", "app") as crm:
        day = crm.execute(
            "UPDATE crm.sales SET amount = amount + 10 WHERE sale_id = %s RETURNING (sold_at AT TIME ZONE 'UTC')::date",
            (sale_id,),
        ).fetchone()[0]
    report = run_pass(loaded, trigger="test")
    assert report.status == "succeeded"
    assert report.changes_read["crm"] == 1 and report.changes_read["ads"] == 0
    assert report.campaigns == 1
    diff = changed_keys(before, snapshot(loaded))
    assert diff == _summaries_of(campaign, channel, market, day)
    assert (
        warehouse_campaign_figures(loaded)[campaign]["sales_amount"]
        == direct_campaign_figures(loaded)[campaign]["sales_amount"]
    )


def test_one_ad_cost_updates_exactly_its_summaries(loaded: Sources) -> None:
    """S3: changing one ad result's cost rewrites only the rows of that campaign × channel × market × month."""
    settle(loaded)
    before = snapshot(loaded)
    with loaded.connect("ads", "app") as ads:
        campaign, channel, market, day = ads.execute(
            "WITH one AS (SELECT ad_id, channel_id, market_id, result_date FROM ads.ad_results "
            "ORDER BY ad_id, channel_id, market_id, result_date LIMIT 1 OFFSET 4321) "
            "UPDATE ads.ad_results r SET cost = r.cost + 5 FROM one WHERE (r.ad_id, r.channel_id, r.market_id, "
            "r.result_date) = (one.ad_id, one.channel_id, one.market_id, one.result_date) "
            "RETURNING r.campaign_id, r.channel_id, r.market_id, r.result_date"
        ).fetchone()
    report = run_pass(loaded, trigger="test")
    assert report.changes_read["ads"] == 1 and report.changes_read["crm"] == 0
    diff = changed_keys(before, snapshot(loaded))
    assert diff == _summaries_of(campaign, channel, market, day)
    assert warehouse_campaign_figures(loaded)[campaign]["spend"] == direct_campaign_figures(loaded)[campaign]["spend"]


def test_deleted_sale_updates_its_campaign(loaded: Sources) -> None:
    """S3: deletes are captured: removing one sale lowers its campaign's count and amount on the next run."""
    settle(loaded)
    sale_id, campaign, _, _ = _one_sale(loaded)
    old = warehouse_campaign_figures(loaded)[campaign]
    with loaded.connect("crm", "app") as crm:
        amount = crm.execute("DELETE FROM crm.sales WHERE sale_id = %s RETURNING amount", (sale_id,)).fetchone()[0]
    before = snapshot(loaded)
    report = run_pass(loaded, trigger="test")
    assert report.changes_read["crm"] == 1 and report.campaigns == 1
    new = warehouse_campaign_figures(loaded)[campaign]
    assert new["sales_count"] == old["sales_count"] - 1
    assert new["sales_amount"] == old["sales_amount"] - amount
    assert {k[0] for keys in changed_keys(before, snapshot(loaded)).values() for k in keys} == {campaign}
    assert new == direct_campaign_figures(loaded)[campaign]


def test_transaction_committing_after_the_snapshot_is_read_next_run(loaded: Sources) -> None:
    """§4: a transaction that wrote before the pass and commits after its snapshot is picked up by the next pass."""
    settle(loaded)
    sale_id, campaign, _, _ = _one_sale(loaded)
    writer = loaded.connect("crm", "app")  # connection 1: the slow writer
    try:
        writer.execute("UPDATE crm.sales SET amount = amount + 3 WHERE sale_id = %s", (sale_id,))
        writer_xid = int(writer.execute("SELECT pg_current_xact_id()::text").fetchone()[0])
        changesets = capture_all(loaded)  # the pass's snapshot: the writer is still running
        horizon = changesets["crm"].horizon
        assert isinstance(horizon, XidHorizon) and not horizon.sees(writer_xid)
        writer.commit()  # commits after the snapshot, before the load
        first = record_pass(loaded, changesets, trigger="test")
    finally:
        writer.close()
    assert first.status == "succeeded" and first.changes_read["crm"] == 0
    second = run_pass(loaded, trigger="test")
    assert second.changes_read["crm"] == 1 and second.campaigns == 1
    assert warehouse_campaign_figures(loaded)[campaign] == direct_campaign_figures(loaded)[campaign]


def test_injected_failure_leaves_warehouse_and_horizon_unchanged(loaded: Sources) -> None:
    """§4: a failure in the middle of the load rolls back everything; the next run completes with right totals."""
    settle(loaded)
    sale_id, campaign, _, _ = _one_sale(loaded)
    with loaded.connect("crm", "app") as crm:
        crm.execute("UPDATE crm.sales SET amount = amount + 7 WHERE sale_id = %s", (sale_id,))
    with loaded.warehouse() as conn:
        horizons_before = conn.execute("SELECT * FROM etl.horizons ORDER BY source").fetchall()
    before = snapshot(loaded, with_tuples=True)
    failed = run_pass(loaded, trigger="test", fail_at="after_facts")
    assert failed.status == "failed" and "InjectedFailure" in failed.error
    assert snapshot(loaded, with_tuples=True) == before
    with loaded.warehouse() as conn:
        assert conn.execute("SELECT * FROM etl.horizons ORDER BY source").fetchall() == horizons_before
        assert conn.execute(
            "SELECT status, error IS NOT NULL FROM etl.runs WHERE id = %s", (failed.run_id,)
        ).fetchone() == ("failed", True)
    retry = run_pass(loaded, trigger="test")
    assert retry.status == "succeeded" and retry.changes_read["crm"] == 1
    assert warehouse_campaign_figures(loaded)[campaign] == direct_campaign_figures(loaded)[campaign]
    assert warehouse_campaign_figures(loaded)[campaign]["sales_amount"] > Decimal("0")


def test_portal_goal_change_updates_success_rate(loaded: Sources) -> None:
    """S2: success rate is against the portal's goal; a changed goal updates that campaign only."""
    settle(loaded)
    with loaded.warehouse() as conn:
        campaign, amount = conn.execute(
            "SELECT campaign_id, sales_amount FROM wh.campaigns WHERE sales_amount > 0 ORDER BY campaign_id LIMIT 1"
        ).fetchone()
        conn.execute("UPDATE portal.sales_goals SET target_amount = %s WHERE campaign_id = %s", (amount * 2, campaign))
        conn.commit()
    report = run_pass(loaded, trigger="test")
    assert report.changes_read["portal"] == 1 and report.campaigns == 1
    with loaded.warehouse() as conn:
        assert conn.execute("SELECT success_rate FROM wh.campaigns WHERE campaign_id = %s", (campaign,)).fetchone()[
            0
        ] == Decimal("0.500000")


def test_content_window_upserts_idempotently(loaded: Sources) -> None:
    """S2/§4: media assets are read strictly after the last (updated_at, _id) read; nothing is read twice; a
    moved asset updates both campaigns' content counts."""
    from datetime import datetime, timedelta

    settle(loaded)
    database = loaded.content_database()
    assert database is not None, "the session's MongoDB server is not running"
    with loaded.warehouse() as conn:
        first, second = [
            r[0] for r in conn.execute("SELECT campaign_id FROM wh.campaigns ORDER BY campaign_id LIMIT 2")
        ]
        counts = dict(
            conn.execute(
                "SELECT campaign_id, content_items FROM wh.campaigns WHERE campaign_id IN (%s, %s)", (first, second)
            ).fetchall()
        )
    now = datetime.now(UTC).replace(microsecond=0)
    docs = [
        {
            "_id": f"media-9{i:05d}",
            "media_type": "image",
            "campaign_id": first,
            "updated_at": now - timedelta(seconds=i),
        }
        for i in range(3)
    ]
    database["media_assets"].insert_many(docs)
    report = run_pass(loaded, trigger="test")
    assert report.changes_read["content"] == 3 and report.campaigns == 1
    with loaded.warehouse() as conn:
        assert (
            conn.execute("SELECT content_items FROM wh.campaigns WHERE campaign_id = %s", (first,)).fetchone()[0]
            == counts[first] + 3
        )
    again = run_pass(loaded, trigger="test")  # nothing after the last document read
    assert again.changes_read["content"] == 0 and again.rows_read["content"] == 0
    assert sum(again.rows_written.values()) == 0
    database["media_assets"].update_one(
        {"_id": "media-900000"}, {"$set": {"campaign_id": second, "updated_at": now + timedelta(seconds=5)}}
    )
    moved = run_pass(loaded, trigger="test")
    assert moved.changes_read["content"] == 1 and moved.campaigns == 2
    with loaded.warehouse() as conn:
        after = dict(
            conn.execute(
                "SELECT campaign_id, content_items FROM wh.campaigns WHERE campaign_id IN (%s, %s)", (first, second)
            ).fetchall()
        )
    assert after == {first: counts[first] + 2, second: counts[second] + 1}
    database["media_assets"].delete_one({"_id": "media-900001"})  # deletions are invisible to the window …
    assert run_pass(loaded, trigger="test").changes_read["content"] == 0
    reconciled = run_pass(loaded, trigger="test", full=True)  # … and reconciled by a full pass
    assert reconciled.status == "succeeded" and reconciled.changes_read["content"] == 1
    with loaded.warehouse() as conn:
        assert (
            conn.execute("SELECT count(*) FROM wh.campaign_content WHERE asset_id = 'media-900001'").fetchone()[0] == 0
        )
        assert (
            conn.execute("SELECT content_items FROM wh.campaigns WHERE campaign_id = %s", (first,)).fetchone()[0]
            == counts[first] + 1
        )

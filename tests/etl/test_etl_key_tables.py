"""The key tables of issue 16 (wh.campaign_buyers, wh.campaign_ads): the warehouse holds exactly the distinct
buyers and ads of every campaign × channel × market × month of the sources, keeps them through the change
capture, and a question counts a buyer once however many channels, markets or months they bought in."""

from __future__ import annotations

from datetime import date

from etl_probe import changed_keys, row_set, settle, snapshot

from promptsales.etl.engine import run_pass
from promptsales.etl.sources import Sources
from promptsales.sales.nlq.service import ask

BUYERS = (
    "SELECT DISTINCT campaign_id, channel_id, market_id, date_trunc('month', sold_at)::date, client_id FROM crm.sales"
)
ADS = (
    "SELECT DISTINCT campaign_id, channel_id, market_id, date_trunc('month', result_date)::date, ad_id "
    "FROM ads.ad_results"
)


def test_key_tables_equal_direct_computation(loaded: Sources) -> None:
    """After the load: the buyers and ads of each fact cell are exactly the sources' distinct keys."""
    settle(loaded)
    with loaded.source("crm") as crm, loaded.source("ads") as ads, loaded.warehouse() as wh:
        assert row_set(
            wh, "SELECT campaign_id, channel_id, market_id, month, client_id FROM wh.campaign_buyers"
        ) == row_set(crm, BUYERS)
        assert row_set(wh, "SELECT campaign_id, channel_id, market_id, month, ad_id FROM wh.campaign_ads") == row_set(
            ads, ADS
        )
        # the campaign's distinct clients (wh.campaigns.clients) are counted from the same rows
        mismatched = wh.execute(
            "SELECT count(*) FROM wh.campaigns c LEFT JOIN (SELECT campaign_id, count(DISTINCT client_id) AS n "
            "FROM wh.campaign_buyers GROUP BY 1) b USING (campaign_id) WHERE c.clients <> coalesce(b.n, 0)"
        ).fetchone()[0]
        assert mismatched == 0


def test_a_repeat_buyer_is_counted_once_and_kept_current(loaded: Sources) -> None:
    """A sale moved to a client who already bought in the campaign on another channel: one change read, only
    that campaign's key rows rewritten, and "how many clients" per channel and in total match the sources —
    the total counts that client once."""
    settle(loaded)
    with loaded.source("crm") as crm:
        sale_id, campaign, other_client = crm.execute(
            "SELECT a.sale_id, a.campaign_id, b.client_id FROM crm.sales a JOIN crm.sales b "
            "ON b.campaign_id = a.campaign_id AND b.channel_id <> a.channel_id AND b.client_id <> a.client_id "
            "ORDER BY a.sale_id LIMIT 1"
        ).fetchone()
    before = snapshot(loaded)
    with loaded.connect("crm", "app") as crm:
        crm.execute("UPDATE crm.sales SET client_id = %s WHERE sale_id = %s", (other_client, sale_id))
    report = run_pass(loaded, trigger="test")
    assert report.status == "succeeded" and report.changes_read["crm"] == 1 and report.campaigns == 1
    diff = changed_keys(before, snapshot(loaded))
    assert {key[0] for key in diff["wh.campaign_buyers"]} == {campaign}
    with loaded.source("crm") as crm:
        per_channel = dict(
            crm.execute(
                "SELECT channel_id, count(DISTINCT client_id) FROM crm.sales WHERE campaign_id = %s GROUP BY 1",
                (campaign,),
            ).fetchall()
        )
        total = crm.execute(
            "SELECT count(DISTINCT client_id) FROM crm.sales WHERE campaign_id = %s", (campaign,)
        ).fetchone()[0]
    assert sum(per_channel.values()) > total  # the repeat buyer bought on two channels
    with loaded.warehouse() as wh:
        name = wh.execute("SELECT campaign_name FROM wh.campaigns WHERE campaign_id = %s", (campaign,)).fetchone()[0]
    with loaded.connect("sales", "analyst") as conn:
        by_channel = ask(f'Distinct clients by channel of campaign "{name}"', conn, as_of=date(2026, 1, 31))
        overall = ask(f'How many distinct clients did campaign "{name}" have?', conn, as_of=date(2026, 1, 31))
    assert {row[0]: row[2] for row in by_channel.rows} == per_channel, by_channel.answer
    assert overall.rows == [[total]], overall.answer

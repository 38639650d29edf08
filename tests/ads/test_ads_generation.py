"""Official-scale PromptAds data in the database (SPEC A1, A3, A4, G7), through the shared ``seeded`` fixture."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from datetime import date

import pytest

from promptsales.ads.logs import checksum
from promptsales.db.connect import connect


@pytest.fixture(scope="module")
def db(seeded, generated_ads):
    """The data as generated (a copy taken right after seeding, before other tests launch campaigns)."""
    with connect("ads", "analyst", settings=seeded, dbname=generated_ads) as conn:
        yield conn


@pytest.fixture
def live(seeded):
    """The session's PromptAds as it is now (what the CLI reads)."""
    with connect("ads", "analyst", settings=seeded) as conn:
        yield conn


def scalar(conn, query, params=None):
    return conn.execute(query, params).fetchone()[0]


def test_at_least_1000_campaigns_30_percent_active_all_starts_in_window(db):
    total, active, first, last = db.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'active'), min(start_date), max(start_date) FROM ads.campaigns"
    ).fetchone()
    assert total >= 1000
    assert abs(active / total - 0.30) <= 0.01
    assert first >= date(2024, 7, 1) and last <= date(2026, 1, 31)
    # status agrees with the stated as-of date 2026-01-31
    assert (
        scalar(
            db, """SELECT count(*) FROM ads.campaigns WHERE (status = 'active') <> (end_date >= date '2026-01-31')"""
        )
        == 0
    )
    assert scalar(db, "SELECT count(*) FROM ads.campaigns WHERE status NOT IN ('active', 'finished')") == 0


def test_december_january_and_november_peak_at_least_1_5x_the_median_month(db):
    per_month = dict(
        db.execute(
            "SELECT to_char(start_date, 'YYYY-MM'), count(*) FROM ads.campaigns GROUP BY 1 ORDER BY 1"
        ).fetchall()
    )
    assert len(per_month) == 19  # 2024-07 … 2026-01
    median = statistics.median(per_month.values())
    for month, count in per_month.items():
        if month[5:] in ("12", "01", "11"):
            assert count >= 1.5 * median, (month, count, median)


def test_every_campaign_has_several_channels_markets_ads_and_results(db):
    row = db.execute("""
        SELECT min(nch), min(nmk), min(nad), min(nres)
        FROM (SELECT c.campaign_id,
                     (SELECT count(*) FROM ads.campaign_channels x WHERE x.campaign_id = c.campaign_id) AS nch,
                     (SELECT count(*) FROM ads.campaign_markets x WHERE x.campaign_id = c.campaign_id) AS nmk,
                     (SELECT count(*) FROM ads.ads x WHERE x.campaign_id = c.campaign_id) AS nad,
                     (SELECT count(*) FROM ads.ad_results x WHERE x.campaign_id = c.campaign_id) AS nres
              FROM ads.campaigns c) AS per_campaign
    """).fetchone()
    assert row[0] >= 2 and row[1] >= 2 and row[2] >= 2 and row[3] > 0
    # every campaign channel and market has results
    assert (
        scalar(
            db,
            """SELECT count(*) FROM ads.campaign_channels cc WHERE NOT EXISTS
        (SELECT 1 FROM ads.ad_results r WHERE r.campaign_id = cc.campaign_id AND r.channel_id = cc.channel_id)""",
        )
        == 0
    )
    assert (
        scalar(
            db,
            """SELECT count(*) FROM ads.campaign_markets cm WHERE NOT EXISTS
        (SELECT 1 FROM ads.ad_results r WHERE r.campaign_id = cm.campaign_id AND r.market_id = cm.market_id)""",
        )
        == 0
    )
    assert scalar(db, "SELECT count(*) FROM ads.ad_results WHERE result_date > date '2026-01-31'") == 0


def test_crm_contract_leads_sales_and_revenue(db):
    low, high = db.execute(
        "SELECT min(l), max(l) FROM (SELECT sum(leads) AS l FROM ads.ad_results GROUP BY campaign_id) x"
    ).fetchone()
    assert 400 <= low and high <= 1000
    assert (
        scalar(
            db,
            "SELECT count(*) FROM ads.ad_results WHERE sales > leads OR (sales = 0) <> (revenue = 0) OR revenue < sales * 5.00",
        )
        == 0
    )
    median_rate = scalar(
        db,
        """SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY s::float / l)
        FROM (SELECT sum(sales) s, sum(leads) l FROM ads.ad_results GROUP BY campaign_id) x""",
    )
    assert 0.05 <= median_rate <= 0.25
    assert scalar(db, "SELECT count(*) FROM (SELECT name FROM ads.campaigns GROUP BY name HAVING count(*) > 1) d") == 0
    assert scalar(db, "SELECT count(*) FROM ads.markets WHERE latitude IS NULL OR country_code !~ '^[A-Z]{2}$'") == 0


def test_results_look_real_diminishing_returns_weekdays_and_channel_rates(db):
    # diminishing returns: log-log slope of views on cost is below 1
    slope = scalar(db, "SELECT regr_slope(ln(views), ln(cost)) FROM ads.ad_results WHERE cost > 1 AND views > 0")
    assert 0.5 < slope < 0.95
    # weekend effect on social engagement, and LinkedIn quieter at weekends
    weekend_ratio = scalar(
        db,
        """SELECT (avg(likes) FILTER (WHERE extract(isodow FROM result_date) >= 6)) /
                                         (avg(likes) FILTER (WHERE extract(isodow FROM result_date) < 6))
                                  FROM ads.ad_results r JOIN ads.channels c USING (channel_id) WHERE c.code = 'tiktok'""",
    )
    assert weekend_ratio > 1.05
    ctr = dict(
        db.execute("""SELECT c.code, sum(clicks)::float / sum(views) FROM ads.ad_results r
                             JOIN ads.channels c USING (channel_id) GROUP BY c.code""").fetchall()
    )
    assert ctr["google_search"] > 3 * ctr["display"]


def test_negative_episodes_raise_negative_share_and_drop_influencer_reactions(db):
    # days with a high negative share exist and are a minority (they come from random episodes)
    shares = db.execute("""
        SELECT count(*) FILTER (WHERE neg::float / total >= 0.35), count(*)
        FROM (SELECT ad_id, observed_on, sum(mentions) FILTER (WHERE polarity = 'negative') AS neg, sum(mentions) AS total
              FROM ads.sentiment_observations GROUP BY 1, 2) x WHERE total >= 20""").fetchone()
    assert 0 < shares[0] < 0.3 * shares[1]
    # influencer reactions on high-negativity days are lower than on calm days of the same ad
    ratio = scalar(
        db,
        """
        WITH daily AS (
            SELECT ad_id, observed_on AS day,
                   sum(mentions) FILTER (WHERE polarity = 'negative')::float / sum(mentions) AS neg_share
            FROM ads.sentiment_observations GROUP BY 1, 2),
        r AS (SELECT ir.ad_id, ir.influencer_id, ir.reaction_date, ir.reactions, d.neg_share
              FROM ads.influencer_reactions ir JOIN daily d ON d.ad_id = ir.ad_id AND d.day = ir.reaction_date)
        SELECT avg(reactions) FILTER (WHERE neg_share >= 0.35) / avg(reactions) FILTER (WHERE neg_share < 0.15) FROM r""",
    )
    assert ratio < 0.9


def test_generated_log_rows_carry_the_sql_checksum(seeded):
    with connect("ads", "app", settings=seeded) as app:  # EXECUTE on functions belongs to the app role
        row = app.execute("""SELECT t.code, s.code, v.code, l.description, l.reference_id1, l.reference_id2, l.value1, l.value2,
                               l.checksum, ads.log_checksum(t.code, s.code, v.code, l.description, l.reference_id1,
                                                            l.reference_id2, l.value1, l.value2)
                        FROM ads.logs l JOIN ads.log_types t USING (log_type_id) JOIN ads.log_sources s USING (log_source_id)
                        JOIN ads.log_severities v USING (severity_id) ORDER BY l.log_id LIMIT 1""").fetchone()
        assert row[8] == row[9] == checksum(*row[:8])


def test_stats_ads_json_reports_counts_split_and_months(live):
    out = subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "stats", "ads", "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=True,
    )
    summary = json.loads(out.stdout)
    assert summary["rows"]["campaigns"] == scalar(live, "SELECT count(*) FROM ads.campaigns")
    assert summary["rows"]["ad_results"] == scalar(live, "SELECT count(*) FROM ads.ad_results")
    assert summary["campaigns"]["by_status"]["active"] == scalar(
        live, "SELECT count(*) FROM ads.campaigns WHERE status = 'active'"
    )
    assert sum(summary["campaigns"]["per_start_month"].values()) == summary["campaigns"]["total"]
    assert summary["as_of"] == "2026-01-31"

"""PromptAds lab scripts (SPEC A5–A7): each runs and its result is checked against an independent computation."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

import pytest

from conftest import run_lab_statements  # noqa: E402  (tests/ads/conftest.py)
from promptsales.db.connect import connect
from promptsales.wiring import lab, labs


@pytest.fixture(scope="module")
def db(seeded):
    with connect("ads", "analyst", settings=seeded) as conn:
        yield conn


def run(settings, name, **params):
    return lab(name).run(settings, {k: str(v) for k, v in params.items()})


def test_every_ads_lab_script_is_listed():
    names = {n for n in labs() if n.startswith("ads.")}
    assert {
        "ads.except-intersect",
        "ads.merge-late-results",
        "ads.text-and-rounding",
        "ads.update-from-select",
        "ads.negative-sentiment-drop",
        "ads.query-monitoring",
    } <= names


def test_except_and_intersect_match_set_arithmetic(seeded, db):
    result = run(seeded, "ads.except-intersect", channel_a="instagram", channel_b="tiktok")
    except_rows, intersect_rows = ({r[0] for r in step.rows} for step in result.steps)

    def brands_on(code):
        return {
            r[0]
            for r in db.execute(
                """SELECT DISTINCT c.brand_id FROM ads.campaigns c
            JOIN ads.campaign_channels cc USING (campaign_id) JOIN ads.channels ch USING (channel_id) WHERE ch.code = %s""",
                (code,),
            )
        }

    instagram, tiktok = brands_on("instagram"), brands_on("tiktok")
    assert except_rows == instagram - tiktok
    assert intersect_rows == instagram & tiktok
    assert intersect_rows  # the official data has brands on both


def test_merge_updates_existing_days_and_inserts_new_ones_then_rolls_back(seeded, db):
    before = db.execute("SELECT count(*), sum(views) FROM ads.ad_results").fetchone()
    result = run(seeded, "ads.merge-late-results", ads=7)
    actions = dict(result.steps[-1].rows)
    assert actions == {"INSERT": 7, "UPDATE": 7}
    assert db.execute("SELECT count(*), sum(views) FROM ads.ad_results").fetchone() == before  # lab rolled back


def test_ltrim_lower_floor_ceil(seeded, db):
    result = run(seeded, "ads.text-and-rounding")
    matched = {row[0]: (row[1], row[2]) for row in result.steps[0].rows}
    assert matched["   Instagram"][0] == "instagram" and matched["   Instagram"][1] is not None
    assert matched["#TikTok"][0] == "tiktok" and matched["@LinkedIn  "][0] == "linkedin"
    assert matched["Myspace"][1] is None  # no such channel
    bands = result.steps[1].rows
    for band_from, _band_to, campaigns in bands:
        expected = db.execute(
            "SELECT count(*) FROM ads.campaigns WHERE budget >= %s AND budget < %s + 25000", (band_from, band_from)
        ).fetchone()[0]
        assert campaigns == expected and band_from % 25000 == 0
    for _id, _name, days, weeks, _cpl, floor_neg, ceil_neg in result.steps[2].rows:
        assert weeks == -(-days // 7)
        assert (floor_neg, ceil_neg) == (-2, -1)


def test_update_from_select_sets_each_share_to_the_actual_spend_share(seeded, db):
    brand = db.execute(
        "SELECT brand_id FROM ads.campaigns GROUP BY brand_id ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    result = run(seeded, "ads.update-from-select", brand_id=brand)
    rows = result.steps[0].rows
    assert rows
    spend = {
        (c, ch): s
        for c, ch, s in db.execute(
            """SELECT r.campaign_id, r.channel_id, sum(r.cost) FROM ads.ad_results r
        JOIN ads.campaigns c USING (campaign_id) WHERE c.brand_id = %s GROUP BY 1, 2""",
            (brand,),
        )
    }
    totals: dict[int, Decimal] = {}
    for (campaign, _), amount in spend.items():
        totals[campaign] = totals.get(campaign, Decimal(0)) + amount
    for campaign, channel, _old_share, new_share in rows:
        assert new_share == round(spend[(campaign, channel)] / totals[campaign], 4)
    old = {
        (c, ch): s
        for c, ch, s in db.execute(
            "SELECT campaign_id, channel_id, budget_share FROM ads.campaign_channels WHERE campaign_id = ANY(%s)",
            ([r[0] for r in rows],),
        )
    }
    assert all(old[(r[0], r[1])] == r[2] for r in rows)  # rolled back: the table still has the old shares


def _hand_built_case(conn, brand_name: str, influencer: str, before_per_day: int, during: int) -> int:
    brand = conn.execute(
        """INSERT INTO ads.brands (name, legal_name, industry, country_code, website)
                            VALUES (%s, %s || ' Inc.', 'beauty', 'US', 'https://example.test') RETURNING brand_id""",
        (brand_name, brand_name),
    ).fetchone()[0]
    campaign = conn.execute(
        """INSERT INTO ads.campaigns (brand_id, name, objective, status, budget, start_date, end_date)
                               VALUES (%s, %s, 'awareness', 'finished', 1000, '2025-11-20', '2025-12-31') RETURNING campaign_id""",
        (brand, brand_name + " campaign"),
    ).fetchone()[0]
    conn.execute(
        "INSERT INTO ads.campaign_channels (campaign_id, channel_id, budget_share) VALUES (%s, 2, 1)", (campaign,)
    )
    conn.execute("INSERT INTO ads.campaign_markets (campaign_id, market_id) VALUES (%s, 1)", (campaign,))
    ad = conn.execute(
        """INSERT INTO ads.ads (campaign_id, channel_id, format, headline, copy, call_to_action, language, start_date, end_date)
                         VALUES (%s, 2, 'image', 'h', 'c', 'Shop now', 'en', '2025-11-20', '2025-12-31') RETURNING ad_id""",
        (campaign,),
    ).fetchone()[0]
    inf = conn.execute(
        """INSERT INTO ads.influencers (handle, display_name, channel_id, market_id, niche, followers)
                          VALUES (%s, 'Test', 3, 1, 'beauty', 10000) RETURNING influencer_id""",
        (influencer,),
    ).fetchone()[0]
    # period 2025-12-15 .. 2025-12-28 (14 days); preceding period 2025-12-01 .. 2025-12-14. Comments as the
    # sentiment model classified them: 3 mockery + 1 anger + 2 positive in the period (share 4/6), 5 positive before
    classified = [("2025-12-16", "negative", "mockery")] * 3 + [("2025-12-17", "negative", "anger")]
    classified += [("2025-12-17", "positive", None)] * 2 + [("2025-12-05", "positive", None)] * 5
    for posted_on, polarity, negative_type in classified:
        comment = conn.execute(
            "INSERT INTO ads.social_comments (ad_id, channel_id, posted_on, language, body)"
            " VALUES (%s, 2, %s, 'en', 'a comment') RETURNING comment_id",
            (ad, posted_on),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO ads.comment_sentiment (comment_id, model_version, polarity, negative_type, confidence)"
            " VALUES (%s, 1, %s, %s, 0.9)",
            (comment, polarity, negative_type),
        )
    conn.execute(
        """INSERT INTO ads.influencer_reactions (influencer_id, ad_id, reaction_date, channel_id, reactions, comments, shares, mentions)
                    VALUES (%(i)s, %(ad)s, '2025-12-03', 3, %(b)s, 0, 0, 0), (%(i)s, %(ad)s, '2025-12-10', 3, %(b)s, 0, 0, 0),
                           (%(i)s, %(ad)s, '2025-12-20', 3, %(d)s, 0, 0, 0),
                           (%(i)s, %(ad)s, '2025-11-25', 3, 9999, 0, 0, 0)""",  # outside both periods: ignored
        {"i": inf, "ad": ad, "b": before_per_day, "d": during},
    )
    return brand


def test_negative_sentiment_drop_on_a_hand_checked_case(ads_conn):
    brand = _hand_built_case(ads_conn, "Marca Prueba A6", "@prueba_a6", before_per_day=100, during=50)
    other = _hand_built_case(ads_conn, "Other Brand A6", "@otra_a6", before_per_day=40, during=30)
    entry = lab("ads.negative-sentiment-drop")
    params = {"start": "2025-12-15", "end": "2025-12-28", "min_negative_share": "0.25"}
    ((columns, rows),) = run_lab_statements(ads_conn, entry, {**params, "brand_id": str(brand)})
    assert columns == [
        "channel",
        "influencer",
        "negative_type",
        "negative_share",
        "reactions_before",
        "reactions_during",
        "drop_pct",
    ]
    assert rows == [("TikTok", "@prueba_a6", "mockery", Decimal("0.6667"), 200, 50, Decimal("75.00"))]
    ((_, rows_other),) = run_lab_statements(ads_conn, entry, {**params, "brand_id": str(other)})
    assert rows_other == [("TikTok", "@otra_a6", "mockery", Decimal("0.6667"), 80, 30, Decimal("62.50"))]
    # a threshold above the negative share finds nothing
    ((_, none),) = run_lab_statements(ads_conn, entry, {**params, "brand_id": str(brand), "min_negative_share": "0.7"})
    assert none == []


def test_negative_sentiment_drop_default_case_on_official_data(seeded):
    rows = run(seeded, "ads.negative-sentiment-drop").steps[0].rows
    assert rows
    for _channel, _influencer, negative_type, share, before, during, drop in rows:
        assert negative_type in ("anger", "distrust", "disappointment", "mockery")
        assert share >= Decimal("0.25") and during < before
        assert drop == round(Decimal(100) * (before - during) / before, 2)


def test_query_monitoring_shows_top_statements_and_an_analyzed_plan(seeded):
    result = run(seeded, "ads.query-monitoring", brand_id=1)
    settings_rows = {r[0]: r[1] for r in result.steps[0].rows}
    assert settings_rows["pg_stat_statements.track"] == "all"  # the module is loaded
    assert "auto_explain.log_min_duration" in settings_rows  # auto_explain is loaded
    top = result.steps[2].rows
    assert top and all(r[1] >= 1 for r in top)
    assert [r[2] for r in top] == sorted((r[2] for r in top), reverse=True)
    plan = "\n".join(r[0] for r in result.steps[3].rows)
    assert "actual time" in plan and "Buffers" in plan


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", *args], capture_output=True, text=True, env=dict(os.environ)
    )


def cli_in_process(monkeypatch, capsys, *args) -> tuple[int, str]:
    """Run the real CLI entry point (``promptsales.cli.main``) in this process; (exit code, stderr)."""
    from promptsales.cli import main

    monkeypatch.setattr(sys, "argv", ["promptsales", *args])
    try:
        main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, " ".join(capsys.readouterr().err.split())


def test_cli_bad_input_exits_2_with_a_clear_message(settings, monkeypatch, capsys):
    code, err = cli_in_process(monkeypatch, capsys, "lab", "run", "ads.no-such-lab")
    assert code == 2 and "Unknown lab 'ads.no-such-lab'" in err
    code, err = cli_in_process(monkeypatch, capsys, "lab", "run", "ads.update-from-select", "--param", "brand_id=abc")
    assert code == 2 and "'brand_id' expects a int, got 'abc'" in err
    code, err = cli_in_process(monkeypatch, capsys, "lab", "run", "ads.update-from-select", "--param", "colour=red")
    assert code == 2 and "no parameter colour" in err
    code, err = cli_in_process(monkeypatch, capsys, "seed", "--scale", "huge", "--company", "ads")
    assert code == 2 and "Unknown scale 'huge'" in err


def test_lab_show_prints_explanation_and_sql(settings):
    shown = cli("lab", "show", "ads.negative-sentiment-drop")
    assert shown.returncode == 0
    assert "preceding period" in shown.stdout and "influencer_reactions" in shown.stdout


def test_auto_explain_entry_reads_the_logged_plan_back_from_the_server_log(settings):
    result = lab("ads.auto-explain").run(settings, {"brand_id": "1"})
    logged = "\n".join(row[0] for row in result.steps[-1].rows)
    assert "duration:" in logged and "plan:" in logged
    assert "Query Text: /* auto_explain lab" in logged
    assert "actual time" in logged  # log_analyze on: the real plan, not an estimate

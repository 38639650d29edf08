"""The PromptAds history model (determinism, shape of the draws; SPEC A3, A4, G7) and its binary COPY declaration."""

from __future__ import annotations

import numpy as np

from promptsales.ads import model


def test_same_seed_gives_identical_history_and_another_seed_does_not():
    first = model.generate(7, "small").tables
    second = model.generate(7, "small").tables
    other = model.generate(8, "small").tables
    for table, columns in first.items():
        for name, values in columns.items():
            assert np.array_equal(np.asarray(values), np.asarray(second[table][name])), (table, name)
    assert not np.array_equal(first["ads.ad_results"]["leads"][:100], other["ads.ad_results"]["leads"][:100]) or len(
        first["ads.ad_results"]["leads"]
    ) != len(other["ads.ad_results"]["leads"])


def test_allocate_is_exact_and_proportional():
    counts = model.allocate(1000, np.array([1.0, 1.0, 2.5, 0.5]))
    assert counts.sum() == 1000
    assert list(counts) == [200, 200, 500, 100]


def test_ragged_arange_matches_python_loop():
    counts = np.array([3, 0, 2, 1])
    assert model.ragged_arange(counts).tolist() == [0, 1, 2, 0, 1, 0]


def test_small_scale_meets_the_lead_and_revenue_contract():
    results = model.generate(11, "small").tables["ads.ad_results"]
    campaigns = np.asarray(results["campaign_id"])
    leads_per_campaign = np.bincount(campaigns, np.asarray(results["leads"]))[1:]
    assert leads_per_campaign.min() >= 400 and leads_per_campaign.max() <= 1000
    sales, leads, revenue = (np.asarray(results[k]) for k in ("sales", "leads", "revenue"))
    assert (sales <= leads).all()
    assert ((sales == 0) == (revenue == 0)).all()
    assert (revenue >= sales * 500).all()  # cents


def test_binary_copy_loads_exactly_what_the_text_copy_loads(settings):
    from promptsales.ads import generate
    from promptsales.db import bulk
    from promptsales.db.connect import connect

    history = model.generate(5, "small").tables
    with connect("ads", "owner", settings=settings) as conn:
        for table in ("ads.ad_results", "ads.influencer_reactions"):
            columns = history[table]
            declared = generate.binary_columns(bulk.column_types(conn, table), columns)
            assert declared is not None
            conn.execute(f"CREATE TEMP TABLE as_text (LIKE {table})")
            conn.execute(f"CREATE TEMP TABLE as_binary (LIKE {table})")
            generate.copy_text(conn, "pg_temp.as_text", columns)
            bulk.copy_columns(conn, "pg_temp.as_binary", declared)
            differences = conn.execute("""SELECT (SELECT count(*) FROM as_text), (SELECT count(*) FROM as_binary),
                (SELECT count(*) FROM (SELECT * FROM as_text EXCEPT ALL SELECT * FROM as_binary) x),
                (SELECT count(*) FROM (SELECT * FROM as_binary EXCEPT ALL SELECT * FROM as_text) y)""").fetchone()
            assert differences == (len(columns["ad_id"]), len(columns["ad_id"]), 0, 0)
            conn.execute("DROP TABLE as_text, as_binary")
        conn.rollback()

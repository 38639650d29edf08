"""Performance ranking (issue 18, deliverable 5): empirical-Bayes shrinkage with intervals, the time split of the
learned ranker (features up to month k, next month's order as the target, held-out months never trained on),
versions and scores with the model version, ``topCampaigns(ranking=…)`` and size-adjusted questions over MCP
(HTTPS + OAuth) with one AI-usage row per call — cache hits included — and isError for bad input. A small ranker
(40 trees) is trained on the session's warehouse in seconds; full figures: bench/ai_ranking.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from promptsales.ai import registry
from promptsales.ai.ranking import features, shrinkage
from promptsales.ai.ranking.panel import read_panel
from promptsales.ai.ranking.training import queries, run_training, split
from promptsales.db.connect import connect

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
from ai_usage import last_usage_id, usage_rows  # noqa: E402
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402

SMALL = {"n_estimators": 40}


@pytest.fixture(scope="module")
def warehouse(seeded):
    """The session's official-scale sources loaded into the warehouse (one ETL pass; quick when loaded)."""
    from promptsales.etl.engine import run_pass
    from promptsales.etl.sources import Sources

    assert run_pass(Sources(seeded), trigger="test").status == "succeeded"
    return seeded


@pytest.fixture(scope="module")
def trained(warehouse) -> registry.ModelVersion:
    return run_training(warehouse, params=SMALL)


def test_roi_shrinkage_pulls_small_campaigns_toward_the_mean_with_an_interval() -> None:
    spend = np.array([200.0, 200_000.0, 5_000.0, 5_000.0, 8_000.0, 3_000.0])
    sales = np.array([20_000.0, 600_000.0, 9_000.0, 4_000.0, 20_000.0, 6_000.0])  # ROI 9900 %, 200 %, …
    result = shrinkage.shrink_roi(spend, sales, sigma2=2_000.0)
    raw = sales / spend - 1
    assert result.estimate[0] < raw[0] / 10  # the $200 campaign's 9,900 % is mostly noise
    assert abs(result.estimate[1] - raw[1]) < 0.05 * raw[1]  # the $200k campaign keeps its own figure
    assert result.weight_own[0] < result.weight_own[1]
    assert np.all(result.low <= result.estimate) and np.all(result.estimate <= result.high)
    assert (result.high - result.low)[0] > (result.high - result.low)[1]
    assert np.argmax(raw) == 0 and np.argmax(result.estimate) != 0  # the tiny campaign no longer ranks first


def test_conversion_shrinkage_is_the_beta_binomial_posterior() -> None:
    rng = np.random.default_rng(7)
    rates = rng.beta(6.0, 34.0, size=600)  # mean 0.15, prior weight 40 leads
    leads = rng.integers(5, 400, size=600)
    sales = rng.binomial(leads, rates)
    a, b = shrinkage.fit_beta(sales, leads)
    assert 0.13 < a / (a + b) < 0.17 and 15 < a + b < 100
    result = shrinkage.shrink_conversion(sales, leads)
    np.testing.assert_allclose(result.estimate, (a + sales) / (a + b + leads), rtol=1e-9)
    assert np.all(result.low <= result.estimate) and np.all(result.estimate <= result.high)
    # shrinkage beats the raw rate at estimating the true rates
    assert np.mean((result.estimate - rates) ** 2) < np.mean((sales / leads - rates) ** 2)


def test_features_of_month_k_read_nothing_after_it(warehouse) -> None:
    with connect("sales", "etl", settings=warehouse) as conn:
        panel = read_panel(conn)
    k = len(panel.months) - 4
    before = features.month_features(panel, k)
    for measure in panel.values.values():
        measure[:, k + 1 :] = np.random.default_rng(1).uniform(0, 1e6, size=measure[:, k + 1 :].shape)
    after = features.month_features(panel, k)
    np.testing.assert_array_equal(before.rows, after.rows)
    np.testing.assert_array_equal(before.matrix, after.matrix)
    assert not np.array_equal(before.next_roi, after.next_roi, equal_nan=True)


def test_time_split_holds_out_the_last_months(warehouse, trained) -> None:
    with connect("sales", "etl", settings=warehouse) as conn:
        found = queries(read_panel(conn))
    train, test = split(found, 3)
    assert [q.label for q in test] == trained.data["test_months"] and len(test) == 3
    assert max(q.label for q in train) < min(q.label for q in test)
    assert trained.data["train_months"] == [q.label for q in train]
    held_out = trained.metrics
    for method in ("raw_roi_month", "raw_roi_cumulative", "shrunk_roi", "learned"):
        assert 0 < held_out[method]["ndcg_at_10"] <= 1 and -1 <= held_out[method]["spearman"] <= 1
        assert [m["month"] for m in held_out[method]["per_month"]] == trained.data["test_months"]
    assert trained.algorithm.startswith("LightGBM") and held_out["fit"]["trees"] == SMALL["n_estimators"]


def test_scores_are_stored_with_the_model_version(warehouse, trained) -> None:
    with connect("sales", "etl", settings=warehouse) as conn:
        stored, spent, outside = conn.execute(
            "SELECT (SELECT count(*) FROM wh.campaign_rank_scores WHERE model_version = %s),"
            " (SELECT count(*) FROM wh.campaign_months WHERE spend > 0"
            "  AND month = (SELECT max(month) FROM wh.campaign_months WHERE spend > 0)),"
            " (SELECT count(*) FROM wh.campaign_rank_scores WHERE NOT shrunk_roi BETWEEN roi_low AND roi_high"
            "  OR NOT shrunk_conversion BETWEEN conversion_low AND conversion_high)",
            (trained.version,),
        ).fetchone()
    assert stored == spent > 0 and outside == 0


def test_top_campaigns_rankings_over_mcp_one_usage_row_per_call(warehouse, trained) -> None:
    from promptsales.sales.mcp import kit

    since = last_usage_id(warehouse)
    shrunk = {"metric": "roi", "period": "Q4 2025", "n": 5, "ranking": "shrunk"}
    with issuer_running(warehouse), ThreadedHttpsServer(kit, warehouse) as server:
        token = token_for(warehouse, "portal", ["sales:read"])

        async def scenario():
            async with McpSession(server.url, token, warehouse) as caller:
                return [
                    await caller.call("topCampaigns", **shrunk),
                    await caller.call("topCampaigns", **shrunk),  # same input: cache hit
                    await caller.call("topCampaigns", metric="conversion_rate", n=3, ranking="shrunk"),
                    await caller.call("topCampaigns", metric="roi", period="December 2025", n=4, ranking="learned"),
                    await caller.call("topCampaigns", metric="roi", period="Q4 2025", n=5),  # raw: no AI call
                    await caller.call("topCampaigns", metric="sales_amount", ranking="shrunk"),
                    await caller.call("topCampaigns", metric="conversion_rate", ranking="learned"),
                    await caller.call("topCampaigns", metric="roi", ranking="best"),
                    await caller.call(
                        "askCampaignPerformance", question="Top 5 campaigns by ROI adjusted for size in Q4 2025"
                    ),
                    await caller.call("askCampaignPerformance", question="¿Cuál es el canal más confiable por ROI?"),
                ]

        (adjusted, again, conversion, learned, raw, bad_metric, bad_learned, bad_method, asked, channel) = run(
            scenario()
        )
    ok, answer = adjusted
    assert ok and answer["columns"][:4] == ["rank", "campaign_id", "campaign", "roi"] and len(answer["rows"]) == 5
    estimates = [row[3] for row in answer["rows"]]
    assert estimates == sorted(estimates, reverse=True)
    assert all(row[4] <= row[3] <= row[5] for row in answer["rows"])  # inside its 90 % interval
    assert answer["understood"]["ranking"] == "shrunk" and again == adjusted
    ok, by_conversion = conversion
    assert ok and all(0 <= row[3] <= 1 for row in by_conversion["rows"]) and len(by_conversion["rows"]) == 3
    ok, expected = learned
    assert ok and expected["understood"]["model"] == trained.label and len(expected["rows"]) == 4
    ok, measured = raw
    assert ok and "ranking" not in measured["understood"]
    assert bad_metric[0] is False and "roi or conversion_rate" in bad_metric[1]
    assert bad_learned[0] is False and "metric must be roi" in bad_learned[1]
    assert bad_method[0] is False
    ok, words = asked
    assert (
        ok
        and words["rows"] == answer["rows"]
        and words["understood"]["words"]["ranking_method"]
        == [
            "adjusted",
            "for",
            "size",
        ]
    )
    ok, refused = channel
    assert ok and refused["answerable"] is False and not refused["rows"]

    rows = usage_rows(warehouse, "ranking", "actor, operation, model, cache_hit, validation_outcome", since)
    # shrunk, cached shrunk, conversion, learned, two rejected, the question: the raw ranking, the refused
    # method (pydantic) and the refused channel question run no ranking
    assert len(rows) == 7, rows
    assert all(actor == "portal" and operation == "rankCampaigns" for actor, operation, *_ in rows)
    assert [hit for *_, hit, _ in rows] == [False, True, False, False, False, False, False]
    assert [outcome for *_, outcome in rows] == ["accepted"] * 4 + ["rejected"] * 2 + ["accepted"]
    assert rows[0][2].startswith("ranking/shrunk") and rows[3][2].startswith(trained.label)

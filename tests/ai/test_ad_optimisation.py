"""Ad optimisation (issue 18, deliverable 3): response curves fitted from history recover known exponents, the
cvxpy split equalises marginal returns within share limits, Thompson sampling's regret falls as it learns (on
curves where the truth is known), the backtest on a small seeded PromptAds beats the equal split, and
``optimizeBudget`` answers through the service and over MCP (HTTPS + OAuth) with one AI-usage row per call —
cache hits and refusals included — and changes nothing on bad input. Small data, seconds; full-size figures:
bench/ai_ad_optimisation.py."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from promptsales.ai import registry
from promptsales.ai.ad_optimisation.allocate import Allocator, ShareLimits, expected, marginal_returns
from promptsales.ai.ad_optimisation.bandit import SimulatedCampaign, simulate
from promptsales.ai.ad_optimisation.curves import fit_curves
from promptsales.ai.ad_optimisation.data import CellMonths
from promptsales.ai.ad_optimisation.serving import MODULE, Constraints, optimize_budget
from promptsales.ai.ad_optimisation.training import run_training
from promptsales.db.connect import connect
from promptsales.errors import UserError
from promptsales.seed import seed_all
from promptsales.testing import scratch_company_database

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
from ai_usage import last_usage_id, usage_rows  # noqa: E402
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402

TRUE_BETA = {1: 0.5, 2: 0.7, 3: 0.9}
TRUE_LEVEL = {(1, 1): -1.0, (1, 2): -1.6, (2, 1): -0.6, (2, 2): -1.2, (3, 1): -2.6, (3, 2): -2.2}


def synthetic_history(seed: int = 7, campaigns: int = 80, months: int = 6) -> CellMonths:
    """Cell-months drawn from known curves: conversions ~ Poisson(ad_days · e^(level + campaign) ·
    (spend / ad_days)^β), spend and ad-days varied independently of the outcome."""
    rng = np.random.default_rng(seed)
    rows = []
    for campaign in range(1, campaigns + 1):
        effect = rng.normal(0, 0.3)
        for month in range(24300, 24300 + months):
            for (channel, market), level in TRUE_LEVEL.items():
                if rng.random() < 0.25:
                    continue
                days = int(rng.integers(20, 90))
                spend = float(days * np.exp(rng.normal(3.0, 0.8)))
                mean = days * np.exp(level + effect) * (spend / days) ** TRUE_BETA[channel]
                rows.append((campaign, channel, market, month, spend, rng.poisson(mean), days))
    columns = [np.array(column) for column in zip(*rows)]
    return CellMonths(*columns[:4], columns[4].astype(float), *columns[5:])


@pytest.fixture(scope="module")
def synthetic_curves():
    return fit_curves(synthetic_history())


def test_fitted_curves_recover_the_known_exponents(synthetic_curves) -> None:
    fitted = dict(zip(synthetic_curves.channels, synthetic_curves.slope))
    assert {c: round(float(b), 2) for c, b in fitted.items()} == pytest.approx(TRUE_BETA, abs=0.06)
    assert synthetic_curves.info["converged"] and synthetic_curves.info["deviance_explained"] > 0.5
    # the ranking of the cells' levels at the same spend is the true one
    cells = list(TRUE_LEVEL)
    a, beta = synthetic_curves.curve(cells, np.full(len(cells), 30.0), 1)
    true = [30 * np.exp(TRUE_LEVEL[c]) * (1000 / 30) ** TRUE_BETA[c[0]] for c in cells]
    assert list(np.argsort(a * 1000.0**beta)) == list(np.argsort(true))


def test_split_equalises_marginal_returns_and_keeps_the_share_limits() -> None:
    a, beta, channels = np.array([1.0, 2.0, 3.0, 0.5]), np.array([0.5, 0.5, 0.8, 0.8]), [1, 1, 2, 2]
    free = Allocator(channels, beta, ShareLimits()).solve(a, 1000.0)
    assert free.sum() == pytest.approx(1000.0) and free.min() >= 0
    margins = marginal_returns(a, beta, free)
    assert margins.max() / margins.min() == pytest.approx(1.0, abs=0.01)
    capped = Allocator(channels, beta, ShareLimits((0.0, 1.0), ((2, 0.0, 0.3),))).solve(a, 1000.0)
    assert capped[2:].sum() == pytest.approx(300.0, rel=1e-3) and free[2:].sum() > 300.0
    assert expected(a, beta, capped) < expected(a, beta, free)  # a binding limit costs conversions
    floor = Allocator(channels, beta, ShareLimits((0.2, 1.0))).solve(a, 1000.0)
    assert min(floor[:2].sum(), floor[2:].sum()) >= 200.0 - 0.5
    with pytest.raises(UserError, match="minimum shares add up"):
        Allocator(channels, beta, ShareLimits((0.0, 1.0), ((1, 0.7, 1.0), (2, 0.6, 1.0))))


def test_thompson_sampling_learns_on_curves_where_the_truth_is_known(synthetic_curves) -> None:
    cells = list(TRUE_LEVEL)
    campaigns = [SimulatedCampaign(c, cells, np.full(len(cells), 3.0), 300.0, 1) for c in range(1, 7)]
    result = simulate(synthetic_curves, campaigns, ShareLimits((0.05, 0.6)), days=20, seed=3)
    regret = result["cumulative_regret_pct"]
    assert result["campaigns"] == 6 and len(regret["thompson"]) == 20
    daily = np.diff(np.array(regret["thompson"]) * np.arange(1, 21))  # per-day regret (% of a day's oracle)
    assert daily[-5:].mean() < daily[:5].mean()  # it learns
    assert result["final_regret_pct"]["thompson"] < result["final_regret_pct"]["equal"]


@pytest.fixture(scope="module")
def ads_small(settings):
    """A private small-scale PromptAds copy, seeded, dropped after."""
    with scratch_company_database(settings, "ads", "opt") as name:
        seed_all(settings, "small", companies=["ads"], dbname={"ads": name})
        yield name


@pytest.fixture(scope="module")
def trained(settings, ads_small) -> registry.ModelVersion:
    """Curves fitted on the small history, backtested on its last two months, a short simulation."""
    return run_training(settings, dbname=ads_small, months=2, sim_campaigns=4, sim_days=8)


def test_backtest_on_the_seeded_history_beats_the_equal_split(settings, trained) -> None:
    backtest = trained.metrics["backtest"]
    assert trained.data["test_months"] == ["2025-12", "2026-01"] and backtest["campaign_months"] > 10
    assert backtest["conversions_optimised_expected"] >= 1.10 * backtest["conversions_equal_expected"]
    assert backtest["uplift_vs_equal"] >= 0.10 and trained.metrics["meets_target"]
    assert backtest["hindsight_calibration"] == pytest.approx(1.0, abs=0.1)  # valued by curves that fit
    assert set(trained.metrics["simulation"]["final_regret_pct"]) == {"thompson", "fitted_curve", "equal"}
    assert registry.latest_version(settings, MODULE).version == trained.version


def test_evaluate_repeats_the_backtest_of_the_stored_months_and_records_it(settings, ads_small, trained) -> None:
    from promptsales.ai.ad_optimisation.training import run_evaluation

    result = run_evaluation(settings)  # the stored version names its database and its test months
    assert result["model"] == trained.label and result["test_months"] == trained.data["test_months"]
    assert result["uplift_vs_equal"] == pytest.approx(trained.metrics["backtest"]["uplift_vs_equal"], abs=1e-6)
    recorded = registry.last_evaluation(settings, registry.latest_version(settings, MODULE))
    assert recorded is not None and recorded["metrics"]["uplift_vs_equal"] == result["uplift_vs_equal"]


def _campaign(settings, dbname: str, status: str) -> tuple[int, str]:
    with connect("ads", "etl", settings=settings, dbname=dbname) as conn:
        return conn.execute(
            "SELECT c.campaign_id, c.name FROM ads.campaigns c WHERE c.status = %s AND"
            " (SELECT count(*) FROM ads.campaign_channels cc WHERE cc.campaign_id = c.campaign_id) >= 3"
            " ORDER BY c.campaign_id LIMIT 1",
            (status,),
        ).fetchone()


def test_optimize_budget_splits_within_limits_with_an_interval_and_logs_one_row(settings, ads_small, trained) -> None:
    campaign_id, name = _campaign(settings, ads_small, "finished")
    since = last_usage_id(settings)
    with connect("ads", "etl", settings=settings, dbname=ads_small) as conn:
        answer = optimize_budget(settings, conn, name, 20_000, Constraints(max_channel_share=0.5))
        again = optimize_budget(settings, conn, str(campaign_id), 20_000, Constraints(max_channel_share=0.5))
    assert answer.campaign_id == campaign_id and answer.model == trained.label and answer.period == "2026-02"
    assert sum(c.spend for c in answer.split) == pytest.approx(20_000, abs=0.05)
    assert max(answer.channel_shares.values()) <= 0.5 + 1e-3 and min(answer.channel_shares.values()) >= 0.05 - 1e-3
    assert answer.expected.low <= answer.expected.conversions <= answer.expected.high
    assert answer.expected.conversions >= answer.equal_split.conversions and "cvxpy" in answer.method
    assert any("marginal" in line for line in answer.why) and answer.held_out["backtest_uplift_vs_equal"] >= 0.1
    assert again.split == answer.split  # by id or by name, the same answer
    rows = usage_rows(settings, MODULE, "operation, model, cache_hit, validation_outcome", since)
    assert [(r[0], r[2], r[3]) for r in rows] == [("optimizeBudget", False, "accepted")] * 2
    assert rows[0][1].startswith(trained.label)


def test_a_live_campaign_is_reallocated_by_thompson_sampling(settings, ads_small, trained) -> None:
    campaign_id, _ = _campaign(settings, ads_small, "active")
    with connect("ads", "etl", settings=settings, dbname=ads_small) as conn:
        first = optimize_budget(settings, conn, campaign_id, 5_000, Constraints())
        second = optimize_budget(settings, conn, campaign_id, 5_000, Constraints())
    assert "Thompson" in first.method and all(c.live_factor is not None for c in first.split)
    assert first.split == second.split  # one seeded draw per campaign and period: repeatable
    assert sum(c.spend for c in first.split) == pytest.approx(5_000, abs=0.05)


@pytest.mark.parametrize(
    ("campaign", "budget", "constraints", "message"),
    [
        ("no such campaign", 1000, Constraints(), "No PromptAds campaign"),
        (None, -5, Constraints(), "between 1 and"),
        (None, 0.5, Constraints(), "between 1 and"),
        ("²", 1000, Constraints(), "No PromptAds campaign"),
        ("99999999999999999999", 1000, Constraints(), "No PromptAds campaign"),
        (None, 1000, Constraints(min_channel_share=0.7, max_channel_share=0.2), "minimum not above"),
        (None, 1000, Constraints(channels=["carrier_pigeon"]), "not one of this campaign's channels"),
        (None, 1000, Constraints(markets=[9999]), "not one of campaign"),
        (None, 1000, Constraints(period="2026-13"), "not a month"),
    ],
)
def test_bad_input_is_refused_clearly_logged_and_changes_nothing(
    settings, ads_small, trained, campaign, budget, constraints, message
) -> None:
    campaign = campaign or _campaign(settings, ads_small, "finished")[0]
    since = last_usage_id(settings)
    with connect("ads", "etl", settings=settings, dbname=ads_small) as conn:
        with pytest.raises(UserError, match=message):
            optimize_budget(settings, conn, campaign, budget, constraints)
    rows = usage_rows(settings, MODULE, "operation, validation_outcome", since)
    assert rows == [("optimizeBudget", "rejected")]
    assert registry.latest_version(settings, MODULE).version == trained.version


@pytest.fixture(scope="module")
def ads_official(settings):
    """The session's PromptAds at official scale (what the MCP server reads; skipped if already loaded)."""
    seed_all(settings, "official", companies=["ads"], if_empty=True)
    return settings


def test_optimize_budget_over_mcp_one_usage_row_per_call(ads_official, trained) -> None:
    from promptsales.ads.mcp import kit

    settings = ads_official
    with connect("ads", "etl", settings=settings) as conn:
        campaign_id = conn.execute(
            "SELECT campaign_id FROM ads.campaigns WHERE status = 'finished' ORDER BY campaign_id LIMIT 1"
        ).fetchone()[0]
    since = last_usage_id(settings)
    limits = {"max_channel_share": 0.7, "channel_limits": []}
    with issuer_running(settings), ThreadedHttpsServer(kit, settings) as server:
        token = token_for(settings, "portal", ["ads:read"])

        async def scenario():
            async with McpSession(server.url, token, settings) as caller:
                first = await caller.call("optimizeBudget", campaign=campaign_id, budget=8000, constraints=limits)
                again = await caller.call("optimizeBudget", campaign=campaign_id, budget=8000, constraints=limits)
                bad = await caller.call("optimizeBudget", campaign=campaign_id, budget=8000,
                                        constraints={"channels": ["carrier_pigeon"]})  # fmt: skip
                missing = await caller.call("optimizeBudget", campaign=10**7, budget=8000)
                return first, again, bad, missing

        first, again, bad, missing = run(scenario())
    ok, answer = first
    assert ok and answer["campaign_id"] == campaign_id and answer["model"] == trained.label
    assert sum(c["spend"] for c in answer["split"]) == pytest.approx(8000, abs=0.05)
    assert answer["expected"]["low"] <= answer["expected"]["conversions"] <= answer["expected"]["high"]
    assert again == first
    assert bad[0] is False and "carrier_pigeon" in bad[1]
    assert missing[0] is False and "No PromptAds campaign" in missing[1]
    rows = usage_rows(settings, MODULE, "actor, operation, cache_hit, validation_outcome", since)
    assert rows == [
        ("portal", "optimizeBudget", False, "accepted"),
        ("portal", "optimizeBudget", True, "accepted"),
        ("portal", "optimizeBudget", False, "rejected"),
        ("portal", "optimizeBudget", False, "rejected"),
    ]

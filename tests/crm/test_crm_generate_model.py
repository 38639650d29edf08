"""The CRM generator's model on synthetic PromptAds rows, without a database (SPEC R2, R3, G7)."""

from __future__ import annotations

import numpy as np

from promptsales.crm.generate import AdsResults, allocate_amounts, destination, plan_leads


def synthetic_results(seed: int = 1) -> AdsResults:
    """Result rows of 40 campaigns × 2 channels × 2 markets × 20 days (some rows with sales)."""
    rng = np.random.default_rng(seed)
    campaign, channel, market, day = (
        a.ravel()
        for a in np.meshgrid(np.arange(1, 41), np.array([1, 2]), np.array([3, 7]), np.arange(9000, 9020), indexing="ij")
    )
    leads = rng.integers(0, 12, len(campaign))
    sales = np.floor(leads * rng.random(len(campaign)) * 0.4).astype(np.int64)
    revenue = np.where(sales > 0, sales * 500 + rng.integers(0, 50_000, len(campaign)), 0)
    keep = leads > 0
    return AdsResults(
        campaign[keep] * 10 + channel[keep],
        campaign[keep],
        channel[keep],
        market[keep],
        day[keep],
        leads[keep],
        sales[keep],
        revenue[keep],
    )


def test_every_lead_has_a_distinct_client_within_its_campaign_and_reach_matches() -> None:
    results = synthetic_results()
    plan = plan_leads(results, np.random.default_rng(5), min_clients=0)
    assert len(plan.client) == results.leads.sum()
    campaign = results.campaign_id[plan.row]
    pairs = campaign.astype(np.int64) * 10**9 + plan.client
    assert len(np.unique(pairs)) == len(pairs), "a client appears at most once per campaign"
    # reach: distinct clients per campaign × channel × market == SUM(leads) of PromptAds there
    group = campaign * 100 + results.channel_id[plan.row] * 10 + (results.market_id[plan.row] == 7)
    for g in np.unique(group)[:50]:
        rows = (results.campaign_id * 100 + results.channel_id * 10 + (results.market_id == 7)) == g
        assert len(np.unique(plan.client[group == g])) == results.leads[rows].sum()
    assert plan.n_clients == plan.client.max() and plan.n_clients < len(plan.client), "some clients repeat"
    # a repeat client lives in the market of the lead
    assert np.all(plan.client_market[plan.client - 1] == results.market_id[plan.row])
    # converted leads are exactly SUM(sales)
    assert plan.converted.sum() == results.sales.sum()


def test_minimum_distinct_clients_is_honoured() -> None:
    results = synthetic_results()
    total = int(results.leads.sum())
    plan = plan_leads(results, np.random.default_rng(5), min_clients=total - 10)
    assert plan.n_clients >= total - 10


def test_sale_amounts_add_up_to_the_revenue_of_each_row_to_the_cent() -> None:
    results = synthetic_results()
    plan = plan_leads(results, np.random.default_rng(2), min_clients=0)
    sale_lead, cents = allocate_amounts(results, plan, np.random.default_rng(3))
    assert len(sale_lead) == results.sales.sum()
    assert cents.min() >= 500, "every sale is at least 5.00"
    per_row = np.bincount(plan.row[sale_lead], weights=cents, minlength=len(results.leads)).astype(np.int64)
    assert np.array_equal(per_row, np.where(results.sales > 0, results.revenue_cents, 0))


def test_plan_is_deterministic_for_a_seed() -> None:
    results = synthetic_results()
    a = plan_leads(results, np.random.default_rng(9), 0)
    b = plan_leads(results, np.random.default_rng(9), 0)
    assert np.array_equal(a.client, b.client)


def test_destination_is_at_the_requested_distance() -> None:
    lat, lon = destination(np.array([9.9281]), np.array([-84.0907]), np.array([100.0]), np.array([np.pi / 2]))
    # haversine back to the origin
    p1, p2 = np.radians(9.9281), np.radians(lat[0])
    dl = np.radians(lon[0] + 84.0907)
    d = 2 * 6371 * np.arcsin(np.sqrt(np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2))
    assert abs(d - 100.0) < 0.01

"""The PromptAds history model: campaigns, ads, daily results, influencers and sentiment, as numpy columns.

Everything is drawn from one ``numpy.random.Generator`` seeded by the caller, so a seed gives the same
data. Days are integers counted from :data:`~promptsales.ads.catalog.WINDOW_START` (day 0 = 2024-07-01,
a Monday). The model (documented in docs/ads.md):

* start dates: each month of the window gets a share of campaigns proportional to its weight (peaks in
  December, January and November), days uniform inside the month; exactly 30% of campaigns are active on
  the as-of date — the latest starters, with noise, so activity is recent but not a hard cut;
* targeting and offers: each campaign's brand and product (order value = list price × the industry's units per
  order × 0.9–1.5), its audience, objective, quality and the lead target its spend is planned for
  (:mod:`promptsales.ads.response`);
* results: one row per ad × market × day the ad runs (an ad is built for one channel); the spend to date is
  planned so that the expected leads of the campaign's rows meet its target (with the marketer's estimation
  error), split by the channel shares and over the rows by weekday, ad quality and market size; views grow as
  spend^β (β < 1 per channel: diminishing returns), clicks, leads and sales follow the channel rates times the
  market, industry, audience, season, objective and quality factors; a campaign's leads are Poisson around the
  expected ones (kept in 400–1,000) and allocated to its rows in proportion to their expected leads;
* sentiment and influencers: each campaign may suffer one negative episode (random start, length and
  dominant negative type); during it the negative share of mentions jumps and influencer reactions drop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from promptsales.ads import catalog, response

Columns = dict[str, np.ndarray]

SCALE_SIZES: dict[str, dict[str, int]] = {
    "small": {"campaigns": 60, "brands": 12, "influencers": 40, "audiences": 24},
    "official": {"campaigns": 1000, "brands": 120, "influencers": 300, "audiences": 60},
    "large": {"campaigns": 20000, "brands": 1500, "influencers": 3000, "audiences": 84},
}
AS_OF_DAY = (catalog.AS_OF - catalog.WINDOW_START).days
LAST_START_DAY = (catalog.WINDOW_END - catalog.WINDOW_START).days
EPISODE_PROBABILITY = 0.2


def ragged_arange(counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(c) for c in counts])`` without a Python loop."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(total, dtype=np.int64) - starts


def month_starts() -> list[tuple[int, int, int, int]]:
    """(year, month, first day index, number of days) for every month of the start window."""
    months = []
    year, month = catalog.WINDOW_START.year, catalog.WINDOW_START.month
    while (year, month) <= (catalog.WINDOW_END.year, catalog.WINDOW_END.month):
        first = (np.datetime64(f"{year:04d}-{month:02d}-01") - np.datetime64(catalog.WINDOW_START.isoformat())).astype(
            int
        )
        nxt = (year + (month == 12), month % 12 + 1)
        last = (
            np.datetime64(f"{nxt[0]:04d}-{nxt[1]:02d}-01") - np.datetime64(catalog.WINDOW_START.isoformat())
        ).astype(int)
        months.append((year, month, int(first), int(min(last, LAST_START_DAY + 1) - first)))
        year, month = nxt
    return months


def allocate(total: int, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder)."""
    share = total * weights / weights.sum()
    counts = np.floor(share).astype(np.int64)
    remainder = total - counts.sum()
    counts[np.argsort(-(share - counts), kind="stable")[:remainder]] += 1
    return counts


def weighted_choice_rows(
    rng: np.random.Generator, n_rows: int, weights: np.ndarray, k: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each row pick ``k[row]`` distinct items by weight (Efraimidis–Spirakis keys); returns (row, item)."""
    keys = rng.random((n_rows, len(weights))) ** (1.0 / weights)
    order = np.argsort(-keys, axis=1)
    mask = np.arange(len(weights))[None, :] < k[:, None]
    rows = np.repeat(np.arange(n_rows), k)
    return rows, order[mask]


@dataclass
class History:
    """Every generated table as columns (numpy arrays, some wrapped to tell the loader how to format them)."""

    tables: dict[str, Columns]


def generate(seed: int, scale: str) -> History:
    """Draw the whole PromptAds history for ``scale`` from ``seed``.

    The steps share one random stream and run in this order: campaign schedule, channels and markets, ads,
    brands and products, audiences and targeting, daily results (then revenue), the catalogue and campaign
    tables, and the audience signals (sentiment episodes, influencers, reactions, mentions).
    """
    rng = np.random.default_rng(seed)
    sizes = SCALE_SIZES[scale]
    n = sizes["campaigns"]
    schedule = draw_schedule(rng, n)
    mix = draw_channels_and_markets(rng, n)
    ads = draw_ads(rng, schedule, mix)
    offers = draw_offers(rng, sizes, n)
    targeting = response.draw_targeting(rng, make_audiences(rng, sizes["audiences"]), offers.industry)
    results = draw_results(rng, schedule, mix, ads, targeting)
    revenue_cents = draw_revenue(rng, results, offers.ticket)
    tables: dict[str, Columns] = {"ads.ad_results": ad_result_columns(results, revenue_cents)}
    tables.update(campaign_tables(rng, schedule, mix, ads, results, offers, targeting))
    tables.update(signal_tables(rng, sizes, schedule, ads, results))
    tables["ads.logs"] = creation_logs(tables["ads.campaigns"])
    return History(tables)


@dataclass
class Schedule:
    """When each campaign runs (day indices) and whether it is still active on the as-of date."""

    months: list[tuple[int, int, int, int]]
    month_of: np.ndarray  # index into months of the start
    start: np.ndarray
    active: np.ndarray
    end: np.ndarray
    results_end: np.ndarray  # last day with results (the as-of date for active campaigns)
    span: np.ndarray  # days with results


def draw_schedule(rng: np.random.Generator, n: int) -> Schedule:
    """Start dates by month weight (uniform inside the month), the latest starters active, durations."""
    months = month_starts()
    month_weight = np.array([catalog.PEAK_MONTHS.get(m, 1.0) for _, m, _, _ in months]) * np.where(
        [m in catalog.PEAK_MONTHS for _, m, _, _ in months], 1.0, rng.uniform(0.85, 1.15, len(months))
    )
    per_month = allocate(n, month_weight)
    month_of = np.repeat(np.arange(len(months)), per_month)
    first = np.array([mo[2] for mo in months])[month_of]
    length = np.array([mo[3] for mo in months])[month_of]
    start = first + np.floor(rng.random(n) * length).astype(np.int64)
    shuffle = rng.permutation(n)
    start, month_of = start[shuffle], month_of[shuffle]

    n_active = int(round(n * catalog.ACTIVE_SHARE))
    key = start + rng.normal(0, 45, n)
    key[start > AS_OF_DAY - 10] = np.inf
    active = np.zeros(n, dtype=bool)
    active[np.argsort(-key, kind="stable")[:n_active]] = True
    duration = np.clip(np.round(rng.lognormal(np.log(35), 0.45, n)), 10, 120).astype(np.int64)
    end = np.where(active, AS_OF_DAY + rng.integers(10, 121, n), np.minimum(start + duration - 1, AS_OF_DAY - 1))
    results_end = np.minimum(end, AS_OF_DAY)
    return Schedule(months, month_of, start, active, end, results_end, results_end - start + 1)


@dataclass
class ChannelsAndMarkets:
    """The channels (with budget shares) and markets of each campaign, as (campaign, item) pairs."""

    k_ch: np.ndarray  # channels per campaign
    cc_campaign: np.ndarray
    cc_channel: np.ndarray
    budget_share: np.ndarray
    cc_offset: np.ndarray  # first pair of each campaign
    k_mk: np.ndarray  # markets per campaign
    cm_campaign: np.ndarray
    cm_market: np.ndarray
    cm_offset: np.ndarray


def draw_channels_and_markets(rng: np.random.Generator, n: int) -> ChannelsAndMarkets:
    """2–5 channels (by popularity, Gamma budget shares) and 2–4 markets (by weight) per campaign."""
    k_ch = rng.integers(2, 6, n)
    ch_weight = np.array([2.0, 2.2, 1.6, 0.8, 1.2, 0.9, 1.3, 0.8, 1.4, 0.7, 1.0])
    cc_campaign, cc_channel = weighted_choice_rows(rng, n, ch_weight, k_ch)
    share_raw = rng.gamma(2.0, 1.0, len(cc_campaign))
    share_sum = np.bincount(cc_campaign, share_raw, n)
    budget_share = np.round(share_raw / share_sum[cc_campaign], 4)
    k_mk = rng.integers(2, 5, n)
    mk_weight = np.array([m.weight for m in catalog.MARKETS])
    cm_campaign, cm_market = weighted_choice_rows(rng, n, mk_weight, k_mk)
    return ChannelsAndMarkets(
        k_ch,
        cc_campaign,
        cc_channel,
        budget_share,
        np.cumsum(k_ch) - k_ch,
        k_mk,
        cm_campaign,
        cm_market,
        np.cumsum(k_mk) - k_mk,
    )


@dataclass
class Ads:
    """The ads (0-based index = ad_id - 1): campaign, channel, run and a quality factor."""

    campaign: np.ndarray
    channel: np.ndarray
    start: np.ndarray
    length: np.ndarray
    quality: np.ndarray


def draw_ads(rng: np.random.Generator, schedule: Schedule, mix: ChannelsAndMarkets) -> Ads:
    """3–7 ads per campaign (at least one per campaign channel), each on one channel for 7–40 days."""
    n = len(schedule.start)
    n_ads = np.maximum(mix.k_ch, rng.integers(3, 8, n))
    ad_campaign = np.repeat(np.arange(n), n_ads)
    ad_rank = ragged_arange(n_ads)
    pick = np.where(
        ad_rank < mix.k_ch[ad_campaign],
        ad_rank,
        np.floor(rng.random(len(ad_campaign)) * mix.k_ch[ad_campaign]).astype(np.int64),
    )
    ad_channel = mix.cc_channel[mix.cc_offset[ad_campaign] + pick]
    cspan = schedule.span[ad_campaign]
    ad_len = np.minimum(cspan, rng.integers(7, 41, len(ad_campaign)))
    ad_off = np.where(ad_rank == 0, 0, np.floor(rng.random(len(ad_campaign)) * (cspan - ad_len + 1)).astype(np.int64))
    ad_start = schedule.start[ad_campaign] + ad_off
    ad_quality = rng.lognormal(0, 0.3, len(ad_campaign))
    return Ads(ad_campaign, ad_channel, ad_start, ad_len, ad_quality)


@dataclass
class Results:
    """Daily results, one row per ad × market × day (0-based ids), before revenue."""

    ad: np.ndarray
    market: np.ndarray
    day: np.ndarray
    campaign: np.ndarray
    channel: np.ndarray
    cost_cents: np.ndarray
    views: np.ndarray
    likes: np.ndarray
    interactions: np.ndarray
    clicks: np.ndarray
    leads: np.ndarray
    sales: np.ndarray
    hours_cents: np.ndarray
    reached: np.ndarray
    budget: np.ndarray  # per campaign, in currency units


def channel_parameters() -> dict[str, np.ndarray]:
    """Per-channel engagement rates of the catalogue as arrays indexed by channel index."""
    return {
        f: np.array([getattr(c, f) for c in catalog.CHANNELS])
        for f in ("like_rate", "engage_rate", "view_seconds", "weekend")
    }


def draw_results(
    rng: np.random.Generator, schedule: Schedule, mix: ChannelsAndMarkets, ads: Ads, targeting: response.Targeting
) -> Results:
    """Rows of every ad in each of its campaign's markets on each day it runs; spend, engagement, leads, sales."""
    n = len(schedule.start)
    pair_ad = np.repeat(np.arange(len(ads.campaign)), mix.k_mk[ads.campaign])
    pair_market = mix.cm_market[mix.cm_offset[ads.campaign[pair_ad]] + ragged_arange(mix.k_mk[ads.campaign])]
    row_pair = np.repeat(np.arange(len(pair_ad)), ads.length[pair_ad])
    r_ad = pair_ad[row_pair]
    r_market = pair_market[row_pair]
    r_day = ads.start[r_ad] + ragged_arange(ads.length[pair_ad])
    r_campaign = ads.campaign[r_ad]
    r_channel = ads.channel[r_ad]
    rows = len(r_ad)
    ch = channel_parameters()
    weekday = r_day % 7  # day 0 is a Monday
    weekend = weekday >= 5
    weekday_factor = np.where(weekend, ch["weekend"][r_channel], 1.0) * np.where(weekday == 4, 1.05, 1.0)
    rates = response.row_rates(targeting, r_campaign, r_channel, r_market, month_index_of_day(r_day), ads.quality[r_ad])

    budget, cost_cents = draw_spend(
        rng, schedule, mix, ads, r_ad, r_market, r_campaign, r_channel, weekday_factor, rates, targeting
    )
    cost = cost_cents / 100.0
    views = rng.poisson(response.expected_views(rates, cost) * rng.lognormal(0, 0.15, rows))
    clicks = rng.binomial(views, np.clip(rates.ctr * rng.lognormal(0, 0.2, rows), 0, 0.5))
    likes = rng.binomial(views, np.clip(ch["like_rate"][r_channel] * weekday_factor * ads.quality[r_ad], 0, 0.5))
    engaged = rng.binomial(views, np.clip(ch["engage_rate"][r_channel] * weekday_factor, 0, 0.5))
    expected_leads = clicks * rates.lead_rate
    totals = response.lead_totals(rng, n, r_campaign, expected_leads)
    leads = allocate_leads(rng, n, r_campaign, expected_leads + 1e-3 * rates.lead_rate, totals)

    clicks = np.maximum(clicks, leads)
    interactions = likes + clicks + engaged
    views = np.maximum(views, interactions)
    frequency = rng.uniform(1.1, 2.6, len(ads.campaign))[r_ad]
    reached = np.maximum(np.round(views / frequency).astype(np.int64), np.minimum(views, 1))
    hours_cents = np.round(views * ch["view_seconds"][r_channel] * rng.uniform(0.7, 1.3, rows) / 36.0).astype(np.int64)
    sales = rng.binomial(leads, rates.close_rate)
    return Results(
        r_ad,
        r_market,
        r_day,
        r_campaign,
        r_channel,
        cost_cents,
        views,
        likes,
        interactions,
        clicks,
        leads,
        sales,
        hours_cents,
        reached,
        budget,
    )


def draw_spend(
    rng: np.random.Generator,
    schedule: Schedule,
    mix: ChannelsAndMarkets,
    ads: Ads,
    r_ad: np.ndarray,
    r_market: np.ndarray,
    r_campaign: np.ndarray,
    r_channel: np.ndarray,
    weekday_factor: np.ndarray,
    rates: response.RowRates,
    targeting: response.Targeting,
) -> tuple[np.ndarray, np.ndarray]:
    """(budget per campaign, cost cents per row).

    Each row's share of its campaign's spend is the channel's budget share split over the channel's rows by
    weekday, noise, ad quality and market size. The spend to date is what the campaign's lead target needs
    by the response curves (:func:`promptsales.ads.response.plan_spend`) times the marketer's estimation
    error; the budget is that spend over the part of it used by the as-of date (finished campaigns 88–100%,
    active ones the elapsed share of their run), rounded to 100 USD.
    """
    n, n_ch = len(schedule.start), len(catalog.CHANNELS)
    market_size = np.array([m.weight for m in catalog.MARKETS])
    elapsed = np.where(schedule.active, schedule.span / (schedule.end - schedule.start + 1), 1.0) * rng.uniform(
        0.88, 1.0, n
    )
    share_of = np.zeros((n, n_ch))
    share_of[mix.cc_campaign, mix.cc_channel] = mix.budget_share
    w = weekday_factor * rng.lognormal(0, 0.25, len(r_ad)) * ads.quality[r_ad] * np.sqrt(market_size[r_market])
    group = r_campaign * n_ch + r_channel
    w_sum = np.bincount(group, w, n * n_ch)
    unit = share_of.ravel()[group] * w / w_sum[group]  # the row's part of one dollar of campaign spend
    planned = response.plan_spend(n, r_campaign, rates, unit, targeting.target_leads)
    budget = np.maximum(np.round(planned * targeting.plan_error / elapsed, -2), 500.0)
    return budget, np.round(budget[r_campaign] * elapsed[r_campaign] * unit * 100).astype(np.int64)


def allocate_leads(
    rng: np.random.Generator, n: int, r_campaign: np.ndarray, weight: np.ndarray, totals: np.ndarray
) -> np.ndarray:
    """Leads per row: ``totals[c]`` per campaign, allocated to its rows by inverse-CDF sampling on ``weight``."""
    rows = len(r_campaign)
    order = np.argsort(r_campaign, kind="stable")
    cw = np.cumsum(weight[order])
    seg_end = np.cumsum(np.bincount(r_campaign, minlength=n))
    seg_start = seg_end - np.bincount(r_campaign, minlength=n)
    low = np.concatenate(([0.0], cw))[seg_start]
    high = cw[seg_end - 1]
    lead_campaign = np.repeat(np.arange(n), totals)
    u = low[lead_campaign] + rng.random(len(lead_campaign)) * (high - low)[lead_campaign]
    hit = np.clip(np.searchsorted(cw, u, side="right"), seg_start[lead_campaign], seg_end[lead_campaign] - 1)
    leads = np.zeros(rows, dtype=np.int64)
    leads[order] = np.bincount(hit, minlength=rows)
    return leads


@dataclass
class Offers:
    """Brands with their products, and what each campaign sells at which ticket price."""

    brands: Columns
    products: Columns
    camp_brand: np.ndarray
    camp_product: np.ndarray
    industry: np.ndarray  # index into response.INDUSTRY_NAMES per campaign
    ticket: np.ndarray  # order value per sale (USD)


def draw_offers(rng: np.random.Generator, sizes: dict[str, int], n: int) -> Offers:
    """Brands and products, a brand and one of its products per campaign, and the order value of a sale:
    list price × the industry's units per order × 0.7–1.2 (discounts, extras)."""
    brands = make_brands(rng, sizes["brands"])
    products = make_products(rng, brands)
    camp_brand = rng.integers(0, sizes["brands"], n)
    prod_first, prod_count = brands["product_first"], brands["product_count"]
    camp_product = prod_first[camp_brand] + np.floor(rng.random(n) * prod_count[camp_brand]).astype(np.int64)
    industry = np.array([response.INDUSTRY_NAMES.index(name) for name in brands["industry"][camp_brand].tolist()])
    units = response.industry_array("order_units")[industry]
    ticket = products["list_price"][camp_product] * units * rng.uniform(0.7, 1.2, n)
    return Offers(brands, products, camp_brand, camp_product, industry, ticket)


def draw_revenue(rng: np.random.Generator, results: Results, ticket: np.ndarray) -> np.ndarray:
    """Revenue cents per row: sales × the campaign's order value × the market's price level (0.5 + half its
    media cost index: orders are smaller where media is cheaper) with noise, at least 5.00 per sale."""
    price_level = 0.5 + 0.5 * np.array([m.cost_index for m in catalog.MARKETS])
    revenue_cents = np.round(
        results.sales
        * ticket[results.campaign]
        * price_level[results.market]
        * rng.lognormal(0, 0.1, len(results.ad))
        * 100
    ).astype(np.int64)
    return np.where(results.sales > 0, np.maximum(revenue_cents, results.sales * 500), 0)


def ad_result_columns(results: Results, revenue_cents: np.ndarray) -> Columns:
    """Rows of ads.ad_results."""
    return {
        "ad_id": results.ad + 1,
        "channel_id": results.channel + 1,
        "market_id": results.market + 1,
        "result_date": results.day,
        "campaign_id": results.campaign + 1,
        "views": results.views,
        "likes": results.likes,
        "interactions": results.interactions,
        "clicks": results.clicks,
        "leads": results.leads,
        "sales": results.sales,
        "hours_of_exposure": Cents(results.hours_cents),
        "audience_reached": results.reached,
        "cost": Cents(results.cost_cents),
        "revenue": Cents(revenue_cents),
    }


def campaign_tables(
    rng: np.random.Generator,
    schedule: Schedule,
    mix: ChannelsAndMarkets,
    ads: Ads,
    results: Results,
    offers: Offers,
    targeting: response.Targeting,
) -> dict[str, Columns]:
    """Catalogues (channels, markets, audiences), brands, products, campaigns, their channels and markets, ads."""
    n = len(schedule.start)
    start, brands, products = schedule.start, offers.brands, offers.products
    tables: dict[str, Columns] = {
        "ads.channels": channel_columns(),
        "ads.markets": market_columns(),
        "ads.audiences": targeting.audiences,
        "ads.brands": {k: v for k, v in brands.items() if not k.startswith("product_")},
        "ads.products": products,
    }
    camp_names = campaign_names(
        rng,
        brands["name"],
        products["name"],
        offers.camp_brand,
        offers.camp_product,
        start,
        schedule.month_of,
        schedule.months,
    )
    camp_lang = np.where(
        np.array([catalog.MARKETS[m].language for m in mix.cm_market])[mix.cm_offset] == "en", "en", "es"
    )
    status = np.where(schedule.active, "active", "finished")
    objective = targeting.objective
    created = start - rng.integers(3, 30, n)
    tables["ads.campaigns"] = {
        "campaign_id": np.arange(1, n + 1),
        "brand_id": offers.camp_brand + 1,
        "product_id": offers.camp_product + 1,
        "audience_id": targeting.audience + 1,
        "name": camp_names,
        "objective": objective,
        "status": status,
        "budget": Cents(np.round(results.budget * 100).astype(np.int64)),
        "start_date": start,
        "end_date": schedule.end,
        "created_at": Timestamp(created, rng.integers(8 * 3600, 19 * 3600, n)),
        "updated_at": Timestamp(np.minimum(schedule.results_end, AS_OF_DAY), np.full(n, 23 * 3600)),
    }
    tables["ads.campaign_channels"] = {
        "campaign_id": mix.cc_campaign + 1,
        "channel_id": mix.cc_channel + 1,
        "budget_share": Fixed(mix.budget_share, 4),
        "created_at": Timestamp(created[mix.cc_campaign], np.full(len(mix.cc_campaign), 12 * 3600)),
    }
    tables["ads.campaign_markets"] = {
        "campaign_id": mix.cm_campaign + 1,
        "market_id": mix.cm_market + 1,
        "created_at": Timestamp(created[mix.cm_campaign], np.full(len(mix.cm_campaign), 12 * 3600)),
    }
    tables["ads.ads"] = ad_columns(
        rng, ads.campaign, ads.channel, ads.start, ads.length, camp_lang, products["name"][offers.camp_product], created
    )
    return tables


def signal_tables(
    rng: np.random.Generator, sizes: dict[str, int], schedule: Schedule, ads: Ads, results: Results
) -> dict[str, Columns]:
    """Influencers, their reactions and the sentiment observations, shaped by each campaign's negative episode."""
    episodes = draw_episodes(rng, len(schedule.start), schedule.start, schedule.results_end)
    ad_views = np.bincount(results.ad, results.views, len(ads.campaign))
    influencers = make_influencers(rng, sizes["influencers"])
    return {
        "ads.influencers": influencers,
        "ads.influencer_reactions": influencer_reactions(
            rng, influencers, ads.campaign, ads.channel, ads.start, ads.length, episodes
        ),
        "ads.sentiment_observations": sentiment_observations(
            rng, ads.campaign, ads.channel, ads.start, ads.length, ad_views, episodes
        ),
    }


# -------------------------------------------------------------------------------------------------
# Column wrappers: how the loader formats special numeric columns for COPY
# -------------------------------------------------------------------------------------------------
class Cents(np.ndarray):
    """Integer cents shown as a numeric with two decimals."""

    def __new__(cls, values: np.ndarray) -> Cents:
        return np.asarray(values, dtype=np.int64).view(cls)


class Fixed(np.ndarray):
    """A float column rounded to ``digits`` decimals."""

    digits: int

    def __new__(cls, values: np.ndarray, digits: int) -> Fixed:
        obj = np.asarray(values, dtype=np.float64).view(cls)
        obj.digits = digits
        return obj

    def __array_finalize__(self, obj) -> None:
        self.digits = getattr(obj, "digits", 2)


class Timestamp(np.ndarray):
    """Day index plus seconds into the day (UTC)."""

    seconds: np.ndarray

    def __new__(cls, days: np.ndarray, seconds: np.ndarray) -> Timestamp:
        obj = np.asarray(days, dtype=np.int64).view(cls)
        obj.seconds = np.asarray(seconds, dtype=np.int64)
        return obj

    def __array_finalize__(self, obj) -> None:
        # a view of a plain array has no seconds yet: __new__ sets them right after
        self.seconds = getattr(obj, "seconds", np.zeros(0, dtype=np.int64))


def month_index_of_day(day: np.ndarray) -> np.ndarray:
    """Calendar month (1–12) of day indices."""
    dates = np.datetime64(catalog.WINDOW_START.isoformat()) + day.astype("timedelta64[D]")
    return dates.astype("datetime64[M]").astype(np.int64) % 12 + 1


# -------------------------------------------------------------------------------------------------
# Catalogue rows
# -------------------------------------------------------------------------------------------------
def channel_columns() -> Columns:
    """Rows of ads.channels from the catalogue."""
    return {
        "channel_id": np.arange(1, len(catalog.CHANNELS) + 1),
        "code": np.array([c.code for c in catalog.CHANNELS]),
        "name": np.array([c.name for c in catalog.CHANNELS]),
        "kind": np.array([c.kind for c in catalog.CHANNELS]),
    }


def market_columns() -> Columns:
    """Rows of ads.markets from the catalogue."""
    fields = ("country_code", "country", "region", "segment", "city", "latitude", "longitude", "language")
    columns: Columns = {"market_id": np.arange(1, len(catalog.MARKETS) + 1)}
    for f in fields:
        columns[f] = np.array([getattr(m, f) for m in catalog.MARKETS])
    return columns


def make_audiences(rng: np.random.Generator, count: int) -> Columns:
    """Target audiences: age band × gender × a pair of interests, unique names."""
    bands = catalog.AUDIENCE_AGE_BANDS
    genders = ("all", "female", "male")
    incomes = ("low", "middle", "upper_middle", "high")
    interests = catalog.AUDIENCE_INTERESTS
    names: list[str] = []
    age_min: list[int] = []
    age_max: list[int] = []
    gender: list[str] = []
    picks: list[str] = []
    income: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        band = bands[rng.integers(len(bands))]
        g = genders[rng.integers(3)]
        pair = sorted(rng.choice(len(interests), 2, replace=False))
        name = f"{g.capitalize()} {band[0]}–{band[1]} · {interests[pair[0]]} + {interests[pair[1]]}"
        if name in seen:
            continue
        seen.add(name)
        names.append(name)
        age_min.append(band[0])
        age_max.append(band[1])
        gender.append(g)
        picks.append("{" + ",".join(interests[i] for i in pair) + "}")
        income.append(incomes[rng.integers(4)])
    return {
        "audience_id": np.arange(1, count + 1),
        "name": np.array(names),
        "age_min": np.array(age_min),
        "age_max": np.array(age_max),
        "gender": np.array(gender),
        "interests": np.array(picks),
        "income_level": np.array(income),
    }


def make_brands(rng: np.random.Generator, count: int) -> Columns:
    """Client companies with unique English, Spanish or mixed names, an industry and a home country."""
    industries = list(catalog.INDUSTRIES)
    names: list[str] = []
    legal: list[str] = []
    industry: list[str] = []
    country: list[str] = []
    website: list[str] = []
    seen: set[str] = set()
    home = np.array(["US", "US", "US", "MX", "MX", "CO", "AR", "CL", "PE", "CR", "DO", "PR"])
    while len(names) < count:
        ind = industries[rng.integers(len(industries))]
        style = rng.integers(4)
        spec = catalog.INDUSTRIES[ind]
        if style == 0:
            base = f"{catalog.BRAND_WORDS_EN[rng.integers(len(catalog.BRAND_WORDS_EN))]} {spec['en'][rng.integers(len(spec['en']))]}"
        elif style == 1:
            base = f"{spec['es'][rng.integers(len(spec['es']))]} {catalog.BRAND_WORDS_ES[rng.integers(len(catalog.BRAND_WORDS_ES))]}"
        elif style == 2:
            base = f"{catalog.BRAND_WORDS_ES[rng.integers(len(catalog.BRAND_WORDS_ES))]} {catalog.BRAND_ADJ_ES[rng.integers(len(catalog.BRAND_ADJ_ES))]}"
        else:
            base = f"{catalog.BRAND_WORDS_ES[rng.integers(len(catalog.BRAND_WORDS_ES))]} & {catalog.BRAND_WORDS_EN[rng.integers(len(catalog.BRAND_WORDS_EN))]} {spec['en'][rng.integers(len(spec['en']))]}"
        if base in seen:
            continue
        seen.add(base)
        cc = home[rng.integers(len(home))]
        names.append(base)
        legal.append(
            base + (" Inc." if cc == "US" else " S.A. de C.V." if cc == "MX" else " S.A.S." if cc == "CO" else " S.A.")
        )
        industry.append(ind)
        country.append(cc)
        slug = "".join(ch for ch in base.lower().replace("&", "and") if ch.isascii() and ch.isalnum())
        website.append(f"https://www.{slug}.{'com' if cc == 'US' else 'com.' + cc.lower()}")
    product_count = rng.integers(2, 6, count)
    return {
        "brand_id": np.arange(1, count + 1),
        "name": np.array(names),
        "legal_name": np.array(legal),
        "industry": np.array(industry),
        "country_code": np.array(country),
        "website": np.array(website),
        "product_first": np.cumsum(product_count) - product_count,
        "product_count": product_count,
    }


def make_products(rng: np.random.Generator, brands: Columns) -> Columns:
    """Two to five products per brand from the brand's industry, with a list price."""
    brand_of = np.repeat(np.arange(len(brands["name"])), brands["product_count"])
    rank = ragged_arange(brands["product_count"])
    names, category, price = [], [], []
    for b, r in zip(brand_of.tolist(), rank.tolist()):
        spec = catalog.INDUSTRIES[brands["industry"][b]]
        offset = (b * 7) % len(spec["products"])
        names.append(spec["products"][(offset + r) % len(spec["products"])])
        category.append(brands["industry"][b])
        low, high = spec["price"]
        price.append(round(float(np.exp(rng.uniform(np.log(low), np.log(high)))), 0) - 0.01)
    return {
        "product_id": np.arange(1, len(brand_of) + 1),
        "brand_id": brand_of + 1,
        "name": np.array(names),
        "category": np.array(category),
        "list_price": np.array(price),
    }


def campaign_names(rng, brand_names, product_names, camp_brand, camp_product, start, month_of, months) -> np.ndarray:
    """Unique, realistic campaign names mixing English and Spanish: brand · product · theme year."""
    names = []
    seen: dict[str, int] = {}
    for i in range(len(start)):
        year, month = months[month_of[i]][0], months[month_of[i]][1]
        themes = catalog.THEMES.get(month, catalog.THEMES[0]) if rng.random() < 0.75 else catalog.THEMES[0]
        language = rng.integers(2)
        theme = themes[language][rng.integers(len(themes[language]))]
        base = f"{brand_names[camp_brand[i]]} · {product_names[camp_product[i]]} · {theme} {year}"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base} ({'Wave' if language == 0 else 'Fase'} {seen[base]})")
    return np.array(names)


def ad_columns(rng, ad_campaign, ad_channel, ad_start, ad_len, camp_lang, camp_product_name, created) -> Columns:
    """Rows of ads.ads: format fitting the channel, copy in the campaign's language, content reference."""
    count = len(ad_campaign)
    formats = [catalog.CHANNELS[c].formats for c in ad_channel.tolist()]
    pick = rng.integers(0, 1000, count)
    fmt = np.array([f[p % len(f)] for f, p in zip(formats, pick.tolist())])
    language = camp_lang[ad_campaign]
    benefit = rng.integers(0, len(catalog.HEADLINE_BENEFITS_EN), count)
    hook = rng.integers(0, len(catalog.COPY_HOOKS_EN), count)
    cta = rng.integers(0, len(catalog.CTAS_EN), count)
    headline, copy, call = [], [], []
    for i, lang in enumerate(language.tolist()):
        product = camp_product_name[ad_campaign[i]]
        if lang == "en":
            headline.append(f"{product}: {catalog.HEADLINE_BENEFITS_EN[benefit[i]]}")
            call.append(catalog.CTAS_EN[cta[i]])
            copy.append(
                f"{catalog.COPY_HOOKS_EN[hook[i]]} Discover {product}, {catalog.HEADLINE_BENEFITS_EN[benefit[i]]}. {call[-1]}."
            )
        else:
            headline.append(f"{product}: {catalog.HEADLINE_BENEFITS_ES[benefit[i]]}")
            call.append(catalog.CTAS_ES[cta[i]])
            copy.append(
                f"{catalog.COPY_HOOKS_ES[hook[i]]} Descubre {product}, {catalog.HEADLINE_BENEFITS_ES[benefit[i]]}. {call[-1]}."
            )
    media = rng.integers(1, 101, count)
    content_ref = np.array([f"content:media:{m:04d}" for m in media.tolist()])
    return {
        "ad_id": np.arange(1, count + 1),
        "campaign_id": ad_campaign + 1,
        "channel_id": ad_channel + 1,
        "format": fmt,
        "content_ref": content_ref,
        "headline": np.array(headline),
        "copy": np.array(copy),
        "call_to_action": np.array(call),
        "language": language,
        "start_date": ad_start,
        "end_date": ad_start + ad_len - 1,
        "created_at": Timestamp(created[ad_campaign], np.full(count, 14 * 3600)),
        "updated_at": Timestamp(created[ad_campaign], np.full(count, 14 * 3600)),
    }


@dataclass
class Episodes:
    """At most one negative-sentiment episode per campaign (-1 = none)."""

    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    intensity: np.ndarray
    drop: np.ndarray


def draw_episodes(rng: np.random.Generator, n: int, start: np.ndarray, results_end: np.ndarray) -> Episodes:
    """Random negative episodes: which campaigns, when, how long, which negative type, how strong."""
    has = rng.random(n) < EPISODE_PROBABILITY
    span = results_end - start + 1
    length = rng.integers(3, 10, n)
    ep_start = start + np.floor(rng.random(n) * np.maximum(span - 2, 1)).astype(np.int64)
    return Episodes(
        start=np.where(has, ep_start, -1),
        end=np.where(has, ep_start + length - 1, -2),
        kind=rng.choice(len(catalog.NEGATIVE_TYPES), n, p=[0.3, 0.25, 0.3, 0.15]),
        intensity=rng.uniform(0.35, 0.7, n),
        drop=rng.uniform(0.3, 0.75, n),
    )


def make_influencers(rng: np.random.Generator, count: int) -> Columns:
    """Influencers on public channels, each with a home market, niche and follower count."""
    public = np.array([i for i, c in enumerate(catalog.CHANNELS) if c.public and c.kind != "professional"])
    channel = public[rng.integers(0, len(public), count)]
    mk_weight = np.array([m.weight for m in catalog.MARKETS])
    market = rng.choice(len(catalog.MARKETS), count, p=mk_weight / mk_weight.sum())
    handles: list[str] = []
    display: list[str] = []
    seen: set[str] = set()
    i = 0
    while len(handles) < count:
        first = catalog.INFLUENCER_FIRST[rng.integers(len(catalog.INFLUENCER_FIRST))]
        last = catalog.INFLUENCER_LAST[rng.integers(len(catalog.INFLUENCER_LAST))]
        handle = f"@{first.lower()}{last.lower()}{'' if i < 40 else rng.integers(10, 1000)}"
        i += 1
        if handle in seen:
            continue
        seen.add(handle)
        handles.append(handle)
        display.append(f"{first} {last}")
    return {
        "influencer_id": np.arange(1, count + 1),
        "handle": np.array(handles),
        "display_name": np.array(display),
        "channel_id": channel + 1,
        "market_id": market + 1,
        "niche": np.array(catalog.INFLUENCER_NICHES)[rng.integers(0, len(catalog.INFLUENCER_NICHES), count)],
        "followers": np.round(rng.lognormal(np.log(60000), 1.2, count)).astype(np.int64).clip(2000, 20_000_000),
    }


def _public_ads(ad_channel: np.ndarray) -> np.ndarray:
    public = np.array([c.public for c in catalog.CHANNELS])
    return np.flatnonzero(public[ad_channel])


def influencer_reactions(
    rng, influencers: Columns, ad_campaign, ad_channel, ad_start, ad_len, episodes: Episodes
) -> Columns:
    """Daily reactions of 1–2 influencers per public ad; a campaign's negative episode makes them drop."""
    ads = _public_ads(ad_channel)
    k = rng.integers(1, 3, len(ads))
    n_inf = len(influencers["handle"])
    first = rng.integers(0, n_inf, len(ads))
    second = (first + 1 + rng.integers(0, n_inf - 1, len(ads))) % n_inf
    pair_ad = np.repeat(ads, k)
    rank = ragged_arange(k)
    pair_inf = np.where(rank == 0, np.repeat(first, k), np.repeat(second, k))
    row = np.repeat(np.arange(len(pair_ad)), ad_len[pair_ad])
    t = ragged_arange(ad_len[pair_ad])
    ad = pair_ad[row]
    inf = pair_inf[row]
    day = ad_start[ad] + t
    camp = ad_campaign[ad]
    followers = influencers["followers"][inf]
    engagement = rng.uniform(0.004, 0.03, len(pair_ad))[row]
    weekday = day % 7
    base = followers * engagement * (0.35 + 0.65 * np.exp(-t / 12.0)) * np.where(weekday >= 5, 1.15, 1.0)
    in_episode = (day >= episodes.start[camp] + 1) & (day <= episodes.end[camp] + 2)
    factor = np.where(in_episode, 1.0 - episodes.drop[camp], 1.0) * rng.lognormal(0, 0.15, len(ad))
    reactions = rng.poisson(base * factor)
    return {
        "influencer_id": inf + 1,
        "ad_id": ad + 1,
        "reaction_date": day,
        "channel_id": influencers["channel_id"][inf],
        "reactions": reactions,
        "comments": rng.binomial(reactions, 0.08),
        "shares": rng.binomial(reactions, 0.05),
        "mentions": rng.binomial(reactions, 0.02),
    }


def sentiment_observations(rng, ad_campaign, ad_channel, ad_start, ad_len, ad_views, episodes: Episodes) -> Columns:
    """Mentions per public ad × day split into positive / neutral / negative-by-type counts."""
    ads = _public_ads(ad_channel)
    row = np.repeat(ads, ad_len[ads])
    day = ad_start[row] + ragged_arange(ad_len[ads])
    camp = ad_campaign[row]
    daily_views = ad_views[row] / np.maximum(ad_len[row], 1)
    in_episode = (day >= episodes.start[camp]) & (day <= episodes.end[camp])
    mentions = rng.poisson(np.maximum(daily_views * 0.0015, 2.0) * np.where(in_episode, 2.5, 1.0)) + 1
    neg_share = np.where(in_episode, episodes.intensity[camp], rng.uniform(0.04, 0.12, len(row)))
    negative = rng.binomial(mentions, neg_share)
    positive = rng.binomial(mentions - negative, 0.6)
    neutral = mentions - negative - positive
    type_p = np.tile([0.3, 0.25, 0.3, 0.15], (len(row), 1))
    type_p[in_episode] = 0.25 / 3
    type_p[in_episode, episodes.kind[camp[in_episode]]] = 0.75
    counts = np.zeros((len(row), 4), dtype=np.int64)
    remaining = negative.copy()
    left = np.ones(len(row))
    for j in range(3):
        counts[:, j] = rng.binomial(remaining, np.clip(type_p[:, j] / left, 0, 1))
        remaining -= counts[:, j]
        left -= type_p[:, j]
    counts[:, 3] = remaining
    all_counts = np.column_stack([positive, neutral, counts])  # 6 buckets
    polarity = np.array(["positive", "neutral", "negative", "negative", "negative", "negative"])
    neg_type = np.array(["", "", *catalog.NEGATIVE_TYPES])
    nz_row, nz_bucket = np.nonzero(all_counts)
    score_center = np.array([0.6, 0.0, -0.8, -0.55, -0.6, -0.45])
    score = np.clip(score_center[nz_bucket] + rng.normal(0, 0.12, len(nz_row)), -1, 1)
    return {
        "ad_id": row[nz_row] + 1,
        "channel_id": ad_channel[row[nz_row]] + 1,
        "observed_on": day[nz_row],
        "polarity": polarity[nz_bucket],
        "negative_type": Nullable(neg_type[nz_bucket]),
        "mentions": all_counts[nz_row, nz_bucket],
        "score": Fixed(score, 3),
    }


class Nullable(np.ndarray):
    """A string column whose empty strings are NULL."""

    def __new__(cls, values: np.ndarray) -> Nullable:
        return np.asarray(values).view(cls)


LOG_CHECKSUM_FIELDS = (
    "log_type",
    "log_source",
    "severity",
    "description",
    "reference_id1",
    "reference_id2",
    "value1",
    "value2",
)


def creation_logs(campaigns: Columns) -> Columns:
    """One 'campaign created' log row per generated campaign (course log table), with its checksum."""
    from promptsales.ads.logs import checksum

    count = len(campaigns["campaign_id"])
    description = [f"Campaign created by the generator: {name}" for name in campaigns["name"].tolist()]
    sums = [
        checksum("audit", "generator", "info", d, int(cid), int(bid), str(name), str(status))
        for d, cid, bid, name, status in zip(
            description,
            campaigns["campaign_id"],
            campaigns["brand_id"],
            campaigns["name"].tolist(),
            campaigns["status"].tolist(),
        )
    ]
    return {
        "logged_at": campaigns["created_at"],
        "log_type_id": np.full(count, 1),
        "log_source_id": np.full(count, 1),
        "severity_id": np.full(count, 1),
        "description": np.array(description),
        "computer": np.full(count, "generator"),
        "username": np.full(count, "promptsales seed"),
        "reference_id1": campaigns["campaign_id"],
        "reference_id2": campaigns["brand_id"],
        "value1": campaigns["name"],
        "value2": campaigns["status"],
        "checksum": np.array(sums),
    }

"""The generator's own response as a second valuation of the ad-optimisation backtest (bench only).

The module fits its curves from PromptAds' data and never reads the generator; this bench does, because the data
is generated and its truth is therefore known: it redraws the official history's campaigns and their per-row rates
from the same seed (the same random stream as ``promptsales.ads.model.generate``, up to the spend), and values a
campaign-month's split of spend over its cells by the expected conversions of the generator's rows — each cell's
spend spread over its rows as the real spend was, views by ``ads.response.expected_views`` (diminishing returns
per ad × market × day), × CTR × leads per click × sales per lead (the noise terms' means left out, the same for
every split).
"""

from __future__ import annotations

import numpy as np

from promptsales.ads import catalog, response
from promptsales.ads import model as ads_model


class GeneratorTruth:
    """Expected conversions of any spend over a campaign-month's cells, by the generator's response."""

    def __init__(self, seed: int = 20260131, scale: str = "official") -> None:
        m = ads_model
        rng = np.random.default_rng(seed)
        sizes = m.SCALE_SIZES[scale]
        n = sizes["campaigns"]
        schedule = m.draw_schedule(rng, n)
        mix = m.draw_channels_and_markets(rng, n)
        ads = m.draw_ads(rng, schedule, mix)
        offers = m.draw_offers(rng, sizes, n)
        targeting = response.draw_targeting(rng, m.make_audiences(rng, sizes["audiences"]), offers.industry)
        # the row layout and rates of draw_results, then its spend (the same draws, so the same costs)
        pair_ad = np.repeat(np.arange(len(ads.campaign)), mix.k_mk[ads.campaign])
        pair_market = mix.cm_market[mix.cm_offset[ads.campaign[pair_ad]] + m.ragged_arange(mix.k_mk[ads.campaign])]
        row_pair = np.repeat(np.arange(len(pair_ad)), ads.length[pair_ad])
        r_ad = pair_ad[row_pair]
        r_market = pair_market[row_pair]
        r_day = ads.start[r_ad] + m.ragged_arange(ads.length[pair_ad])
        r_campaign = ads.campaign[r_ad]
        r_channel = ads.channel[r_ad]
        ch = m.channel_parameters()
        weekday = r_day % 7
        weekday_factor = np.where(weekday >= 5, ch["weekend"][r_channel], 1.0) * np.where(weekday == 4, 1.05, 1.0)
        self.rates = response.row_rates(
            targeting, r_campaign, r_channel, r_market, m.month_index_of_day(r_day), ads.quality[r_ad]
        )
        _, cost_cents = m.draw_spend(
            rng, schedule, mix, ads, r_ad, r_market, r_campaign, r_channel, weekday_factor, self.rates, targeting
        )
        self.cost = cost_cents / 100.0
        dates = np.datetime64(catalog.WINDOW_START.isoformat()) + r_day.astype("timedelta64[D]")
        month = dates.astype("datetime64[M]").astype(np.int64) + 1970 * 12
        keep = self.cost > 0
        # ids as loaded: campaign, channel and market indices + 1
        key = np.stack([r_campaign + 1, r_channel + 1, r_market + 1, month], axis=1)[keep]
        self.rows = np.flatnonzero(keep)
        order = np.lexsort(key.T[::-1])
        self.rows, key = self.rows[order], key[order]
        bounds = np.flatnonzero(np.any(np.diff(key, axis=0) != 0, axis=1)) + 1
        starts = np.concatenate(([0], bounds))
        ends = np.concatenate((bounds, [len(key)]))
        self.cells = {tuple(int(v) for v in key[s]): (s, e) for s, e in zip(starts, ends)}

    def conversions(self, month: int, campaign: int, cells: list[tuple[int, int]], spend: np.ndarray) -> float:
        """Expected conversions of ``spend`` (one amount per cell) in ``campaign``'s ``month``."""
        total = 0.0
        for (channel, market), amount in zip(cells, spend):
            start, end = self.cells[(campaign, channel, market, month)]
            rows = self.rows[start:end]
            share = self.cost[rows] / self.cost[rows].sum()
            rates = response.RowRates(*(getattr(self.rates, f)[rows] for f in response.RowRates.__dataclass_fields__))
            views = response.expected_views(rates, amount * share)
            total += float(np.sum(views * rates.ctr * rates.lead_rate * rates.close_rate))
        return total

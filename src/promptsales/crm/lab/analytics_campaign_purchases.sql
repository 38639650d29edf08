-- title: R7 — campaign behaviour vs purchases by month, channel, market and distance band (CTE, PARTITION BY, RANK, corr)
-- params: year:int=2025, country:str=US
-- explanation:
--   For one year and one country: per month × sales channel × market × distance band (client to the
--   market's main city), PromptAds spend, exposure and CTR next to CRM leads, purchases, revenue and
--   interactions; RANK() of markets by revenue within each month and channel; corr() between spend and
--   revenue (per channel and band), CTR and purchases (per channel), exposure and purchases (per market),
--   interactions and purchases (per band). Reads the materialized views crm.mv_crm_monthly_band and
--   crm.mv_ads_monthly (R8); `promptsales lab run crm.analytics-explain` compares it with the base-table version.
WITH combined AS (
    SELECT c.month, c.channel_id, c.market_id, c.distance_band, c.leads, c.purchases, c.revenue, c.crm_interactions,
           a.spend, a.exposure_hours, a.views, a.clicks, a.clicks::float8 / nullif(a.views, 0) AS ctr
    FROM crm.mv_crm_monthly_band c
    JOIN crm.mv_ads_monthly a
      ON a.country_code = c.country_code AND a.month = c.month AND a.channel_id = c.channel_id AND a.market_id = c.market_id
    WHERE c.country_code = %(country)s
      AND c.month >= make_date(%(year)s, 1, 1) AND c.month < make_date(%(year)s + 1, 1, 1)
), ranked AS (
    SELECT month, channel_id, market_id, distance_band, leads, purchases, revenue, crm_interactions, spend,
           round(ctr::numeric, 4) AS ctr,
           rank() OVER (PARTITION BY month, channel_id ORDER BY revenue DESC) AS revenue_rank,
           round(corr(spend::float8, revenue::float8) OVER (PARTITION BY channel_id, distance_band)::numeric, 3) AS corr_spend_revenue,
           round(corr(ctr, purchases) OVER (PARTITION BY channel_id)::numeric, 3) AS corr_ctr_purchases,
           round(corr(exposure_hours::float8, purchases) OVER (PARTITION BY market_id)::numeric, 3) AS corr_exposure_purchases,
           round(corr(crm_interactions::float8, purchases) OVER (PARTITION BY distance_band)::numeric, 3) AS corr_interactions_purchases
    FROM combined
)
SELECT * FROM ranked WHERE revenue_rank = 1 ORDER BY month, channel_id;

-- R7 analytics over the materialized views of R8: same rows as analytics_base.sql, read from two small,
-- indexed summaries instead of 700k leads, 565k clients, 1.4M interactions and the linked server.
WITH combined AS (
    SELECT c.month, c.channel_id, c.market_id, c.distance_band, c.leads, c.purchases, c.revenue, c.crm_interactions,
           a.spend, a.exposure_hours, a.views, a.clicks, a.clicks::float8 / nullif(a.views, 0) AS ctr
    FROM crm.mv_crm_monthly_band c
    JOIN crm.mv_ads_monthly a
      ON a.country_code = c.country_code AND a.month = c.month AND a.channel_id = c.channel_id AND a.market_id = c.market_id
    WHERE c.country_code = %(country)s
      AND c.month >= make_date(%(year)s, 1, 1) AND c.month < make_date(%(year)s + 1, 1, 1)
      AND a.country_code = %(country)s
      AND a.month >= make_date(%(year)s, 1, 1) AND a.month < make_date(%(year)s + 1, 1, 1)
)
SELECT extract(year FROM month)::int AS year, month, channel_id, market_id, distance_band,
       leads, purchases, revenue, crm_interactions, spend, exposure_hours, round(ctr::numeric, 6) AS ctr,
       rank() OVER (PARTITION BY month, channel_id ORDER BY revenue DESC) AS revenue_rank,
       round(corr(spend::float8, revenue::float8) OVER (PARTITION BY channel_id, distance_band)::numeric, 6) AS corr_spend_revenue,
       round(corr(ctr, purchases) OVER (PARTITION BY channel_id)::numeric, 6) AS corr_ctr_purchases,
       round(corr(exposure_hours::float8, purchases) OVER (PARTITION BY market_id)::numeric, 6) AS corr_exposure_purchases,
       round(corr(crm_interactions::float8, purchases) OVER (PARTITION BY distance_band)::numeric, 6) AS corr_interactions_purchases
FROM combined
ORDER BY month, channel_id, market_id, distance_band;

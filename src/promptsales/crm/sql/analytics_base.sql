-- R7 analytics, computed from the base tables (no materialized views): campaign behaviour vs purchases
-- per month × sales channel × market × distance band, ranked, with correlations.
WITH market AS (
    SELECT market_id, latitude, longitude FROM ads_link.markets WHERE country_code = %(country)s
), ads_behaviour AS (
    SELECT date_trunc('month', r.result_date)::date AS month, r.channel_id, r.market_id,
           sum(r.cost) AS spend, sum(r.hours_of_exposure) AS exposure_hours,
           sum(r.views)::bigint AS views, sum(r.clicks)::bigint AS clicks
    FROM ads_link.ad_results r
    JOIN market m ON m.market_id = r.market_id
    WHERE r.result_date >= make_date(%(year)s, 1, 1) AND r.result_date < make_date(%(year)s + 1, 1, 1)
    GROUP BY 1, 2, 3
), lead_facts AS (
    SELECT l.lead_id, l.channel_id, l.market_id,
           date_trunc('month', l.created_at AT TIME ZONE 'UTC')::date AS month,
           crm.distance_band(crm.haversine_km(c.latitude, c.longitude, m.latitude, m.longitude)) AS distance_band
    FROM crm.leads l
    JOIN crm.clients c ON c.client_id = l.client_id
    JOIN market m ON m.market_id = l.market_id
    WHERE l.created_at >= make_timestamptz(%(year)s, 1, 1, 0, 0, 0, 'UTC')
      AND l.created_at < make_timestamptz(%(year)s + 1, 1, 1, 0, 0, 0, 'UTC')
), touches AS (
    SELECT lead_id, count(*) AS n FROM crm.interactions GROUP BY lead_id
), crm_behaviour AS (
    SELECT f.month, f.channel_id, f.market_id, f.distance_band,
           count(*) AS leads, count(s.sale_id) AS purchases,
           coalesce(sum(s.amount), 0) AS revenue, coalesce(sum(t.n), 0) AS crm_interactions
    FROM lead_facts f
    LEFT JOIN crm.sales s ON s.lead_id = f.lead_id
    LEFT JOIN touches t ON t.lead_id = f.lead_id
    GROUP BY 1, 2, 3, 4
), combined AS (
    SELECT c.*, a.spend, a.exposure_hours, a.views, a.clicks, a.clicks::float8 / nullif(a.views, 0) AS ctr
    FROM crm_behaviour c
    JOIN ads_behaviour a ON a.month = c.month AND a.channel_id = c.channel_id AND a.market_id = c.market_id
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

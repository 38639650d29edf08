-- Analytics materialized views (SPEC R8). Applied by promptsales.crm.analytics after the linked server
-- exists (they read PromptAds through ads_link), refreshed CONCURRENTLY thanks to their unique indexes.

-- 1. Campaign behaviour from PromptAds per month × channel × market (spend, exposure, views, clicks).
CREATE MATERIALIZED VIEW IF NOT EXISTS crm.mv_ads_monthly AS
SELECT m.country_code,
       date_trunc('month', r.result_date)::date AS month,
       r.channel_id,
       r.market_id,
       sum(r.cost) AS spend,
       sum(r.hours_of_exposure) AS exposure_hours,
       sum(r.views)::bigint AS views,
       sum(r.clicks)::bigint AS clicks,
       sum(r.interactions)::bigint AS ad_interactions
FROM ads_link.ad_results r
JOIN ads_link.markets m ON m.market_id = r.market_id
GROUP BY m.country_code, date_trunc('month', r.result_date)::date, r.channel_id, r.market_id;
CREATE UNIQUE INDEX IF NOT EXISTS mv_ads_monthly_key ON crm.mv_ads_monthly (country_code, month, channel_id, market_id);
COMMENT ON MATERIALIZED VIEW crm.mv_ads_monthly IS 'R8: PromptAds behaviour per month × channel × market, read once through the linked server';

-- 2. CRM outcome per month × channel × market × distance band (leads, purchases, revenue, interactions).
CREATE MATERIALIZED VIEW IF NOT EXISTS crm.mv_crm_monthly_band AS
WITH lead_facts AS (
    SELECT l.lead_id, m.country_code, l.channel_id, l.market_id,
           date_trunc('month', l.created_at AT TIME ZONE 'UTC')::date AS month,
           crm.distance_band(crm.haversine_km(c.latitude, c.longitude, m.latitude, m.longitude)) AS distance_band
    FROM crm.leads l
    JOIN crm.clients c ON c.client_id = l.client_id
    JOIN ads_link.markets m ON m.market_id = l.market_id
), touches AS (
    SELECT lead_id, count(*) AS n FROM crm.interactions GROUP BY lead_id
)
SELECT f.country_code, f.month, f.channel_id, f.market_id, f.distance_band,
       count(*) AS leads,
       count(s.sale_id) AS purchases,
       coalesce(sum(s.amount), 0) AS revenue,
       coalesce(sum(t.n), 0) AS crm_interactions
FROM lead_facts f
LEFT JOIN crm.sales s ON s.lead_id = f.lead_id
LEFT JOIN touches t ON t.lead_id = f.lead_id
GROUP BY f.country_code, f.month, f.channel_id, f.market_id, f.distance_band;
CREATE UNIQUE INDEX IF NOT EXISTS mv_crm_monthly_band_key
    ON crm.mv_crm_monthly_band (country_code, month, channel_id, market_id, distance_band);
COMMENT ON MATERIALIZED VIEW crm.mv_crm_monthly_band IS 'R8: CRM leads, purchases, revenue and interactions per month × channel × market × distance band';

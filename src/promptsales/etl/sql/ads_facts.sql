-- PromptAds measures per campaign × channel × market × month, for the campaigns being recomputed.
SELECT r.campaign_id, r.channel_id, r.market_id, date_trunc('month', r.result_date)::date AS month,
       sum(r.audience_reached)::bigint AS reach, sum(r.views)::bigint AS impressions,
       sum(r.likes)::bigint AS reactions, sum(r.interactions)::bigint AS interactions,
       sum(r.clicks)::bigint AS clicks, sum(r.hours_of_exposure) AS exposure_hours,
       sum(r.cost) AS spend, sum(r.revenue) AS revenue
FROM ads.ad_results r
WHERE %(all)s OR r.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

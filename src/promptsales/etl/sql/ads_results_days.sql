-- PromptAds result rows (alias r) per campaign × channel × market × day, for the campaigns being recomputed (wh.campaign_days, D163, D171).
-- The measures: the same registry aggregates as ads_results.sql, so the days of a month sum to the month.
SELECT r.campaign_id, r.channel_id, r.market_id, r.result_date AS day,
       {measures}
FROM ads.ad_results r
WHERE %(all)s OR r.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

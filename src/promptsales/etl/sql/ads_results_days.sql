-- PromptAds result rows (alias r) per campaign × day, for the campaigns being recomputed (wh.campaign_days, D163).
-- The measures: the same registry aggregates as ads_results.sql, so the days of a month sum to the month.
SELECT r.campaign_id, r.result_date AS day,
       {measures}
FROM ads.ad_results r
WHERE %(all)s OR r.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2

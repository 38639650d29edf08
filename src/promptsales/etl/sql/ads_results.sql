-- PromptAds result rows (alias r) per campaign × channel × market × month, for the campaigns being recomputed.
-- The measures: the registry's aggregates of extract "ads_results" (promptsales/warehouse/measures.py).
SELECT r.campaign_id, r.channel_id, r.market_id, date_trunc('month', r.result_date)::date AS month,
       {measures}
FROM ads.ad_results r
WHERE %(all)s OR r.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

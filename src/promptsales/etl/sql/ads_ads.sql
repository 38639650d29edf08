-- Distinct ads with results (PromptAds ads.ad_results) per campaign × channel × market × month.
SELECT DISTINCT r.campaign_id, r.channel_id, r.market_id, date_trunc('month', r.result_date)::date AS month, r.ad_id
FROM ads.ad_results r
WHERE %(all)s OR r.campaign_id = ANY(%(ids)s)

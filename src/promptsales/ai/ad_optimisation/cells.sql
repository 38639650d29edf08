-- The response curves' data: spend, conversions (sales) and ad-days (ad × market × day result rows) per
-- campaign × channel × market × calendar month of PromptAds' results (month_index = year × 12 + month − 1).
SELECT r.campaign_id,
       r.channel_id,
       r.market_id,
       (extract(year FROM r.result_date) * 12 + extract(month FROM r.result_date) - 1)::int4 AS month_index,
       sum(r.cost)::float8 AS spend,
       sum(r.sales)::int8 AS conversions,
       count(*)::int8 AS ad_days
FROM ads.ad_results r
WHERE r.cost > 0
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4

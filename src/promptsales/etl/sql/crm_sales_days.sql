-- PromptCRM sales (alias s) per campaign × channel × market × day of the sale (wh.campaign_days, D163, D171).
-- The measures: the same registry aggregates as crm_sales.sql, so the days of a month sum to the month.
SELECT s.campaign_id, s.channel_id, s.market_id, s.sold_at::date AS day,
       {measures}
FROM crm.sales s
WHERE %(all)s OR s.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

-- PromptCRM sales (alias s) per campaign × channel × market × month of the sale.
-- The measures: the registry's aggregates of extract "crm_sales" (promptsales/warehouse/measures.py).
SELECT s.campaign_id, s.channel_id, s.market_id, date_trunc('month', s.sold_at)::date AS month,
       {measures}
FROM crm.sales s
WHERE %(all)s OR s.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

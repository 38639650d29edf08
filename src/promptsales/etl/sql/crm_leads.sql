-- PromptCRM leads (alias l) per campaign × channel × market × month of creation.
-- The measures: the registry's aggregates of extract "crm_leads" (promptsales/warehouse/measures.py).
SELECT l.campaign_id, l.channel_id, l.market_id, date_trunc('month', l.created_at)::date AS month,
       {measures}
FROM crm.leads l
WHERE %(all)s OR l.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

-- PromptCRM leads (alias l) per campaign × channel × market × day of creation (wh.campaign_days, D163, D171).
-- The measures: the same registry aggregates as crm_leads.sql, so the days of a month sum to the month.
SELECT l.campaign_id, l.channel_id, l.market_id, l.created_at::date AS day,
       {measures}
FROM crm.leads l
WHERE %(all)s OR l.campaign_id = ANY(%(ids)s)
GROUP BY 1, 2, 3, 4

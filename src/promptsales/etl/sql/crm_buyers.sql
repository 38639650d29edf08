-- Distinct buying clients (PromptCRM crm.sales) per campaign × channel × market × month of the sale; also
-- the campaign's distinct clients (wh.campaigns.clients) are counted from these rows.
SELECT DISTINCT s.campaign_id, s.channel_id, s.market_id, date_trunc('month', s.sold_at)::date AS month, s.client_id
FROM crm.sales s
WHERE %(all)s OR s.campaign_id = ANY(%(ids)s)

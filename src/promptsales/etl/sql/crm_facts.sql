-- PromptCRM leads (by creation month) and sales (by sale month) per campaign × channel × market × month.
SELECT campaign_id, channel_id, market_id, month,
       sum(leads)::bigint AS leads, sum(sales_count)::bigint AS sales_count, sum(sales_amount) AS sales_amount
FROM (
    SELECT l.campaign_id, l.channel_id, l.market_id, date_trunc('month', l.created_at)::date AS month,
           1 AS leads, 0 AS sales_count, 0::numeric AS sales_amount
    FROM crm.leads l
    WHERE %(all)s OR l.campaign_id = ANY(%(ids)s)
    UNION ALL
    SELECT s.campaign_id, s.channel_id, s.market_id, date_trunc('month', s.sold_at)::date,
           0, 1, s.amount
    FROM crm.sales s
    WHERE %(all)s OR s.campaign_id = ANY(%(ids)s)
) x
GROUP BY 1, 2, 3, 4

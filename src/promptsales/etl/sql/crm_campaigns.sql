-- Distinct buying clients per campaign (not additive over months, so extracted at campaign grain).
SELECT campaign_id, count(DISTINCT client_id) AS clients
FROM crm.sales
WHERE %(all)s OR campaign_id = ANY(%(ids)s)
GROUP BY 1

-- title: R4 — linked server: PromptCRM sales joined with PromptAds campaigns through postgres_fdw
-- params: top:int=10
-- explanation:
--   promptads_link is a postgres_fdw server in promptcrm; its user mapping logs into promptads as the
--   read-only promptads_etl role (never the owner) and the server is declared updatable 'false'.
--   IMPORT FOREIGN SCHEMA put every PromptAds table in schema ads_link. The query below joins local CRM
--   sales with remote campaigns, brands and results in one statement; the aggregation of
--   ads_link.ad_results is pushed down to promptads (see EXPLAIN VERBOSE: "Remote SQL").
-- The foreign server and what the mapping logs in as (password hidden from non-owners)
SELECT s.srvname, s.srvoptions, m.usename AS local_user,
       (SELECT option_value FROM pg_options_to_table(m.umoptions) WHERE option_name = 'user') AS remote_user
FROM pg_foreign_server s JOIN pg_user_mappings m ON m.srvid = s.oid
WHERE s.srvname = 'promptads_link';

-- Top campaigns by CRM revenue, with their brand and PromptAds spend (one statement across both databases)
WITH crm_revenue AS (
    SELECT campaign_id, count(*) AS crm_sales, sum(amount) AS crm_revenue
    FROM crm.sales GROUP BY campaign_id
), ads_spend AS (
    SELECT campaign_id, sum(cost) AS ads_spend FROM ads_link.ad_results GROUP BY campaign_id
)
SELECT c.campaign_id, c.name AS campaign, b.name AS brand, r.crm_sales, r.crm_revenue, a.ads_spend,
       round(r.crm_revenue / nullif(a.ads_spend, 0), 2) AS revenue_per_dollar,
       rank() OVER (ORDER BY r.crm_revenue DESC) AS revenue_rank
FROM crm_revenue r
JOIN ads_link.campaigns c ON c.campaign_id = r.campaign_id
JOIN ads_link.brands b ON b.brand_id = c.brand_id
JOIN ads_spend a ON a.campaign_id = r.campaign_id
ORDER BY r.crm_revenue DESC
LIMIT %(top)s;

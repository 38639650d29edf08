-- R3: PromptCRM vs PromptAds per campaign × channel × market, in one statement through the linked server.
-- The PromptAds side is aggregated remotely (postgres_fdw pushes the GROUP BY down to promptads).
-- Result: one row = (groups compared, JSON array of the mismatching groups).
WITH ads_side AS (
    SELECT campaign_id, channel_id, market_id,
           sum(leads)::bigint AS ads_leads, sum(sales)::bigint AS ads_sales, sum(revenue) AS ads_revenue
    FROM ads_link.ad_results
    GROUP BY campaign_id, channel_id, market_id
), crm_reach AS (
    SELECT campaign_id, channel_id, market_id, count(DISTINCT client_id) AS crm_clients
    FROM crm.leads
    GROUP BY campaign_id, channel_id, market_id
), crm_sold AS (
    SELECT campaign_id, channel_id, market_id, count(*) AS crm_sales, sum(amount) AS crm_revenue
    FROM crm.sales
    GROUP BY campaign_id, channel_id, market_id
), compared AS (
    SELECT coalesce(a.campaign_id, r.campaign_id, s.campaign_id) AS campaign_id,
           coalesce(a.channel_id, r.channel_id, s.channel_id) AS channel_id,
           coalesce(a.market_id, r.market_id, s.market_id) AS market_id,
           coalesce(a.ads_leads, 0) AS ads_leads, coalesce(r.crm_clients, 0) AS crm_clients,
           coalesce(a.ads_sales, 0) AS ads_sales, coalesce(s.crm_sales, 0) AS crm_sales,
           coalesce(a.ads_revenue, 0) AS ads_revenue, coalesce(s.crm_revenue, 0) AS crm_revenue
    FROM ads_side a
    FULL JOIN crm_reach r
           ON r.campaign_id = a.campaign_id AND r.channel_id = a.channel_id AND r.market_id = a.market_id
    FULL JOIN crm_sold s
           ON s.campaign_id = coalesce(a.campaign_id, r.campaign_id)
          AND s.channel_id = coalesce(a.channel_id, r.channel_id)
          AND s.market_id = coalesce(a.market_id, r.market_id)
)
SELECT count(*) AS groups_compared,
       coalesce(jsonb_agg(to_jsonb(c) ORDER BY campaign_id, channel_id, market_id)
                FILTER (WHERE ads_leads <> crm_clients OR ads_sales <> crm_sales OR ads_revenue <> crm_revenue),
                '[]'::jsonb) AS mismatches
FROM compared c;

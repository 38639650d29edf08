-- migrate: as-admin
-- 0100_mcp_role (issue 23, SPEC N4 least privilege): the PromptAds MCP server connects as promptads_mcp, a role
-- that can do what its tools need and nothing else (before: the etl role, which may purge change capture and
-- read server statistics, and the app role, which may change or delete any row).
--   reads (campaignResults, negativeSentimentReport, listChannels/Markets/Brands, createCampaign's replay):
--     SELECT on the ads schema — its tables now and later (default privileges of the owner in that schema);
--   createCampaign: ads.adssp_create_campaign (SECURITY INVOKER) inserts the campaign, its channels, markets
--     and ads and writes its log row through ads.write_log.
-- Nothing else: no UPDATE, DELETE or TRUNCATE anywhere, nothing in cdc or meta.
GRANT USAGE ON SCHEMA ads TO promptads_mcp;
GRANT SELECT ON ALL TABLES IN SCHEMA ads TO promptads_mcp;
ALTER DEFAULT PRIVILEGES FOR ROLE promptads_owner IN SCHEMA ads GRANT SELECT ON TABLES TO promptads_mcp;
GRANT INSERT ON ads.campaigns, ads.campaign_channels, ads.campaign_markets, ads.ads, ads.logs TO promptads_mcp;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA ads TO promptads_mcp;
GRANT EXECUTE ON PROCEDURE ads.adssp_create_campaign TO promptads_mcp;
GRANT EXECUTE ON FUNCTION ads.write_log, ads.log_checksum TO promptads_mcp;

-- Like the app role (issue 17): sessions idle inside a transaction end after 5 minutes (ALTER ROLE: as admin).
ALTER ROLE promptads_mcp SET idle_in_transaction_session_timeout = '5min';

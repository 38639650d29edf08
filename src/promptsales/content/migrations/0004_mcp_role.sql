-- migrate: as-admin
-- 0004_mcp_role (issue 23, SPEC N4 least privilege): the PromptContent MCP server connects to its PostgreSQL
-- database as promptcontent_mcp: getContent and createCampaignMessages only search the vector index (the
-- documents, requests and message logs live in MongoDB). Before: the app role, which may rewrite the index.
-- A full reindex replaces content.media_embeddings by a new table: the owner's default privileges in the schema
-- give the new one the same SELECT.
GRANT USAGE ON SCHEMA content TO promptcontent_mcp;
GRANT SELECT ON ALL TABLES IN SCHEMA content TO promptcontent_mcp;
ALTER DEFAULT PRIVILEGES FOR ROLE promptcontent_owner IN SCHEMA content GRANT SELECT ON TABLES TO promptcontent_mcp;

-- Like the app role (issue 17): sessions idle inside a transaction end after 5 minutes (ALTER ROLE: as admin).
ALTER ROLE promptcontent_mcp SET idle_in_transaction_session_timeout = '5min';

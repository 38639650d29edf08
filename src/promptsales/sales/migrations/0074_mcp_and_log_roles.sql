-- migrate: as-admin
-- 0074_mcp_and_log_roles (issue 23, SPEC N4 least privilege).
--
-- promptsales_log: what every process needs in the PromptSales database besides its own company's data — append
-- audit rows (portal.audit_log, creating the day's partition) and AI-usage rows (portal.ai_usage_log), and, for
-- the MCP servers of the other companies, read the AI model registry. Before: promptsales_app, which may change or
-- delete any portal or warehouse row — held by every MCP server of every company.
GRANT USAGE ON SCHEMA portal TO promptsales_log;
GRANT INSERT ON portal.audit_log, portal.ai_usage_log TO promptsales_log;
GRANT EXECUTE ON FUNCTION portal.audit_ensure_partitions(date, integer) TO promptsales_log;
GRANT SELECT ON portal.ai_models, portal.ai_model_evaluations TO promptsales_log;

-- promptsales_mcp: the PromptSales MCP server — reads the portal and the warehouse (questions, rankings,
-- proposals), records strategies and AI proposals (proposeCampaign), reviews and launches them (approveProposal:
-- reviews, launch steps, provisional campaigns), through the workflow triggers (which call portal.raise_error and
-- portal.user_has_role as the caller). Not the audit (it has no audit tool), no DELETE or TRUNCATE anywhere.
GRANT USAGE ON SCHEMA portal, wh TO promptsales_mcp;
GRANT SELECT ON ALL TABLES IN SCHEMA portal, wh TO promptsales_mcp;
ALTER DEFAULT PRIVILEGES FOR ROLE promptsales_owner IN SCHEMA wh GRANT SELECT ON TABLES TO promptsales_mcp;
REVOKE SELECT ON portal.audit_log, portal.audit_chain, portal.audit_seals FROM promptsales_mcp;
DO $$
DECLARE
    v_part record;
BEGIN
    FOR v_part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'portal.audit_log'::regclass
    LOOP
        EXECUTE format('REVOKE ALL ON portal.%I FROM promptsales_mcp', v_part.relname);
    END LOOP;
END;
$$;
GRANT INSERT ON portal.strategies, portal.strategy_audiences, portal.strategy_countries, portal.strategy_products,
    portal.campaigns, portal.proposals, portal.proposal_reviews, portal.proposal_launches, portal.proposal_steps
    TO promptsales_mcp;
GRANT UPDATE ON portal.proposals, portal.proposal_launches, portal.proposal_steps TO promptsales_mcp;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA portal TO promptsales_mcp;
GRANT EXECUTE ON FUNCTION portal.raise_error(char, text), portal.user_has_role(integer, text) TO promptsales_mcp;

-- Like the app role (issue 17): sessions idle inside a transaction end after 5 minutes (ALTER ROLE: as admin).
ALTER ROLE promptsales_log SET idle_in_transaction_session_timeout = '5min';
ALTER ROLE promptsales_mcp SET idle_in_transaction_session_timeout = '5min';

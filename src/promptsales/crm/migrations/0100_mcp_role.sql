-- migrate: as-admin
-- 0100_mcp_role (issue 23, SPEC N4 least privilege): the PromptCRM MCP server connects as promptcrm_mcp, a role
-- that can do what its tools need and nothing else (before: the etl role, which may purge change capture and
-- read server statistics, and the app role, which may change or delete any row, the log included).
--   reads (leadTimeline, campaignSales, scoreLeads, client360 — with crm:pii also the wrapped data keys):
--     SELECT on the crm schema — its tables now and later (default privileges of the owner in that schema);
--   registerLead: a new client (encrypted fields; the blind-index key the first time), the lead, its stage
--     history and the client × campaign reach; prepareLeadCapture: its log row; every PII view: a security
--     row — log rows always through crm.crmsp_write_log;
--   the linked server's foreign tables (ads_link) are granted by promptsales.crm.link when it imports them.
-- Nothing else: no UPDATE, DELETE or TRUNCATE anywhere, nothing in cdc or meta.
GRANT USAGE ON SCHEMA crm TO promptcrm_mcp;
GRANT SELECT ON ALL TABLES IN SCHEMA crm TO promptcrm_mcp;
ALTER DEFAULT PRIVILEGES FOR ROLE promptcrm_owner IN SCHEMA crm GRANT SELECT ON TABLES TO promptcrm_mcp;
GRANT INSERT ON crm.clients, crm.data_keys, crm.leads, crm.lead_stage_history, crm.client_campaigns, crm.logs
    TO promptcrm_mcp;
GRANT USAGE ON SEQUENCE crm.clients_client_id_seq, crm.data_keys_data_key_id_seq, crm.leads_lead_id_seq,
    crm.lead_stage_history_history_id_seq, crm.logs_log_id_seq TO promptcrm_mcp;
GRANT EXECUTE ON PROCEDURE crm.crmsp_write_log TO promptcrm_mcp;
GRANT EXECUTE ON FUNCTION crm.crmfn_log_checksum, crm.haversine_km, crm.distance_band TO promptcrm_mcp;

-- Like the app role (issue 17): sessions idle inside a transaction end after 5 minutes (ALTER ROLE: as admin).
ALTER ROLE promptcrm_mcp SET idle_in_transaction_session_timeout = '5min';

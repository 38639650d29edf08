-- Only the ETL role may purge captured changes. cdc.purge is SECURITY DEFINER, and the owner's default
-- privileges (promptsales/db/roles.py) grant EXECUTE on every routine to the app role, so until now a
-- service could erase change rows the warehouse had not read yet (found by tests/etl/test_etl_cdc.py).
REVOKE EXECUTE ON FUNCTION cdc.purge(xid8) FROM PUBLIC, promptcrm_app;

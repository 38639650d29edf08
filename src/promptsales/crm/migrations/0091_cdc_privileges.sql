-- 0091_cdc_privileges: only cdc.capture() (SECURITY DEFINER, owned by the owner role) writes change rows.
-- The owner's default privileges had granted INSERT/UPDATE/DELETE on cdc.changes to the app role; a
-- service must not be able to forge or erase captured changes, so take them back (fix-forward of 0090).
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON cdc.changes FROM promptcrm_app;
REVOKE USAGE, UPDATE ON SEQUENCE cdc.changes_id_seq FROM promptcrm_app;

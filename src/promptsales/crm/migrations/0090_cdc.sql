-- 0090_cdc: change capture for the PromptSales ETL (owned by the PromptSales/ETL team, SPEC S3).
--
-- Statement-level AFTER triggers with transition tables record, for every INSERT/UPDATE/DELETE
-- statement, the DISTINCT values of one key column of the rows it touched, with the writing
-- transaction's id (pg_current_xact_id()). One bulk COPY of 100,000 rows therefore writes a handful of
-- change rows, not 100,000. TRUNCATE writes one row with a NULL key ("everything changed").
-- The ETL reads changes with horizon <= xid < xmin(its snapshot): every such transaction has finished,
-- so nothing committed late is skipped and nothing is read twice.
CREATE SCHEMA cdc;
COMMENT ON SCHEMA cdc IS 'Change capture for the PromptSales ETL';

CREATE TABLE cdc.changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    xid         xid8 NOT NULL DEFAULT pg_current_xact_id(),
    table_name  text NOT NULL,          -- schema-qualified
    operation   "char" NOT NULL CHECK (operation IN ('I', 'U', 'D', 'T')),
    key_name    text NOT NULL,
    key_value   bigint,                 -- NULL only for TRUNCATE
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX changes_xid ON cdc.changes (xid);
-- Only the capture function (SECURITY DEFINER, owned by the owner role) writes changes.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON cdc.changes FROM PUBLIC;

CREATE FUNCTION cdc.capture() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, cdc AS $$
DECLARE
    v_table text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
    v_key   text := TG_ARGV[0];
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format('INSERT INTO cdc.changes (table_name, operation, key_name, key_value) '
                       'SELECT DISTINCT %L, ''I'', %L, n.%I FROM new_rows n', v_table, v_key, v_key);
    ELSIF TG_OP = 'UPDATE' THEN
        EXECUTE format('INSERT INTO cdc.changes (table_name, operation, key_name, key_value) '
                       'SELECT %L, ''U'', %L, k FROM (SELECT n.%I AS k FROM new_rows n '
                       'UNION SELECT o.%I FROM old_rows o) keys', v_table, v_key, v_key, v_key);
    ELSIF TG_OP = 'DELETE' THEN
        EXECUTE format('INSERT INTO cdc.changes (table_name, operation, key_name, key_value) '
                       'SELECT DISTINCT %L, ''D'', %L, o.%I FROM old_rows o', v_table, v_key, v_key);
    ELSE
        INSERT INTO cdc.changes (table_name, operation, key_name, key_value) VALUES (v_table, 'T', v_key, NULL);
    END IF;
    RETURN NULL;
END $$;

-- Attach change capture to a table: cdc.attach('ads.ad_results', 'ad_id').
CREATE FUNCTION cdc.attach(p_table regclass, p_key_column text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_name text := replace(p_table::text, '.', '_');
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cdc.capture(%L)', 'cdc_ins', p_table, p_key_column);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cdc.capture(%L)', 'cdc_upd', p_table, p_key_column);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cdc.capture(%L)', 'cdc_del', p_table, p_key_column);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION cdc.capture(%L)', 'cdc_trunc', p_table, p_key_column);
END $$;

-- Delete change rows every run has already read (called by the ETL after a successful load).
CREATE FUNCTION cdc.purge(p_before xid8) RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, cdc AS $$
    WITH gone AS (DELETE FROM cdc.changes WHERE xid < p_before RETURNING 1) SELECT count(*) FROM gone
$$;

-- Every table the warehouse summaries read, with the key the ETL maps to campaigns
-- (see promptsales/etl/sources.py: CHANGE_KEYS).
SELECT cdc.attach('crm.leads', 'campaign_id');
SELECT cdc.attach('crm.sales', 'campaign_id');
GRANT EXECUTE ON FUNCTION cdc.purge(xid8) TO promptcrm_etl;

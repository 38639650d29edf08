-- 0072_audit_chain_per_transaction (issue 23): chain audit rows without updating the chain head once per row.
--
-- 0071's insert trigger updated the partition's head row in portal.audit_chain for every audit row. Inside one
-- transaction (the batched writer stores a batch in one) each update adds a version of the same row, and every
-- next update walks that version chain: a batch of n rows cost O(n²) (a 20,000-row batch ran for minutes).
-- Now the first row of a transaction locks the head (SELECT … FOR UPDATE: concurrent writers of a partition still
-- take turns) and the chain position travels in a transaction-local setting from row to row; a deferred
-- constraint trigger writes the head once per partition at commit. A rolled-back transaction (or subtransaction)
-- takes the setting back with it, so the head and the rows always agree.

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER: the app role appends rows but cannot touch the chain heads.
-- Purpose: give each new row its place in its partition's chain (see the header).
CREATE OR REPLACE FUNCTION portal.audit_chain_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_key  text := 'promptsales_audit.' || TG_TABLE_NAME;
    v_state text := current_setting(v_key, true);
    v_seq  bigint;
    v_prev bytea;
BEGIN
    IF v_state IS NULL OR v_state = '' THEN
        SELECT last_seq, last_hash INTO v_seq, v_prev FROM portal.audit_chain
        WHERE partition_name = TG_TABLE_NAME FOR UPDATE;
        IF NOT FOUND THEN
            INSERT INTO portal.audit_chain (partition_name, last_seq, last_hash)
            VALUES (TG_TABLE_NAME, 0, portal.audit_genesis(TG_TABLE_NAME))
            ON CONFLICT (partition_name) DO NOTHING;
            SELECT last_seq, last_hash INTO STRICT v_seq, v_prev FROM portal.audit_chain
            WHERE partition_name = TG_TABLE_NAME FOR UPDATE;
        END IF;
    ELSE
        v_seq := split_part(v_state, ':', 1)::bigint;
        v_prev := decode(split_part(v_state, ':', 2), 'hex');
    END IF;
    NEW.chain_seq := v_seq + 1;
    NEW.prev_hash := v_prev;
    NEW.row_hash := portal.audit_row_digest(v_prev, NEW.chain_seq, NEW.occurred_at, NEW.actor, NEW.service,
                                            NEW.action, NEW.category, NEW.scope, NEW.outcome, NEW.latency_ms,
                                            NEW.detail);
    PERFORM set_config(v_key, NEW.chain_seq || ':' || encode(NEW.row_hash, 'hex'), true);
    RETURN NEW;
END;
$$;

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER: writes portal.audit_chain, which the app role cannot.
-- Purpose: at commit, write each partition's chain head once (the first deferred event of the partition does it;
-- the others find it done).
CREATE FUNCTION portal.audit_chain_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_state text := current_setting('promptsales_audit.' || TG_TABLE_NAME, true);
    v_synced_key text := 'promptsales_audit_synced.' || TG_TABLE_NAME;
BEGIN
    IF v_state IS NOT NULL AND v_state <> '' AND v_state IS DISTINCT FROM current_setting(v_synced_key, true) THEN
        UPDATE portal.audit_chain
           SET last_seq = split_part(v_state, ':', 1)::bigint, last_hash = decode(split_part(v_state, ':', 2), 'hex')
         WHERE partition_name = TG_TABLE_NAME;
        PERFORM set_config(v_synced_key, v_state, true);
    END IF;
    RETURN NULL;
END;
$$;
CREATE CONSTRAINT TRIGGER audit_log_chain_head AFTER INSERT ON portal.audit_log
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal.audit_chain_sync();
REVOKE EXECUTE ON FUNCTION portal.audit_chain_sync() FROM PUBLIC, promptsales_app;

-- 0073_audit_chain_head_per_statement (issue 23): write the audit chain heads once per INSERT statement instead
-- of through one deferred trigger event per row (0072). The batched writer now stores a batch as one multi-row
-- INSERT, so a batch costs one head update; any other INSERT (one row, or several) still leaves the heads right
-- at the end of its statement. The row trigger records which partitions the transaction touched. Statement
-- triggers fire for statements on the partitioned table, not on a partition: the app role may no longer INSERT
-- into a partition directly (only through portal.audit_log).

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER: the app role appends rows but cannot touch the chain heads.
-- Purpose: give each new row its place in its partition's chain (0072), and note the partition as touched.
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
        PERFORM set_config('promptsales_audit.touched',
                           concat_ws(',', nullif(current_setting('promptsales_audit.touched', true), ''), TG_TABLE_NAME),
                           true);
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
-- Purpose: after each INSERT statement, write the head of every partition the transaction moved since the last
-- write of that head.
CREATE OR REPLACE FUNCTION portal.audit_chain_sync() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_partition text;
    v_state text;
BEGIN
    FOREACH v_partition IN ARRAY coalesce(string_to_array(nullif(current_setting('promptsales_audit.touched', true),
                                                                  ''), ','), '{}')
    LOOP
        v_state := current_setting('promptsales_audit.' || v_partition, true);
        IF v_state IS DISTINCT FROM current_setting('promptsales_audit_synced.' || v_partition, true) THEN
            UPDATE portal.audit_chain
               SET last_seq = split_part(v_state, ':', 1)::bigint,
                   last_hash = decode(split_part(v_state, ':', 2), 'hex')
             WHERE partition_name = v_partition;
            PERFORM set_config('promptsales_audit_synced.' || v_partition, v_state, true);
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$;
DROP TRIGGER audit_log_chain_head ON portal.audit_log;
CREATE TRIGGER audit_log_chain_head AFTER INSERT ON portal.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION portal.audit_chain_sync();

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER (owner) so that the writer (app role) can create today's and tomorrow's partition.
-- Purpose: as in 0071, and the app role may not INSERT into a partition directly either (its rows would miss the
-- statement trigger that writes the chain head).
CREATE OR REPLACE FUNCTION portal.audit_ensure_partitions(p_from date DEFAULT current_date, p_days integer DEFAULT 7)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_day date;
    v_name text;
    v_created integer := 0;
BEGIN
    IF p_days < 1 OR p_days > 366 THEN
        RAISE EXCEPTION 'p_days must be between 1 and 366, got %', p_days USING ERRCODE = '22023';
    END IF;
    FOR i IN 0 .. p_days - 1 LOOP
        v_day := p_from + i;
        v_name := 'audit_log_' || to_char(v_day, 'YYYYMMDD');
        IF to_regclass('portal.' || v_name) IS NULL THEN
            EXECUTE format('CREATE TABLE portal.%I PARTITION OF portal.audit_log FOR VALUES FROM (%L) TO (%L)',
                           v_name, v_day::timestamp AT TIME ZONE 'UTC', (v_day + 1)::timestamp AT TIME ZONE 'UTC');
            EXECUTE format('REVOKE ALL ON portal.%I FROM promptsales_app', v_name);
            INSERT INTO portal.audit_chain (partition_name, last_seq, last_hash)
            VALUES (v_name, 0, portal.audit_genesis(v_name)) ON CONFLICT (partition_name) DO NOTHING;
            v_created := v_created + 1;
        END IF;
    END LOOP;
    RETURN v_created;
END;
$$;

DO $$
DECLARE
    v_part record;
BEGIN
    FOR v_part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'portal.audit_log'::regclass
    LOOP
        EXECUTE format('REVOKE ALL ON portal.%I FROM promptsales_app', v_part.relname);
    END LOOP;
END;
$$;

-- 0071_central_audit (issue 23, SPEC N4): portal.audit_log becomes the one tamper-evident audit of every service.
--
-- * category: what kind of event (MCP call, PII reveal, admin CLI action, key-store operation, backup/restore,
--   role or grant change, privacy request, token issued, audit maintenance); scope: the OAuth scope used.
-- * Hash chain per daily partition: a BEFORE INSERT trigger (SECURITY DEFINER) numbers each row in its
--   partition (chain_seq 1, 2, …) and stores prev_hash (the previous row's row_hash, or the partition's genesis
--   hash) and row_hash = sha256(prev_hash || canonical row). portal.audit_chain holds each partition's head.
--   An edited, deleted or reordered row breaks the chain; `promptsales audit verify` recomputes it in SQL.
-- * Append-only: UPDATE and DELETE raise; the app role (the writer) may only INSERT (no SELECT, UPDATE, DELETE,
--   TRUNCATE on the table or any partition) and may no longer drop partitions.
-- * Retention drops whole partitions (never row deletes) and records each drop in the audit itself; the default
--   partition goes (a row without its day's partition is an error the writer logs, not a heap kept forever).
-- * portal.audit_seals: HMAC seals of closed days written by the maintenance job with a key kept outside the
--   database, so even the owner cannot silently rewrite a sealed day and its chain head together.

ALTER TABLE portal.audit_log
    ADD COLUMN category  text NOT NULL DEFAULT 'mcp',
    ADD COLUMN scope     text,
    ADD COLUMN chain_seq bigint,
    ADD COLUMN prev_hash bytea,
    ADD COLUMN row_hash  bytea;
ALTER TABLE portal.audit_log ADD CONSTRAINT audit_log_category
    CHECK (category IN ('mcp', 'pii', 'admin', 'keystore', 'backup', 'grant', 'privacy', 'auth', 'audit'));
COMMENT ON TABLE portal.audit_log IS
    'N4: the central audit of every service (MCP calls, PII reveals, admin CLI, key store, backups, grants, privacy '
    'requests); daily partitions, hash-chained per partition, append-only, partitions dropped after 90 days';
CREATE INDEX audit_log_actor_occurred_at ON portal.audit_log (actor, occurred_at);

CREATE TABLE portal.audit_chain (
    partition_name text PRIMARY KEY,
    last_seq       bigint NOT NULL CHECK (last_seq >= 0),
    last_hash      bytea NOT NULL
);
COMMENT ON TABLE portal.audit_chain IS 'Head of each audit partition''s hash chain (written only by the insert trigger)';

CREATE TABLE portal.audit_seals (
    partition_name text PRIMARY KEY,
    day            date NOT NULL,
    rows           bigint NOT NULL,
    last_hash      bytea NOT NULL,
    seal           bytea NOT NULL,
    key_id         text NOT NULL,
    sealed_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE portal.audit_seals IS
    'HMAC-SHA256 (key outside the database) over a closed day''s row count and last hash, by the maintenance job';

-- Author: PromptSales security. Date: 2026-12-05.
-- Purpose: the hash a partition's chain starts from (binds the chain to its partition: rows moved elsewhere fail).
CREATE FUNCTION portal.audit_genesis(p_partition text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to('promptsales-audit:' || p_partition, 'UTF8'));

-- Author: PromptSales security. Date: 2026-12-05.
-- Purpose: a row's hash: sha256(previous hash || canonical JSON array of the row's fields). jsonb renders keys
-- and numbers canonically; the time is whole microseconds since the epoch (no time zone in the text).
CREATE FUNCTION portal.audit_row_digest(
    p_prev bytea, p_seq bigint, p_occurred_at timestamptz, p_actor text, p_service text, p_action text,
    p_category text, p_scope text, p_outcome text, p_latency_ms numeric, p_detail jsonb
) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE
RETURN sha256(p_prev || convert_to(jsonb_build_array(
    p_seq, (extract(epoch FROM p_occurred_at) * 1000000)::bigint, p_actor, p_service, p_action, p_category,
    p_scope, p_outcome, p_latency_ms, p_detail)::text, 'UTF8'));

-- 1. chain the rows already in the daily partitions, in the order they were written
DO $$
DECLARE
    v_part record;
    v_row record;
    v_prev bytea;
    v_seq bigint;
BEGIN
    FOR v_part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'portal.audit_log'::regclass AND c.relname <> 'audit_log_default'
        ORDER BY c.relname
    LOOP
        v_prev := portal.audit_genesis(v_part.relname);
        v_seq := 0;
        FOR v_row IN EXECUTE format('SELECT * FROM portal.%I ORDER BY audit_id', v_part.relname) LOOP
            v_seq := v_seq + 1;
            EXECUTE format('UPDATE portal.%I SET chain_seq = $1, prev_hash = $2, row_hash = $3 WHERE audit_id = $4',
                           v_part.relname)
            USING v_seq, v_prev,
                  portal.audit_row_digest(v_prev, v_seq, v_row.occurred_at, v_row.actor, v_row.service, v_row.action,
                                          v_row.category, v_row.scope, v_row.outcome, v_row.latency_ms, v_row.detail),
                  v_row.audit_id;
            v_prev := portal.audit_row_digest(v_prev, v_seq, v_row.occurred_at, v_row.actor, v_row.service,
                                              v_row.action, v_row.category, v_row.scope, v_row.outcome,
                                              v_row.latency_ms, v_row.detail);
        END LOOP;
        INSERT INTO portal.audit_chain (partition_name, last_seq, last_hash) VALUES (v_part.relname, v_seq, v_prev);
    END LOOP;
END;
$$;

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER: the app role appends rows but cannot touch the chain heads.
-- Purpose: give each new row its place in its partition's chain. One UPDATE of the head per row, which also
-- serialises concurrent writers of one partition (the head's row lock is held until their commit).
CREATE FUNCTION portal.audit_chain_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_prev bytea;
BEGIN
    FOR attempt IN 1 .. 2 LOOP
        UPDATE portal.audit_chain c
           SET last_seq = c.last_seq + 1,
               last_hash = portal.audit_row_digest(c.last_hash, c.last_seq + 1, NEW.occurred_at, NEW.actor,
                                                   NEW.service, NEW.action, NEW.category, NEW.scope, NEW.outcome,
                                                   NEW.latency_ms, NEW.detail)
         WHERE c.partition_name = TG_TABLE_NAME
        RETURNING WITH (OLD AS was, NEW AS now_is) was.last_hash, now_is.last_seq, now_is.last_hash
             INTO v_prev, NEW.chain_seq, NEW.row_hash;
        IF FOUND THEN
            NEW.prev_hash := v_prev;
            RETURN NEW;
        END IF;
        INSERT INTO portal.audit_chain (partition_name, last_seq, last_hash)
        VALUES (TG_TABLE_NAME, 0, portal.audit_genesis(TG_TABLE_NAME))
        ON CONFLICT (partition_name) DO NOTHING;
    END LOOP;
    RAISE EXCEPTION 'audit chain head of % is missing', TG_TABLE_NAME USING ERRCODE = 'P0002';
END;
$$;
CREATE TRIGGER audit_log_chain BEFORE INSERT ON portal.audit_log FOR EACH ROW EXECUTE FUNCTION portal.audit_chain_row();

-- 2. the default partition goes; rows it held (if any) are re-inserted into their days' partitions, chained
CREATE TEMP TABLE audit_default_rows ON COMMIT DROP AS SELECT * FROM portal.audit_log_default;
DROP TABLE portal.audit_log_default;

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER (owner) so that the writer (app role) can create today's and tomorrow's partition.
-- Purpose: make sure the daily partitions (UTC days) of portal.audit_log exist from p_from for p_days days, each
-- with its chain head, and that the app role may only INSERT into them (default privileges grant more).
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
            EXECUTE format('REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON portal.%I FROM promptsales_app', v_name);
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
    v_day date;
BEGIN
    FOR v_day IN SELECT DISTINCT (occurred_at AT TIME ZONE 'UTC')::date FROM audit_default_rows LOOP
        PERFORM portal.audit_ensure_partitions(v_day, 1);
    END LOOP;
END;
$$;
INSERT INTO portal.audit_log (audit_id, occurred_at, actor, service, action, outcome, latency_ms, detail, category, scope)
OVERRIDING SYSTEM VALUE
SELECT audit_id, occurred_at, actor, service, action, outcome, latency_ms, detail, category, scope
FROM audit_default_rows ORDER BY audit_id;

ALTER TABLE portal.audit_log
    ALTER COLUMN chain_seq SET NOT NULL,
    ALTER COLUMN prev_hash SET NOT NULL,
    ALTER COLUMN row_hash SET NOT NULL;

-- Author: PromptSales security. Date: 2026-12-05.
-- Purpose: audit rows are never changed or deleted one by one (retention drops whole partitions).
CREATE FUNCTION portal.audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'portal.audit_log is append-only: % refused', TG_OP USING ERRCODE = '42501';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON portal.audit_log
    FOR EACH ROW EXECUTE FUNCTION portal.audit_refuse_change();

-- Author: PromptSales security. Date: 2026-12-05.
-- SECURITY DEFINER (owner): run by the maintenance job, not by services.
-- Purpose: drop the daily partitions whose whole day is older than p_keep_days (N4: 90) — never a row delete —
-- with their chain heads and seals, and record each drop in the audit itself (category 'audit').
CREATE OR REPLACE FUNCTION portal.audit_drop_old_partitions(p_keep_days integer DEFAULT 90)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_cutoff date := (now() AT TIME ZONE 'UTC')::date - p_keep_days;
    v_part record;
    v_rows bigint;
    v_dropped integer := 0;
BEGIN
    IF p_keep_days < 1 THEN
        RAISE EXCEPTION 'p_keep_days must be positive, got %', p_keep_days USING ERRCODE = '22023';
    END IF;
    PERFORM portal.audit_ensure_partitions((now() AT TIME ZONE 'UTC')::date, 1);
    FOR v_part IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = 'portal.audit_log'::regclass
          AND n.nspname = 'portal'
          AND c.relname ~ '^audit_log_[0-9]{8}$'
          AND to_date(substr(c.relname, 11), 'YYYYMMDD') < v_cutoff
        ORDER BY c.relname
    LOOP
        SELECT last_seq INTO v_rows FROM portal.audit_chain WHERE partition_name = v_part.relname;
        EXECUTE format('DROP TABLE portal.%I', v_part.relname);
        DELETE FROM portal.audit_chain WHERE partition_name = v_part.relname;
        DELETE FROM portal.audit_seals WHERE partition_name = v_part.relname;
        INSERT INTO portal.audit_log (actor, service, action, outcome, latency_ms, detail, category)
        VALUES (session_user, 'audit', 'audit.partition_dropped', 'ok', 0,
                jsonb_build_object('partition', v_part.relname, 'rows', coalesce(v_rows, 0), 'keep_days', p_keep_days),
                'audit');
        v_dropped := v_dropped + 1;
    END LOOP;
    RETURN v_dropped;
END;
$$;
REVOKE EXECUTE ON FUNCTION portal.audit_drop_old_partitions(integer) FROM PUBLIC, promptsales_app;
REVOKE EXECUTE ON FUNCTION portal.audit_chain_row(), portal.audit_refuse_change() FROM PUBLIC, promptsales_app;
-- `audit verify` reads as the analyst role (read-only) and recomputes the hashes with these two
GRANT EXECUTE ON FUNCTION portal.audit_genesis(text),
    portal.audit_row_digest(bytea, bigint, timestamptz, text, text, text, text, text, text, numeric, jsonb)
    TO promptsales_analyst;

-- 3. the writer appends and nothing else, on the table and on every partition that exists now
REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON portal.audit_log FROM promptsales_app;
REVOKE ALL ON portal.audit_chain, portal.audit_seals FROM promptsales_app;
DO $$
DECLARE
    v_part record;
BEGIN
    FOR v_part IN
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'portal.audit_log'::regclass
    LOOP
        EXECUTE format('REVOKE SELECT, UPDATE, DELETE, TRUNCATE ON portal.%I FROM promptsales_app', v_part.relname);
    END LOOP;
END;
$$;

SELECT portal.audit_ensure_partitions((now() AT TIME ZONE 'UTC')::date - 1, 9);

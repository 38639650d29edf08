-- 0002_ai_usage_and_audit: the central AI-usage log (SPEC G4) and the audit trail of every MCP call
-- and privileged operation (SPEC N4: centralised, kept 90 days), both in the PromptSales database.
-- Written by promptsales.ai.usage.log_ai_call and promptsales.mcpkit.audit.record (role promptsales_app).

-- G4: one row per AI invocation anywhere in the ecosystem.
CREATE TABLE portal.ai_usage_log (
    ai_usage_id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at               timestamptz NOT NULL DEFAULT now(),
    actor                     text NOT NULL,               -- person or service (e.g. OAuth client id)
    actor_kind                text NOT NULL DEFAULT 'service' CHECK (actor_kind IN ('person', 'service')),
    module                    text NOT NULL,               -- content, ads, crm, sales
    operation                 text NOT NULL,               -- e.g. createCampaignMessages, embed_query
    provider                  text NOT NULL,               -- local-template, openai-compatible, minilm-numpy
    model                     text NOT NULL,
    prompt                    text NOT NULL,
    result                    text NOT NULL,
    validation_method         text NOT NULL,
    validation_outcome        text NOT NULL CHECK (validation_outcome IN ('accepted', 'corrected', 'rejected')),
    corrections               text,
    optimizations             text,
    anti_hardcoding_measures  text,
    tokens_in                 integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
    tokens_out                integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
    tokens_saved              integer NOT NULL DEFAULT 0 CHECK (tokens_saved >= 0),
    latency_ms                numeric(12,3) NOT NULL CHECK (latency_ms >= 0),
    cache_hit                 boolean NOT NULL DEFAULT false,
    reference                 jsonb NOT NULL DEFAULT '{}'::jsonb  -- ids of the request/log documents etc.
);
CREATE INDEX ai_usage_log_occurred_at ON portal.ai_usage_log (occurred_at);
CREATE INDEX ai_usage_log_module_operation ON portal.ai_usage_log (module, operation);
COMMENT ON TABLE portal.ai_usage_log IS 'G4: every AI invocation: who, prompt, result, validation, optimisations, tokens, latency';

-- N4: audit trail, one partition per day; partitions older than 90 days are dropped by
-- portal.audit_drop_old_partitions() (run by the maintenance job / `promptsales auth audit-maintain`).
CREATE TABLE portal.audit_log (
    audit_id     bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,         -- who: OAuth client id / subject, or 'local-stdio'
    service      text NOT NULL,         -- which server: content, ads, crm, sales, issuer
    action       text NOT NULL,         -- what: tool name or operation
    outcome      text NOT NULL CHECK (outcome IN ('ok', 'error', 'denied')),
    latency_ms   numeric(12,3) NOT NULL CHECK (latency_ms >= 0),
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (audit_id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE portal.audit_log_default PARTITION OF portal.audit_log DEFAULT;
COMMENT ON TABLE portal.audit_log IS 'N4: who/what/when/outcome of every MCP call and privileged operation; daily partitions kept 90 days';
CREATE INDEX audit_log_occurred_at ON portal.audit_log (occurred_at);

-- Author: PromptSales content/MCP team. Date: 2026-11-27.
-- SECURITY DEFINER (owner) so that the app role can call it without owning the table.
-- Purpose: make sure the daily partitions of portal.audit_log exist from p_from for p_days days.
CREATE FUNCTION portal.audit_ensure_partitions(p_from date DEFAULT current_date, p_days integer DEFAULT 7)
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
                           v_name, v_day::timestamptz, (v_day + 1)::timestamptz);
            v_created := v_created + 1;
        END IF;
    END LOOP;
    RETURN v_created;
END;
$$;

-- Author: PromptSales content/MCP team. Date: 2026-11-27.
-- Purpose: drop the daily partitions (and default-partition rows) older than p_keep_days (N4: 90 days).
CREATE FUNCTION portal.audit_drop_old_partitions(p_keep_days integer DEFAULT 90)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_cutoff date := current_date - p_keep_days;
    v_part record;
    v_dropped integer := 0;
BEGIN
    IF p_keep_days < 1 THEN
        RAISE EXCEPTION 'p_keep_days must be positive, got %', p_keep_days USING ERRCODE = '22023';
    END IF;
    FOR v_part IN
        SELECT c.relname
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = 'portal.audit_log'::regclass
          AND n.nspname = 'portal'
          AND c.relname ~ '^audit_log_[0-9]{8}$'
          AND to_date(substr(c.relname, 11), 'YYYYMMDD') < v_cutoff
    LOOP
        EXECUTE format('DROP TABLE portal.%I', v_part.relname);
        v_dropped := v_dropped + 1;
    END LOOP;
    DELETE FROM portal.audit_log_default WHERE occurred_at < v_cutoff::timestamptz;
    RETURN v_dropped;
END;
$$;

SELECT portal.audit_ensure_partitions(current_date - 1, 9);

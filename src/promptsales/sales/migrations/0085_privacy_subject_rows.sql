-- 0085_privacy_subject_rows (issue 23, GDPR art. 15/17/20, CCPA): what the PromptSales database holds about one
-- data subject, for the export, and the redaction of their e-mail or name from AI-usage texts, for the erase.
-- The audit (portal.audit_log) holds ids only (never personal data) and stays append-only: its rows about a
-- subject are exported, never changed (kept 90 days for accountability, GDPR art. 17(3)(b)/(e)). The warehouse
-- (wh.*) holds aggregates per campaign × channel × market × month — no person — and is neither read nor changed.
-- SECURITY DEFINER so that the MCP server's log role can answer a request without reading the whole logs.

CREATE FUNCTION portal.privacy_subject_rows(p_client_ids integer[], p_lead_ids bigint[], p_needles text[])
RETURNS TABLE (store text, row_id bigint, occurred_at timestamptz, content jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
    WITH ids AS (
        SELECT coalesce(p_client_ids, '{}')::text[] AS clients, coalesce(p_lead_ids, '{}')::text[] AS leads,
               ARRAY(SELECT lower(n) FROM unnest(coalesce(p_needles, '{}')) n WHERE length(n) >= 3) AS needles
    ), patterns AS (
        SELECT ids.*,
               CASE WHEN cardinality(clients) > 0
                    THEN '"client_id"\s*:\s*(' || array_to_string(clients, '|') || ')\y' END AS client_re,
               CASE WHEN cardinality(leads) > 0
                    THEN '"lead_id"\s*:\s*(' || array_to_string(leads, '|') || ')\y' END AS lead_re
        FROM ids
    )
    SELECT 'audit_log', a.audit_id, a.occurred_at, to_jsonb(a) - 'prev_hash' - 'row_hash'
    FROM portal.audit_log a, patterns p
    WHERE (a.detail->>'client_id') = ANY (p.clients)
       OR (a.detail->>'lead_id') = ANY (p.leads)
       OR (jsonb_typeof(a.detail->'client_ids') = 'array'
           AND EXISTS (SELECT 1 FROM jsonb_array_elements_text(a.detail->'client_ids') e WHERE e = ANY (p.clients)))
    UNION ALL
    SELECT 'ai_usage_log', u.ai_usage_id, u.occurred_at, to_jsonb(u)
    FROM portal.ai_usage_log u, patterns p
    WHERE (p.client_re IS NOT NULL AND (u.prompt ~ p.client_re OR u.result ~ p.client_re OR u.reference::text ~ p.client_re))
       OR (p.lead_re IS NOT NULL AND (u.prompt ~ p.lead_re OR u.result ~ p.lead_re OR u.reference::text ~ p.lead_re))
       OR EXISTS (SELECT 1 FROM unnest(p.needles) n WHERE strpos(lower(u.prompt), n) > 0 OR strpos(lower(u.result), n) > 0)
$$;
COMMENT ON FUNCTION portal.privacy_subject_rows(integer[], bigint[], text[]) IS
    'Audit and AI-usage rows about a data subject (their client or lead ids in the row, or an identifier in the AI texts)';

-- Replace every case-insensitive occurrence of the identifiers (e-mail, names) in AI prompts and results by
-- [erased]; returns the rows changed. The ids left in those rows point to an anonymised client.
CREATE FUNCTION portal.privacy_redact_ai_usage(p_needles text[]) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, portal AS $$
DECLARE
    v_needle text;
    v_pattern text;
    v_rows bigint := 0;
    v_count bigint;
BEGIN
    FOREACH v_needle IN ARRAY coalesce(p_needles, '{}') LOOP
        CONTINUE WHEN length(v_needle) < 3;
        v_pattern := regexp_replace(v_needle, '([^[:alnum:][:space:]])', '\\\1', 'g');
        UPDATE portal.ai_usage_log SET prompt = regexp_replace(prompt, v_pattern, '[erased]', 'gi'),
                                       result = regexp_replace(result, v_pattern, '[erased]', 'gi')
        WHERE strpos(lower(prompt), lower(v_needle)) > 0 OR strpos(lower(result), lower(v_needle)) > 0;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        v_rows := v_rows + v_count;
    END LOOP;
    RETURN v_rows;
END $$;

REVOKE ALL ON FUNCTION portal.privacy_subject_rows(integer[], bigint[], text[]),
    portal.privacy_redact_ai_usage(text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal.privacy_subject_rows(integer[], bigint[], text[]),
    portal.privacy_redact_ai_usage(text[]) TO promptsales_app, promptsales_log;

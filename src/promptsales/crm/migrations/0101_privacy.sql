-- 0101_privacy (issue 23, SPEC N4 GDPR/CCPA): per-subject data keys (crypto-shredding), consent to share with
-- third parties and the CCPA "do not sell or share" opt-out, the record of data-subject requests, and the erase
-- procedure. Design: docs/security.md "Data-subject requests", decisions D132–D134.
--
-- * crm.subject_keys: one AES-256 key per client, wrapped (AES-256-GCM, associated data crm.subject_keys:<id>)
--   under a key-encryption key that is a crm.data_keys row (purpose subject_kek) wrapped by the key-store
--   certificate. The clients' national ID and context are encrypted under their own key; crm.clients.data_key_id
--   then names the KEK. The table's rows are never in a backup (pg_dump --exclude-table-data): erasing a client
--   deletes its row, and a backup restored anywhere can no longer decrypt that client's fields.
-- * Anonymisation keeps the rows the warehouse and the analytics count (leads, sales, interactions): the person
--   is removed, not the facts.
ALTER TABLE crm.data_keys DROP CONSTRAINT data_keys_purpose_check;
ALTER TABLE crm.data_keys ADD CONSTRAINT data_keys_purpose_check
    CHECK (purpose IN ('field', 'blind_index', 'subject_kek'));

CREATE TABLE crm.subject_keys (
    client_id    integer PRIMARY KEY,
    kek_id       integer NOT NULL REFERENCES crm.data_keys,
    wrapped_key  bytea NOT NULL CHECK (octet_length(wrapped_key) = 60),
    created_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE crm.subject_keys IS
    'Per-client field keys: nonce ‖ AES-256-GCM(KEK, key) ‖ tag. Never backed up; a deleted row crypto-shreds the client';
-- Readers that never decrypt (the ETL, analysts) do not see the wrapped keys.
REVOKE SELECT ON crm.subject_keys FROM promptcrm_etl, promptcrm_analyst;

ALTER TABLE crm.clients
    ADD COLUMN consent_third_party boolean NOT NULL DEFAULT false,
    ADD COLUMN do_not_sell boolean NOT NULL DEFAULT false,
    ADD COLUMN erased_at timestamptz;
COMMENT ON COLUMN crm.clients.consent_third_party IS 'GDPR consent to share the client''s data with third parties (integrations); default no';
COMMENT ON COLUMN crm.clients.do_not_sell IS 'CCPA opt-out of sale/sharing: no export to any third party whatever the consent';
COMMENT ON COLUMN crm.clients.erased_at IS 'Set when the client was erased (anonymised, subject key destroyed)';

-- E-mail lookups (registerLead, data-subject requests) were a sequential scan of every client.
CREATE INDEX clients_email_lower_idx ON crm.clients (lower(email));

-- CCPA opt-outs are remembered by a keyed hash of the e-mail (the blind-index key), so a person captured again
-- after an erasure stays opted out.
CREATE TABLE crm.privacy_optouts (
    email_bidx  bytea PRIMARY KEY CHECK (octet_length(email_bidx) = 16),
    request_id  bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE crm.privacy_optouts IS 'CCPA do-not-sell opt-outs by blind index of the lower-cased e-mail (no clear e-mail)';

CREATE TABLE crm.privacy_requests (
    request_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('export', 'erase', 'opt_out')),
    regime        text NOT NULL CHECK (regime IN ('gdpr', 'ccpa')),
    subject_ref   text NOT NULL CHECK (subject_ref ~ '^(email|national_id):[0-9a-f]{32}$'),
    client_ids    integer[] NOT NULL DEFAULT '{}',
    received_at   timestamptz NOT NULL DEFAULT now(),
    due_at        timestamptz NOT NULL,
    completed_at  timestamptz,
    outcome       text CHECK (outcome IN ('completed', 'no_data', 'failed')),
    requested_by  text NOT NULL,
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
    CHECK (due_at > received_at),
    CHECK ((completed_at IS NULL) = (outcome IS NULL))
);
COMMENT ON TABLE crm.privacy_requests IS
    'Data-subject requests (GDPR art. 15/17/20: 30 days; CCPA know/delete/opt-out: 45 days); subject_ref is a keyed hash, never the identifier';
CREATE INDEX privacy_requests_open_idx ON crm.privacy_requests (due_at) WHERE completed_at IS NULL;

-- Erase: anonymise the clients, destroy their subject keys, blank their comments, drop their AI scores, and log
-- it — leads, sales and interactions stay (warehouse and analytics totals unchanged). Runs as the owner so the
-- MCP role needs EXECUTE only.
CREATE PROCEDURE crm.crmsp_privacy_erase(p_client_ids integer[], p_request_id bigint, p_actor text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, crm AS $$
DECLARE
    v_log bigint;
    v_client integer;
BEGIN
    IF p_client_ids IS NULL OR cardinality(p_client_ids) = 0 THEN
        RAISE EXCEPTION USING ERRCODE = 'PC001', MESSAGE = 'crmsp_privacy_erase: no client given';
    END IF;
    UPDATE crm.clients c SET
        first_name = 'erased', last_name = 'erased', email = 'erased-' || c.client_id || '@erased.invalid',
        phone = 'erased', birth_year = greatest(1920, least(2012, (c.birth_year / 10) * 10)),
        region = 'erased', city = 'erased',
        latitude = round(c.latitude::numeric, 1)::double precision,
        longitude = round(c.longitude::numeric, 1)::double precision,
        interests = '{}', consent_email = false, consent_sms = false, consent_whatsapp = false,
        consent_phone = false, consent_social = false, consent_third_party = false, do_not_sell = true,
        national_id_enc = '\x'::bytea,
        national_id_bidx = substring(sha256(('erased:' || c.client_id || ':' || random()::text)::bytea) FROM 1 FOR 16),
        context_enc = '\x'::bytea, erased_at = coalesce(c.erased_at, now())
    WHERE c.client_id = ANY (p_client_ids);
    DELETE FROM crm.subject_keys WHERE client_id = ANY (p_client_ids);
    UPDATE crm.interactions SET comment_text = NULL WHERE client_id = ANY (p_client_ids) AND comment_text IS NOT NULL;
    DELETE FROM crm.lead_scores s USING crm.leads l WHERE l.lead_id = s.lead_id AND l.client_id = ANY (p_client_ids);
    FOREACH v_client IN ARRAY p_client_ids LOOP
        CALL crm.crmsp_write_log('security', 'service', 'info', 'client erased: personal data anonymised, subject key destroyed',
                                 v_client, p_request_id, p_actor, NULL, v_log);
    END LOOP;
END $$;
REVOKE ALL ON PROCEDURE crm.crmsp_privacy_erase(integer[], bigint, text) FROM PUBLIC;

-- Opt-out (CCPA): the clients' flags and the remembered keyed hashes of their e-mails.
CREATE PROCEDURE crm.crmsp_privacy_opt_out(p_client_ids integer[], p_email_bidx bytea[], p_request_id bigint, p_actor text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, crm AS $$
DECLARE
    v_log bigint;
    v_client integer;
BEGIN
    UPDATE crm.clients SET do_not_sell = true, consent_third_party = false WHERE client_id = ANY (p_client_ids);
    INSERT INTO crm.privacy_optouts (email_bidx, request_id)
    SELECT DISTINCT b, p_request_id FROM unnest(p_email_bidx) b ON CONFLICT (email_bidx) DO NOTHING;
    FOREACH v_client IN ARRAY coalesce(p_client_ids, '{}') LOOP
        CALL crm.crmsp_write_log('security', 'service', 'info', 'client opted out of sale and sharing (CCPA)',
                                 v_client, p_request_id, p_actor, NULL, v_log);
    END LOOP;
END $$;
REVOKE ALL ON PROCEDURE crm.crmsp_privacy_opt_out(integer[], bytea[], bigint, text) FROM PUBLIC;

-- The MCP server: privacy tools (scope privacy:admin) record requests and call the procedures; registerLead stores
-- a new client's subject key. The app role gets the same through the owner's default privileges (tables) and here
-- (procedures).
GRANT INSERT ON crm.subject_keys TO promptcrm_mcp;
GRANT INSERT ON crm.privacy_requests TO promptcrm_mcp;
GRANT USAGE ON SEQUENCE crm.privacy_requests_request_id_seq TO promptcrm_mcp;
GRANT UPDATE (completed_at, outcome, detail, client_ids) ON crm.privacy_requests TO promptcrm_mcp;
GRANT EXECUTE ON PROCEDURE crm.crmsp_privacy_erase(integer[], bigint, text),
    crm.crmsp_privacy_opt_out(integer[], bytea[], bigint, text) TO promptcrm_app, promptcrm_mcp;

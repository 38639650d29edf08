-- 0003_create_campaign: log catalogues, error catalogue, the log writer and ads.adssp_create_campaign (SPEC A2).

INSERT INTO ads.log_types (log_type_id, code, name) VALUES
    (1, 'audit', 'Audit trail of a change'),
    (2, 'error', 'Error raised to a caller'),
    (3, 'performance', 'Performance measurement'),
    (4, 'validation', 'Rejected input');
INSERT INTO ads.log_sources (log_source_id, code, name) VALUES
    (1, 'generator', 'promptsales seed (algorithmic history)'),
    (2, 'adssp_create_campaign', 'Procedure ads.adssp_create_campaign'),
    (3, 'service', 'PromptAds service layer'),
    (4, 'lab', 'Teaching lab scripts');
INSERT INTO ads.log_severities (severity_id, code, name, level) VALUES
    (1, 'info', 'Information', 1),
    (2, 'warning', 'Warning', 2),
    (3, 'error', 'Error', 3),
    (4, 'critical', 'Critical', 4);
INSERT INTO ads.error_catalog (error_code, name, message, severity_id) VALUES
    ('PA001', 'invalid_argument', 'A required argument is missing or out of range', 3),
    ('PA002', 'unknown_channel', 'Unknown channel id', 3),
    ('PA003', 'unknown_market', 'Unknown market id', 3),
    ('PA004', 'unknown_brand_product_or_audience', 'Unknown brand, product or audience, or the product is not the brand''s', 3),
    ('PA005', 'duplicate_campaign_name', 'A campaign with this name already exists', 3),
    ('PA006', 'ad_channel_not_in_campaign', 'An ad uses a channel that is not one of the campaign''s channels', 3),
    ('PA007', 'invalid_channel_or_market_list', 'Repeated channel or market, or budget shares outside 0..1 or adding up to more than 1', 3),
    ('PA900', 'create_campaign_failed', 'Unexpected failure while writing the campaign (details in ads.logs)', 4);

-- sha256 of a log row's content; promptsales.ads.logs.checksum computes the same in Python.
CREATE FUNCTION ads.log_checksum(
    p_type text, p_source text, p_severity text, p_description text,
    p_reference_id1 bigint, p_reference_id2 bigint, p_value1 text, p_value2 text
) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT encode(sha256(convert_to(
        p_type || '|' || p_source || '|' || p_severity || '|' || p_description || '|' ||
        coalesce(p_reference_id1::text, '') || '|' || coalesce(p_reference_id2::text, '') || '|' ||
        coalesce(p_value1, '') || '|' || coalesce(p_value2, ''), 'UTF8')), 'hex')
$$;

-- Author: PromptAds team. Date: 2026-11-27.
-- Purpose: write one row of the course log (type, source, severity, reference ids, values, checksum).
-- Codes are looked up in the catalogues; an unknown code is an error (PA001).
CREATE FUNCTION ads.write_log(
    p_type text, p_source text, p_severity text, p_description text,
    p_reference_id1 bigint DEFAULT NULL, p_reference_id2 bigint DEFAULT NULL,
    p_value1 text DEFAULT NULL, p_value2 text DEFAULT NULL
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_type smallint;
    v_source smallint;
    v_severity smallint;
    v_log_id bigint;
BEGIN
    SELECT log_type_id INTO v_type FROM ads.log_types WHERE code = p_type;
    SELECT log_source_id INTO v_source FROM ads.log_sources WHERE code = p_source;
    SELECT severity_id INTO v_severity FROM ads.log_severities WHERE code = p_severity;
    IF v_type IS NULL OR v_source IS NULL OR v_severity IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'PA001',
            MESSAGE = format('Unknown log type/source/severity: %s/%s/%s', p_type, p_source, p_severity);
    END IF;
    INSERT INTO ads.logs (log_type_id, log_source_id, severity_id, description,
                          reference_id1, reference_id2, value1, value2, checksum)
    VALUES (v_type, v_source, v_severity, p_description, p_reference_id1, p_reference_id2, p_value1, p_value2,
            ads.log_checksum(p_type, p_source, p_severity, p_description, p_reference_id1, p_reference_id2, p_value1, p_value2))
    RETURNING log_id INTO v_log_id;
    RETURN v_log_id;
END;
$$;

-- Table-valued parameters: SQL Server TVPs become arrays of these composite types.
CREATE TYPE ads.channel_tvp AS (channel_id smallint, budget_share numeric(5,4));
CREATE TYPE ads.market_tvp AS (market_id smallint);
CREATE TYPE ads.ad_tvp AS (
    channel_id smallint, format text, content_ref text, headline text, copy text,
    call_to_action text, language text, start_date date, end_date date
);

-- ===================================================================================================
-- Author:  PromptAds team
-- Date:    2026-11-27
-- Purpose: create a campaign with its channels, markets and ads in one all-or-nothing write (SPEC A2).
--          Channels, markets and ads arrive as arrays of composite types (the PostgreSQL form of SQL
--          Server table-valued parameters), so the whole campaign is one round trip and one set-based
--          INSERT … SELECT FROM unnest(...) per table.
-- Template mapping (course template → PostgreSQL):
--   * reads and validation before the transaction: every check below runs before the first write;
--     a failed check writes nothing but the log row.
--   * "open a transaction only if none is open": PostgreSQL always runs CALL inside a transaction. When the
--     CALL is the first statement of that transaction (autocommit client: transaction_timestamp() =
--     statement_timestamp()), this procedure owns it and COMMITs itself (after the write, or after logging
--     a failure). When the caller already opened a transaction, the procedure never commits: its writes
--     become part of the caller's transaction.
--   * "roll back only what this procedure opened": the writes run in a BEGIN … EXCEPTION block, i.e. a
--     subtransaction (savepoint) of their own; an error rolls back exactly that block.
--   * errors caught, the real error logged (ads.logs, with checksum), and a custom SQLSTATE from
--     ads.error_catalog raised to the caller.
-- Returns: p_campaign_id (INOUT) = the new campaign's id.
-- ===================================================================================================
CREATE PROCEDURE ads.adssp_create_campaign(
    p_brand_id     integer,
    p_product_id   integer,
    p_audience_id  integer,
    p_name         text,
    p_objective    text,
    p_budget       numeric,
    p_start_date   date,
    p_end_date     date,
    p_channels     ads.channel_tvp[],
    p_markets      ads.market_tvp[],
    p_ads          ads.ad_tvp[],
    INOUT p_campaign_id integer DEFAULT NULL
)
LANGUAGE plpgsql AS $$
DECLARE
    v_own_transaction boolean := transaction_timestamp() = statement_timestamp();
    v_code            text;
    v_detail          text;
    v_bad             text;
    v_status          text;
    v_state           text;
    v_message         text;
BEGIN
    p_channels := coalesce(p_channels, '{}');
    p_markets := coalesce(p_markets, '{}');
    p_ads := coalesce(p_ads, '{}');

    -- 1. Validation: reads only ------------------------------------------------------------------
    IF p_name IS NULL OR btrim(p_name) = '' THEN
        v_code := 'PA001'; v_detail := 'the campaign name is required';
    ELSIF p_objective IS NULL OR p_objective NOT IN ('awareness', 'consideration', 'traffic', 'engagement', 'leads', 'sales') THEN
        v_code := 'PA001'; v_detail := format('objective %L is not one of awareness, consideration, traffic, engagement, leads, sales', p_objective);
    ELSIF p_budget IS NULL OR p_budget < 0 THEN
        v_code := 'PA001'; v_detail := format('budget must be >= 0, got %s', coalesce(p_budget::text, 'NULL'));
    ELSIF p_start_date IS NULL OR p_end_date IS NULL OR p_end_date < p_start_date THEN
        v_code := 'PA001'; v_detail := format('dates must satisfy start <= end, got %s .. %s', p_start_date, p_end_date);
    ELSIF NOT EXISTS (SELECT 1 FROM ads.brands WHERE brand_id = p_brand_id) THEN
        v_code := 'PA004'; v_detail := format('brand %s does not exist', p_brand_id);
    ELSIF p_product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ads.products WHERE product_id = p_product_id AND brand_id = p_brand_id) THEN
        v_code := 'PA004'; v_detail := format('product %s does not exist or is not a product of brand %s', p_product_id, p_brand_id);
    ELSIF p_audience_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ads.audiences WHERE audience_id = p_audience_id) THEN
        v_code := 'PA004'; v_detail := format('audience %s does not exist', p_audience_id);
    ELSIF EXISTS (SELECT 1 FROM ads.campaigns WHERE name = p_name) THEN
        v_code := 'PA005'; v_detail := format('campaign name %L is taken', p_name);
    END IF;

    IF v_code IS NULL THEN
        SELECT string_agg(coalesce(c.channel_id::text, 'NULL'), ', ') INTO v_bad
        FROM unnest(p_channels) AS c
        WHERE NOT EXISTS (SELECT 1 FROM ads.channels AS ch WHERE ch.channel_id = c.channel_id);
        IF v_bad IS NOT NULL THEN
            v_code := 'PA002'; v_detail := 'unknown channel id(s): ' || v_bad;
        END IF;
    END IF;
    IF v_code IS NULL THEN
        SELECT string_agg(coalesce(m.market_id::text, 'NULL'), ', ') INTO v_bad
        FROM unnest(p_markets) AS m
        WHERE NOT EXISTS (SELECT 1 FROM ads.markets AS mk WHERE mk.market_id = m.market_id);
        IF v_bad IS NOT NULL THEN
            v_code := 'PA003'; v_detail := 'unknown market id(s): ' || v_bad;
        END IF;
    END IF;
    IF v_code IS NULL THEN
        IF (SELECT count(*) <> count(DISTINCT channel_id) FROM unnest(p_channels))
           OR (SELECT count(*) <> count(DISTINCT market_id) FROM unnest(p_markets)) THEN
            v_code := 'PA007'; v_detail := 'a channel or market appears twice';
        ELSIF EXISTS (SELECT 1 FROM unnest(p_channels) WHERE budget_share IS NULL OR budget_share < 0 OR budget_share > 1)
              OR (SELECT coalesce(sum(budget_share), 0) FROM unnest(p_channels)) > 1.0001 THEN
            v_code := 'PA007'; v_detail := 'budget shares must each be in 0..1 and add up to at most 1';
        END IF;
    END IF;
    IF v_code IS NULL THEN
        SELECT string_agg(format('#%s (channel %s)', a.n, coalesce(a.channel_id::text, 'NULL')), ', ') INTO v_bad
        FROM unnest(p_ads) WITH ORDINALITY AS a(channel_id, format, content_ref, headline, copy, call_to_action, language, start_date, end_date, n)
        WHERE a.channel_id IS NULL OR a.channel_id NOT IN (SELECT c.channel_id FROM unnest(p_channels) AS c);
        IF v_bad IS NOT NULL THEN
            v_code := 'PA006'; v_detail := 'ads whose channel is not a campaign channel: ' || v_bad;
        END IF;
    END IF;
    IF v_code IS NULL THEN
        SELECT string_agg('#' || a.n, ', ') INTO v_bad
        FROM unnest(p_ads) WITH ORDINALITY AS a(channel_id, format, content_ref, headline, copy, call_to_action, language, start_date, end_date, n)
        WHERE a.format IS NULL
           OR a.format NOT IN ('image', 'carousel', 'video', 'story', 'reel', 'text', 'email', 'sms', 'search', 'sponsored_post')
           OR coalesce(btrim(a.headline), '') = '' OR coalesce(btrim(a.copy), '') = ''
           OR coalesce(a.start_date, p_start_date) > coalesce(a.end_date, p_end_date)
           OR coalesce(a.start_date, p_start_date) < p_start_date OR coalesce(a.end_date, p_end_date) > p_end_date;
        IF v_bad IS NOT NULL THEN
            v_code := 'PA001'; v_detail := 'ads with a bad format, empty headline/copy or dates outside the campaign: ' || v_bad;
        END IF;
    END IF;

    -- 2. The write: one short block, all or nothing ----------------------------------------------
    IF v_code IS NULL THEN
        v_status := CASE
            WHEN current_date < p_start_date THEN 'draft'
            WHEN current_date > p_end_date THEN 'finished'
            ELSE 'active' END;
        BEGIN
            INSERT INTO ads.campaigns (brand_id, product_id, audience_id, name, objective, status, budget, start_date, end_date)
            VALUES (p_brand_id, p_product_id, p_audience_id, p_name, p_objective, v_status, p_budget, p_start_date, p_end_date)
            RETURNING campaign_id INTO p_campaign_id;

            INSERT INTO ads.campaign_channels (campaign_id, channel_id, budget_share)
            SELECT p_campaign_id, c.channel_id, c.budget_share FROM unnest(p_channels) AS c;

            INSERT INTO ads.campaign_markets (campaign_id, market_id)
            SELECT p_campaign_id, m.market_id FROM unnest(p_markets) AS m;

            INSERT INTO ads.ads (campaign_id, channel_id, format, content_ref, headline, copy, call_to_action, language, start_date, end_date)
            SELECT p_campaign_id, a.channel_id, a.format, a.content_ref, a.headline, a.copy,
                   coalesce(a.call_to_action, 'Learn more'), coalesce(a.language, 'en'),
                   coalesce(a.start_date, p_start_date), coalesce(a.end_date, p_end_date)
            FROM unnest(p_ads) WITH ORDINALITY AS a(channel_id, format, content_ref, headline, copy, call_to_action, language, start_date, end_date, n)
            ORDER BY a.n;

            PERFORM ads.write_log('audit', 'adssp_create_campaign', 'info',
                format('Campaign created: %s channels, %s markets, %s ads',
                       cardinality(p_channels), cardinality(p_markets), cardinality(p_ads)),
                p_campaign_id, p_brand_id, p_name, v_status);
        EXCEPTION WHEN OTHERS THEN
            GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
            v_code := CASE WHEN v_state = '23505' AND v_message LIKE '%campaigns_name_key%' THEN 'PA005' ELSE 'PA900' END;
            v_detail := format('%s (SQLSTATE %s)', v_message, v_state);
            p_campaign_id := NULL;
        END;
    END IF;

    -- 3. Failure: log the real error, keep the log, raise the catalogue's code ---------------------
    IF v_code IS NOT NULL THEN
        PERFORM ads.write_log('error', 'adssp_create_campaign', 'error', v_detail, NULL, p_brand_id, p_name, v_code);
        IF v_own_transaction THEN
            COMMIT;  -- the log row survives; nothing else was written
        END IF;
        SELECT message INTO v_message FROM ads.error_catalog WHERE error_code = v_code;
        RAISE EXCEPTION USING ERRCODE = v_code, MESSAGE = v_message || ': ' || v_detail,
            HINT = 'See ads.error_catalog and the latest ads.logs row of source adssp_create_campaign.';
    END IF;

    IF v_own_transaction THEN
        COMMIT;
    END IF;
END;
$$;
COMMENT ON PROCEDURE ads.adssp_create_campaign IS 'Create a campaign with channels, markets and ads (arrays of composite types = TVPs); all or nothing; custom SQLSTATEs PA001–PA900';

-- 0004_warehouse: summarised effectiveness of every campaign (SPEC S2) and the ETL's bookkeeping (S3).
--
-- Grain: wh.campaign_facts holds one row per campaign × channel × market × month with every measure
-- from PromptAds and PromptCRM; the summaries by campaign, channel, market and month are derived from it
-- by the ETL for the campaigns that changed (set-based SQL, see promptsales/etl/). Rows are only
-- rewritten when a value changes, so a run without source changes leaves every tuple untouched.
CREATE SCHEMA wh;
COMMENT ON SCHEMA wh IS 'PromptSales warehouse: campaign effectiveness summaries (S2)';
CREATE SCHEMA etl;
COMMENT ON SCHEMA etl IS 'ETL bookkeeping: runs and per-source horizons (S3)';

CREATE TABLE wh.campaign_facts (
    campaign_id        integer NOT NULL,
    channel_id         integer NOT NULL,
    market_id          integer NOT NULL,
    month              date NOT NULL CHECK (month = date_trunc('month', month)),
    reach              bigint NOT NULL DEFAULT 0,     -- ads audience_reached
    impressions        bigint NOT NULL DEFAULT 0,     -- ads views
    reactions          bigint NOT NULL DEFAULT 0,     -- ads likes
    interactions       bigint NOT NULL DEFAULT 0,     -- ads interactions
    clicks             bigint NOT NULL DEFAULT 0,
    exposure_hours     numeric(16,2) NOT NULL DEFAULT 0,
    spend              numeric(16,2) NOT NULL DEFAULT 0,
    revenue            numeric(16,2) NOT NULL DEFAULT 0,  -- ads-reported revenue
    leads              bigint NOT NULL DEFAULT 0,     -- CRM leads created in the month
    sales_count        bigint NOT NULL DEFAULT 0,     -- CRM sales
    sales_amount       numeric(16,2) NOT NULL DEFAULT 0,
    updated_run        bigint NOT NULL,
    PRIMARY KEY (campaign_id, channel_id, market_id, month)
);

CREATE TABLE wh.campaigns (
    campaign_id        integer PRIMARY KEY,
    campaign_name      text NOT NULL,
    brand_id           integer NOT NULL,
    brand_name         text NOT NULL,
    status             text NOT NULL,
    start_date         date NOT NULL,
    end_date           date,
    budget             numeric(16,2) NOT NULL,
    spend              numeric(16,2) NOT NULL,
    revenue            numeric(16,2) NOT NULL,
    roi                numeric(14,6),                 -- (sales_amount - spend) / spend
    reach              bigint NOT NULL,
    impressions        bigint NOT NULL,
    reactions          bigint NOT NULL,
    interactions       bigint NOT NULL,
    clicks             bigint NOT NULL,
    exposure_hours     numeric(16,2) NOT NULL,
    leads              bigint NOT NULL,
    clients            bigint NOT NULL,               -- distinct buying clients over the campaign
    sales_count        bigint NOT NULL,
    sales_amount       numeric(16,2) NOT NULL,
    conversion_rate    numeric(14,6),                 -- sales_count / leads
    goal_amount        numeric(16,2),                 -- portal.sales_goals of the campaign
    success_rate       numeric(14,6),                 -- sales_amount / goal_amount
    channels           integer NOT NULL,
    markets            integer NOT NULL,
    content_items      integer NOT NULL,              -- PromptContent assets used by the campaign
    updated_run        bigint NOT NULL
);
CREATE INDEX ON wh.campaigns (brand_id);
CREATE INDEX ON wh.campaigns (status);
CREATE INDEX ON wh.campaigns (start_date);

CREATE TABLE wh.campaign_channels (
    campaign_id     integer NOT NULL,
    channel_id      integer NOT NULL,
    channel_name    text NOT NULL,
    spend           numeric(16,2) NOT NULL,
    revenue         numeric(16,2) NOT NULL,
    roi             numeric(14,6),
    reach           bigint NOT NULL,
    impressions     bigint NOT NULL,
    reactions       bigint NOT NULL,
    interactions    bigint NOT NULL,
    clicks          bigint NOT NULL,
    leads           bigint NOT NULL,
    sales_count     bigint NOT NULL,
    sales_amount    numeric(16,2) NOT NULL,
    conversion_rate numeric(14,6),
    updated_run     bigint NOT NULL,
    PRIMARY KEY (campaign_id, channel_id)
);
CREATE INDEX ON wh.campaign_channels (channel_id);

CREATE TABLE wh.campaign_markets (
    campaign_id     integer NOT NULL,
    market_id       integer NOT NULL,
    market_name     text NOT NULL,
    spend           numeric(16,2) NOT NULL,
    revenue         numeric(16,2) NOT NULL,
    roi             numeric(14,6),
    reach           bigint NOT NULL,
    impressions     bigint NOT NULL,
    reactions       bigint NOT NULL,
    interactions    bigint NOT NULL,
    clicks          bigint NOT NULL,
    leads           bigint NOT NULL,
    sales_count     bigint NOT NULL,
    sales_amount    numeric(16,2) NOT NULL,
    conversion_rate numeric(14,6),
    updated_run     bigint NOT NULL,
    PRIMARY KEY (campaign_id, market_id)
);
CREATE INDEX ON wh.campaign_markets (market_id);

CREATE TABLE wh.campaign_months (
    campaign_id     integer NOT NULL,
    month           date NOT NULL,
    spend           numeric(16,2) NOT NULL,
    revenue         numeric(16,2) NOT NULL,
    roi             numeric(14,6),
    reach           bigint NOT NULL,
    impressions     bigint NOT NULL,
    reactions       bigint NOT NULL,
    interactions    bigint NOT NULL,
    clicks          bigint NOT NULL,
    leads           bigint NOT NULL,
    sales_count     bigint NOT NULL,
    sales_amount    numeric(16,2) NOT NULL,
    conversion_rate numeric(14,6),
    updated_run     bigint NOT NULL,
    PRIMARY KEY (campaign_id, month)
);
CREATE INDEX ON wh.campaign_months (month);

-- Content (PromptContent media assets) used per campaign; upserted idempotently by asset id.
CREATE TABLE wh.campaign_content (
    asset_id     text NOT NULL,
    campaign_id  integer NOT NULL,
    media_type   text NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (asset_id, campaign_id)
);
CREATE INDEX ON wh.campaign_content (campaign_id);

-- The funnel per campaign: reach → interactions → leads → clients → sales, with stage conversion.
CREATE VIEW wh.campaign_funnel AS
SELECT c.campaign_id, s.stage_order, s.stage, s.value,
       round(s.value::numeric / nullif(lag(s.value) OVER (PARTITION BY c.campaign_id ORDER BY s.stage_order), 0), 6)
           AS conversion_from_previous
FROM wh.campaigns c
CROSS JOIN LATERAL (VALUES (1, 'reach', c.reach), (2, 'interactions', c.interactions), (3, 'leads', c.leads),
                           (4, 'clients', c.clients), (5, 'sales', c.sales_count)) AS s(stage_order, stage, value);

-- ---------------------------------------------------------------------------------------------------
CREATE TABLE etl.runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at   timestamptz,
    status        text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed')),
    trigger       text NOT NULL DEFAULT 'cli',
    full_load     boolean NOT NULL DEFAULT false,
    changes_read  jsonb NOT NULL DEFAULT '{}',   -- change records read per source
    rows_read     jsonb NOT NULL DEFAULT '{}',   -- source rows (aggregated facts, documents) read per source
    rows_written  jsonb NOT NULL DEFAULT '{}',   -- rows inserted/updated/deleted per warehouse table
    campaigns     integer NOT NULL DEFAULT 0,    -- campaigns recomputed
    horizons      jsonb NOT NULL DEFAULT '{}',
    duration_ms   numeric,
    error         text
);
CREATE INDEX ON etl.runs (started_at DESC);

-- Per-source horizon, written in the same transaction as the load it belongs to.
--   PostgreSQL sources: xid_horizon = xmin of the snapshot the run read; the next run reads changes with
--   xid_horizon <= xid < its own snapshot's xmin. PromptContent: ts_horizon = newest updated_at seen.
CREATE TABLE etl.horizons (
    source       text PRIMARY KEY,
    xid_horizon  xid8,
    ts_horizon   timestamptz,
    run_id       bigint NOT NULL REFERENCES etl.runs,
    updated_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    CHECK (num_nonnulls(xid_horizon, ts_horizon) = 1)
);

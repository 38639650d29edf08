-- 0019_warehouse_key_tables: distinct buyers and ads per campaign × channel × market × month (issue 16).
--
-- Distinct clients were known per whole campaign only (wh.campaigns.clients), so "how many clients bought
-- through LinkedIn" could not be answered, and summing per-campaign clients over campaigns, channels or
-- months counts a repeat buyer more than once. These tables hold the distinct keys of each fact cell; a
-- question counts distinct keys over the rows it asks for, which is exact at every grain. client_id is
-- PromptCRM's surrogate key only (no name or contact: personal data stays in PromptCRM).
CREATE TABLE wh.campaign_buyers (
    campaign_id  integer NOT NULL,
    channel_id   integer NOT NULL,
    market_id    integer NOT NULL,
    month        date NOT NULL CHECK (month = date_trunc('month', month)),
    client_id    integer NOT NULL,   -- PromptCRM crm.sales.client_id of a sale in the cell
    updated_run  bigint NOT NULL,
    PRIMARY KEY (campaign_id, channel_id, market_id, month, client_id)
);
CREATE INDEX ON wh.campaign_buyers (channel_id);
CREATE INDEX ON wh.campaign_buyers (market_id);
CREATE INDEX ON wh.campaign_buyers (month);
COMMENT ON TABLE wh.campaign_buyers IS
    'Distinct PromptCRM clients with a sale per campaign x channel x market x month (count distinct client_id)';

CREATE TABLE wh.campaign_ads (
    campaign_id  integer NOT NULL,
    channel_id   integer NOT NULL,
    market_id    integer NOT NULL,
    month        date NOT NULL CHECK (month = date_trunc('month', month)),
    ad_id        integer NOT NULL,   -- PromptAds ads.ad_results.ad_id with results in the cell
    updated_run  bigint NOT NULL,
    PRIMARY KEY (campaign_id, channel_id, market_id, month, ad_id)
);
CREATE INDEX ON wh.campaign_ads (channel_id);
CREATE INDEX ON wh.campaign_ads (market_id);
CREATE INDEX ON wh.campaign_ads (month);
COMMENT ON TABLE wh.campaign_ads IS
    'Distinct PromptAds ads with results per campaign x channel x market x month (count distinct ad_id)';

-- A warehouse loaded before this migration has every campaign to fill in: forgetting the horizons makes
-- the next ETL pass a full load (it reads the sources' current state; no change row is needed).
DELETE FROM etl.horizons;

-- 0089_warehouse_campaign_days_by_channel_market: the daily figures per campaign × channel × market × day.
--
-- wh.campaign_days (0088, D163) had no channel or market, so "LinkedIn leads in the first half of January" or
-- "TikTok spend last week" was refused although every daily source row carries both (ads.ad_results,
-- crm.leads and crm.sales have channel_id and market_id). The ETL now aggregates the daily rows at the facts'
-- grain with the day for the month (D171). The rows of before have no channel or market: the table is emptied
-- and the horizons forgotten, so the next ETL pass is a full load (as 0019 did for the key tables).
TRUNCATE wh.campaign_days;
ALTER TABLE wh.campaign_days DROP CONSTRAINT campaign_days_pkey;
ALTER TABLE wh.campaign_days ADD COLUMN channel_id integer NOT NULL;
ALTER TABLE wh.campaign_days ADD COLUMN market_id integer NOT NULL;
ALTER TABLE wh.campaign_days ADD PRIMARY KEY (campaign_id, channel_id, market_id, day);
CREATE INDEX ON wh.campaign_days (channel_id);
CREATE INDEX ON wh.campaign_days (market_id);
DELETE FROM etl.horizons;

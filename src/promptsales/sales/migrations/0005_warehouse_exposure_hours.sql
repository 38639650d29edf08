-- 0005_warehouse_exposure_hours: exposure hours in the by-channel, by-market and by-month summaries.
--
-- 0004 loaded exposure hours into wh.campaign_facts and wh.campaigns only, so a question could not ask for
-- them by channel, market or month. Every additive measure of the registry (promptsales/warehouse/measures.py)
-- is in every summary; the rows already loaded get theirs from the facts, and the ETL keeps them current.
ALTER TABLE wh.campaign_channels ADD COLUMN exposure_hours numeric(16,2) NOT NULL DEFAULT 0;
ALTER TABLE wh.campaign_markets ADD COLUMN exposure_hours numeric(16,2) NOT NULL DEFAULT 0;
ALTER TABLE wh.campaign_months ADD COLUMN exposure_hours numeric(16,2) NOT NULL DEFAULT 0;

UPDATE wh.campaign_channels t SET exposure_hours = f.hours
FROM (SELECT campaign_id, channel_id, sum(exposure_hours) AS hours FROM wh.campaign_facts GROUP BY 1, 2) f
WHERE (t.campaign_id, t.channel_id) = (f.campaign_id, f.channel_id) AND t.exposure_hours <> f.hours;
UPDATE wh.campaign_markets t SET exposure_hours = f.hours
FROM (SELECT campaign_id, market_id, sum(exposure_hours) AS hours FROM wh.campaign_facts GROUP BY 1, 2) f
WHERE (t.campaign_id, t.market_id) = (f.campaign_id, f.market_id) AND t.exposure_hours <> f.hours;
UPDATE wh.campaign_months t SET exposure_hours = f.hours
FROM (SELECT campaign_id, month, sum(exposure_hours) AS hours FROM wh.campaign_facts GROUP BY 1, 2) f
WHERE (t.campaign_id, t.month) = (f.campaign_id, f.month) AND t.exposure_hours <> f.hours;

-- Like the other measures of the summaries: always written by the ETL, no default.
ALTER TABLE wh.campaign_channels ALTER COLUMN exposure_hours DROP DEFAULT;
ALTER TABLE wh.campaign_markets ALTER COLUMN exposure_hours DROP DEFAULT;
ALTER TABLE wh.campaign_months ALTER COLUMN exposure_hours DROP DEFAULT;

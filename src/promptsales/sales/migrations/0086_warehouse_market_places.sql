-- 0086_warehouse_market_places: the country and city of each market in the by-market summary.
--
-- A PromptAds market is a country and a segment in one city ("Mexico / consumer", Mexico City). Questions
-- break results down by whole country ("ventas por país") and name markets by their city ("CDMX", "Bogotá"),
-- so wh.campaign_markets carries both, written by the ETL from ads.markets like market_name.
ALTER TABLE wh.campaign_markets ADD COLUMN country text NOT NULL DEFAULT '';
ALTER TABLE wh.campaign_markets ADD COLUMN city text NOT NULL DEFAULT '';

-- 0087_warehouse_campaign_objective_industry: each campaign's objective and its brand's industry.
--
-- Questions filter, break down and rank by a campaign's objective ("ventas por objetivo de campaña", "how many
-- active campaigns have leads as their objective") and by its brand's industry ("the industry with the most
-- sales"), so wh.campaigns carries both, written by the ETL from ads.campaigns.objective and ads.brands.industry
-- like brand_name (one value per campaign: a campaign has one brand, a brand one industry).
ALTER TABLE wh.campaigns ADD COLUMN objective text NOT NULL DEFAULT '';
ALTER TABLE wh.campaigns ADD COLUMN industry text NOT NULL DEFAULT '';
CREATE INDEX ON wh.campaigns (objective);
CREATE INDEX ON wh.campaigns (industry);

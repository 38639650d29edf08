-- 0001_foundation: the company's main schema. Objects in it belong to the owner role; the default
-- privileges set by `promptsales migrate` grant them to the app, etl and analyst roles.
CREATE SCHEMA ads;
COMMENT ON SCHEMA ads IS 'PromptAds campaigns, channels, markets, ads and results';

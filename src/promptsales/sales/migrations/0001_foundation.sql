-- 0001_foundation: the company's main schema. Objects in it belong to the owner role; the default
-- privileges set by `promptsales migrate` grant them to the app, etl and analyst roles.
CREATE SCHEMA portal;
COMMENT ON SCHEMA portal IS 'PromptSales portal data recorded for the central web portal';

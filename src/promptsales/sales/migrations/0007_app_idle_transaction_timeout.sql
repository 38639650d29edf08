-- migrate: as-admin
-- 0007_app_idle_transaction_timeout: the app role's sessions end after 5 minutes idle inside a transaction
-- (issue 17): a forgotten psql session or a stuck service cannot hold locks, vacuum and the ETL's view of
-- its changes back for hours. Labs hold transactions for seconds, far below it. Takes effect at the next
-- login. ALTER ROLE needs the admin role (roles are cluster objects).
ALTER ROLE promptsales_app SET idle_in_transaction_session_timeout = '5min';

-- migrate: as-admin
-- 0093_etl_health: the ETL's lag view and a bound on forgotten transactions (issue 17; owned by the ETL team).
--
-- * The app role's sessions end after 5 minutes idle inside a transaction: a forgotten psql session or a
--   service that lost its connection's thread cannot hold its changes (and vacuum) back for hours. Labs
--   and the concurrency tests hold transactions for seconds, far below it. Takes effect at the next login.
-- * The ETL role may read pg_stat_activity in full (pg_read_all_stats): `etl status` shows how long the
--   oldest open transaction of the server has been running, and by whom (without it, its start is hidden).
-- Both need the admin role (roles are cluster objects).
ALTER ROLE promptads_app SET idle_in_transaction_session_timeout = '5min';
GRANT pg_read_all_stats TO promptads_etl;

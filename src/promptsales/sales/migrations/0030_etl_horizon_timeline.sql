-- 0030_etl_horizon_timeline: which history of a PostgreSQL source a horizon was read on (issue 21, docs/ha.md).
--
-- A snapshot horizon compares transaction ids, and xids only mean something on one history of one server.
-- After a failover the new leader continues on a new timeline, and xids the old leader handed out but whose
-- WAL never reached it can be handed out again: a horizon read before the failover may lie ahead of xids that
-- new commits carry, and those commits would look already read. A restore onto another server starts another
-- xid space altogether. The ETL stores '<system identifier>/<timeline>' with each horizon; when the source's
-- differs at the next pass, that pass re-reads the source in full and re-bases the horizon on the new history.
ALTER TABLE etl.horizons ADD COLUMN source_timeline text;

COMMENT ON COLUMN etl.horizons.source_timeline IS
    'PostgreSQL sources: <system identifier>/<timeline id> the snapshot was taken on; another one means re-read in full';

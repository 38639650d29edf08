-- title: S6 query monitoring — pg_stat_statements, pg_stat_activity, table statistics and EXPLAIN ANALYZE
-- params: limit:int=10
-- explanation:
--   pg_stat_statements (preloaded in this cluster) aggregates every statement by its normalised text:
--   calls, total and mean time, rows, shared-buffer hits and reads. pg_stat_activity shows what runs right
--   now (and who waits on a lock); pg_stat_user_tables shows sequential vs index scans per table — a table
--   with many sequential scans and many rows is asking for an index. EXPLAIN (ANALYZE, BUFFERS) runs one
--   query and prints the real plan with timings. A role sees the text of its own statements only, unless
--   it is granted pg_read_all_stats.

-- 1. the most expensive statements by total time
SELECT calls, round(total_exec_time::numeric, 1) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
       rows, shared_blks_hit, shared_blks_read, left(regexp_replace(query, '\s+', ' ', 'g'), 120) AS query
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC LIMIT %(limit)s;

-- 2. what is running in this database now, and who is waiting for what
SELECT pid, usename, state, wait_event_type, wait_event, now() - xact_start AS in_transaction_for,
       left(query, 80) AS query
FROM pg_stat_activity WHERE datname = current_database() ORDER BY xact_start NULLS LAST;

-- 3. scans per warehouse and portal table: sequential vs index
SELECT schemaname, relname, seq_scan, seq_tup_read, idx_scan, n_live_tup, n_dead_tup, last_autoanalyze
FROM pg_stat_user_tables WHERE schemaname IN ('wh', 'portal', 'etl')
ORDER BY seq_tup_read DESC LIMIT %(limit)s;

-- 4. the real plan of a typical warehouse question (top campaigns of a month by sales)
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
SELECT c.campaign_name, m.sales_amount
FROM wh.campaign_months m JOIN wh.campaigns c USING (campaign_id)
WHERE m.month = date '2025-12-01'
ORDER BY m.sales_amount DESC LIMIT 5;

-- 5. cache hit ratio of this database (shared buffers)
SELECT datname, blks_hit, blks_read,
       round(100.0 * blks_hit / nullif(blks_hit + blks_read, 0), 2) AS hit_pct
FROM pg_stat_database WHERE datname = current_database();

-- title: Query-performance monitoring — pg_stat_statements, EXPLAIN (ANALYZE, BUFFERS), auto_explain (SPEC A7)
-- params: brand_id:int=1
-- explanation:
--   Three tools, all built into the server here (shared_preload_libraries = pg_stat_statements,auto_explain):
--   1. pg_stat_statements aggregates every statement by its normalised text (constants replaced by $1…):
--      calls, total/mean execution time, rows, buffer hits and reads. Sort by total_exec_time to find what
--      costs the server most; by mean_exec_time for the slowest single calls. pg_stat_statements_reset()
--      starts a new measurement window (superuser or granted). Non-superusers see other roles' query text
--      as <insufficient privilege>.
--   2. EXPLAIN (ANALYZE, BUFFERS) runs a query and shows the plan actually used, with real row counts,
--      time per node and shared buffers hit/read: compare estimated vs actual rows to spot bad statistics,
--      look for Seq Scans on big tables where an index was expected.
--   3. auto_explain logs the plan of every statement slower than auto_explain.log_min_duration into the
--      server log (here 2 s), so slow queries in production leave their plan behind without anyone running
--      EXPLAIN. Its settings are superuser-only (SET auto_explain.log_min_duration = 0 in a superuser
--      session logs every plan). SQL Server equivalents: Query Store / sys.dm_exec_query_stats, the actual
--      execution plan, Extended Events.

-- The monitoring configuration of this server (settings of a module exist only when the module is loaded;
-- shared_preload_libraries itself is visible to superusers only)
SELECT name, setting, unit, short_desc
FROM pg_settings
WHERE name IN ('pg_stat_statements.track', 'pg_stat_statements.max',
               'auto_explain.log_min_duration', 'auto_explain.log_analyze', 'track_io_timing')
ORDER BY name;

-- A representative query (revenue per channel for one brand), so it is measured below
SELECT ch.name AS channel, sum(r.cost) AS cost, sum(r.revenue) AS revenue, sum(r.sales) AS sales
FROM ads.ad_results AS r
JOIN ads.campaigns AS c ON c.campaign_id = r.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = r.channel_id
WHERE c.brand_id = %(brand_id)s
GROUP BY ch.name
ORDER BY revenue DESC;

-- Top statements of this database by total execution time (pg_stat_statements)
SELECT left(regexp_replace(s.query, '\s+', ' ', 'g'), 100) AS query,
       s.calls,
       round(s.total_exec_time::numeric, 1) AS total_ms,
       round(s.mean_exec_time::numeric, 2) AS mean_ms,
       s.rows,
       s.shared_blks_hit,
       s.shared_blks_read
FROM pg_stat_statements AS s
WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY s.total_exec_time DESC
LIMIT 10;

-- The actual plan of the representative query, with buffers
EXPLAIN (ANALYZE, BUFFERS, COSTS, TIMING)
SELECT ch.name AS channel, sum(r.cost) AS cost, sum(r.revenue) AS revenue, sum(r.sales) AS sales
FROM ads.ad_results AS r
JOIN ads.campaigns AS c ON c.campaign_id = r.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = r.channel_id
WHERE c.brand_id = %(brand_id)s
GROUP BY ch.name
ORDER BY revenue DESC;

-- title: MERGE — apply a batch of late-arriving results (update existing days, insert new ones)
-- params: ads:int=10
-- explanation:
--   Networks often re-send yesterday's figures (corrected) together with today's. MERGE applies such a
--   batch in one statement: WHEN MATCHED the existing row of ad × channel × market × day is updated,
--   WHEN NOT MATCHED a new row is inserted. The staging batch is built here from the data itself: for the
--   first `ads` ads (by id), their last result day gets +10 views (a correction → UPDATE) and the day
--   after it a new row (→ INSERT). RETURNING merge_action() (PostgreSQL 17+) tells which branch each row
--   took; wrapping the MERGE in a CTE counts them. SQL Server's MERGE … OUTPUT $action is the same idea.
--   The lab rolls back, so the data is unchanged afterwards.

-- Staging table of the incoming batch (temporary: disappears at the end of the session)
CREATE TEMP TABLE incoming_results ON COMMIT DROP AS
WITH last_day AS (
    SELECT DISTINCT ON (r.ad_id) r.ad_id, r.channel_id, r.market_id, r.result_date, r.campaign_id
    FROM ads.ad_results AS r
    WHERE r.ad_id IN (SELECT ad_id FROM ads.ads ORDER BY ad_id LIMIT %(ads)s)
    ORDER BY r.ad_id, r.result_date DESC, r.market_id
)
SELECT ad_id, channel_id, market_id, result_date, campaign_id, 10 AS extra_views FROM last_day
UNION ALL
SELECT ad_id, channel_id, market_id, result_date + 1, campaign_id, 250 FROM last_day;

-- The MERGE, counted by action
WITH merged AS (
    MERGE INTO ads.ad_results AS t
    USING incoming_results AS s
       ON t.ad_id = s.ad_id AND t.channel_id = s.channel_id AND t.market_id = s.market_id AND t.result_date = s.result_date
    WHEN MATCHED THEN
        UPDATE SET views = t.views + s.extra_views
    WHEN NOT MATCHED THEN
        INSERT (ad_id, channel_id, market_id, result_date, campaign_id, views, likes, interactions, clicks, leads,
                sales, hours_of_exposure, audience_reached, cost, revenue)
        VALUES (s.ad_id, s.channel_id, s.market_id, s.result_date, s.campaign_id, s.extra_views, 0, 0, 0, 0,
                0, 0, s.extra_views, 0, 0)
    RETURNING merge_action() AS action
)
SELECT action, count(*) AS rows FROM merged GROUP BY action ORDER BY action;

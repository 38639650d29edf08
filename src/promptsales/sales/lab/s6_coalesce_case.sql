-- title: S6 COALESCE and CASE — filling gaps and classifying campaigns in the warehouse
-- params: limit:int=15
-- explanation:
--   COALESCE(a, b, …) returns its first non-NULL argument: campaigns without a goal or without leads have
--   NULL success and conversion rates, and COALESCE turns them into a value a report can show. CASE is
--   SQL's if/else: here it puts each campaign in an ROI band and a goal status. NULLIF(x, 0) is the
--   companion that turns a zero divisor into NULL instead of an error.

-- 1. gaps filled with COALESCE
SELECT campaign_id, campaign_name,
       goal_amount, COALESCE(goal_amount, budget * 2) AS goal_or_default,
       conversion_rate, COALESCE(conversion_rate, 0) AS conversion_or_zero,
       COALESCE(success_rate::text, 'no goal') AS success
FROM wh.campaigns ORDER BY goal_amount NULLS FIRST, campaign_id LIMIT %(limit)s;

-- 2. CASE: ROI bands and goal status
SELECT campaign_id, campaign_name, roi,
       CASE WHEN roi IS NULL THEN 'no spend'
            WHEN roi < 0 THEN 'loss'
            WHEN roi < 1 THEN 'break-even to 2x'
            WHEN roi < 4 THEN '2x to 5x'
            ELSE 'over 5x' END AS roi_band,
       CASE WHEN success_rate IS NULL THEN 'no goal'
            WHEN success_rate >= 1 THEN 'goal met'
            WHEN success_rate >= 0.8 THEN 'close'
            ELSE 'missed' END AS goal_status
FROM wh.campaigns ORDER BY campaign_id LIMIT %(limit)s;

-- 3. CASE inside aggregates: one row per status with counts per band (a pivot)
SELECT status, count(*) AS campaigns,
       count(*) FILTER (WHERE success_rate >= 1) AS goal_met,
       sum(CASE WHEN roi < 0 THEN 1 ELSE 0 END) AS at_a_loss,
       round(avg(COALESCE(conversion_rate, 0)), 4) AS avg_conversion,
       round(sum(sales_amount) / NULLIF(sum(spend), 0), 2) AS sales_per_dollar
FROM wh.campaigns GROUP BY status ORDER BY status;

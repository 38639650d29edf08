-- title: S6 LEFT, RIGHT and CROSS JOIN — proposals, goals and a channel × month grid
-- params: campaign_id:int=1
-- explanation:
--   INNER JOIN keeps only matching rows. LEFT JOIN keeps every row of the left table (NULLs where the
--   right has no match) — e.g. campaigns with no approved proposal. RIGHT JOIN is the mirror image (every
--   row of the right table); any RIGHT JOIN can be written as a LEFT JOIN with the tables swapped. CROSS
--   JOIN pairs every row with every row: here the channels × months grid of a campaign, LEFT JOINed to the
--   warehouse so that months without activity show up as zeros instead of disappearing.

-- 1. LEFT JOIN: campaigns and their approved (or running/completed) proposals; NULL = none approved
SELECT c.id AS campaign_id, c.name, count(p.id) AS approved_proposals
FROM portal.campaigns c
LEFT JOIN portal.proposals p ON p.campaign_id = c.id AND p.status IN ('approved', 'running', 'completed')
GROUP BY c.id, c.name ORDER BY approved_proposals, c.id LIMIT 10;

-- 2. RIGHT JOIN: every approver, with the number of reviews they made (zero for idle approvers)
SELECT u.id AS user_id, u.full_name, count(r.id) AS reviews
FROM portal.proposal_reviews r
RIGHT JOIN portal.users u ON u.id = r.reviewer_id
WHERE portal.user_has_role(u.id, 'approver')
GROUP BY u.id, u.full_name ORDER BY u.id;

-- 3. CROSS JOIN: the channel × month grid of one campaign, with zeros where nothing happened
SELECT ch.channel_id, ch.channel_name, mo.month, COALESCE(f.sales_amount, 0) AS sales_amount, COALESCE(f.spend, 0) AS spend
FROM (SELECT channel_id, channel_name FROM wh.campaign_channels WHERE campaign_id = %(campaign_id)s) ch
CROSS JOIN (SELECT generate_series(date_trunc('month', start_date), date_trunc('month', coalesce(end_date, start_date)),
                                   interval '1 month')::date AS month
            FROM wh.campaigns WHERE campaign_id = %(campaign_id)s) mo
LEFT JOIN (SELECT channel_id, month, sum(sales_amount) AS sales_amount, sum(spend) AS spend FROM wh.campaign_facts
           WHERE campaign_id = %(campaign_id)s GROUP BY channel_id, month) f
       ON f.channel_id = ch.channel_id AND f.month = mo.month
ORDER BY ch.channel_id, mo.month;

-- 4. a FULL JOIN for completeness: goals without a warehouse row and warehouse rows without a goal
SELECT count(*) FILTER (WHERE g.id IS NULL) AS campaigns_without_goal,
       count(*) FILTER (WHERE w.campaign_id IS NULL) AS goals_without_summary
FROM wh.campaigns w FULL JOIN portal.sales_goals g ON g.campaign_id = w.campaign_id;

-- title: UPDATE … FROM (SELECT …) — rebalance a brand's channel budget shares to the actual spend
-- params: brand_id:int=1
-- explanation:
--   UPDATE … FROM joins the target table to another row source and updates each target row from its
--   matching source row, in one set-based statement (no cursor, no loop). Here the source is a derived
--   table (a SELECT in FROM) that computes, per campaign and channel of one brand, the share of the
--   campaign's actual spend (sum of ads.ad_results.cost) that went to the channel; each campaign_channels
--   row gets that share. RETURNING old.… / new.… (PostgreSQL 18) shows the value before and after. A target row must match at most one
--   source row (here the source is grouped by the target's key), otherwise the result is undefined.
--   SQL Server writes the same as UPDATE t SET … FROM t JOIN (SELECT …) s ON …. The lab rolls back.

UPDATE ads.campaign_channels AS cc
SET budget_share = spend.share
FROM (
    SELECT r.campaign_id, r.channel_id,
           round(sum(r.cost) / nullif(sum(sum(r.cost)) OVER (PARTITION BY r.campaign_id), 0), 4) AS share
    FROM ads.ad_results AS r
    JOIN ads.campaigns AS c ON c.campaign_id = r.campaign_id
    WHERE c.brand_id = %(brand_id)s
    GROUP BY r.campaign_id, r.channel_id
) AS spend
WHERE cc.campaign_id = spend.campaign_id
  AND cc.channel_id = spend.channel_id
  AND spend.share IS NOT NULL
RETURNING cc.campaign_id, cc.channel_id, old.budget_share AS old_share, new.budget_share AS new_share;

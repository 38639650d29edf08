-- title: LTRIM, LOWER, FLOOR and CEIL — cleaning channel names and bucketing budgets
-- explanation:
--   LTRIM removes leading characters (spaces by default, or the ones given: LTRIM(x, '#@ ')); RTRIM and
--   BTRIM do the right side and both sides. LOWER folds case, so messy input from uploads and APIs can be
--   matched to the catalogue codes. FLOOR rounds down to the integer below, CEIL (CEILING) up to the one
--   above — for negative numbers too (FLOOR(-1.5) = -2, CEIL(-1.5) = -1). Typical uses: budget bands
--   (FLOOR(budget / 25000) * 25000), whole weeks a campaign spans (CEIL(days / 7.0)), a price rounded up to
--   the next cent or dollar. SQL Server spells CEIL as CEILING; the rest is the same.

-- LTRIM + LOWER: match raw channel names to the catalogue
SELECT raw AS raw_input,
       lower(rtrim(ltrim(raw, ' #@'))) AS normalised,
       ch.channel_id, ch.name
FROM (VALUES ('   Instagram'), ('#TikTok'), ('@LinkedIn  '), ('  EMAIL'), ('Myspace')) AS v(raw)
LEFT JOIN ads.channels AS ch ON ch.code = lower(rtrim(ltrim(raw, ' #@')))
ORDER BY raw;

-- FLOOR: campaigns per budget band of 25,000 USD
SELECT floor(budget / 25000) * 25000 AS band_from,
       floor(budget / 25000) * 25000 + 24999.99 AS band_to,
       count(*) AS campaigns
FROM ads.campaigns
GROUP BY 1, 2
ORDER BY 1
LIMIT 12;

-- CEIL: whole weeks each campaign spans, and the cost per lead rounded up to the next dollar
SELECT c.campaign_id, c.name, c.end_date - c.start_date + 1 AS days,
       ceil((c.end_date - c.start_date + 1) / 7.0) AS weeks,
       ceil(sum(r.cost) / nullif(sum(r.leads), 0)) AS cost_per_lead_rounded_up,
       floor(-1.5) AS floor_of_minus_1_5, ceil(-1.5) AS ceil_of_minus_1_5
FROM ads.campaigns AS c
JOIN ads.ad_results AS r ON r.campaign_id = c.campaign_id
GROUP BY c.campaign_id
ORDER BY c.campaign_id
LIMIT 10;

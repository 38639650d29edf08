-- title: EXCEPT and INTERSECT — brands on one channel but never on another, and on both
-- params: channel_a:str=instagram, channel_b:str=tiktok
-- explanation:
--   Set operators compare whole result sets, row by row, and remove duplicates (use EXCEPT ALL /
--   INTERSECT ALL to keep them). Both sides must return the same number of columns with compatible types.
--   EXCEPT keeps rows of the left query that the right query does not return: brands that ran at least one
--   campaign on channel_a and never one on channel_b. INTERSECT keeps rows both queries return: brands
--   that used both channels. The equivalent with joins needs NOT EXISTS / EXISTS; the set form states the
--   intent directly. SQL Server has the same EXCEPT/INTERSECT syntax.

-- EXCEPT: brands on channel_a that never used channel_b
SELECT b.brand_id, b.name
FROM ads.brands AS b
JOIN ads.campaigns AS c ON c.brand_id = b.brand_id
JOIN ads.campaign_channels AS cc ON cc.campaign_id = c.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = cc.channel_id
WHERE ch.code = %(channel_a)s
EXCEPT
SELECT b.brand_id, b.name
FROM ads.brands AS b
JOIN ads.campaigns AS c ON c.brand_id = b.brand_id
JOIN ads.campaign_channels AS cc ON cc.campaign_id = c.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = cc.channel_id
WHERE ch.code = %(channel_b)s
ORDER BY brand_id;

-- INTERSECT: brands that used both channels
SELECT b.brand_id, b.name
FROM ads.brands AS b
JOIN ads.campaigns AS c ON c.brand_id = b.brand_id
JOIN ads.campaign_channels AS cc ON cc.campaign_id = c.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = cc.channel_id
WHERE ch.code = %(channel_a)s
INTERSECT
SELECT b.brand_id, b.name
FROM ads.brands AS b
JOIN ads.campaigns AS c ON c.brand_id = b.brand_id
JOIN ads.campaign_channels AS cc ON cc.campaign_id = c.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = cc.channel_id
WHERE ch.code = %(channel_b)s
ORDER BY brand_id;

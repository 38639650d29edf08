-- Campaign attributes (status, dates, budget, brand) with their channel and market counts, the campaign's
-- objective and its brand's industry.
SELECT c.campaign_id, c.name, c.brand_id, b.name, c.status, c.start_date, c.end_date, c.budget,
       (SELECT count(*) FROM ads.campaign_channels cc WHERE cc.campaign_id = c.campaign_id),
       (SELECT count(*) FROM ads.campaign_markets cm WHERE cm.campaign_id = c.campaign_id),
       c.objective, b.industry
FROM ads.campaigns c
JOIN ads.brands b ON b.brand_id = c.brand_id
WHERE %(all)s OR c.campaign_id = ANY(%(ids)s)

-- Markets each campaign targets (a campaign counts in its markets before it has results there).
SELECT cm.campaign_id, cm.market_id
FROM ads.campaign_markets cm
WHERE %(all)s OR cm.campaign_id = ANY(%(ids)s)

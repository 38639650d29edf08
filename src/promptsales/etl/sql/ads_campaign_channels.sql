-- Channels each campaign is assigned to (a campaign counts on its channels before it has results there).
SELECT cc.campaign_id, cc.channel_id
FROM ads.campaign_channels cc
WHERE %(all)s OR cc.campaign_id = ANY(%(ids)s)

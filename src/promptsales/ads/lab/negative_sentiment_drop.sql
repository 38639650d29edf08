-- title: Ads of a brand that caused negative sentiment, and the drop in influencer reactions (SPEC A6)
-- params: brand_id:int=17, start:date=2025-12-15, end:date=2025-12-28, min_negative_share:float=0.25
-- explanation:
--   For one brand and a date range [start, end]: the brand's ads whose share of negative comments in the
--   range is at least min_negative_share, each with its dominant type of negative sentiment (anger, distrust,
--   disappointment, mockery). The comments are the texts people posted (ads.social_comments), classified
--   by the sentiment AI module (ads.comment_sentiment: polarity and kind, newest model). For the
--   influencers who react to those ads (ads.influencer_reactions), reactions in the range are compared with the preceding period of equal
--   length (start - days .. start - 1); one row per channel, influencer and negative type where reactions
--   dropped, with drop_pct = 100 * (before - during) / before. Influencers with no reactions before the
--   range have nothing to compare and are left out.
--   Indexes used: campaigns (brand_id, start_date), ads (campaign_id), social_comments (ad_id, posted_on),
--   comment_sentiment (comment_id), influencer_reactions (ad_id, reaction_date) — see docs/ads.md for the plans.

WITH params AS (
    SELECT %(start)s::date AS period_start,
           %(end)s::date AS period_end,
           (%(end)s::date - %(start)s::date + 1) AS days
),
brand_ads AS (
    SELECT a.ad_id
    FROM ads.ads AS a
    JOIN ads.campaigns AS c ON c.campaign_id = a.campaign_id
    WHERE c.brand_id = %(brand_id)s
),
mentions AS (
    SELECT c.ad_id, s.polarity, s.negative_type, count(*)::numeric AS mentions
    FROM ads.social_comments AS c
    JOIN ads.comment_sentiment AS s ON s.comment_id = c.comment_id
    JOIN brand_ads AS b ON b.ad_id = c.ad_id
    CROSS JOIN params AS p
    WHERE c.posted_on BETWEEN p.period_start AND p.period_end
    GROUP BY c.ad_id, s.polarity, s.negative_type
),
negative_ads AS (
    SELECT ad_id,
           round(sum(mentions) FILTER (WHERE polarity = 'negative') / sum(mentions), 4) AS negative_share,
           (array_agg(negative_type ORDER BY mentions DESC, negative_type) FILTER (WHERE polarity = 'negative'))[1] AS negative_type
    FROM mentions
    GROUP BY ad_id
    HAVING sum(mentions) FILTER (WHERE polarity = 'negative') / sum(mentions) >= %(min_negative_share)s
),
reactions AS (
    SELECT r.influencer_id, r.channel_id, n.negative_type,
           max(n.negative_share) AS negative_share,
           sum(r.reactions) FILTER (WHERE r.reaction_date < p.period_start) AS reactions_before,
           coalesce(sum(r.reactions) FILTER (WHERE r.reaction_date >= p.period_start), 0) AS reactions_during
    FROM ads.influencer_reactions AS r
    JOIN negative_ads AS n ON n.ad_id = r.ad_id
    CROSS JOIN params AS p
    WHERE r.reaction_date BETWEEN p.period_start - p.days AND p.period_end
    GROUP BY r.influencer_id, r.channel_id, n.negative_type
)
SELECT ch.name AS channel,
       i.handle AS influencer,
       x.negative_type,
       x.negative_share,
       x.reactions_before,
       x.reactions_during,
       round(100.0 * (x.reactions_before - x.reactions_during) / x.reactions_before, 2) AS drop_pct
FROM reactions AS x
JOIN ads.influencers AS i ON i.influencer_id = x.influencer_id
JOIN ads.channels AS ch ON ch.channel_id = x.channel_id
WHERE x.reactions_before > 0
  AND x.reactions_during < x.reactions_before
ORDER BY drop_pct DESC, channel, influencer, x.negative_type;

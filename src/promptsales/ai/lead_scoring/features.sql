-- Features of PromptCRM leads as known 24 hours after each lead arrived (promptsales.ai.lead_scoring.features).
-- Nothing after that horizon is read, and never the lead's own sale, stage 'won' or the CRM's points score: the
-- label is whether a sale of the lead exists. Filters (bound parameters): %(lead_ids)s, %(campaign_ids)s,
-- %(open_only)s; %(interests)s is the interest vocabulary whose positions make the bit mask. Every column is a
-- float8 (NULL as NaN) so that the rows load straight into one numpy matrix.
SELECT lead_id::float8, campaign_id::float8, extract(epoch FROM created_at)::float8 AS created_epoch,
       source_id::float8, channel_id::float8, market_id::float8, hour::float8, weekday::float8, month::float8,
       coalesce(age::float8, 'NaN'), interest_mask::float8, coalesce(n_interests::float8, 'NaN'),
       consent_email::int::float8, consent_sms::int::float8, consent_whatsapp::int::float8,
       consent_phone::int::float8, consent_social::int::float8,
       prior_leads::float8, coalesce(days_since_prior_lead::float8, 'NaN'), prior_purchases::float8,
       coalesce(first_view_seconds::float8, 'NaN'), followups_24h::float8, chats_24h::float8, calls_24h::float8,
       stage_24h::float8, lost_24h::int::float8, rule_score::float8, converted::int::float8
FROM (
SELECT l.lead_id,
       l.campaign_id,
       l.created_at,
       l.source_id,
       l.channel_id,
       l.market_id,
       extract(hour FROM l.created_at AT TIME ZONE 'UTC')::int AS hour,
       extract(isodow FROM l.created_at AT TIME ZONE 'UTC')::int AS weekday,
       extract(month FROM l.created_at AT TIME ZONE 'UTC')::int AS month,
       extract(year FROM l.created_at AT TIME ZONE 'UTC')::int - c.birth_year AS age,
       (SELECT coalesce(sum(1::bigint << (array_position(%(interests)s::text[], x) - 1)), 0)
          FROM unnest(c.interests) x WHERE array_position(%(interests)s::text[], x) IS NOT NULL) AS interest_mask,
       cardinality(c.interests) AS n_interests,
       c.consent_email, c.consent_sms, c.consent_whatsapp, c.consent_phone, c.consent_social,
       p.prior_leads,
       extract(epoch FROM l.created_at - p.last_lead_at) / 86400.0 AS days_since_prior_lead,
       b.prior_purchases,
       e.first_view_seconds,
       e.followups_24h,
       e.chats_24h,
       e.calls_24h,
       h.stage_24h,
       h.lost_24h,
       l.score AS rule_score,
       b.converted
FROM crm.leads l
JOIN crm.clients c USING (client_id)
CROSS JOIN LATERAL (
    SELECT count(*) AS prior_leads, max(o.created_at) AS last_lead_at
    FROM crm.leads o WHERE o.client_id = l.client_id AND o.created_at < l.created_at) p
CROSS JOIN LATERAL (  -- the client's sales (index on client_id; crm.sales has none on lead_id)
    SELECT count(*) FILTER (WHERE s.sold_at < l.created_at) AS prior_purchases,
           coalesce(bool_or(s.lead_id = l.lead_id), false) AS converted
    FROM crm.sales s WHERE s.client_id = l.client_id) b
CROSS JOIN LATERAL (
    SELECT max(i.viewing_seconds) FILTER (WHERE i.type_id = 1) AS first_view_seconds,
           count(*) FILTER (WHERE i.type_id NOT IN (1, 7)) AS followups_24h,
           count(*) FILTER (WHERE i.type_id = 4) AS chats_24h,
           count(*) FILTER (WHERE i.type_id = 6) AS calls_24h
    FROM crm.interactions i
    WHERE i.lead_id = l.lead_id AND i.occurred_at <= l.created_at + interval '24 hours') e
CROSS JOIN LATERAL (
    SELECT coalesce(max(x.to_stage_id) FILTER (WHERE x.to_stage_id < 6), 1) AS stage_24h,
           coalesce(bool_or(x.to_stage_id = 7), false) AS lost_24h
    FROM crm.lead_stage_history x
    WHERE x.lead_id = l.lead_id AND x.changed_at <= l.created_at + interval '24 hours') h
WHERE (%(lead_ids)s::bigint[] IS NULL OR l.lead_id = ANY(%(lead_ids)s::bigint[]))
  AND (%(campaign_ids)s::int[] IS NULL OR l.campaign_id = ANY(%(campaign_ids)s::int[]))
  AND (NOT %(open_only)s::boolean OR l.stage_id NOT IN (6, 7))
) q
ORDER BY created_at, lead_id

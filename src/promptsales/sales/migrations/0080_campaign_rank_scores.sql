-- 0080_campaign_rank_scores: the performance ranking's scores (issue 18, docs/ai.md "Performance ranking").
-- After each training, one row per campaign that spent in the warehouse's latest month: the learned ranker's
-- score (higher = expected higher in next month's ROI order) under the model version that computed it, and
-- the campaign's empirical-Bayes ROI and conversion rate to date with their 90 % intervals.
CREATE TABLE wh.campaign_rank_scores (
    campaign_id        integer PRIMARY KEY,
    as_of_month        date NOT NULL CHECK (as_of_month = date_trunc('month', as_of_month)),
    model_version      integer NOT NULL,
    learned_score      float8 NOT NULL,
    shrunk_roi         float8,
    roi_low            float8,
    roi_high           float8,
    shrunk_conversion  float8,
    conversion_low     float8,
    conversion_high    float8,
    scored_at          timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE wh.campaign_rank_scores IS 'Performance ranking scores of the latest month, with the ranking model version (issue 18)';

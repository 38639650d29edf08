-- 0018_lead_scores: purchase-intent scores per lead (SPEC I1, issue 18). Written by the lead-scoring AI module
-- (promptsales.ai.lead_scoring) after each training — every lead scored by the new model version — and read by
-- the MCP tools scoreLeads (top-N) and client360. model_version is the version in the PromptSales model
-- registry (portal.ai_models, module 'lead_scoring'); the seed empties the table with the leads.
CREATE TABLE crm.lead_scores (
    lead_id        bigint PRIMARY KEY REFERENCES crm.leads ON DELETE CASCADE,
    model_version  integer NOT NULL CHECK (model_version >= 1),
    probability    real NOT NULL CHECK (probability BETWEEN 0 AND 1),
    scored_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_scores_probability_idx ON crm.lead_scores (probability DESC);
COMMENT ON TABLE crm.lead_scores IS 'I1: calibrated probability that the lead buys, by model version of lead_scoring';

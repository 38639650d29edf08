-- 0070_proposal_flow: what the approved-proposal flow (issue 7, SPEC G1/G3) records on top of the portal
-- schema of 0003: provisional campaign ids for proposals of campaigns that do not exist yet, and the
-- outcome of each cross-company step with its idempotency key.
-- Author: MCP-network team. Date: 2026-11-27.
--
-- portal.proposals.campaign_id must reference portal.campaigns, whose ids are PromptAds campaign ids; a
-- proposal for a new campaign gets a provisional portal.campaigns row with a NEGATIVE id from this
-- sequence (never collides with PromptAds ids, which are positive). When the flow creates the campaign
-- in PromptAds, its real id is recorded in portal.proposal_launches and a portal.campaigns row with the
-- real id is added.

CREATE SEQUENCE portal.provisional_campaign_id_seq AS integer START WITH -1 INCREMENT BY -1 MINVALUE -2147483647 MAXVALUE -1;
COMMENT ON SEQUENCE portal.provisional_campaign_id_seq IS 'Negative portal.campaigns ids of proposed campaigns not yet created in PromptAds';

CREATE TABLE portal.proposal_launches (
    proposal_id       bigint PRIMARY KEY REFERENCES portal.proposals ON DELETE CASCADE,
    ads_campaign_id   integer,                    -- the real PromptAds campaign, once created
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    launched_by       text NOT NULL,              -- OAuth client of the approveProposal call
    approver_id       integer NOT NULL REFERENCES portal.users
);
COMMENT ON TABLE portal.proposal_launches IS 'The launch of an approved proposal across PromptAds, PromptContent and PromptCRM';

CREATE TABLE portal.proposal_steps (
    proposal_id       bigint NOT NULL REFERENCES portal.proposals ON DELETE CASCADE,
    step              text NOT NULL CHECK (step IN ('ads', 'content', 'crm')),
    step_order        smallint NOT NULL,
    idempotency_key   text NOT NULL UNIQUE,
    status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    outcome           jsonb NOT NULL DEFAULT '{}'::jsonb,
    error             text,
    updated_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, step),
    CHECK ((status = 'failed') = (error IS NOT NULL))
);
COMMENT ON TABLE portal.proposal_steps IS 'One row per launch step: status, attempts, outcome (ids created remotely), idempotency key sent';

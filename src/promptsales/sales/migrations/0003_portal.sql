-- 0003_portal: everything the central web portal produces (SPEC S1, G3).
--
-- Client companies, products and campaigns carry the SAME ids as in PromptAds (brands, products,
-- campaigns), so the portal, the warehouse and the sub-companies talk about the same things (G7).
-- The review workflow of AI-generated proposals is enforced here, in the database: only a user holding
-- the `approver` role can approve or reject, and nothing runs (proposal or automated task) unapproved.

-- Error catalogue: the custom SQLSTATEs raised by this database's triggers and procedures.
CREATE TABLE portal.error_catalog (
    sqlstate    char(5) PRIMARY KEY CHECK (sqlstate ~ '^P[A-Z0-9]{4}$'),
    name        text NOT NULL UNIQUE,
    message     text NOT NULL
);
INSERT INTO portal.error_catalog (sqlstate, name, message) VALUES
    ('PS401', 'not_an_approver',        'Only an active user with the approver role can approve or reject a proposal'),
    ('PS402', 'not_approved',           'Nothing runs unapproved: the proposal has not been approved'),
    ('PS403', 'bad_transition',         'This status change is not allowed by the review workflow'),
    ('PS404', 'unknown_proposal',       'The proposal does not exist'),
    ('PS405', 'approved_is_frozen',     'An approved proposal cannot be edited; create a new one'),
    ('PS406', 'bad_decision',           'The review decision must be approved or rejected'),
    ('PS499', 'unexpected',             'Unexpected error; see portal.procedure_log');

-- Log of procedure failures (the course template: the real error is logged, a catalogue code raised).
CREATE TABLE portal.procedure_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    logged_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    procedure   text NOT NULL,
    sqlstate    char(5) NOT NULL,
    message     text NOT NULL,
    detail      jsonb NOT NULL DEFAULT '{}'
);

-- Raise a catalogue error: portal.raise_error('PS401', 'extra detail').
CREATE FUNCTION portal.raise_error(p_sqlstate char(5), p_detail text DEFAULT NULL) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_message text;
BEGIN
    SELECT message INTO v_message FROM portal.error_catalog WHERE sqlstate = p_sqlstate;
    RAISE EXCEPTION USING ERRCODE = p_sqlstate, MESSAGE = coalesce(v_message, 'error ' || p_sqlstate),
        DETAIL = coalesce(p_detail, '');
END $$;

-- ---------------------------------------------------------------------------------------------------
-- Client companies and what the portal knows about them.
CREATE TABLE portal.client_companies (
    id          integer PRIMARY KEY,              -- = ads.brands.id
    name        text NOT NULL,
    industry    text NOT NULL,
    country     char(2) NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE portal.products (
    id                 integer PRIMARY KEY,       -- = ads.products.id
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    name               text NOT NULL,
    category           text NOT NULL,
    list_price         numeric(12,2) NOT NULL CHECK (list_price >= 0)
);
CREATE INDEX ON portal.products (client_company_id);

CREATE TABLE portal.contacts (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    full_name          text NOT NULL,
    email              text NOT NULL,
    phone              text,
    position           text NOT NULL,
    is_primary         boolean NOT NULL DEFAULT false
);
CREATE INDEX ON portal.contacts (client_company_id);
CREATE UNIQUE INDEX contacts_one_primary ON portal.contacts (client_company_id) WHERE is_primary;

-- ---------------------------------------------------------------------------------------------------
-- Users of the portal and their roles.
CREATE TABLE portal.roles (
    code        text PRIMARY KEY CHECK (code IN ('marketer', 'sales_agent', 'approver', 'admin')),
    description text NOT NULL
);
INSERT INTO portal.roles VALUES
    ('marketer',    'Designs strategies and requests AI proposals'),
    ('sales_agent', 'Follows leads and clients of the campaigns'),
    ('approver',    'Reviews and approves or rejects AI-generated proposals'),
    ('admin',       'Administers users, plans and subscriptions');

CREATE TABLE portal.users (
    id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email              text NOT NULL UNIQUE,
    full_name          text NOT NULL,
    client_company_id  integer REFERENCES portal.client_companies,   -- NULL for PromptSales staff
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE portal.user_roles (
    user_id     integer NOT NULL REFERENCES portal.users ON DELETE CASCADE,
    role_code   text NOT NULL REFERENCES portal.roles,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, role_code)
);
CREATE INDEX ON portal.user_roles (role_code);

-- True when the user is active and holds the role.
CREATE FUNCTION portal.user_has_role(p_user_id integer, p_role text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM portal.users u JOIN portal.user_roles r ON r.user_id = u.id
        WHERE u.id = p_user_id AND u.active AND r.role_code = p_role)
$$;

-- ---------------------------------------------------------------------------------------------------
-- Marketing strategies: messages, target audiences, intents, products, target countries.
CREATE TABLE portal.strategies (
    id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    name               text NOT NULL,
    intent             text NOT NULL CHECK (intent IN ('awareness', 'consideration', 'conversion', 'retention', 'launch')),
    key_message        text NOT NULL,
    created_by         integer NOT NULL REFERENCES portal.users,
    created_at         timestamptz NOT NULL
);
CREATE INDEX ON portal.strategies (client_company_id);

CREATE TABLE portal.strategy_audiences (
    strategy_id  integer NOT NULL REFERENCES portal.strategies ON DELETE CASCADE,
    audience     text NOT NULL,
    age_min      smallint NOT NULL CHECK (age_min BETWEEN 13 AND 99),
    age_max      smallint NOT NULL CHECK (age_max BETWEEN 13 AND 99),
    interests    text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (strategy_id, audience),
    CHECK (age_min <= age_max)
);

CREATE TABLE portal.strategy_products (
    strategy_id  integer NOT NULL REFERENCES portal.strategies ON DELETE CASCADE,
    product_id   integer NOT NULL REFERENCES portal.products,
    PRIMARY KEY (strategy_id, product_id)
);

CREATE TABLE portal.strategy_countries (
    strategy_id   integer NOT NULL REFERENCES portal.strategies ON DELETE CASCADE,
    country_code  char(2) NOT NULL,
    PRIMARY KEY (strategy_id, country_code)
);

-- Campaigns as the portal sees them (= ads.campaigns.id), with their strategy.
CREATE TABLE portal.campaigns (
    id                 integer PRIMARY KEY,
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    strategy_id        integer REFERENCES portal.strategies,
    name               text NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX ON portal.campaigns (client_company_id);

-- Sales goals and budgets (per client company and period, or per campaign).
CREATE TABLE portal.sales_goals (
    id                  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_company_id   integer NOT NULL REFERENCES portal.client_companies,
    campaign_id         integer REFERENCES portal.campaigns,
    period_start        date NOT NULL,
    period_end          date NOT NULL,
    target_sales_count  integer NOT NULL CHECK (target_sales_count > 0),
    target_amount       numeric(14,2) NOT NULL CHECK (target_amount > 0),
    CHECK (period_start <= period_end)
);
CREATE UNIQUE INDEX sales_goals_one_per_campaign ON portal.sales_goals (campaign_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX ON portal.sales_goals (client_company_id);

CREATE TABLE portal.budgets (
    id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    campaign_id        integer REFERENCES portal.campaigns,
    period_start       date NOT NULL,
    period_end         date NOT NULL,
    amount             numeric(14,2) NOT NULL CHECK (amount >= 0),
    currency           char(3) NOT NULL DEFAULT 'USD',
    CHECK (period_start <= period_end)
);
CREATE INDEX ON portal.budgets (client_company_id);
CREATE INDEX ON portal.budgets (campaign_id);

-- ---------------------------------------------------------------------------------------------------
-- AI-generated proposals and their review workflow.
CREATE TABLE portal.proposals (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id    integer NOT NULL REFERENCES portal.campaigns,
    strategy_id    integer REFERENCES portal.strategies,
    kind           text NOT NULL CHECK (kind IN ('campaign', 'content', 'timing', 'media', 'suggestion')),
    payload        jsonb NOT NULL,
    model          text NOT NULL,
    requested_by   integer NOT NULL REFERENCES portal.users,
    status         text NOT NULL DEFAULT 'draft'
                   CHECK (status IN ('draft', 'in_review', 'approved', 'rejected', 'running', 'completed')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    reviewed_by    integer REFERENCES portal.users,
    reviewed_at    timestamptz,
    review_note    text,
    CHECK ((status IN ('approved', 'running', 'completed', 'rejected')) = (reviewed_by IS NOT NULL AND reviewed_at IS NOT NULL))
);
CREATE INDEX ON portal.proposals (campaign_id);
CREATE INDEX ON portal.proposals (status);

CREATE TABLE portal.proposal_reviews (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    proposal_id  bigint NOT NULL REFERENCES portal.proposals ON DELETE CASCADE,
    reviewer_id  integer NOT NULL REFERENCES portal.users,
    decision     text NOT NULL CHECK (decision IN ('approved', 'rejected')),
    note         text,
    reviewed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON portal.proposal_reviews (proposal_id);

-- The workflow, enforced for every writer (app, procedures, ad-hoc SQL):
--   draft → in_review → approved | rejected;  approved → running → completed;  rejected → draft.
--   approved/rejected need reviewed_by = an active approver; an approved proposal's content is frozen.
CREATE FUNCTION portal.enforce_proposal_workflow() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.status NOT IN ('draft', 'in_review') THEN
            PERFORM portal.raise_error('PS403', 'a new proposal starts as draft or in_review, not ' || NEW.status);
        END IF;
        RETURN NEW;
    END IF;
    IF OLD.status IN ('approved', 'running', 'completed')
       AND (NEW.payload IS DISTINCT FROM OLD.payload OR NEW.kind IS DISTINCT FROM OLD.kind
            OR NEW.campaign_id IS DISTINCT FROM OLD.campaign_id) THEN
        PERFORM portal.raise_error('PS405', 'proposal ' || OLD.id);
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status THEN
        IF NOT (OLD.status, NEW.status) IN (('draft', 'in_review'), ('in_review', 'approved'),
                ('in_review', 'rejected'), ('in_review', 'draft'), ('rejected', 'draft'),
                ('approved', 'running'), ('running', 'completed')) THEN
            IF NEW.status IN ('running', 'completed') THEN
                PERFORM portal.raise_error('PS402', 'proposal ' || OLD.id || ' is ' || OLD.status);
            END IF;
            PERFORM portal.raise_error('PS403', OLD.status || ' -> ' || NEW.status);
        END IF;
        IF NEW.status IN ('approved', 'rejected')
           AND (NEW.reviewed_by IS NULL OR NOT portal.user_has_role(NEW.reviewed_by, 'approver')) THEN
            PERFORM portal.raise_error('PS401', 'user ' || coalesce(NEW.reviewed_by::text, 'none'));
        END IF;
        IF NEW.status = 'draft' THEN
            NEW.reviewed_by := NULL;
            NEW.reviewed_at := NULL;
        END IF;
    ELSIF NEW.reviewed_by IS DISTINCT FROM OLD.reviewed_by
          AND NOT portal.user_has_role(NEW.reviewed_by, 'approver') THEN
        PERFORM portal.raise_error('PS401', 'user ' || coalesce(NEW.reviewed_by::text, 'none'));
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER proposals_workflow BEFORE INSERT OR UPDATE ON portal.proposals
    FOR EACH ROW EXECUTE FUNCTION portal.enforce_proposal_workflow();

-- Reviews can only be recorded by approvers, too.
CREATE FUNCTION portal.enforce_reviewer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT portal.user_has_role(NEW.reviewer_id, 'approver') THEN
        PERFORM portal.raise_error('PS401', 'user ' || NEW.reviewer_id);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER proposal_reviews_reviewer BEFORE INSERT OR UPDATE ON portal.proposal_reviews
    FOR EACH ROW EXECUTE FUNCTION portal.enforce_reviewer();

-- ---------------------------------------------------------------------------------------------------
-- Per-campaign calendar of automated tasks: reminders, alerts, deliverable reviews, automated actions.
CREATE TABLE portal.calendar_tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id  integer NOT NULL REFERENCES portal.campaigns,
    proposal_id  bigint REFERENCES portal.proposals,
    kind         text NOT NULL CHECK (kind IN ('reminder', 'alert', 'deliverable_review', 'automated_action')),
    title        text NOT NULL,
    due_at       timestamptz NOT NULL,
    assigned_to  integer REFERENCES portal.users,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'cancelled')),
    done_at      timestamptz,
    CHECK (kind <> 'automated_action' OR proposal_id IS NOT NULL)
);
CREATE INDEX ON portal.calendar_tasks (campaign_id, due_at);
CREATE INDEX ON portal.calendar_tasks (proposal_id);
CREATE INDEX calendar_tasks_pending ON portal.calendar_tasks (due_at) WHERE status = 'pending';

-- An automated task runs (or completes) only when its proposal is approved or already running.
CREATE FUNCTION portal.enforce_task_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_status text;
BEGIN
    IF NEW.status IN ('running', 'done') AND NEW.proposal_id IS NOT NULL
       AND (TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status) THEN
        SELECT status INTO v_status FROM portal.proposals WHERE id = NEW.proposal_id;
        IF v_status IS NULL OR v_status NOT IN ('approved', 'running', 'completed') THEN
            PERFORM portal.raise_error('PS402', 'task ' || coalesce(NEW.id::text, 'new') || ', proposal '
                || NEW.proposal_id || ' is ' || coalesce(v_status, 'missing'));
        END IF;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER calendar_tasks_approval BEFORE INSERT OR UPDATE ON portal.calendar_tasks
    FOR EACH ROW EXECUTE FUNCTION portal.enforce_task_approval();

-- ---------------------------------------------------------------------------------------------------
-- Subscription plans (tiers) of each sub-company, sold alone or in bundles.
CREATE TABLE portal.sub_companies (
    code  text PRIMARY KEY CHECK (code IN ('content', 'ads', 'crm', 'sales')),
    name  text NOT NULL UNIQUE
);
INSERT INTO portal.sub_companies VALUES
    ('content', 'PromptContent'), ('ads', 'PromptAds'), ('crm', 'PromptCRM'), ('sales', 'PromptSales');

CREATE TABLE portal.plans (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sub_company    text NOT NULL REFERENCES portal.sub_companies,
    tier           text NOT NULL CHECK (tier IN ('starter', 'growth', 'enterprise')),
    monthly_price  numeric(10,2) NOT NULL CHECK (monthly_price >= 0),
    limits         jsonb NOT NULL,
    UNIQUE (sub_company, tier)
);

CREATE TABLE portal.bundles (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text NOT NULL UNIQUE,
    monthly_price  numeric(10,2) NOT NULL CHECK (monthly_price >= 0)
);

CREATE TABLE portal.bundle_plans (
    bundle_id  integer NOT NULL REFERENCES portal.bundles ON DELETE CASCADE,
    plan_id    integer NOT NULL REFERENCES portal.plans,
    PRIMARY KEY (bundle_id, plan_id)
);

CREATE TABLE portal.subscriptions (
    id                 integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    client_company_id  integer NOT NULL REFERENCES portal.client_companies,
    plan_id            integer REFERENCES portal.plans,
    bundle_id          integer REFERENCES portal.bundles,
    starts_on          date NOT NULL,
    ends_on            date,
    status             text NOT NULL CHECK (status IN ('active', 'cancelled', 'expired')),
    CHECK (num_nonnulls(plan_id, bundle_id) = 1),
    CHECK (ends_on IS NULL OR starts_on <= ends_on)
);
CREATE INDEX ON portal.subscriptions (client_company_id);

-- ---------------------------------------------------------------------------------------------------
-- salessp_review_proposal: record an approver's decision on a proposal (course template, SPEC last section).
-- author: PromptSales ETL/portal team · date: 2026-11-27
-- purpose: approve or reject one proposal that is in review, and keep the review history.
-- Template mapping: reads and validation happen before any write; the procedure is called inside the
-- caller's transaction (PostgreSQL opens one per CALL when none is open, so "open only if none is open"
-- holds naturally), and its writes run in a sub-transaction (the BEGIN … EXCEPTION block) so only what
-- this procedure did is rolled back on error; the real error is logged and a catalogue SQLSTATE raised.
CREATE PROCEDURE portal.salessp_review_proposal(
    p_proposal_id bigint, p_reviewer_id integer, p_decision text, p_note text DEFAULT NULL)
LANGUAGE plpgsql AS $$
DECLARE
    v_status   text;
    v_state    text;
    v_message  text;
BEGIN
    -- reads and validation, before any write
    IF p_decision NOT IN ('approved', 'rejected') OR p_decision IS NULL THEN
        PERFORM portal.raise_error('PS406', coalesce(p_decision, 'null'));
    END IF;
    SELECT status INTO v_status FROM portal.proposals WHERE id = p_proposal_id;
    IF v_status IS NULL THEN
        PERFORM portal.raise_error('PS404', 'proposal ' || p_proposal_id);
    END IF;
    IF NOT portal.user_has_role(p_reviewer_id, 'approver') THEN
        PERFORM portal.raise_error('PS401', 'user ' || p_reviewer_id);
    END IF;
    -- the short write
    BEGIN
        UPDATE portal.proposals
           SET status = p_decision, reviewed_by = p_reviewer_id, reviewed_at = now(), review_note = p_note
         WHERE id = p_proposal_id;
        INSERT INTO portal.proposal_reviews (proposal_id, reviewer_id, decision, note)
        VALUES (p_proposal_id, p_reviewer_id, p_decision, p_note);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
        INSERT INTO portal.procedure_log (procedure, sqlstate, message, detail)
        VALUES ('salessp_review_proposal', v_state, v_message,
                jsonb_build_object('proposal_id', p_proposal_id, 'reviewer_id', p_reviewer_id, 'decision', p_decision));
        IF v_state IN (SELECT sqlstate FROM portal.error_catalog) THEN
            PERFORM portal.raise_error(v_state, v_message);
        END IF;
        PERFORM portal.raise_error('PS499', v_message);
    END;
END $$;

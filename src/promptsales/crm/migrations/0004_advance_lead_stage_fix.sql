-- 0004_advance_lead_stage_fix: crmsp_advance_lead_stage passed no variable for the INOUT p_log_id of
-- crm.crmsp_write_log, which PL/pgSQL refuses at the first CALL ("argument is not writable").
-- Author: PromptCRM team. Date: 2026-11-27. Fix forward (0002 is applied and immutable).
-- Callers from PL/pgSQL must do the same: CALL crm.crmsp_write_log(..., v_log_id) with a bigint variable.
-- It also detected "no transaction open" by comparing transaction_timestamp() with statement_timestamp(),
-- which is wrong with the extended query protocol (Parse starts the transaction, Execute resets the
-- statement time): the procedure now asks PostgreSQL whether it may COMMIT.

CREATE OR REPLACE PROCEDURE crm.crmsp_advance_lead_stage(
    p_lead_id     bigint,
    p_stage_code  text,
    p_actor       text DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  PromptCRM team
-- Date:    2026-11-27
-- Purpose: move a lead to a later funnel stage, recording the change in crm.lead_stage_history.
-- Template mapping (PostgreSQL):
--   * reads and validation before any write; invalid input → custom SQLSTATE (PC010–PC013), logged;
--   * "open a transaction only if none is open" (asked of PostgreSQL in step 0, as crm.crmsp_can_commit
--     of the concurrency lab does): when CALLed on its own (autocommit) the procedure runs
--     in a transaction of its own and COMMITs it; inside a caller's transaction block it never commits —
--     its writes run in a sub-transaction (BEGIN … EXCEPTION) so only what it did is rolled back;
--   * the real error is written to crm.logs and PC099 is raised to the caller.
-- ================================================================================================
DECLARE
    v_from_stage   smallint;
    v_from_closed  boolean;
    v_from_pos     smallint;
    v_to_stage     smallint;
    v_to_pos       smallint;
    v_own_txn      boolean;
    v_probe        text;
    v_state        text;
    v_message      text;
    v_code         text;
    v_log_id       bigint;  -- INOUT argument of crmsp_write_log (PL/pgSQL needs a variable)
BEGIN
    -- 0. "Is a transaction already open?" Ask PostgreSQL: a COMMIT tried inside an exception block fails with
    --    "cannot commit while a subtransaction is active" when we could commit (CALLed on our own), and with
    --    "invalid transaction termination" when the caller has a transaction block open. Nothing is committed.
    BEGIN
        COMMIT;
    EXCEPTION WHEN invalid_transaction_termination THEN
        GET STACKED DIAGNOSTICS v_probe = MESSAGE_TEXT;
    END;
    v_own_txn := coalesce(v_probe LIKE 'cannot commit while a subtransaction is active%', false);

    -- 1. reads and validation
    SELECT l.stage_id, s.is_closed, s.position INTO v_from_stage, v_from_closed, v_from_pos
    FROM crm.leads l JOIN crm.funnel_stages s USING (stage_id) WHERE l.lead_id = p_lead_id;
    IF NOT FOUND THEN
        v_code := 'PC010'; v_message := format('lead %s does not exist', p_lead_id);
    ELSE
        SELECT stage_id, position INTO v_to_stage, v_to_pos FROM crm.funnel_stages WHERE code = p_stage_code;
        IF NOT FOUND THEN
            v_code := 'PC011'; v_message := format('funnel stage %L does not exist', p_stage_code);
        ELSIF v_from_closed THEN
            v_code := 'PC012'; v_message := format('lead %s is already closed', p_lead_id);
        ELSIF v_to_pos <= v_from_pos THEN
            v_code := 'PC013'; v_message := format('lead %s cannot move back from stage %s to %L', p_lead_id, v_from_stage, p_stage_code);
        END IF;
    END IF;
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_advance_lead_stage: ' || v_message,
                                 p_lead_id, NULL, p_stage_code, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;   -- keep the log row even though the caller gets an error
        RAISE EXCEPTION '%', v_message USING ERRCODE = v_code;
    END IF;

    -- 2. short transaction (a sub-transaction when the caller already has one open)
    BEGIN
        UPDATE crm.leads SET stage_id = v_to_stage, updated_at = now() WHERE lead_id = p_lead_id;
        INSERT INTO crm.lead_stage_history (lead_id, from_stage_id, to_stage_id, changed_at, changed_by)
        VALUES (p_lead_id, v_from_stage, v_to_stage, now(), coalesce(p_actor, session_user));
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_advance_lead_stage: lead moved',
                                 p_lead_id, v_to_stage, v_from_stage::text, p_stage_code, v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'error', 'crmsp_advance_lead_stage failed: ' || v_message,
                                 p_lead_id, NULL, p_stage_code, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION 'advancing lead % failed (see crm.logs)', p_lead_id USING ERRCODE = 'PC099';
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;

-- migrate: as-admin
-- 0080_concurrency_lab: the unsafe and the safe procedures of the concurrency lab (SPEC R11; logging R10).
-- Author: concurrency-lab team. Date: 2026-11-27.
--
-- Only the first statement needs the admin role: PostgreSQL 15+ `GRANT SET ON PARAMETER` lets the CRM app
-- role lower `deadlock_timeout` (a superuser-only parameter) in its own sessions, so the lab's deadlocks are
-- detected in 50–100 ms instead of the default 1 s. Nothing else changes for anybody else. Every object
-- below is created as the owner role, so the owner's default privileges grant it to the app role.
--
-- Each business operation exists twice: `…_unsafe` has the classic concurrency fault, `…_safe` does the same
-- operation without it. Both follow the course template (header, validation before the transaction, short
-- transaction, errors caught, the real error written with crm.crmsp_write_log, a custom SQLSTATE from
-- crm.error_catalog raised). "Open a transaction only if none is open": CALLed on its own (autocommit), a
-- procedure owns its transaction and COMMITs it; inside a caller's transaction block it never commits and its
-- writes run in a sub-transaction (BEGIN … EXCEPTION), so only what it did is rolled back. Which case applies
-- is asked of PostgreSQL itself by crm.crmsp_can_commit (below) — comparing transaction_timestamp() with
-- statement_timestamp() is not enough: with the extended query protocol (every driver call with bound
-- parameters) the two differ even in autocommit, because Parse starts the transaction and Execute resets
-- statement_timestamp().
--
-- `p_gate`: the lab's deterministic interleaving. When not NULL the procedure passes a gate at one fixed
-- point (crm.crmfn_lab_gate): it waits while the lab's coordinator holds the advisory lock
-- (1347636290 = 'PSLB', p_gate) and goes on as soon as the coordinator releases it. Production callers pass
-- NULL (the default) and the gate costs nothing.

GRANT SET ON PARAMETER deadlock_timeout TO promptcrm_app;

SET LOCAL ROLE promptcrm_owner;

INSERT INTO crm.error_catalog (error_code, name, message, severity_id) VALUES
    ('PCC01', 'lab_sale_not_found', 'The sale does not exist', 3),
    ('PCC02', 'lab_bad_transfer_amount', 'The amount must be positive, in cents, and smaller than the source sale', 3),
    ('PCC03', 'deadlock_victim', 'The transaction was chosen as deadlock victim (SQLSTATE 40P01) and rolled back', 4),
    ('PCC04', 'deadlock_retries_exhausted', 'Still a deadlock victim after every allowed retry', 4),
    ('PCC05', 'score_out_of_range', 'The lead score would leave the range 0–100', 3),
    ('PCC06', 'bad_score_delta', 'A score adjustment must be a non-zero integer between -100 and 100', 3),
    ('PCC07', 'summary_needs_snapshot', 'A consistent summary needs its own transaction or a REPEATABLE READ caller', 3),
    ('PCC08', 'bad_campaign_list', 'The summary needs 1 to 1000 campaign ids, none NULL', 3),
    ('PCC09', 'same_sale', 'A transfer needs two different sales', 3);

-- ---------------------------------------------------------------------------------------------------
-- "Is a transaction already open?" — the template's test, asked of PostgreSQL itself
-- ---------------------------------------------------------------------------------------------------
CREATE PROCEDURE crm.crmsp_can_commit(INOUT p_can_commit boolean DEFAULT NULL)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: true when the calling procedure may COMMIT, i.e. it was CALLed on its own (autocommit, no
--          transaction block of the caller) and not from inside an exception block or a function.
--          PostgreSQL has no @@TRANCOUNT; this asks SPI: a COMMIT tried inside an exception block fails
--          either with "invalid transaction termination" (atomic context: the caller has a transaction
--          open) or with "cannot commit while a subtransaction is active" (non-atomic: we could commit).
--          Nothing is committed either way. Call it as the first statement, outside exception blocks.
-- ================================================================================================
DECLARE
    v_message text;
BEGIN
    BEGIN
        COMMIT;
    EXCEPTION WHEN invalid_transaction_termination THEN
        GET STACKED DIAGNOSTICS v_message = MESSAGE_TEXT;
    END;
    p_can_commit := coalesce(v_message LIKE 'cannot commit while a subtransaction is active%', false);
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_can_commit IS 'True when the caller runs in autocommit and may COMMIT (template: open a transaction only if none is open)';

-- ---------------------------------------------------------------------------------------------------
-- The lab gate
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION crm.crmfn_lab_gate(p_gate integer) RETURNS void
LANGUAGE plpgsql AS $$
-- Author: concurrency-lab team. Date: 2026-11-27.
-- Purpose: pass the lab gate p_gate: wait while the coordinator holds advisory lock ('PSLB', p_gate),
--          then release it at once (nothing is left held). NULL = no gate.
BEGIN
    IF p_gate IS NOT NULL THEN
        PERFORM pg_advisory_lock_shared(1347636290, p_gate);
        PERFORM pg_advisory_unlock_shared(1347636290, p_gate);
    END IF;
END;
$$;
COMMENT ON FUNCTION crm.crmfn_lab_gate IS 'Concurrency lab: wait at gate p_gate until the coordinator opens it';

CREATE FUNCTION crm.crmfn_lab_catalog_message(p_code text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT message FROM crm.error_catalog WHERE error_code = p_code), 'Unexpected error')
$$;
COMMENT ON FUNCTION crm.crmfn_lab_catalog_message IS 'The catalogue message of a custom SQLSTATE';

-- ---------------------------------------------------------------------------------------------------
-- Transfer part of a sale's amount to another sale (deadlock scenarios, and the writer of the summary one)
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION crm.crmfn_validate_sale_transfer(
    p_from_sale_id bigint, p_to_sale_id bigint, p_amount numeric, OUT code text, OUT message text
)
LANGUAGE plpgsql STABLE AS $$
-- Author: concurrency-lab team. Date: 2026-11-27.
-- Purpose: the reads and checks both transfer procedures run before their transaction.
DECLARE
    v_from_amount numeric;
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount <> round(p_amount, 2) THEN
        code := 'PCC02'; message := format('amount %s is not a positive amount in cents', p_amount);
    ELSIF p_from_sale_id IS NOT DISTINCT FROM p_to_sale_id THEN
        code := 'PCC09'; message := format('sale %s cannot transfer to itself', p_from_sale_id);
    ELSE
        SELECT amount INTO v_from_amount FROM crm.sales WHERE sale_id = p_from_sale_id;
        IF NOT FOUND THEN
            code := 'PCC01'; message := format('sale %s does not exist', p_from_sale_id);
        ELSIF NOT EXISTS (SELECT 1 FROM crm.sales WHERE sale_id = p_to_sale_id) THEN
            code := 'PCC01'; message := format('sale %s does not exist', p_to_sale_id);
        ELSIF v_from_amount <= p_amount THEN
            code := 'PCC02'; message := format('sale %s has %s, not more than %s', p_from_sale_id, v_from_amount, p_amount);
        END IF;
    END IF;
END;
$$;

CREATE PROCEDURE crm.crmsp_transfer_sale_amount_unsafe(
    p_from_sale_id  bigint,
    p_to_sale_id    bigint,
    p_amount        numeric,
    p_gate          integer DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: move p_amount of a sale's amount to another sale (a sales correction: an order was split
--          wrongly between two leads). UNSAFE ON PURPOSE (SPEC R11): it locks the two rows in the order
--          of its arguments — debit first, then credit — so transfers A→B, B→C, C→A running together wait
--          for each other in a cycle and PostgreSQL aborts one of them with SQLSTATE 40P01.
--          The lab gate sits between the debit and the credit.
-- Template: validation before the transaction; short transaction (sub-transaction inside a caller's
--          transaction); the real error logged through crm.crmsp_write_log; PCC03 (deadlock victim),
--          PCC01/PCC02/PCC09 (validation) or PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
    v_rows     integer;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. reads and validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_sale_transfer(p_from_sale_id, p_to_sale_id, p_amount);
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_transfer_sale_amount_unsafe: ' || v_message,
                                 p_from_sale_id, p_to_sale_id, p_amount::text, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. short transaction: debit, (gate), credit — rows locked in argument order
    BEGIN
        UPDATE crm.sales SET amount = amount - p_amount WHERE sale_id = p_from_sale_id AND amount > p_amount;
        GET DIAGNOSTICS v_rows = ROW_COUNT;
        IF v_rows = 0 THEN
            RAISE EXCEPTION 'sale % no longer has more than %', p_from_sale_id, p_amount USING ERRCODE = 'PCC02';
        END IF;
        PERFORM crm.crmfn_lab_gate(p_gate);
        UPDATE crm.sales SET amount = amount + p_amount WHERE sale_id = p_to_sale_id;
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_transfer_sale_amount_unsafe: amount moved',
                                 p_from_sale_id, p_to_sale_id, p_amount::text, NULL, v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        v_code := CASE WHEN v_state = '40P01' THEN 'PCC03' WHEN v_state LIKE 'PC%' THEN v_state ELSE 'PC099' END;
        CALL crm.crmsp_write_log(CASE WHEN v_state = '40P01' THEN 'concurrency' ELSE 'error' END, 'procedure', 'error',
                                 'crmsp_transfer_sale_amount_unsafe failed: ' || v_message,
                                 p_from_sale_id, p_to_sale_id, p_amount::text, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;   -- keep the log row; the transfer itself was rolled back
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code)
            USING ERRCODE = v_code, DETAIL = format('SQLSTATE %s: %s', v_state, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_transfer_sale_amount_unsafe IS 'Concurrency lab (R11), UNSAFE: move an amount between two sales, locking in argument order (deadlocks)';

CREATE PROCEDURE crm.crmsp_transfer_sale_amount_safe(
    p_from_sale_id    bigint,
    p_to_sale_id      bigint,
    p_amount          numeric,
    p_gate            integer DEFAULT NULL,
    p_max_attempts    integer DEFAULT 3,
    INOUT p_attempts  integer DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: the same sales correction as crmsp_transfer_sale_amount_unsafe, without deadlocks:
--          (1) one global lock order — both rows are locked first, by ascending sale_id, in one
--              SELECT … ORDER BY sale_id FOR UPDATE, whatever the direction of the transfer, so no two
--              transfers can hold one row each and wait for the other's;
--          (2) retry on 40P01 — if it is still chosen as a deadlock victim (e.g. by code elsewhere that
--              locks sales in another order), its sub-transaction is rolled back, which releases its
--              locks, a 'concurrency' log row is written and it tries again, up to p_max_attempts.
--          p_attempts returns how many attempts it took. The lab gate sits after the locks are taken.
-- Template: validation before the transaction; short transaction (sub-transaction per attempt); the real
--          error logged through crm.crmsp_write_log; PCC04, PCC01/PCC02/PCC09 or PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
    v_rows     integer;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. reads and validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_sale_transfer(p_from_sale_id, p_to_sale_id, p_amount);
    IF v_code IS NULL AND (p_max_attempts IS NULL OR p_max_attempts NOT BETWEEN 1 AND 10) THEN
        v_code := 'PC099'; v_message := format('p_max_attempts must be 1–10, got %s', p_max_attempts);
    END IF;
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_transfer_sale_amount_safe: ' || v_message,
                                 p_from_sale_id, p_to_sale_id, p_amount::text, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. short transaction, retried when chosen as deadlock victim
    p_attempts := 0;
    LOOP
        p_attempts := p_attempts + 1;
        v_state := NULL;
        BEGIN
            PERFORM 1 FROM crm.sales WHERE sale_id IN (p_from_sale_id, p_to_sale_id) ORDER BY sale_id FOR UPDATE;
            PERFORM crm.crmfn_lab_gate(p_gate);
            UPDATE crm.sales SET amount = amount - p_amount WHERE sale_id = p_from_sale_id AND amount > p_amount;
            GET DIAGNOSTICS v_rows = ROW_COUNT;
            IF v_rows = 0 THEN
                RAISE EXCEPTION 'sale % no longer has more than %', p_from_sale_id, p_amount USING ERRCODE = 'PCC02';
            END IF;
            UPDATE crm.sales SET amount = amount + p_amount WHERE sale_id = p_to_sale_id;
            CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_transfer_sale_amount_safe: amount moved',
                                     p_from_sale_id, p_to_sale_id, p_amount::text, p_attempts::text, v_log_id);
        EXCEPTION
            WHEN deadlock_detected THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
                IF p_attempts < p_max_attempts THEN
                    CALL crm.crmsp_write_log('concurrency', 'procedure', 'warning',
                                             format('crmsp_transfer_sale_amount_safe: deadlock victim, retrying (attempt %s): %s',
                                                    p_attempts, v_message),
                                             p_from_sale_id, p_to_sale_id, p_amount::text, v_state, v_log_id);
                    CONTINUE;
                END IF;
            WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
        END;
        EXIT;
    END LOOP;
    IF v_state IS NOT NULL THEN
        v_code := CASE WHEN v_state = '40P01' THEN 'PCC04' WHEN v_state LIKE 'PC%' THEN v_state ELSE 'PC099' END;
        CALL crm.crmsp_write_log(CASE WHEN v_state = '40P01' THEN 'concurrency' ELSE 'error' END, 'procedure', 'error',
                                 'crmsp_transfer_sale_amount_safe failed: ' || v_message,
                                 p_from_sale_id, p_to_sale_id, p_amount::text, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code)
            USING ERRCODE = v_code, DETAIL = format('SQLSTATE %s after %s attempt(s): %s', v_state, p_attempts, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_transfer_sale_amount_safe IS 'Concurrency lab (R11), SAFE: move an amount between two sales with one global lock order and retry on 40P01';

-- ---------------------------------------------------------------------------------------------------
-- Adjust a lead's purchase-intent score (lost update; also the writer of the dirty-read scenario)
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION crm.crmfn_validate_score_adjustment(p_lead_id bigint, p_delta integer, OUT code text, OUT message text)
LANGUAGE plpgsql STABLE AS $$
-- Author: concurrency-lab team. Date: 2026-11-27.
-- Purpose: the reads and checks both score procedures run before their transaction.
BEGIN
    IF p_delta IS NULL OR p_delta = 0 OR p_delta NOT BETWEEN -100 AND 100 THEN
        code := 'PCC06'; message := format('score delta %s is not a non-zero integer in -100..100', p_delta);
    ELSIF NOT EXISTS (SELECT 1 FROM crm.leads WHERE lead_id = p_lead_id) THEN
        code := 'PC010'; message := format('lead %s does not exist', p_lead_id);
    END IF;
END;
$$;

CREATE PROCEDURE crm.crmsp_adjust_lead_score_unsafe(
    p_lead_id          bigint,
    p_delta            integer,
    p_gate             integer DEFAULT NULL,
    INOUT p_new_score  integer DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: add p_delta to a lead's purchase-intent score (a new interaction raised or lowered it).
--          UNSAFE ON PURPOSE (SPEC R11, lost update): read-modify-write in two statements — it reads the
--          score without a lock, computes score + delta in a variable and writes the variable back. Two
--          sessions that read the same score both write "old + their delta": one adjustment is lost.
--          The lab gate sits between the read and the write.
-- Template: validation before the transaction; short transaction; real error logged; PCC05/PCC06/PC010
--          or PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
    v_score    integer;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. reads and validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_score_adjustment(p_lead_id, p_delta);
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_adjust_lead_score_unsafe: ' || v_message,
                                 p_lead_id, NULL, p_delta::text, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. short transaction: read, (gate), write back what was computed from the read
    BEGIN
        SELECT score INTO v_score FROM crm.leads WHERE lead_id = p_lead_id;
        PERFORM crm.crmfn_lab_gate(p_gate);
        IF v_score + p_delta NOT BETWEEN 0 AND 100 THEN
            RAISE EXCEPTION 'score % + % leaves 0..100', v_score, p_delta USING ERRCODE = 'PCC05';
        END IF;
        p_new_score := v_score + p_delta;
        UPDATE crm.leads SET score = p_new_score, updated_at = now() WHERE lead_id = p_lead_id;
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_adjust_lead_score_unsafe: score set',
                                 p_lead_id, p_new_score, v_score::text, p_delta::text, v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        v_code := CASE WHEN v_state LIKE 'PC%' THEN v_state ELSE 'PC099' END;
        CALL crm.crmsp_write_log('error', 'procedure', 'error', 'crmsp_adjust_lead_score_unsafe failed: ' || v_message,
                                 p_lead_id, NULL, p_delta::text, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code)
            USING ERRCODE = v_code, DETAIL = format('SQLSTATE %s: %s', v_state, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_adjust_lead_score_unsafe IS 'Concurrency lab (R11), UNSAFE: read-modify-write of a lead score (lost update)';

CREATE PROCEDURE crm.crmsp_adjust_lead_score_safe(
    p_lead_id          bigint,
    p_delta            integer,
    p_gate             integer DEFAULT NULL,
    INOUT p_new_score  integer DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: the same score adjustment without lost updates: ONE atomic statement,
--          UPDATE … SET score = score + p_delta … RETURNING score. The new value is computed from the
--          row version the UPDATE has locked; under READ COMMITTED a second writer waits for the first to
--          commit and then re-reads the committed row (EvalPlanQual) before adding its own delta. The range
--          check is in the same statement's WHERE, so no other transaction can slip in between check and
--          write. Chosen over SELECT … FOR UPDATE (two statements for the same effect) and over optimistic
--          versioning (needed only when the read happens in an earlier transaction, e.g. a form shown to a
--          user; docs/concurrency.md). The lab gate sits before the UPDATE.
-- Template: validation before the transaction; short transaction; real error logged; PCC05/PCC06/PC010
--          or PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. reads and validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_score_adjustment(p_lead_id, p_delta);
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_adjust_lead_score_safe: ' || v_message,
                                 p_lead_id, NULL, p_delta::text, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. short transaction: one atomic read-modify-write
    BEGIN
        PERFORM crm.crmfn_lab_gate(p_gate);
        UPDATE crm.leads SET score = score + p_delta, updated_at = now()
        WHERE lead_id = p_lead_id AND score + p_delta BETWEEN 0 AND 100
        RETURNING score INTO p_new_score;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'score of lead % + % leaves 0..100', p_lead_id, p_delta USING ERRCODE = 'PCC05';
        END IF;
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_adjust_lead_score_safe: score adjusted',
                                 p_lead_id, p_new_score, NULL, p_delta::text, v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        v_code := CASE WHEN v_state LIKE 'PC%' THEN v_state ELSE 'PC099' END;
        CALL crm.crmsp_write_log('error', 'procedure', 'error', 'crmsp_adjust_lead_score_safe failed: ' || v_message,
                                 p_lead_id, NULL, p_delta::text, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code)
            USING ERRCODE = v_code, DETAIL = format('SQLSTATE %s: %s', v_state, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_adjust_lead_score_safe IS 'Concurrency lab (R11), SAFE: atomic score adjustment (no lost update)';

-- ---------------------------------------------------------------------------------------------------
-- Sales summary of a list of campaigns (incorrect summary)
-- ---------------------------------------------------------------------------------------------------
CREATE FUNCTION crm.crmfn_validate_campaign_list(p_campaign_ids integer[], OUT code text, OUT message text)
LANGUAGE plpgsql IMMUTABLE AS $$
-- Author: concurrency-lab team. Date: 2026-11-27.
-- Purpose: the checks both summary procedures run before their transaction.
BEGIN
    IF p_campaign_ids IS NULL OR cardinality(p_campaign_ids) NOT BETWEEN 1 AND 1000
       OR array_position(p_campaign_ids, NULL) IS NOT NULL THEN
        code := 'PCC08'; message := format('campaign list %s is empty, too long or has a NULL', p_campaign_ids);
    END IF;
END;
$$;

CREATE PROCEDURE crm.crmsp_sales_summary_unsafe(
    p_campaign_ids     integer[],
    p_gate             integer DEFAULT NULL,
    INOUT p_total      numeric DEFAULT NULL,
    INOUT p_breakdown  jsonb DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: total sales of a list of campaigns, with the amount of each campaign.
--          UNSAFE ON PURPOSE (SPEC R11, incorrect summary): one SELECT per campaign under READ COMMITTED,
--          and each statement takes a new snapshot; a transfer between two of the campaigns that commits
--          between two of those statements is counted on neither side (or on both): the total returned
--          never existed. The lab gate sits after the first campaign.
-- Template: validation before the transaction; short (read) transaction; real error logged; PCC08 or
--          PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
    v_sum      numeric;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_campaign_list(p_campaign_ids);
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_sales_summary_unsafe: ' || v_message,
                                 NULL, NULL, NULL, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. the reads: one statement (and one snapshot) per campaign
    BEGIN
        p_total := 0;
        p_breakdown := '{}'::jsonb;
        FOR i IN 1 .. cardinality(p_campaign_ids) LOOP
            SELECT coalesce(sum(amount), 0) INTO v_sum FROM crm.sales WHERE campaign_id = p_campaign_ids[i];
            p_total := p_total + v_sum;
            p_breakdown := p_breakdown || jsonb_build_object(p_campaign_ids[i]::text, v_sum);
            IF i = 1 THEN
                PERFORM crm.crmfn_lab_gate(p_gate);
            END IF;
        END LOOP;
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_sales_summary_unsafe: summary computed',
                                 cardinality(p_campaign_ids), NULL, p_total::text, 'read committed', v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'error', 'crmsp_sales_summary_unsafe failed: ' || v_message,
                                 NULL, NULL, NULL, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message('PC099')
            USING ERRCODE = 'PC099', DETAIL = format('SQLSTATE %s: %s', v_state, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_sales_summary_unsafe IS 'Concurrency lab (R11), UNSAFE: per-campaign sums in separate snapshots (incorrect summary)';

CREATE PROCEDURE crm.crmsp_sales_summary_safe(
    p_campaign_ids     integer[],
    p_gate             integer DEFAULT NULL,
    INOUT p_total      numeric DEFAULT NULL,
    INOUT p_breakdown  jsonb DEFAULT NULL
)
LANGUAGE plpgsql AS $$
-- ================================================================================================
-- Author:  concurrency-lab team
-- Date:    2026-11-27
-- Purpose: the same summary, consistent: every per-campaign SELECT reads ONE snapshot. Called on its own,
--          the procedure ends the CALL's implicit transaction (it only validated) and opens a REPEATABLE
--          READ one, whose snapshot is taken by its first query and used by all the others; transfers that
--          commit meanwhile are invisible to it, so the total is one that really existed. Called inside a
--          caller's transaction it never commits: it then requires that transaction to be REPEATABLE READ
--          or SERIALIZABLE (PCC07 otherwise). The lab gate sits after the first campaign, as in the unsafe one.
-- Template: validation before the transaction; short (read) transaction; real error logged; PCC07/PCC08
--          or PC099 raised.
-- ================================================================================================
DECLARE
    v_own_txn  boolean;  -- true: CALLed on its own, the procedure owns (and commits) its transaction
    v_log_id   bigint;   -- INOUT argument of crm.crmsp_write_log
    v_code     text;
    v_message  text;
    v_state    text;
    v_sum      numeric;
BEGIN
    CALL crm.crmsp_can_commit(v_own_txn);
    -- 1. validation
    SELECT code, message INTO v_code, v_message FROM crm.crmfn_validate_campaign_list(p_campaign_ids);
    IF v_code IS NULL AND NOT v_own_txn
       AND current_setting('transaction_isolation') NOT IN ('repeatable read', 'serializable') THEN
        v_code := 'PCC07';
        v_message := format('caller transaction is %s', current_setting('transaction_isolation'));
    END IF;
    IF v_code IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'warning', 'crmsp_sales_summary_safe: ' || v_message,
                                 NULL, NULL, NULL, v_code, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message(v_code) USING ERRCODE = v_code, DETAIL = v_message;
    END IF;

    -- 2. one REPEATABLE READ transaction: one snapshot for every campaign
    IF v_own_txn THEN
        COMMIT;
        SET TRANSACTION ISOLATION LEVEL REPEATABLE READ;
    END IF;
    BEGIN
        p_total := 0;
        p_breakdown := '{}'::jsonb;
        FOR i IN 1 .. cardinality(p_campaign_ids) LOOP
            SELECT coalesce(sum(amount), 0) INTO v_sum FROM crm.sales WHERE campaign_id = p_campaign_ids[i];
            p_total := p_total + v_sum;
            p_breakdown := p_breakdown || jsonb_build_object(p_campaign_ids[i]::text, v_sum);
            IF i = 1 THEN
                PERFORM crm.crmfn_lab_gate(p_gate);
            END IF;
        END LOOP;
        CALL crm.crmsp_write_log('audit', 'procedure', 'info', 'crmsp_sales_summary_safe: summary computed',
                                 cardinality(p_campaign_ids), NULL, p_total::text, current_setting('transaction_isolation'), v_log_id);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
    END;
    IF v_state IS NOT NULL THEN
        CALL crm.crmsp_write_log('error', 'procedure', 'error', 'crmsp_sales_summary_safe failed: ' || v_message,
                                 NULL, NULL, NULL, v_state, v_log_id);
        IF v_own_txn THEN COMMIT; END IF;
        RAISE EXCEPTION '%', crm.crmfn_lab_catalog_message('PC099')
            USING ERRCODE = 'PC099', DETAIL = format('SQLSTATE %s: %s', v_state, v_message);
    END IF;
    IF v_own_txn THEN COMMIT; END IF;
END;
$$;
COMMENT ON PROCEDURE crm.crmsp_sales_summary_safe IS 'Concurrency lab (R11), SAFE: per-campaign sums in one REPEATABLE READ snapshot';

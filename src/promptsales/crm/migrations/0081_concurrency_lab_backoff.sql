-- 0081_concurrency_lab_backoff: the safe transfer backs off before retrying after a deadlock (SPEC R11).
-- Author: concurrency-lab team. Date: 2026-11-27. Fix forward of 0080 (applied migrations are immutable).
-- Found by tests/concurrency: made the victim of a deadlock with a transaction that locks in the other
-- order, the safe transfer retried at once, re-locked the first row before the winner (just woken up) could
-- take it, and deadlocked again on every attempt (PCC04). Backing off 50 ms × attempt plus up to 50 ms of
-- jitter lets the winner finish first; the deadlock case is rare, so the delay costs nothing otherwise.

CREATE OR REPLACE PROCEDURE crm.crmsp_transfer_sale_amount_safe(
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
--              locks, a 'concurrency' log row is written, it backs off 50 ms × attempt (+ jitter) so the
--              winner can finish, and it tries again, up to p_max_attempts.
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
                    -- back off before retrying, so that the transaction that won the deadlock can take the
                    -- row we just released and finish; retrying at once re-locks it first and deadlocks again
                    PERFORM pg_sleep(0.05 * p_attempts + 0.05 * random());
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

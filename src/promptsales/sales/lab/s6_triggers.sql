-- title: S6 triggers — an audit trigger, and the approval workflow trigger refusing a non-approver
-- params: campaign_id:int=1
-- explanation:
--   Triggers run code inside the writing transaction. Part 1 builds a row-level AFTER UPDATE trigger that
--   writes an audit row with the old and new value (on a temporary copy of the campaign's budgets, so the
--   lab changes nothing). Part 2 shows the real BEFORE UPDATE trigger portal.enforce_proposal_workflow:
--   approving a proposal as a user without the approver role raises SQLSTATE PS401 from
--   portal.error_catalog — the rule lives in the database, not only in Python (SPEC G3).
--   Statement-level triggers with transition tables (the ETL's change capture) are in promptads/promptcrm:
--   see cdc.capture() there and docs/etl.md. Everything is rolled back at the end.

-- 1. the triggers this database already has (catalog pg_trigger)
SELECT c.relnamespace::regnamespace AS schema, c.relname AS table_name, t.tgname AS trigger_name,
       p.proname AS function_name,
       CASE WHEN t.tgtype & 2 = 2 THEN 'BEFORE' ELSE 'AFTER' END AS timing,
       CASE WHEN t.tgtype & 1 = 1 THEN 'ROW' ELSE 'STATEMENT' END AS level
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
WHERE NOT t.tgisinternal ORDER BY 1, 2, 3;

-- 2. a scratch copy of the campaign's budgets and an audit table (temporary: private to this session)
CREATE TEMP TABLE lab_budgets AS SELECT id, campaign_id, amount FROM portal.budgets WHERE campaign_id = %(campaign_id)s;
CREATE TEMP TABLE lab_budget_audit (budget_id int, old_amount numeric, new_amount numeric, changed_by text,
                                    changed_at timestamptz DEFAULT clock_timestamp());

-- 3. the trigger function: NEW and OLD are the row after and before the change
CREATE FUNCTION pg_temp.lab_audit_budget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.amount IS DISTINCT FROM OLD.amount THEN
        INSERT INTO lab_budget_audit (budget_id, old_amount, new_amount, changed_by)
        VALUES (OLD.id, OLD.amount, NEW.amount, current_user);
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER lab_budgets_audit AFTER UPDATE ON lab_budgets
    FOR EACH ROW EXECUTE FUNCTION pg_temp.lab_audit_budget();

-- 4. an update fires the trigger once per changed row
UPDATE lab_budgets SET amount = amount * 1.10;

-- 5. the audit rows the trigger wrote
SELECT budget_id, old_amount, new_amount, changed_by FROM lab_budget_audit ORDER BY budget_id;

-- 6. the workflow trigger refuses an approval by a user who is not an approver (caught to show the error)
CREATE TEMP TABLE lab_outcome (attempt text, outcome text);
DO $$
DECLARE
    v_proposal bigint;
    v_user int;
BEGIN
    SELECT id INTO v_proposal FROM portal.proposals WHERE status = 'in_review' ORDER BY id LIMIT 1;
    SELECT u.id INTO v_user FROM portal.users u WHERE NOT portal.user_has_role(u.id, 'approver') ORDER BY u.id LIMIT 1;
    BEGIN
        UPDATE portal.proposals SET status = 'approved', reviewed_by = v_user, reviewed_at = now() WHERE id = v_proposal;
        INSERT INTO lab_outcome VALUES ('approve proposal ' || v_proposal || ' as user ' || v_user, 'accepted (unexpected!)');
    EXCEPTION WHEN SQLSTATE 'PS401' THEN
        INSERT INTO lab_outcome VALUES ('approve proposal ' || v_proposal || ' as user ' || v_user,
                                        'refused: SQLSTATE ' || SQLSTATE || ' ' || SQLERRM);
    END;
END $$;
SELECT attempt, outcome FROM lab_outcome;

-- title: S6 cursors — walking the warehouse with an SQL cursor and a PL/pgSQL cursor loop
-- params: brand_id:int=1
-- explanation:
--   A cursor hands over a query's result a few rows at a time instead of all at once. Part 1 uses an
--   SQL-level cursor (DECLARE … FETCH … MOVE … CLOSE, valid inside a transaction) over the brand's
--   campaigns by ROI. Part 2 uses a PL/pgSQL cursor loop that keeps a running total of sales and marks the
--   campaign at which the brand reached half of its sales (something a plain aggregate cannot say as simply;
--   a window function could — compare with the last query). Set-based SQL stays the default for bulk work:
--   the ETL never loops row by row.

-- 1. an SQL cursor: the brand's campaigns by ROI, best first
DECLARE lab_by_roi SCROLL CURSOR FOR
    SELECT campaign_id, campaign_name, roi, sales_amount FROM wh.campaigns
    WHERE brand_id = %(brand_id)s ORDER BY roi DESC NULLS LAST, campaign_id;

-- 2. the first three rows
FETCH 3 FROM lab_by_roi;

-- 3. skip two, then read the next two
MOVE FORWARD 2 IN lab_by_roi;

FETCH 2 FROM lab_by_roi;

-- 4. and the last row (SCROLL cursors can go backwards)
FETCH LAST FROM lab_by_roi;

CLOSE lab_by_roi;

-- 5. a PL/pgSQL cursor loop with a running total (a DO block takes no parameters: pass it in a temp table)
CREATE TEMP TABLE lab_param AS SELECT %(brand_id)s::int AS brand_id;

CREATE TEMP TABLE lab_running (campaign_id int, sales_amount numeric, running_total numeric, reached_half boolean);
DO $$
DECLARE
    cur CURSOR (p_brand int) FOR SELECT campaign_id, sales_amount FROM wh.campaigns
                                 WHERE brand_id = p_brand ORDER BY start_date, campaign_id;
    v_total numeric;
    v_running numeric := 0;
    v_half_done boolean := false;
BEGIN
    SELECT coalesce(sum(sales_amount), 0) INTO v_total FROM wh.campaigns
    WHERE brand_id = (SELECT brand_id FROM lab_param);
    FOR rec IN cur((SELECT brand_id FROM lab_param)) LOOP
        v_running := v_running + rec.sales_amount;
        INSERT INTO lab_running VALUES (rec.campaign_id, rec.sales_amount, v_running,
                                        NOT v_half_done AND v_running >= v_total / 2);
        v_half_done := v_half_done OR v_running >= v_total / 2;
    END LOOP;
END $$;

SELECT * FROM lab_running ORDER BY running_total;

-- 6. the same running total, set-based, with a window function
SELECT campaign_id, sales_amount,
       sum(sales_amount) OVER (ORDER BY start_date, campaign_id) AS running_total
FROM wh.campaigns WHERE brand_id = %(brand_id)s
ORDER BY start_date, campaign_id;

"""Scenario ``crm.incorrect-summary``: a multi-statement total while money moves between campaigns.

S sums the sales of campaign 1, then of campaign 2, in separate statements. Between the two, W moves an
amount from a sale of campaign 2 to a sale of campaign 1 and commits. The true total of the two campaigns
never changes (a transfer inside the set conserves it). Unsafe (READ COMMITTED: a new snapshot per
statement): S counted campaign 1 before the money arrived and campaign 2 after it left — its total is short
by the amount, a total that never existed. Safe (REPEATABLE READ: one snapshot for every statement): S does
not see W's commit at all and returns the true total.
"""

from __future__ import annotations

from decimal import Decimal

from psycopg import sql

from promptsales.crm.concurrency.harness import LabRun
from promptsales.crm.concurrency.result import ScenarioResult
from promptsales.crm.concurrency.rows import (
    campaign_sales_total,
    pick_campaign_pair,
    restore_sale_amounts,
    sale_amounts,
)

NAME = "incorrect-summary"
TRANSFER = Decimal("5.00")


def run(conninfo: str, *, safe: bool, deadlock_timeout_ms: int = 100, restore: bool = True) -> ScenarioResult:
    """Run the summary against one concurrent transfer and compare its total with the true one."""
    mode = "safe" if safe else "unsafe"
    procedure = "crmsp_sales_summary_safe" if safe else "crmsp_sales_summary_unsafe"
    summary_call = sql.SQL("CALL crm.{}(%s, %s, NULL, NULL)").format(sql.Identifier(procedure))
    transfer_call = "CALL crm.crmsp_transfer_sale_amount_safe(%s, %s, %s, NULL, 3, NULL)"
    with LabRun(conninfo, NAME, deadlock_timeout_ms) as lab:
        pair = pick_campaign_pair(lab.coordinator, min_amount=TRANSFER * 2)
        campaigns = [pair.first_campaign, pair.second_campaign]
        sales = [pair.first_sale, pair.second_sale]
        true_before = campaign_sales_total(lab.coordinator, campaigns)
        amounts_before = sale_amounts(lab.coordinator, sales)
        lab.note(
            "rows",
            f"campaigns {campaigns} (true total {true_before}); sale {pair.second_sale} of campaign "
            f"{pair.second_campaign} → sale {pair.first_sale} of campaign {pair.first_campaign}",
        )
        lab.gate.close()
        lab.note("close the gate")
        summary, writer = lab.session("S"), lab.session("W")
        lab.start(
            summary, lambda s: s.call(f"{procedure}(campaigns {campaigns})", summary_call, (campaigns, lab.gate.key))
        )
        lab.wait_all_waiting(["S"], "S has summed the first campaign and waits")
        writer.call(
            f"move {TRANSFER} from campaign {pair.second_campaign} to campaign {pair.first_campaign} (commits)",
            transfer_call,
            (pair.second_sale, pair.first_sale, TRANSFER),
        )
        lab.open_gate()
        lab.finish()
        true_after = campaign_sales_total(lab.coordinator, campaigns)
        result = ScenarioResult(NAME, mode, lab.run_id, lab.timeline)
        reported = summary.last.returned()[0] if summary.last.ok else None
        result.facts = {
            "campaigns": campaigns,
            "reported": reported,
            "breakdown": summary.last.returned()[1] if summary.last.ok else None,
            "true_before": true_before,
            "true_after": true_after,
            "transfer_ok": writer.last.ok,
        }
        result.check("true total before = after (the transfer conserves it)", true_before, true_after)
        result.check("total reported by the summary = true total", true_before, reported)
        result.anomaly = reported is not None and reported != true_before
        result.final_ok = (
            writer.last.ok and summary.last.ok and true_before == true_after and (not safe or not result.anomaly)
        )
        if result.anomaly and reported is not None:
            result.outcome = (
                f"Incorrect summary: the procedure reported {reported} but the two campaigns held "
                f"{true_before} before, during and after the transfer — {true_before - reported} "
                "was counted on neither side."
            )
        elif summary.last.ok:
            result.outcome = (
                f"Consistent summary: {reported} = the true total, although the transfer committed mid-way."
            )
        else:
            result.outcome = f"The summary failed: {summary.last.describe()}"
        if restore:
            restore_sale_amounts(lab.coordinator, amounts_before)
    result.leaks = lab.leaks
    return result

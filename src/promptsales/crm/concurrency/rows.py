"""The real CRM rows a scenario works on: chosen deterministically, snapshotted, and put back afterwards.

Labs must not change the data they teach on, so every scenario records the values it is about to touch
and restores them when it ends (the CDC triggers see the change and its reversal; crm.logs keeps the
procedures' log rows as evidence).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import psycopg

from promptsales.db.fetch import scalar
from promptsales.errors import UserError

SEED_HINT = "Load data first: `promptsales seed --scale small --company crm` (or official)."


def pick_sales(conn: psycopg.Connection, count: int, min_amount: Decimal = Decimal("10.00")) -> list[int]:
    """The ``count`` lowest sale ids whose amount is at least ``min_amount`` (room for the lab's transfers)."""
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT sale_id FROM crm.sales WHERE amount >= %s ORDER BY sale_id LIMIT %s", (min_amount, count)
        )
    ]
    if len(ids) < count:
        raise UserError(
            f"The lab needs {count} sales of at least {min_amount} in crm.sales, found {len(ids)}. {SEED_HINT}"
        )
    return ids


@dataclass(frozen=True)
class CampaignPair:
    """Two campaigns with sales, and one sale in each (the summary scenario moves money between them)."""

    first_campaign: int
    second_campaign: int
    first_sale: int
    second_sale: int


def pick_campaign_pair(conn: psycopg.Connection, min_amount: Decimal = Decimal("10.00")) -> CampaignPair:
    """The two lowest campaign ids that have a sale of at least ``min_amount``, with their lowest such sale."""
    rows = conn.execute(
        "SELECT campaign_id, min(sale_id) FROM crm.sales WHERE amount >= %s GROUP BY campaign_id ORDER BY campaign_id LIMIT 2",
        (min_amount,),
    ).fetchall()
    if len(rows) < 2:
        raise UserError(f"The lab needs two campaigns with sales in crm.sales. {SEED_HINT}")
    return CampaignPair(rows[0][0], rows[1][0], rows[0][1], rows[1][1])


def pick_lead(conn: psycopg.Connection, *, max_score: int = 100, min_score: int = 0, closed: bool | None = None) -> int:
    """The lowest lead id whose score is within the bounds (and whose funnel stage is closed, if asked)."""
    row = conn.execute(
        "SELECT l.lead_id FROM crm.leads l JOIN crm.funnel_stages s USING (stage_id) "
        "WHERE l.score BETWEEN %s AND %s AND (%s::boolean IS NULL OR s.is_closed = %s::boolean) "
        "ORDER BY l.lead_id LIMIT 1",
        (min_score, max_score, closed, closed),
    ).fetchone()
    if row is None:
        raise UserError(f"The lab needs a lead with a score in {min_score}..{max_score} in crm.leads. {SEED_HINT}")
    return row[0]


def sale_amounts(conn: psycopg.Connection, sale_ids: list[int]) -> dict[int, Decimal]:
    """Committed amount of each sale."""
    return dict(conn.execute("SELECT sale_id, amount FROM crm.sales WHERE sale_id = ANY(%s)", (sale_ids,)).fetchall())


def restore_sale_amounts(conn: psycopg.Connection, amounts: dict[int, Decimal]) -> None:
    """Put sale amounts back as recorded (one set-based UPDATE)."""
    with conn.transaction():
        conn.execute(
            "UPDATE crm.sales s SET amount = v.amount FROM unnest(%s::bigint[], %s::numeric[]) AS v(sale_id, amount) "
            "WHERE s.sale_id = v.sale_id AND s.amount <> v.amount",
            (list(amounts), list(amounts.values())),
        )


def lead_score(conn: psycopg.Connection, lead_id: int) -> int:
    """Committed score of a lead."""
    return scalar(conn, "SELECT score FROM crm.leads WHERE lead_id = %s", (lead_id,))


def restore_lead_score(conn: psycopg.Connection, lead_id: int, score: int) -> None:
    """Put a lead's score back."""
    conn.execute("UPDATE crm.leads SET score = %s WHERE lead_id = %s AND score <> %s", (score, lead_id, score))


def campaign_sales_total(conn: psycopg.Connection, campaign_ids: list[int]) -> Decimal:
    """The true total of the campaigns, read in one statement (one snapshot)."""
    return scalar(conn, "SELECT coalesce(sum(amount), 0) FROM crm.sales WHERE campaign_id = ANY(%s)", (campaign_ids,))

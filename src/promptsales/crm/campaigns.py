"""A campaign's sales as PromptCRM records them (SPEC R1): leads, buying clients, sales count and amount,
in total and by channel and market. Called by the MCP tool ``campaignSales``."""

from __future__ import annotations

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from pydantic import BaseModel

from promptsales.db.fetch import one
from promptsales.errors import UserError


# Models of the MCP tools' published schemas: no class docstrings (a docstring would change the schema).
class SalesRow(BaseModel):
    key: int
    sales: int
    amount: float


class CampaignSales(BaseModel):
    campaign_id: int
    leads: int
    clients: int
    sales: int
    amount: float
    by_channel: list[SalesRow]
    by_market: list[SalesRow]


def campaign_sales(conn: psycopg.Connection, campaign_id: int) -> CampaignSales:
    """The sales summary of a campaign; a campaign PromptCRM has no lead, client or sale for is a UserError."""
    with conn.cursor(row_factory=dict_row) as cur:
        leads = one(cur, "SELECT count(*) AS leads FROM crm.leads WHERE campaign_id = %s", (campaign_id,))["leads"]
        total = one(
            cur,
            "SELECT count(*) AS sales, count(DISTINCT client_id) AS clients, coalesce(sum(amount), 0) AS amount"
            " FROM crm.sales WHERE campaign_id = %s",
            (campaign_id,),
        )
        if leads == 0 and total["sales"] == 0:
            known = one(
                cur, "SELECT EXISTS (SELECT 1 FROM crm.client_campaigns WHERE campaign_id = %s) AS k", (campaign_id,)
            )["k"]
            if not known:
                raise UserError(f"PromptCRM has no lead, client or sale for campaign {campaign_id}.")
        parts = {}
        for column in ("channel_id", "market_id"):
            parts[column] = cur.execute(
                sql.SQL(
                    "SELECT {column} AS key, count(*) AS sales, sum(amount) AS amount FROM crm.sales"
                    " WHERE campaign_id = %s GROUP BY {column} ORDER BY {column}"
                ).format(column=sql.Identifier(column)),
                (campaign_id,),
            ).fetchall()
    return CampaignSales(
        campaign_id=campaign_id,
        leads=leads,
        clients=total["clients"],
        sales=total["sales"],
        amount=total["amount"],
        by_channel=[SalesRow(**row) for row in parts["channel_id"]],
        by_market=[SalesRow(**row) for row in parts["market_id"]],
    )

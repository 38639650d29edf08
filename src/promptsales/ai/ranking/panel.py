"""The campaign × month panel the ranking learns from and serves with, read from the warehouse (``wh.*``).

One dense matrix per measure (campaigns × months, zeros where a campaign had no result that month) from
``wh.campaign_months``, and each campaign's name, brand, budget, planned end and channel/market counts from
``wh.campaigns``. Read with any role that reads the warehouse (analyst, etl, the MCP role).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import psycopg

#: The measures read per campaign × month.
MEASURES = ("spend", "sales_amount", "sales_count", "leads", "clicks", "impressions")

_MONTHS_SQL = (
    "SELECT campaign_id, month, spend::float8, sales_amount::float8, sales_count::float8, leads::float8,"
    " clicks::float8, impressions::float8 FROM wh.campaign_months"
    " WHERE (%(from)s::date IS NULL OR month >= %(from)s) AND (%(until)s::date IS NULL OR month < %(until)s)"
    " ORDER BY campaign_id, month"
)
_CAMPAIGNS_SQL = (
    "SELECT campaign_id, campaign_name, brand_name, status, budget::float8, start_date, end_date, channels, markets"
    " FROM wh.campaigns ORDER BY campaign_id"
)


@dataclass
class Panel:
    """Measures per campaign × month and the campaigns' attributes (rows follow ``campaign_ids``)."""

    campaign_ids: np.ndarray
    months: list[date]
    values: dict[str, np.ndarray]  # measure -> (campaigns, months)
    names: list[str] = field(default_factory=list)
    brands: list[str] = field(default_factory=list)
    budget: np.ndarray = field(default_factory=lambda: np.zeros(0))
    end_month: list[date | None] = field(default_factory=list)
    channels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    markets: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def month_index(self, month: date) -> int:
        """Position of ``month`` (first day) in :attr:`months`; ValueError when the panel has no such month."""
        return self.months.index(month)

    def latest_spent_month(self) -> int:
        """Position of the last month in which some campaign spent (a campaign created for a coming month adds a
        month with no results yet); the last month when none did."""
        spent = np.flatnonzero(self.values["spend"].sum(axis=0) > 0)
        return int(spent[-1]) if spent.size else len(self.months) - 1

    def months_left(self, k: int) -> np.ndarray:
        """Months of each campaign's planned flight after month ``k`` (NaN: no planned end)."""
        current = self.months[k]
        return np.array(
            [
                np.nan if end is None else (end.year - current.year) * 12 + end.month - current.month
                for end in self.end_month
            ]
        )


def read_panel(conn: psycopg.Connection, *, month_from: date | None = None, until: date | None = None) -> Panel:
    """The panel of every campaign with results in ``[month_from, until)`` (months; None: unbounded)."""
    rows = conn.execute(_MONTHS_SQL, {"from": month_from, "until": until}).fetchall()
    attributes = {row[0]: row for row in conn.execute(_CAMPAIGNS_SQL).fetchall()}
    campaign_ids = np.array(sorted({row[0] for row in rows}), dtype=np.int64)
    months = sorted({row[1] for row in rows})
    values = {measure: np.zeros((len(campaign_ids), len(months))) for measure in MEASURES}
    if rows:
        row_of = np.searchsorted(campaign_ids, np.array([row[0] for row in rows], dtype=np.int64))
        lookup = {month: i for i, month in enumerate(months)}
        column_of = np.array([lookup[row[1]] for row in rows])
        data = np.array([row[2:] for row in rows], dtype=float)
        for position, measure in enumerate(MEASURES):
            values[measure][row_of, column_of] = data[:, position]
    info = [attributes.get(int(c)) for c in campaign_ids]
    return Panel(
        campaign_ids,
        months,
        values,
        names=[row[1] if row else str(c) for row, c in zip(info, campaign_ids)],
        brands=[row[2] if row else "" for row in info],
        budget=np.array([row[4] if row else np.nan for row in info], dtype=float),
        end_month=[row[6].replace(day=1) if row and row[6] else None for row in info],
        channels=np.array([row[7] if row else 0 for row in info], dtype=float),
        markets=np.array([row[8] if row else 0 for row in info], dtype=float),
    )

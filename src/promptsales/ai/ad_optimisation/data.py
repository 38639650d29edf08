"""What the ad-optimisation module reads from PromptAds: the history of spend and conversions per campaign ×
channel × market × month (``cells.sql``), and one campaign's plan — its channels, markets, ads per channel,
status and recent daily results — for an allocation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources

import numpy as np
import psycopg

from promptsales.errors import UserError

#: Days of a live campaign's own results the Thompson-sampling reallocation learns from.
LIVE_DAYS = 14


@dataclass
class CellMonths:
    """Rows of campaign × channel × market × month, in parallel arrays."""

    campaign: np.ndarray
    channel: np.ndarray
    market: np.ndarray
    month: np.ndarray  # year × 12 + month − 1
    spend: np.ndarray
    conversions: np.ndarray
    ad_days: np.ndarray

    def take(self, mask: np.ndarray) -> CellMonths:
        """The rows where ``mask`` holds."""
        return CellMonths(*(getattr(self, f)[mask] for f in FIELDS))

    def __len__(self) -> int:
        return len(self.campaign)


FIELDS = ("campaign", "channel", "market", "month", "spend", "conversions", "ad_days")


def read_cell_months(conn: psycopg.Connection) -> CellMonths:
    """Every campaign × channel × market × month with spend (set-based: one GROUP BY over ``ads.ad_results``)."""
    query = resources.files(__package__).joinpath("cells.sql").read_text(encoding="utf-8")
    rows = conn.execute(query).fetchall()
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return CellMonths(empty, empty, empty, empty, np.zeros(0), empty, empty)
    columns = list(zip(*rows))
    ids = [np.asarray(columns[i], dtype=np.int64) for i in range(4)]
    return CellMonths(
        ids[0],
        ids[1],
        ids[2],
        ids[3],
        np.asarray(columns[4], dtype=float),
        np.asarray(columns[5], dtype=np.int64),
        np.asarray(columns[6], dtype=np.int64),
    )


def month_label(month: int) -> str:
    """``YYYY-MM`` of a month index (year × 12 + month − 1)."""
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_index(text: str) -> int:
    """The month index of ``YYYY-MM``; a clear error otherwise."""
    try:
        year, month = (int(part) for part in text.split("-"))
        if not 1 <= month <= 12 or not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        raise UserError(f"Period {text!r} is not a month: expected YYYY-MM, e.g. 2026-02.") from None
    return year * 12 + month - 1


@dataclass
class Campaign:
    """One campaign's plan: where it can spend and what it did lately."""

    campaign_id: int
    name: str
    status: str
    budget: float
    channels: dict[int, str]  # channel id → code
    markets: dict[int, str]  # market id → label
    ads_per_channel: dict[int, int]
    last_result: date | None
    # recent daily results per cell (channel, market) → [(spend, conversions, ad_days), ...]
    recent: dict[tuple[int, int], list[tuple[float, int, int]]] = field(default_factory=dict)


def read_campaign(conn: psycopg.Connection, campaign: int | str) -> Campaign:
    """The campaign named by id or exact name, with its channels, markets, ads and last :data:`LIVE_DAYS` days of
    results per channel × market; a clear error when there is no such campaign."""
    text = str(campaign).strip()
    by_id = isinstance(campaign, int) or (text.isascii() and text.isdecimal())
    if by_id and not 0 < int(text) < 2**63:
        raise UserError(f"No PromptAds campaign {campaign!r}: give its id or exact name.")
    row = conn.execute(
        "SELECT campaign_id, name, status, budget::float8 FROM ads.campaigns WHERE "
        + ("campaign_id = %s" if by_id else "name = %s"),
        (int(text) if by_id else text,),
    ).fetchone()
    if row is None:
        raise UserError(f"No PromptAds campaign {campaign!r}: give its id or exact name.")
    campaign_id = int(row[0])
    channels: dict[int, str] = dict(
        conn.execute(
            "SELECT c.channel_id, ch.code FROM ads.campaign_channels c JOIN ads.channels ch USING (channel_id)"
            " WHERE c.campaign_id = %s ORDER BY c.channel_id",
            (campaign_id,),
        ).fetchall()
    )
    markets: dict[int, str] = dict(
        conn.execute(
            "SELECT m.market_id, mk.country_code || ' ' || mk.segment FROM ads.campaign_markets m"
            " JOIN ads.markets mk USING (market_id) WHERE m.campaign_id = %s ORDER BY m.market_id",
            (campaign_id,),
        ).fetchall()
    )
    ads: dict[int, int] = dict(
        conn.execute(
            "SELECT channel_id, count(*) FROM ads.ads WHERE campaign_id = %s GROUP BY channel_id", (campaign_id,)
        ).fetchall()
    )
    last = conn.execute("SELECT max(result_date) FROM ads.ad_results WHERE campaign_id = %s", (campaign_id,)).fetchone()
    last_result = last[0] if last else None
    recent: dict[tuple[int, int], list[tuple[float, int, int]]] = {}
    if last_result is not None:
        rows = conn.execute(
            "SELECT channel_id, market_id, result_date, sum(cost)::float8, sum(sales)::int8, count(*)::int8"
            " FROM ads.ad_results WHERE campaign_id = %s AND result_date > %s AND cost > 0"
            " GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
            (campaign_id, last_result - timedelta(days=LIVE_DAYS)),
        ).fetchall()
        for channel, market, _, spend, conversions, ad_days in rows:
            recent.setdefault((int(channel), int(market)), []).append((float(spend), int(conversions), int(ad_days)))
    return Campaign(
        campaign_id,
        str(row[1]),
        str(row[2]),
        float(row[3]),
        {int(k): str(v) for k, v in channels.items()},
        {int(k): str(v) for k, v in markets.items()},
        {int(k): int(v) for k, v in ads.items()},
        last_result,
        recent,
    )

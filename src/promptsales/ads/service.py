"""PromptAds operations as plain functions over a psycopg connection (MCP and CLI layers call these).

* :func:`create_campaign` calls ``ads.adssp_create_campaign`` with the channels, markets and ads as
  arrays of composite types (the PostgreSQL form of table-valued parameters) in one round trip;
  :func:`create_or_replay_campaign` adds the retry safety of the MCP tool ``createCampaign``.
* :func:`stats` summarises the data: rows per table, active/finished split, campaigns per start month.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.composite import CompositeInfo, register_composite
from pydantic import BaseModel, Field

from promptsales.ads.catalog import AS_OF
from promptsales.db.fetch import one, scalar
from promptsales.errors import UserError

#: Tables reported by :func:`stats`, in schema order.
TABLES: tuple[str, ...] = (
    "channels",
    "markets",
    "audiences",
    "brands",
    "products",
    "campaigns",
    "campaign_channels",
    "campaign_markets",
    "ads",
    "ad_results",
    "influencers",
    "influencer_reactions",
    "sentiment_observations",
    "log_types",
    "log_sources",
    "log_severities",
    "logs",
    "error_catalog",
)


@dataclass(frozen=True)
class ChannelInput:
    """One row of the channels TVP (``ads.channel_tvp``)."""

    channel_id: int
    budget_share: Decimal | float = Decimal("0")


@dataclass(frozen=True)
class MarketInput:
    """One row of the markets TVP (``ads.market_tvp``)."""

    market_id: int


@dataclass(frozen=True)
class AdInput:
    """One row of the ads TVP (``ads.ad_tvp``); dates default to the campaign's."""

    channel_id: int
    format: str
    headline: str
    copy: str
    content_ref: str | None = None
    call_to_action: str | None = None
    language: str | None = None
    start_date: date | None = None
    end_date: date | None = None


@dataclass
class CampaignRequest:
    """Everything ``adssp_create_campaign`` takes."""

    brand_id: int
    name: str
    objective: str
    budget: Decimal | float
    start_date: date
    end_date: date
    product_id: int | None = None
    audience_id: int | None = None
    channels: list[ChannelInput] = field(default_factory=list)
    markets: list[MarketInput] = field(default_factory=list)
    ads: list[AdInput] = field(default_factory=list)


class CampaignError(UserError):
    """``adssp_create_campaign`` refused the call; ``code`` is the custom SQLSTATE (ads.error_catalog)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code


_TVP_TYPES = ("ads.channel_tvp", "ads.market_tvp", "ads.ad_tvp")


_registered: weakref.WeakKeyDictionary[psycopg.Connection, dict[str, type]] = weakref.WeakKeyDictionary()


def register_tvp_types(conn: psycopg.Connection) -> dict[str, type]:
    """Teach ``conn`` the composite types of the procedure so Python tuples adapt to them (once per connection);
    returns, by type name, the named-tuple class psycopg made for each."""
    if conn in _registered:
        return _registered[conn]
    classes = {}
    for name in _TVP_TYPES:
        info = CompositeInfo.fetch(conn, name)
        if info is None:
            raise UserError(f"Type {name} is missing: run `promptsales migrate`.")
        register_composite(info, conn)
        assert info.python_type is not None  # register_composite sets it to the named tuple it made
        classes[name] = info.python_type
    _registered[conn] = classes
    return classes


def create_campaign(conn: psycopg.Connection, request: CampaignRequest) -> int:
    """Create a campaign with its channels, markets and ads in one call; returns the campaign id.

    With an autocommit connection the procedure commits itself; inside an open transaction its writes
    join that transaction. A refusal raises :class:`CampaignError` with the catalogue code (PA001…).
    """
    classes = register_tvp_types(conn)
    channel_t, market_t, ad_t = (classes[n] for n in _TVP_TYPES)
    channels = [channel_t(c.channel_id, Decimal(str(c.budget_share))) for c in request.channels]
    markets = [market_t(m.market_id) for m in request.markets]
    ads = [
        ad_t(
            a.channel_id,
            a.format,
            a.content_ref,
            a.headline,
            a.copy,
            a.call_to_action,
            a.language,
            a.start_date,
            a.end_date,
        )
        for a in request.ads
    ]
    try:
        # Simple query protocol (client-side binding, values still quoted by psycopg, never pasted by hand):
        # the procedure recognises that the CALL opened its own transaction and commits its failure log.
        campaign_id = scalar(
            psycopg.ClientCursor(conn),
            # typed ids: a value outside integer is a clean "out of range" (issue 23's hostile-input tests), not
            # a call to a procedure that does not exist
            "CALL ads.adssp_create_campaign(%s::integer, %s::integer, %s::integer, %s, %s, %s, %s, %s, %s, %s, %s, "
            "NULL)",
            (
                request.brand_id,
                request.product_id,
                request.audience_id,
                request.name,
                request.objective,
                Decimal(str(request.budget)),
                request.start_date,
                request.end_date,
                channels,
                markets,
                ads,
            ),
        )
    except psycopg.Error as error:
        state = error.sqlstate or ""
        if state.startswith("PA"):
            raise CampaignError(state, error.diag.message_primary or str(error)) from None
        raise
    return int(campaign_id)


# The model of the MCP tool's published schema: no class docstring (a docstring would change the schema).
class CreatedCampaign(BaseModel):
    campaign_id: int
    name: str
    created: bool = Field(description="False when the idempotency key named an existing campaign (a replay).")
    channels: int
    markets: int
    ads: int


def _campaign_named(conn: psycopg.Connection, request: CampaignRequest) -> CreatedCampaign | None:
    """The existing campaign called ``request.name`` (a replay), None when there is none; a campaign of that
    name of another brand is a UserError."""
    with conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT c.campaign_id, c.brand_id, (SELECT count(*) FROM ads.campaign_channels x WHERE x.campaign_id = c.campaign_id) AS channels,"
            " (SELECT count(*) FROM ads.campaign_markets x WHERE x.campaign_id = c.campaign_id) AS markets,"
            " (SELECT count(*) FROM ads.ads x WHERE x.campaign_id = c.campaign_id) AS ads"
            " FROM ads.campaigns c WHERE c.name = %s",
            (request.name,),
        ).fetchone()
    if row is None:
        return None
    if row["brand_id"] != request.brand_id:
        raise UserError(f"Campaign name {request.name!r} is taken by another brand.")
    return CreatedCampaign(
        campaign_id=row["campaign_id"],
        name=request.name,
        created=False,
        channels=row["channels"],
        markets=row["markets"],
        ads=row["ads"],
    )


def create_or_replay_campaign(conn: psycopg.Connection, request: CampaignRequest, replay: bool) -> CreatedCampaign:
    """Create a campaign with :func:`create_campaign` on an idle connection (switched to autocommit for the
    call, so the procedure commits itself and logs its refusals; restored afterwards). With ``replay`` a
    campaign of the same brand already called ``request.name`` is returned instead (``created=False``), so a
    retried call never creates a second one. Refusals are :class:`CampaignError`/UserError."""
    previous = conn.autocommit
    conn.autocommit = True
    try:
        existing = _campaign_named(conn, request) if replay else None
        if existing is not None:
            return existing
        campaign_id = create_campaign(conn, request)
    finally:
        conn.autocommit = previous
    return CreatedCampaign(
        campaign_id=campaign_id,
        name=request.name,
        created=True,
        channels=len(request.channels),
        markets=len(request.markets),
        ads=len(request.ads),
    )


def stats(conn: psycopg.Connection) -> dict:
    """Rows per table, active/finished split (status and as of the model's as-of date), campaigns per month."""
    counts = {}
    for table in TABLES:
        counts[table] = scalar(conn, sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier("ads", table)))
    status: dict[str, int] = dict(
        conn.execute("SELECT status, count(*) FROM ads.campaigns GROUP BY status ORDER BY status").fetchall()
    )
    total = sum(status.values())
    per_month = conn.execute(
        "SELECT to_char(date_trunc('month', start_date), 'YYYY-MM'), count(*) FROM ads.campaigns GROUP BY 1 ORDER BY 1"
    ).fetchall()
    window = one(conn, "SELECT min(start_date), max(start_date) FROM ads.campaigns")
    leads = one(
        conn,
        "SELECT min(l), max(l), round(avg(l)) FROM (SELECT sum(leads) AS l FROM ads.ad_results GROUP BY campaign_id) AS x",
    )
    return {
        "as_of": AS_OF.isoformat(),
        "rows": counts,
        "campaigns": {
            "total": total,
            "by_status": status,
            "active_share": round(status.get("active", 0) / total, 4) if total else 0.0,
            "first_start": window[0].isoformat() if window[0] else None,
            "last_start": window[1].isoformat() if window[1] else None,
            "per_start_month": {month: count for month, count in per_month},
        },
        "leads_per_campaign": {
            "min": leads[0],
            "max": leads[1],
            "avg": int(leads[2]) if leads[2] is not None else None,
        },
    }

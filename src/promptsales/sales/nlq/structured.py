"""The structured tools' side of the question model: explicit filters, metrics and groupings (for clients
that bring their own AI) resolved against the catalog into a :class:`StructuredQuery`.

Bad input raises :class:`promptsales.mcpkit.errors.ToolInputError`-compatible ``UserError`` with the
exact problem (unknown name with the closest ones, malformed month, empty metric list).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from promptsales.errors import UserError
from promptsales.sales.nlq.catalog import Catalog
from promptsales.sales.nlq.model import Dimension, EntityRef, Intent, Metric, Period, StructuredQuery
from promptsales.sales.nlq.periods import PeriodParser, add_months, month_label
from promptsales.sales.nlq.text import normalize, normalize_name


class PerformanceFilters(BaseModel):
    """Filters of ``campaignPerformance``: names (or campaign ids), an inclusive month range, a status."""

    campaigns: list[str] = Field(default_factory=list, max_length=20, description="Campaign names or ids.")
    brands: list[str] = Field(default_factory=list, max_length=20, description="Brand names.")
    channels: list[str] = Field(default_factory=list, max_length=20, description="Channel names, e.g. Instagram.")
    markets: list[str] = Field(
        default_factory=list, max_length=20, description="Market names ('Mexico / consumer') or countries ('Mexico')."
    )
    month_from: str | None = Field(default=None, description="First month, YYYY-MM (inclusive).")
    month_to: str | None = Field(default=None, description="Last month, YYYY-MM (inclusive).")
    status: Literal["active", "finished"] | None = None


def _month(text: str, field: str) -> date:
    match = re.fullmatch(r"(20\d\d)-(0[1-9]|1[0-2])", text.strip())
    if not match:
        raise UserError(f"{field} must be a month as YYYY-MM (e.g. 2025-12), got {text!r}.")
    return date(int(match.group(1)), int(match.group(2)), 1)


def month_range(month_from: str | None, month_to: str | None) -> Period | None:
    """The inclusive month range as a period (one side alone means that single month)."""
    if not month_from and not month_to:
        return None
    start = _month(month_from or month_to or "", "month_from")
    last = _month(month_to or month_from or "", "month_to")
    if last < start:
        raise UserError(f"month_to {month_to} is before month_from {month_from}.")
    label = month_label(start, "en") if start == last else f"{month_label(start, 'en')} – {month_label(last, 'en')}"
    return Period(start=start, end=add_months(last, 1), label=label)


def resolve(catalog: Catalog, dimension: Dimension, names: list[str]) -> list[EntityRef]:
    """Exact (case- and accent-insensitive) names, campaign ids, or country names for markets."""
    refs: list[EntityRef] = []
    for raw in names:
        wanted = normalize_name(raw)
        if not wanted:
            raise UserError(f"An empty {dimension.value} name was given.")
        entities = catalog.entities(dimension)
        found = [e for e in entities if e.aliases and (e.aliases[0] == wanted or str(e.key) == raw.strip())]
        if not found and dimension is Dimension.market:
            found = [e for e in entities if wanted in e.aliases]
        if not found and dimension is Dimension.channel:
            found = [e for e in entities if wanted in e.aliases]
        if not found:
            close = sorted(entities, key=lambda e: -_similarity(wanted, e.aliases[0] if e.aliases else ""))[:3]
            raise UserError(
                f"Unknown {dimension.value} {raw!r}. Closest: " + ", ".join(repr(e.name) for e in close) + "."
            )
        refs.extend(EntityRef(dimension=dimension, key=e.key, name=e.name, matched_text=raw) for e in found)
    return refs


def _similarity(a: str, b: str) -> float:
    import difflib

    return difflib.SequenceMatcher(None, a, b).ratio()


def performance_query(
    catalog: Catalog, filters: PerformanceFilters, metrics: list[Metric], group_by: list[Dimension]
) -> StructuredQuery:
    """``campaignPerformance`` arguments → a structured query."""
    if not metrics:
        raise UserError("metrics is empty; name at least one of: " + ", ".join(m.value for m in Metric) + ".")
    if len(set(group_by)) != len(group_by):
        raise UserError("group_by lists a dimension twice.")
    refs = (
        resolve(catalog, Dimension.campaign, filters.campaigns)
        + resolve(catalog, Dimension.brand, filters.brands)
        + resolve(catalog, Dimension.channel, filters.channels)
        + resolve(catalog, Dimension.market, filters.markets)
    )
    return StructuredQuery(
        intent=Intent.breakdown if group_by else Intent.value,
        metrics=list(dict.fromkeys(metrics)),
        group_by=group_by,
        filters=refs,
        period=month_range(filters.month_from, filters.month_to),
        status=filters.status,
    )


def parse_period(text: str | None, as_of: date) -> Period | None:
    """A period written in words ("Q4 2025", "diciembre 2025", "last quarter") or ``YYYY-MM..YYYY-MM``."""
    if text is None or not text.strip():
        return None
    if ".." in text:
        start, _, end = text.partition("..")
        return month_range(start.strip(), end.strip())
    found, rest = PeriodParser(as_of, "en").find_all(normalize(text))
    if len(found) != 1 or rest.replace("|", "").strip():
        raise UserError(
            f"Cannot read the period {text!r}; use e.g. 'Q4 2025', 'December 2025', '2025', "
            "'last quarter' or '2025-07..2025-09'."
        )
    return found[0].period


def top_campaigns_query(metric: Metric, period: Period | None, n: int, ascending: bool) -> StructuredQuery:
    """``topCampaigns`` arguments → a ranking query."""
    return StructuredQuery(
        intent=Intent.ranking,
        metrics=[metric],
        group_by=[Dimension.campaign],
        period=period,
        order_by=metric,
        descending=not ascending,
        limit=n,
    )


def funnel_query(campaign: EntityRef) -> StructuredQuery:
    """``campaignFunnel`` → the five funnel stages of one campaign."""
    from promptsales.sales.nlq.lexicon import FUNNEL_STAGES

    return StructuredQuery(intent=Intent.funnel, metrics=list(FUNNEL_STAGES), filters=[campaign])

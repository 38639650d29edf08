"""What a chart shows, independent of how it is drawn: panels of labelled series with a unit."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Literal

#: The kinds of panel: ``line`` for time series, ``bars`` for rankings and breakdowns, ``funnel`` for funnels.
PanelKind = Literal["line", "bars", "funnel"]
#: Units a value axis can be labelled in (the metric units of the warehouse measures).
Unit = Literal["count", "usd", "ratio", "multiple", "hours"]


@dataclass(frozen=True)
class Series:
    """One named row of values, aligned with its panel's labels (``None``: no data at that label)."""

    name: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Panel:
    """One plot: its kind, title, category labels (x for lines, one per bar or stage) and series."""

    kind: PanelKind
    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    unit: Unit = "count"

    def __post_init__(self) -> None:
        if not self.labels or not self.series:
            raise ValueError("a chart panel needs at least one label and one series")
        if any(len(s.values) != len(self.labels) for s in self.series):
            raise ValueError("every series of a panel has one value per label")


@dataclass(frozen=True)
class Chart:
    """A figure of one or two panels side by side, with a title and a one-line footnote (scope, as-of date)."""

    title: str
    panels: tuple[Panel, ...]
    footnote: str = ""

    def __post_init__(self) -> None:
        if not 1 <= len(self.panels) <= 2:
            raise ValueError("a chart has one or two panels")

    def digest(self) -> str:
        """SHA-256 of what the chart shows: two answers with the same figures share one rendering."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

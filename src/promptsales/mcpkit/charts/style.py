"""The one house style of every PromptSales chart: size, palette, fonts and how values are written.

Applied per figure through ``matplotlib.rc_context`` (never by changing the process's global rcParams), so
any other matplotlib user in the process is unaffected.
"""

from __future__ import annotations

from typing import Any

from cycler import cycler
from matplotlib.typing import RcKeyType

from promptsales.mcpkit.charts.spec import Unit

#: Figure size in inches and resolution: 880 × 480 px, readable in a chat column and under the size limit.
FIGURE_SIZE = (8.8, 4.8)
DPI = 100
#: Largest PNG a tool returns (bytes).
MAX_PNG_BYTES = 100 * 1024

INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"
BACKGROUND = "#ffffff"
#: Series colours, in order (colour-blind-safe, after Okabe–Ito).
PALETTE = ("#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000")
#: Most series a line panel draws, and most bars or stages a panel shows (the rest are summarised).
MAX_SERIES = 6
MAX_BARS = 15
MAX_LABEL_CHARS = 44

RC: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.titley": 1.02,  # a fixed title position: the automatic one measures the whole axes on every draw
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.facecolor": BACKGROUND,
    "axes.grid": True,
    "axes.axisbelow": True,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": MUTED,
    "ytick.color": MUTED,
    "text.color": INK,
    "figure.facecolor": BACKGROUND,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 2.2,
    "lines.markersize": 4,
}


def short_label(text: str, limit: int = MAX_LABEL_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (campaign names can be long)."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def format_value(value: float | None, unit: Unit) -> str:
    """A value as people read it on a chart: ``$1.2M``, ``12.3%``, ``1,234 h``, ``45.6k``."""
    if value is None:
        return "–"
    if unit == "ratio":
        return f"{value * 100:,.0f}%" if abs(value) >= 10 else f"{value * 100:.1f}%"
    if unit == "multiple":
        return f"{value:,.1f}×"
    magnitude = abs(value)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            text = f"{value / size:.1f}{suffix}"
            break
    else:
        text = f"{value:,.0f}" if unit == "count" or magnitude >= 100 or value == int(value) else f"{value:,.2f}"
    if unit == "usd":
        return f"-${text[1:]}" if text.startswith("-") else f"${text}"
    if unit == "hours":
        return f"{text} h"
    return text

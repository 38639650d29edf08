"""What to draw for an answer of the PromptSales tools (askCampaignPerformance, campaignPerformance,
topCampaigns, campaignFunnel): a funnel for a funnel, a line per series for anything by month, bars for a
ranking, a breakdown or a comparison, and nothing for a single figure or a refusal.

The chart reads only the answer's public fields (``understood``, ``columns``, ``rows``), so it follows any
question the parser learns to answer; its title is the head of the answer's own sentence (same language).
"""

from __future__ import annotations

from collections import defaultdict

from promptsales.mcpkit.charts.spec import Chart, Panel, Series, Unit
from promptsales.sales.nlq.metrics import DEFINITIONS, label
from promptsales.sales.nlq.model import Metric
from promptsales.sales.nlq.service import Answer

#: Dimensions whose name column labels a bar or a line (``campaign`` holds the campaign's name, etc.).
NAME_COLUMNS = ("campaign", "brand", "channel", "market", "period")
UNITS: tuple[str, ...] = ("count", "usd", "ratio", "multiple", "hours")
#: Most lines a time-series chart draws (the largest series by total; the answer's table has them all).
MAX_LINES = 6


def _unit(metric: str) -> Unit:
    unit = DEFINITIONS[Metric(metric)].unit
    return unit if unit in UNITS else "count"


def _heading(metric: str, language: str) -> str:
    text = label(Metric(metric), language)
    return text[:1].upper() + text[1:]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _title(answer: Answer) -> str:
    head = answer.answer.split(": ", 1)[0]
    return head if len(head) <= 90 else head[:89].rstrip() + "…"


def answer_chart(answer: Answer) -> Chart | None:
    """The chart of an answer, or None when its shape calls for none (one value, no rows, a refusal)."""
    if not answer.answerable or len(answer.rows) == 0:
        return None
    understood = answer.understood
    metrics = [m for m in understood.get("metrics", []) if m in answer.columns and Metric(m) in DEFINITIONS]
    if not metrics:
        return None
    records = [dict(zip(answer.columns, row)) for row in answer.rows]
    language = answer.language
    footnote = ("Datos al " if language == "es" else "Data as of ") + answer.as_of + " · PromptSales"
    if understood.get("intent") == "funnel":
        panel = _funnel(records[0], metrics, language)
    elif "month" in answer.columns and len(records) > 1:
        panel = _lines(records, understood.get("order_by") or metrics[0], understood.get("group_by", []), language)
    else:
        panel = _bars(records, understood.get("order_by") or metrics[0], language)
    return Chart(_title(answer), (panel,), footnote) if panel else None


def _funnel(record: dict, metrics: list[str], language: str) -> Panel | None:
    values = tuple(_number(record.get(m)) for m in metrics)
    if len(metrics) < 2 or all(v is None for v in values):
        return None
    title = "Embudo" if language == "es" else "Funnel"
    labels = tuple(_heading(m, language) for m in metrics)
    return Panel("funnel", title, labels, (Series(title, values),), "count")


def _lines(records: list[dict], metric: str, group_by: list[str], language: str) -> Panel:
    months = sorted({str(r["month"]) for r in records})
    by = next((d for d in group_by if d != "month" and d in records[0]), None)
    values: dict[str, dict[str, float | None]] = defaultdict(dict)
    for record in records:
        values[str(record[by]) if by else label(Metric(metric), language)][str(record["month"])] = _number(
            record.get(metric)
        )
    largest = sorted(values, key=lambda name: -sum(v or 0 for v in values[name].values()))[:MAX_LINES]
    series = tuple(Series(name, tuple(values[name].get(month) for month in months)) for name in largest)
    return Panel("line", _heading(metric, language), tuple(months), series, _unit(metric))


def _bars(records: list[dict], metric: str, language: str) -> Panel | None:
    names = [c for c in NAME_COLUMNS if c in records[0]]
    if not names or len(records) < 2:
        return None
    labels = tuple(" / ".join(str(r[c]) for c in names) for r in records)
    values = tuple(_number(r.get(metric)) for r in records)
    title = _heading(metric, language)
    return Panel("bars", title, labels, (Series(title, values),), _unit(metric))

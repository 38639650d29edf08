"""Every metric a question can ask for, as declared in the measure registry (published as an MCP resource).

A metric is an askable :class:`~promptsales.warehouse.measures.Measure`: a formula over *base measures*
(columns of the warehouse, named in :mod:`.warehouse`): a plain sum, a ratio of sums, ROI, a success rate
or a count of distinct keys. Ratios are computed from the sums of the rows asked for — never as averages of
per-row ratios — so they stay correct at every grain.
"""

from __future__ import annotations

from promptsales.sales.nlq.model import Dimension, Metric
from promptsales.warehouse.measures import BY_NAME, Measure, askable

#: The registry's definition of every metric.
DEFINITIONS: dict[Metric, Measure] = {Metric(measure.name): measure for measure in askable()}


def required_measures(metric: Metric) -> tuple[str, ...]:
    """The base measures a metric needs from the table it is computed on."""
    return DEFINITIONS[metric].inputs


def distinct_dimension(metric: Metric) -> Dimension | None:
    """The dimension whose distinct keys a counting metric counts (channels used, campaigns …), else None."""
    counted = DEFINITIONS[metric].distinct
    return Dimension(counted) if counted else None


def label(metric: Metric, language: str) -> str:
    """The metric's name in ``language`` (``en`` or ``es``)."""
    definition = DEFINITIONS[metric]
    return definition.es if language == "es" else definition.en


def key_table(metric: Metric) -> str | None:
    """The key table whose distinct keys a metric counts (buyers for clients, ads for ads), else None."""
    return DEFINITIONS[metric].counts


def formula(metric: Metric, language: str) -> str:
    """How a derived metric is computed, in words of ``language`` ("cost per sale = spend ÷ number of
    sales"); "" for a plain total, whose name says it."""
    definition = DEFINITIONS[metric]

    def name(measure: str) -> str:
        return BY_NAME[measure].es if language == "es" else BY_NAME[measure].en

    own = label(metric, language)
    if definition.kind == "ratio":
        num, den = definition.inputs
        scale = f" × {definition.scale:,}".replace(",", ".") if language == "es" else f" × {definition.scale:,}"
        return f"{own} = {name(num)} ÷ {name(den)}" + (scale if definition.scale != 1 else "")
    if definition.kind == "roi":
        amount, spend = definition.inputs
        return f"{own} = ({name(amount)} − {name(spend)}) ÷ {name(spend)}"
    if definition.kind == "success":
        amount, goal = definition.inputs
        tail = "campañas con meta" if language == "es" else "campaigns with a goal"
        return f"{own} = {name(amount)} ÷ {name(goal)} ({tail})"
    return ""


def note(metric: Metric, language: str) -> str:
    """Where a common reading of the metric's name differs from this figure, in ``language`` (or "")."""
    definition = DEFINITIONS[metric]
    return definition.note_es if language == "es" else definition.note

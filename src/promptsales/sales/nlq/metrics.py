"""Every metric a question can ask for, as declared in the measure registry (published as an MCP resource).

A metric is an askable :class:`~promptsales.warehouse.measures.Measure`: a formula over *base measures*
(columns of the warehouse, named in :mod:`.warehouse`): a plain sum, a ratio of sums, ROI, a success rate
or a count of distinct keys. Ratios are computed from the sums of the rows asked for — never as averages of
per-row ratios — so they stay correct at every grain.
"""

from __future__ import annotations

from promptsales.sales.nlq.model import Dimension, Metric
from promptsales.warehouse.measures import Measure, askable

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

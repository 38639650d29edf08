"""Every askable metric is listed with its definition in the metrics resource, the README and docs/nlq.md,
and the three say the same as the measure registry (issue 16, acceptance: "README and the metrics resource
list every askable metric and its definition")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptsales.sales.mcp import metrics_resource
from promptsales.sales.nlq.metrics import DEFINITIONS
from promptsales.sales.nlq.model import Metric

ROOT = Path(__file__).resolve().parents[2]


def _table_rows(path: Path) -> dict[str, str]:
    """The Markdown table rows of ``path`` that start with a metric name in backticks, by metric."""
    rows = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `"):
            name = line.split("`")[1]
            rows.setdefault(name, line)
    return rows


def test_the_metrics_resource_lists_every_askable_metric_with_its_definition() -> None:
    """The resource holds exactly the askable metrics, each with the registry's definition and names."""
    served = json.loads(metrics_resource())
    assert set(served) == {metric.value for metric in Metric} == {metric.value for metric in DEFINITIONS}
    for metric, definition in DEFINITIONS.items():
        entry = served[metric.value]
        assert entry["definition"] == definition.definition and definition.definition
        assert (entry["en"], entry["es"]) == (definition.en, definition.es)


@pytest.mark.parametrize("document", ["README.md", "docs/nlq.md"])
def test_the_documents_list_every_askable_metric_with_the_registry_definition(document: str) -> None:
    """Each askable metric has a row in the document's metric table, with the registry's definition (and its
    note where a common reading differs); no row names a metric the registry does not have."""
    rows = _table_rows(ROOT / document)
    metric_rows = {name: row for name, row in rows.items() if name in {m.value for m in Metric}}
    assert set(metric_rows) == {metric.value for metric in DEFINITIONS}
    for metric, definition in DEFINITIONS.items():
        row = metric_rows[metric.value]
        assert definition.definition in row, f"{document}: {metric.value} row differs from the registry"
        assert f"{definition.en} / {definition.es}" in row
        if definition.note:
            assert definition.note in row, f"{document}: {metric.value} row lacks the note"

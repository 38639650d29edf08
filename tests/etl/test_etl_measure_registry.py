"""The measure registry (promptsales.warehouse.measures) is the one declaration of the warehouse's measures:
the migrated warehouse tables, the ETL's column lists and extracts, and the questions' askable metrics all
agree with it (issue 14, docs/decisions.md)."""

from __future__ import annotations

import pytest

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.etl import load
from promptsales.sales.nlq import warehouse as nlq_warehouse
from promptsales.sales.nlq.builder import over_keys
from promptsales.sales.nlq.lexicon import METRIC_PHRASES, phrase_variants
from promptsales.sales.nlq.metrics import DEFINITIONS, key_table
from promptsales.sales.nlq.model import Metric
from promptsales.sales.nlq.text import normalize
from promptsales.warehouse.measures import (
    CAMPAIGN,
    FACT_TABLE,
    FACTS,
    KEY_TABLES,
    MEASURES,
    SCHEMA,
    SUMMARIES,
    TABLE_KEYS,
    askable,
    from_extract,
    stored_in,
)


def _column_type(data_type: str, precision: int | None, scale: int | None) -> str:
    """information_schema's type of a column in the registry's spelling (``numeric(16,2)``, ``bigint`` …)."""
    if data_type == "numeric" and precision is not None:
        return f"numeric({precision},{scale})"
    return data_type


@pytest.fixture(scope="module")
def warehouse_columns(settings: Settings) -> dict[str, dict[str, str]]:
    """Per wh table of the migrated promptsales database: column → type, in table order."""
    with connect("sales", "owner", settings=settings) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name, data_type, numeric_precision, numeric_scale "
            "FROM information_schema.columns WHERE table_schema = %s ORDER BY table_name, ordinal_position",
            (SCHEMA,),
        ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type, precision, scale in rows:
        tables.setdefault(table, {})[column] = _column_type(data_type, precision, scale)
    return tables


@pytest.mark.parametrize("spec", load.TABLE_SYNCS, ids=[spec.table for spec in load.TABLE_SYNCS])
def test_warehouse_tables_hold_the_registry_measures_and_the_etl_writes_them(warehouse_columns, spec):
    """Each measure table: its columns are the keys, the ETL's attributes and exactly the registry's
    measures of that table (with the registry's types), and the ETL writes every one of them."""
    columns = warehouse_columns[spec.table]
    measures = {measure.name: measure.column_type for measure in stored_in(spec.table)}
    assert set(columns) == {*TABLE_KEYS[spec.table], *spec.attributes, *measures, "updated_run"}
    assert {name: columns[name] for name in measures} == measures
    assert spec.keys == TABLE_KEYS[spec.table]
    assert spec.columns == [*spec.attributes, *measures]


def test_the_etl_syncs_every_table_that_holds_measures():
    assert [spec.table for spec in load.TABLE_SYNCS] == list(TABLE_KEYS)
    assert {table for measure in MEASURES for table in measure.tables} | set(KEY_TABLES) == set(TABLE_KEYS)


def test_fact_extracts_stage_and_select_the_registry_measures():
    """Every fact measure is extracted by its source query into its staging table, in the registry's order."""
    staging = {name: columns.as_string(None) for name, columns in load.staging_tables().items()}
    extracts = {query: table for pairs in load.EXTRACTS.values() for query, table in pairs}
    for extract, table in load.FACT_STAGING.items():
        assert extracts[extract] == table
        names = [measure.name for measure in from_extract(extract)]
        assert names, f"extract {extract} has no measure"
        assert [column.split()[0].strip('"') for column in staging[table].split(", ")] == [*load.FACT_KEYS, *names]
        query = load.extract_query(extract).as_string(None)
        assert all(f'AS "{name}"' in query for name in names) and "{" not in query
    assert {measure.extract for measure in stored_in(FACT_TABLE)} == set(load.FACT_STAGING)


def test_registry_entries_are_complete():
    """Each measure declares what its storage needs, and what a question needs to ask for it."""
    for measure in MEASURES:
        if measure.stored is not None:
            assert measure.column_type, measure.name
        else:
            assert measure.column_type is None and measure.expression is None, measure.name
        if measure.stored == FACTS:
            assert measure.kind == "sum" and measure.extract and measure.expression, measure.name
        else:
            assert measure.extract is None, measure.name
        if measure.stored == CAMPAIGN:
            assert measure.expression, measure.name
        if measure.stored == SUMMARIES:
            assert measure.expression is None, measure.name
            for name in measure.inputs:  # derived from the facts wherever it is stored
                assert set(measure.tables) <= set(next(m for m in MEASURES if m.name == name).tables)
        if measure.kind == "distinct":
            assert measure.distinct and not measure.inputs, measure.name
        if measure.askable:
            assert measure.phrases and measure.en and measure.es and measure.definition, measure.name
    assert len({measure.name for measure in MEASURES}) == len(MEASURES)


def test_phrases_are_normalised_and_name_one_metric_each():
    phrases = [phrase for measure in askable() for phrase in measure.phrases]
    assert all(normalize(phrase) == phrase for phrase in phrases)
    assert len(phrases) == len(set(phrases)), sorted(p for p in phrases if phrases.count(p) > 1)


def test_the_questions_ask_for_exactly_the_askable_measures():
    """The Metric enum, the lexicon and the metric definitions come from the registry (the lexicon adds only the
    abbreviations of its counts, D172); every metric can be computed on at least one warehouse table — a ratio
    over a key table from its numerator there and its divisor in the key table —, and the summed measures of
    each table are its measures."""
    names = [measure.name for measure in askable()]
    assert [metric.value for metric in Metric] == names
    assert {metric.value: phrases for metric, phrases in METRIC_PHRASES.items()} == {
        measure.name: phrase_variants(measure.phrases) for measure in askable()
    }
    assert all(set(measure.phrases) <= set(METRIC_PHRASES[Metric(measure.name)]) for measure in askable())
    assert {metric.value: definition.name for metric, definition in DEFINITIONS.items()} == {n: n for n in names}
    for grain in nlq_warehouse.GRAINS:
        assert grain.measures == {m.name: m.name for m in stored_in(grain.table) if m.kind == "sum"}
    for measure in askable():
        inputs = over_keys(Metric(measure.name))
        if inputs is not None:
            numerator, divisor = inputs
            assert key_table(divisor) is not None and key_table(numerator) is None, measure.name
            assert any(set(DEFINITIONS[numerator].inputs) <= set(g.measures) for g in nlq_warehouse.GRAINS)
            continue
        assert any(set(measure.inputs) <= set(grain.measures) for grain in nlq_warehouse.GRAINS), measure.name
    assert set(nlq_warehouse.ADDITIVE) == {measure.name for measure in MEASURES if measure.stored == FACTS}
    assert "exposure_hours" in names  # loaded by the ETL since 0004, askable since the registry

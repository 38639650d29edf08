"""Turns a :class:`StructuredQuery` into one parameterised, read-only SQL statement over the warehouse.

Identifiers come only from :mod:`.warehouse` (``psycopg.sql.Identifier``); every value (ids, dates, status,
limits) is a bound parameter. A query the warehouse cannot serve (e.g. clients per month: distinct clients
are known per campaign only) raises :class:`Unanswerable` with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.metrics import DEFINITIONS, distinct_dimension, required_measures
from promptsales.sales.nlq.model import Dimension, Intent, Metric, StructuredQuery
from promptsales.warehouse.measures import aggregate

#: Rows returned at most by any question (one more is fetched to say the answer was cut).
MAX_ROWS = 500


class Unanswerable(Exception):
    """The structured query asks for something the warehouse does not hold (English and Spanish reasons)."""

    def __init__(self, english: str, spanish: str | None = None) -> None:
        super().__init__(english)
        self.english = english
        self.spanish = spanish or english

    def reason(self, language: str) -> str:
        """The reason in ``language`` (``en`` or ``es``)."""
        return self.spanish if language == "es" else self.english


@dataclass
class BuiltQuery:
    """SQL, its parameters and the names of the columns it returns."""

    statement: sql.Composed
    params: list[object]
    columns: list[str]
    grain: str
    label_columns: list[str] = field(default_factory=list)


def _ident(*parts: str) -> sql.Identifier:
    return sql.Identifier(*parts)


def needed_dimensions(query: StructuredQuery) -> set[Dimension]:
    """Dimensions the FROM table must have (breakdowns, entity filters, periods, distinct counts)."""
    needed = set(query.group_by) | {ref.dimension for ref in query.filters}
    if query.period or query.compare_periods:
        needed.add(Dimension.month)
    for metric in query.metrics:
        distinct = distinct_dimension(metric)
        if distinct is not None and distinct is not Dimension.campaign:
            needed.add(distinct)
    return needed


def choose_grain(query: StructuredQuery) -> wh.Grain:
    """The coarsest warehouse table holding every dimension and measure the query needs."""
    dimensions = needed_dimensions(query)
    measures = {measure for metric in query.metrics for measure in required_measures(metric)}
    for grain in wh.GRAINS:
        if dimensions <= grain.dimensions and measures <= set(grain.measures):
            return grain
    per_campaign = sorted(m for m in measures if m not in wh.ADDITIVE)
    if per_campaign:
        names = ", ".join(DEFINITIONS[m].en for m in query.metrics if set(required_measures(m)) & set(per_campaign))
        split = sorted(d.value for d in dimensions - {Dimension.campaign, Dimension.brand})
        names_es = ", ".join(DEFINITIONS[m].es for m in query.metrics if set(required_measures(m)) & set(per_campaign))
        es_dims = {"month": "mes", "channel": "canal", "market": "mercado"}
        raise Unanswerable(
            f"{names} is recorded per whole campaign only, so it cannot be split by "
            f"{' or '.join(split) or 'that'}; ask for it per campaign or brand without a period, "
            "channel or market.",
            f"{names_es}: el dato se registra solo por campaña completa, no se puede desglosar por "
            f"{' ni '.join(es_dims.get(d, d) for d in split) or 'eso'}; pídelo por campaña o marca sin periodo, "
            "canal ni mercado.",
        )
    raise Unanswerable(
        "No warehouse table holds that combination of dimensions.",
        "Ninguna tabla del almacén tiene esa combinación de dimensiones.",
    )


def metric_expression(metric: Metric, grain: wh.Grain, fact: str) -> sql.Composable:
    """The aggregate SQL of one metric on ``grain`` (table alias ``fact``): the registry's aggregate, or a
    count of distinct keys."""
    dimension = distinct_dimension(metric)
    if dimension is not None:
        key = grain.keys[dimension] if dimension in grain.keys else wh.CAMPAIGN_COLUMNS["key"]
        return sql.SQL("count(DISTINCT {}.{})").format(_ident(fact), _ident(key))
    return aggregate(
        DEFINITIONS[metric], lambda measure: sql.SQL("{}.{}").format(_ident(fact), _ident(grain.measures[measure]))
    )


def build(query: StructuredQuery) -> BuiltQuery:
    """The SQL that answers ``query``."""
    grain = choose_grain(query)
    fact = "c" if grain.is_campaign_table else "f"
    cc = wh.CAMPAIGN_COLUMNS
    params: list[object] = []
    select: list[sql.Composable] = []
    group: list[sql.Composable] = []
    order: list[sql.Composable] = []
    columns: list[str] = []
    labels: list[str] = []
    joins: list[sql.Composable] = []
    where: list[sql.Composable] = []
    needs_campaign = not grain.is_campaign_table and (
        query.status is not None
        or any(d in (Dimension.campaign, Dimension.brand) for d in query.group_by)
        or any(ref.dimension in (Dimension.campaign, Dimension.brand) for ref in query.filters)
    )
    if needs_campaign:
        joins.append(
            sql.SQL(" JOIN {}.{} AS c ON c.{} = f.{}").format(
                _ident(wh.SCHEMA), _ident(wh.CAMPAIGN_TABLE), _ident(cc["key"]), _ident(grain.keys[Dimension.campaign])
            )
        )

    if query.compare_periods:
        values = []
        for index, period in enumerate(query.compare_periods):
            values.append(sql.SQL("(%s::int, %s::text, %s::date, %s::date)"))
            params.extend([index, period.label, period.start, period.end])
        joins.append(
            sql.SQL(
                " JOIN (VALUES {}) AS p(ord, label, starts, ends) ON {f}.{m} >= p.starts AND {f}.{m} < p.ends"
            ).format(sql.SQL(", ").join(values), f=_ident(fact), m=_ident(grain.keys[Dimension.month]))
        )
        select.append(sql.SQL("p.label AS period"))
        group.extend([sql.SQL("p.ord"), sql.SQL("p.label")])
        order.append(sql.SQL("p.ord"))
        columns.append("period")
        labels.append("period")

    for dimension in query.group_by:
        if dimension in (Dimension.campaign, Dimension.brand):
            key, name = (
                (cc["key"], cc["name"]) if dimension is Dimension.campaign else (cc["brand_key"], cc["brand_name"])
            )
            select.append(
                sql.SQL("c.{} AS {}, c.{} AS {}").format(
                    _ident(key), _ident(f"{dimension.value}_id"), _ident(name), _ident(dimension.value)
                )
            )
            group.extend([sql.SQL("c.{}").format(_ident(key)), sql.SQL("c.{}").format(_ident(name))])
            columns.extend([f"{dimension.value}_id", dimension.value])
        elif dimension is Dimension.month:
            column = sql.SQL("{}.{}").format(_ident(fact), _ident(grain.keys[Dimension.month]))
            select.append(sql.SQL("to_char({}, 'YYYY-MM') AS month").format(column))
            group.append(column)
            columns.append("month")
        else:
            table, key, name = wh.LABEL_SOURCES[dimension]
            alias = f"l_{dimension.value}"
            joins.append(
                sql.SQL(
                    " LEFT JOIN (SELECT DISTINCT ON ({k}) {k}, {n} FROM {s}.{t} ORDER BY {k}, {n}) AS {a}"
                    " ON {a}.{k} = {f}.{fk}"
                ).format(
                    k=_ident(key),
                    n=_ident(name),
                    s=_ident(wh.SCHEMA),
                    t=_ident(table),
                    a=_ident(alias),
                    f=_ident(fact),
                    fk=_ident(grain.keys[dimension]),
                )
            )
            select.append(
                sql.SQL("{f}.{fk} AS {kid}, {a}.{n} AS {d}").format(
                    f=_ident(fact),
                    fk=_ident(grain.keys[dimension]),
                    kid=_ident(f"{dimension.value}_id"),
                    a=_ident(alias),
                    n=_ident(name),
                    d=_ident(dimension.value),
                )
            )
            group.extend(
                [
                    sql.SQL("{}.{}").format(_ident(fact), _ident(grain.keys[dimension])),
                    sql.SQL("{}.{}").format(_ident(alias), _ident(name)),
                ]
            )
            columns.extend([f"{dimension.value}_id", dimension.value])
        labels.append(dimension.value)

    for metric in query.metrics:
        select.append(sql.SQL("{} AS {}").format(metric_expression(metric, grain, fact), _ident(metric.value)))
        columns.append(metric.value)

    for dimension in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market):
        refs = query.filter_values(dimension)
        if not refs:
            continue
        if dimension is Dimension.campaign:
            column = sql.SQL("c.{}").format(_ident(cc["key"]))
        elif dimension is Dimension.brand:
            column = sql.SQL("c.{}").format(_ident(cc["brand_key"]))
        else:
            column = sql.SQL("{}.{}").format(_ident(fact), _ident(grain.keys[dimension]))
        where.append(sql.SQL("{} = ANY(%s)").format(column))
        params.append([ref.key for ref in refs])
    if query.status is not None:
        where.append(sql.SQL("c.{} = %s").format(_ident(cc["status"])))
        params.append(wh.STATUS_VALUES[query.status])
    if query.period is not None:
        month = sql.SQL("{}.{}").format(_ident(fact), _ident(grain.keys[Dimension.month]))
        where.append(sql.SQL("{m} >= %s AND {m} < %s").format(m=month))
        params.extend([query.period.start, query.period.end])

    statement = sql.SQL("SELECT {select} FROM {s}.{t} AS {a}{joins}").format(
        select=sql.SQL(", ").join(select),
        s=_ident(wh.SCHEMA),
        t=_ident(grain.table),
        a=_ident(fact),
        joins=sql.SQL("").join(joins),
    )
    if where:
        statement += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
    if group:
        statement += sql.SQL(" GROUP BY ") + sql.SQL(", ").join(group)
    if query.intent is Intent.ranking and query.order_by is not None:
        direction = sql.SQL("DESC NULLS LAST") if query.descending else sql.SQL("ASC NULLS LAST")
        order = [sql.SQL("{} {}").format(_ident(query.order_by.value), direction), *order]
        order.extend(sql.SQL("{}").format(_ident(c)) for c in columns if c.endswith("_id"))
    elif group:
        order.extend(
            _ident(c)
            for c in columns
            if c in ("month", "channel", "market", "brand", "campaign") and c not in ("period",)
        )
    if order:
        statement += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(order)
    if group:
        limit = query.limit if query.intent is Intent.ranking and query.limit else MAX_ROWS + 1
        statement += sql.SQL(" LIMIT %s")
        params.append(limit)
    return BuiltQuery(statement=statement, params=params, columns=columns, grain=grain.table, label_columns=labels)

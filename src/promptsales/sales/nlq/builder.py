"""Turns a :class:`StructuredQuery` into one parameterised, read-only SQL statement over the warehouse.

Identifiers come only from :mod:`.warehouse` (``psycopg.sql.Identifier``); every value (ids, dates, status,
limits) is a bound parameter. A query the warehouse cannot serve (e.g. budgets per month: budgets are known
per campaign only) raises :class:`Unanswerable` with the reason.

Shape of every statement: one aggregated *part* per source table — ``m``, the coarsest measure table that
covers the question (:func:`choose_grain`), and ``k_<table>`` for each key table whose distinct keys a
metric counts (buyers, ads) — joined on the group keys, then the names of the groups::

    WITH m AS (SELECT f.channel_id, sum(f.sales_amount) AS sales_amount FROM wh.campaign_facts f … GROUP BY 1),
         k_campaign_buyers AS (SELECT f.channel_id, count(DISTINCT f.client_id) AS clients … GROUP BY 1)
    SELECT channel_id, l_channel.channel_name AS channel, sales_amount, clients
    FROM m FULL JOIN k_campaign_buyers USING (channel_id) LEFT JOIN (…names…) AS l_channel USING (channel_id)

A ranking keeps every row tied with the last one asked for (``rank() … <= n``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from psycopg import sql

from promptsales.sales.nlq import warehouse as wh
from promptsales.sales.nlq.metrics import DEFINITIONS, distinct_dimension, key_table, required_measures
from promptsales.sales.nlq.model import Dimension, Intent, Metric, Period, StructuredQuery
from promptsales.warehouse.measures import KEY_TABLES, aggregate

#: Rows returned at most by any question (one more is fetched to say the answer was cut).
MAX_ROWS = 500
#: The alias of the part computed on the measure tables.
MAIN_PART = "m"


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


def _col(alias: str, column: str) -> sql.Composable:
    return sql.SQL("{}.{}").format(_ident(alias), _ident(column))


def event_month(query: StructuredQuery) -> str | None:
    """The campaign date column whose month a breakdown by month is, when campaigns are counted by when they
    started or ended ("campaigns launched per month in 2025": the month of each start, not the months with
    results); else None."""
    events = [event.event for event in query.lifecycle]
    if (
        Dimension.month not in query.group_by
        or events not in (["started"], ["ended"])
        or query.period is not None
        or query.compare_periods
        or not query.metrics
        or any(distinct_dimension(metric) is not Dimension.campaign for metric in query.metrics)
    ):
        return None
    return wh.CAMPAIGN_COLUMNS["start_date" if events == ["started"] else "end_date"]


#: The summary of a campaign's channels or markets (assigned in PromptAds or with results) and its key, per
#: dimension a campaign is in ("campaigns in Chile": those with a row there); a country is its markets'.
_ASSIGNED = {
    Dimension.channel: ("campaign_channels", "channel_id"),
    Dimension.market: ("campaign_markets", "market_id"),
    Dimension.country: wh.COUNTRY_SOURCE[:1] + wh.COUNTRY_SOURCE[2:],
}


def assigned_filters(query: StructuredQuery) -> set[Dimension]:
    """The channel, market or country filters that pick campaigns rather than split figures: when every figure
    is recorded per whole campaign (a budget, a goal), undated, and not broken down by them ("the total budget
    of our active campaigns in Chile": the campaigns with Chile among their markets)."""
    measures = {measure for metric in query.metrics for measure in required_measures(metric)}
    if not measures or measures & set(wh.ADDITIVE) or query.period or query.compare_periods:
        return set()
    return {ref.dimension for ref in query.filters if ref.dimension in _ASSIGNED} - set(query.group_by)


def needed_dimensions(query: StructuredQuery) -> set[Dimension]:
    """Dimensions the measure table must have (breakdowns, entity filters, periods, distinct counts)."""
    needed = set(query.group_by) | {ref.dimension for ref in query.filters}
    needed -= assigned_filters(query)  # campaigns picked by a semi-join (``where``)
    if event_month(query):  # a column of the campaign table
        needed.discard(Dimension.month)
    # campaign attributes, on every table through the campaign
    needed -= {Dimension.status, Dimension.brand, *wh.CAMPAIGN_CLASSES}
    if query.period or query.compare_periods or (query.per in ("day", "month") and not query.period):
        needed.add(Dimension.month)
    for metric in query.metrics:
        distinct = distinct_dimension(metric)
        if distinct is not None and distinct is not Dimension.campaign:
            needed.add(distinct)
    if Dimension.country in needed:  # a country is its markets
        needed = (needed - {Dimension.country}) | {Dimension.market}
    return needed


def over_keys(metric: Metric) -> tuple[Metric, Metric] | None:
    """A ratio whose divisor is counted in a key table ("sales per client" = sales amount ÷ distinct clients): its
    two inputs, computed in their own parts and divided once joined; else None."""
    definition = DEFINITIONS[metric]
    if definition.kind != "ratio" or not any(key_table(Metric(name)) for name in definition.inputs):
        return None
    numerator, divisor = definition.inputs
    return Metric(numerator), Metric(divisor)


def _computed_metrics(query: StructuredQuery) -> list[Metric]:
    """The metrics the parts compute: those asked, a ratio over a key table replaced by its two inputs."""
    found: list[Metric] = []
    for metric in query.metrics:
        found += list(over_keys(metric) or (metric,))
    return list(dict.fromkeys(found))


def _main_metrics(query: StructuredQuery) -> list[Metric]:
    return [metric for metric in _computed_metrics(query) if key_table(metric) is None]


def metric_names(metrics: list[Metric]) -> tuple[str, str]:
    """The metrics' names in English and in Spanish, as a refusal lists them ("budget, sales goal")."""
    return ", ".join(DEFINITIONS[m].en for m in metrics), ", ".join(DEFINITIONS[m].es for m in metrics)


def choose_grain(query: StructuredQuery) -> wh.Grain:
    """The coarsest measure table holding every dimension and measure the query's metrics need (the metrics
    counted in a key table are computed there)."""
    dimensions = needed_dimensions(query)
    metrics = _main_metrics(query)
    measures = {measure for metric in metrics for measure in required_measures(metric)}
    by_days = bool(wh.DAILY_BREAKDOWNS & set(query.group_by))  # weeks or days of any period (D164)
    in_days = any(period.in_days for period in [*([query.period] if query.period else []), *query.compare_periods])
    if by_days or in_days:  # days that are not whole months (D163), or two such periods compared (D170)
        grain = wh.DAY_GRAIN
        if (
            dimensions <= grain.dimensions
            and set(query.group_by) <= wh.DAY_DIMENSIONS
            and all(wh.by_day(metric.value) for metric in metrics)
        ):
            return grain
        if query.period is not None:
            english = spanish = query.period.label
        else:
            english, spanish = "Weeks or days", "Semanas o días"
        raise Unanswerable(
            f"{english}: only the totals that add up over days (spend, leads, sales …) per campaign or brand "
            "can be given for days or weeks.",
            f"{spanish}: por días o semanas solo se dan los totales que se suman (gasto, leads, ventas …) por "
            "campaña o marca.",
        )
    for grain in wh.GRAINS:
        if dimensions <= grain.dimensions and measures <= set(grain.measures):
            return grain
    per_campaign = sorted(m for m in measures if m not in wh.ADDITIVE)
    if per_campaign:
        names, names_es = metric_names([m for m in metrics if set(required_measures(m)) & set(per_campaign)])
        split = sorted(d.value for d in dimensions - {Dimension.campaign, Dimension.brand})
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
    """The aggregate SQL of one metric on ``grain`` (table alias ``fact``): the registry's aggregate, a count
    of distinct dimension keys, or a count of distinct keys of a key table."""
    table = key_table(metric)
    if table is not None:
        return sql.SQL("count(DISTINCT {})").format(_col(fact, KEY_TABLES[table][0]))
    dimension = distinct_dimension(metric)
    if dimension is not None:
        key = grain.keys[dimension] if dimension in grain.keys else wh.CAMPAIGN_COLUMNS["key"]
        return sql.SQL("count(DISTINCT {}){}").format(_col(fact, key), _with_ads(dimension, grain, fact))
    return aggregate(DEFINITIONS[metric], lambda measure: _col(fact, grain.measures[measure]))


def _with_ads(dimension: Dimension, grain: wh.Grain, fact: str) -> sql.Composable:
    """Channels, markets and countries *used* are those with ad results (spend or views) in the rows asked
    for: a row holding only CRM leads or sales, or a channel assigned with nothing run yet, is not one."""
    if dimension not in (Dimension.channel, Dimension.market, Dimension.country):
        return sql.SQL("")
    return _advertising(grain, fact)


def _advertising(grain: wh.Grain, fact: str) -> sql.Composable:
    """`` FILTER (WHERE spend > 0 OR impressions > 0)``: an aggregate over the rows with advertising only (empty
    where the grain does not record it)."""
    if not {"spend", "impressions"} <= set(grain.measures):
        return sql.SQL("")
    return sql.SQL(" FILTER (WHERE {} > 0 OR {} > 0)").format(
        _col(fact, grain.measures["spend"]), _col(fact, grain.measures["impressions"])
    )


def _country(grain: wh.Grain) -> sql.Composable:
    """A row's country: a column of the by-market summary, else that of the row's market (joined as ``mc``)."""
    table, _, column = wh.COUNTRY_SOURCE
    return _col("f" if grain.table == table else "mc", column)


# -- the pieces of one statement ------------------------------------------------------------------------
@dataclass
class _Part:
    """One aggregated source of the statement: its CTE name, its table and the metrics it computes."""

    name: str
    grain: wh.Grain
    metrics: list[Metric]


def _parts(query: StructuredQuery) -> list[_Part]:
    """The measure table part (if any metric is summed there) and one part per key table counted."""
    averaged = [metric for metric in query.metrics if DEFINITIONS[metric].kind != "sum"]
    if query.per is not None and averaged:
        names_en, names_es = metric_names(averaged)
        raise Unanswerable(
            f"An average per {query.per} is computed for totals only; {names_en} is not a total (a ratio or a count "
            "of distinct items), so its average would be another figure: ask for it without 'average'.",
            f"El promedio por {wh.PER_ES[query.per]} se calcula solo para totales; {names_es} no es un total (una razón o "
            "un conteo de elementos distintos), su promedio sería otra cifra: pregúntalo sin 'promedio'.",
        )
    parts: list[_Part] = []
    main = _main_metrics(query)
    if main:
        parts.append(_Part(MAIN_PART, choose_grain(query), main))
    computed = _computed_metrics(query)
    for table in dict.fromkeys(key_table(metric) for metric in computed):
        if table is not None:
            if query.period is not None and query.period.in_days:
                raise Unanswerable(
                    f"{query.period.label} is only part of a month, and distinct counts are kept per month.",
                    f"{query.period.label} es solo una parte de un mes, y los conteos de distintos se guardan por mes.",
                )
            counted = [metric for metric in computed if key_table(metric) == table]
            parts.append(_Part(f"k_{table}", wh.KEY_GRAINS[table], counted))
    return parts


def _group_keys(query: StructuredQuery) -> list[str]:
    """The columns the parts are grouped and joined by: the compared period, then each breakdown's key."""
    keys = ["ord", "period"] if query.compare_periods else []
    return keys + [wh.GROUP_KEYS[dimension] for dimension in query.group_by]


def _clip(period: Period, as_of: date | None) -> date:
    """The end of ``period``, not after the day after the as-of date (days not yet lived are not averaged)."""
    return min(period.end, as_of + timedelta(days=1)) if as_of else period.end


def _months(start: date, end: date) -> int:
    """Whole or started months in ``[start, end)``."""
    last = end - timedelta(days=1)
    return (last.year - start.year) * 12 + last.month - start.month + 1


class _Statement:
    """Builds one part's SQL while collecting its parameters in the order they appear."""

    def __init__(self, query: StructuredQuery, params: list[object]) -> None:
        self.query = query
        self.params = params

    def value(self, value: object, cast: str = "") -> sql.Composable:
        """A bound parameter (with an SQL cast such as ``date``)."""
        self.params.append(value)
        return sql.SQL("%s::" + cast) if cast else sql.SQL("%s")

    def part(self, part: _Part) -> sql.Composable:
        """``SELECT <group keys>, <metrics> FROM wh.<table> f … WHERE … GROUP BY …`` of one part."""
        query, grain = self.query, part.grain
        campaign_table = grain.is_campaign_table

        def campaign_column(name: str) -> sql.Composable:
            return _col("f", name) if campaign_table else _col("c", name)

        select: list[sql.Composable] = []
        group: list[sql.Composable] = []
        joins: list[sql.Composable] = []
        uses_campaign = (
            any(d in (Dimension.brand, Dimension.status, *wh.CAMPAIGN_CLASSES) for d in query.group_by)
            or query.status is not None
            or bool(query.statuses)
            or bool(query.lifecycle)
            or any(
                ref.dimension in (Dimension.campaign, Dimension.brand, *wh.CAMPAIGN_CLASSES) for ref in query.filters
            )
            or any(distinct_dimension(metric) is Dimension.brand for metric in part.metrics)
        )
        if uses_campaign and not campaign_table:
            joins.append(
                sql.SQL(" JOIN {}.{} AS c ON c.{k} = f.{k}").format(
                    _ident(wh.SCHEMA), _ident(wh.CAMPAIGN_TABLE), k=_ident(wh.CAMPAIGN_COLUMNS["key"])
                )
            )
        month = _col("f", grain.keys[Dimension.month]) if Dimension.month in grain.keys else None
        uses_country = (
            Dimension.country in query.group_by
            or bool(query.filter_values(Dimension.country))
            or any(distinct_dimension(metric) is Dimension.country for metric in part.metrics)
        )
        if uses_country and grain.table != wh.COUNTRY_SOURCE[0]:
            table, key, column = wh.COUNTRY_SOURCE
            joins.append(
                sql.SQL(" JOIN (SELECT DISTINCT {k}, {c} FROM {s}.{t}) AS mc ON mc.{k} = {fk}").format(
                    k=_ident(key),
                    c=_ident(column),
                    s=_ident(wh.SCHEMA),
                    t=_ident(table),
                    fk=_col("f", grain.keys[Dimension.market]),
                )
            )
        if query.compare_periods:
            rows = []
            for index, period in enumerate(query.compare_periods):
                end = _clip(period, query.as_of)
                rows.append(
                    sql.SQL("({}, {}, {}, {}, {}, {})").format(
                        self.value(index, "int"),
                        self.value(period.label, "text"),
                        self.value(period.start, "date"),
                        self.value(period.end, "date"),
                        self.value(max((end - period.start).days, 1), "int"),
                        self.value(max(_months(period.start, end), 1), "int"),
                    )
                )
            joins.append(
                sql.SQL(
                    " JOIN (VALUES {}) AS p(ord, label, starts, ends, days, months) ON {m} >= p.starts AND {m} < p.ends"
                ).format(sql.SQL(", ").join(rows), m=month)
            )
            select.append(sql.SQL("p.ord, p.label AS period"))
            group.extend([sql.SQL("p.ord"), sql.SQL("p.label")])
        event_column = event_month(query)
        for dimension in query.group_by:
            if dimension is Dimension.brand:
                expression = campaign_column(wh.CAMPAIGN_COLUMNS["brand_key"])
            elif dimension is Dimension.status:
                expression = campaign_column(wh.CAMPAIGN_COLUMNS["status"])
            elif dimension is Dimension.country:
                expression = _country(grain)
            elif dimension in wh.CAMPAIGN_CLASSES:
                expression = campaign_column(wh.CAMPAIGN_CLASSES[dimension])
            elif dimension is Dimension.month and event_column:
                expression = sql.SQL("date_trunc('month', {})::date").format(campaign_column(event_column))
            elif dimension is Dimension.week:  # its Monday; the period's bounds still filter the days
                expression = sql.SQL("date_trunc('week', {})::date").format(_col("f", grain.keys[dimension]))
            else:
                expression = _col("f", grain.keys[dimension])
            select.append(sql.SQL("{} AS {}").format(expression, _ident(wh.GROUP_KEYS[dimension])))
            group.append(expression)
        for metric in part.metrics:
            select.append(sql.SQL("{} AS {}").format(self.metric(metric, grain, month), _ident(metric.value)))
        where = self.where(grain, campaign_column, month)
        statement = sql.SQL("SELECT {} FROM {}.{} AS f{}").format(
            sql.SQL(", ").join(select), _ident(wh.SCHEMA), _ident(grain.table), sql.SQL("").join(joins)
        )
        if where:
            statement += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(where)
        if group:
            statement += sql.SQL(" GROUP BY ") + sql.SQL(", ").join(group)
        return statement

    def _on_a_place_in_a_period(self, grain: wh.Grain) -> bool:
        """Whether the query filters one or more channels, markets or countries within a period, on rows split
        by them."""
        dated = self.query.period is not None or bool(self.query.compare_periods)
        places = {Dimension.country: Dimension.market}
        split = {places.get(ref.dimension, ref.dimension) for ref in self.query.filters} & {
            Dimension.channel,
            Dimension.market,
        }
        return dated and bool(split) and split <= set(grain.keys) and Dimension.campaign in grain.keys

    def metric(self, metric: Metric, grain: wh.Grain, month: sql.Composable | None) -> sql.Composable:
        """The metric's aggregate, divided by the campaigns, days or months of its rows for an average."""
        if distinct_dimension(metric) is Dimension.brand:  # a campaign attribute
            alias = "f" if grain.is_campaign_table else "c"
            return sql.SQL("count(DISTINCT {})").format(_col(alias, wh.CAMPAIGN_COLUMNS["brand_key"]))
        if distinct_dimension(metric) is Dimension.country:  # an attribute of the market
            return sql.SQL("count(DISTINCT {}){}").format(_country(grain), _with_ads(Dimension.country, grain, "f"))
        if distinct_dimension(metric) is Dimension.campaign and self._on_a_place_in_a_period(grain):
            # "traffic campaigns on TikTok in 2025", "campaigns in Ecuador in H2 2025": those that ran ads there
            # then (a row holding only a CRM sale attributed there is not one), as the registry's definition says
            # ("with results in the period")
            key = _col("f", grain.keys[Dimension.campaign])
            return sql.SQL("count(DISTINCT {}){}").format(key, _with_ads(Dimension.channel, grain, "f"))
        expression = metric_expression(metric, grain, "f")
        per = self.query.per
        if per is None or DEFINITIONS[metric].kind != "sum":
            return expression
        if per == "campaign":
            # an advertising figure per campaign is over the campaigns that advertised ("average spend per campaign
            # in Q4": not over a campaign whose only row there is a CRM sale); a CRM figure over those with results
            ads = DEFINITIONS[metric].extract == "ads_results"
            divisor: sql.Composable = sql.SQL("count(DISTINCT f.{}){}").format(
                _ident(grain.keys[Dimension.campaign]), _advertising(grain, "f") if ads else sql.SQL("")
            )
        else:
            divisor = self.length(per, month)
        return sql.SQL("round({}::numeric / nullif({}, 0), 6)").format(expression, divisor)

    def length(self, per: str, month: sql.Composable | None) -> sql.Composable:
        """Days or months of the rows' period: the compared period, the month of a monthly breakdown, the
        period asked for, or the months with results — never past the as-of date."""
        query = self.query
        if query.compare_periods:
            return sql.SQL("min(p.days)" if per == "day" else "min(p.months)")
        if Dimension.month in query.group_by and month is not None:
            if per == "month":
                return sql.SQL("1")
            end = sql.SQL("({} + interval '1 month')::date").format(month)
            if query.as_of:
                end = sql.SQL("least({}, {})").format(end, self.value(query.as_of + timedelta(days=1), "date"))
            return sql.SQL("({} - {})").format(end, month)  # the month is a group key
        if query.period is not None:
            clipped = _clip(query.period, query.as_of)
            count = (clipped - query.period.start).days if per == "day" else _months(query.period.start, clipped)
            return self.value(max(count, 1), "int")
        if month is None:
            raise Unanswerable(
                "An average per day or month needs results by month.",
                "Un promedio por día o mes necesita resultados por mes.",
            )
        end = sql.SQL("(max({}) + interval '1 month')::date").format(month)
        if query.as_of:
            end = sql.SQL("least({}, {})").format(end, self.value(query.as_of + timedelta(days=1), "date"))
        if per == "day":
            return sql.SQL("({} - min({}))").format(end, month)
        span = sql.SQL("age({}, min({}))").format(end, month)  # months started, a partial last one included
        return sql.SQL(
            "(extract(year FROM {a}) * 12 + extract(month FROM {a}) + (extract(day FROM {a}) > 0)::int)"
        ).format(a=span)

    def where(self, grain: wh.Grain, campaign_column, month: sql.Composable | None) -> list[sql.Composable]:
        """Entity filters, status, lifecycle and the period, every value bound."""
        query = self.query
        where: list[sql.Composable] = []
        cc = wh.CAMPAIGN_COLUMNS
        filtered = (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market, Dimension.country)
        assigned = assigned_filters(query)
        for dimension in (*filtered, *wh.CAMPAIGN_CLASSES):
            refs = query.filter_values(dimension)
            if not refs:
                continue
            if dimension in assigned:
                table, key = _ASSIGNED[dimension]
                where.append(
                    sql.SQL("{} IN (SELECT {k} FROM {}.{} WHERE {} = ANY({}))").format(
                        campaign_column(cc["key"]),
                        _ident(wh.SCHEMA),
                        _ident(table),
                        _ident(key),
                        self.value([ref.key for ref in refs]),
                        k=_ident(cc["key"]),
                    )
                )
                continue
            if dimension is Dimension.country:
                column = _country(grain)
            elif dimension in wh.CAMPAIGN_CLASSES:
                column = campaign_column(wh.CAMPAIGN_CLASSES[dimension])
            elif dimension is Dimension.campaign:
                column = _col("f", grain.keys[Dimension.campaign])
            elif dimension is Dimension.brand:
                column = campaign_column(cc["brand_key"])
            else:
                column = _col("f", grain.keys[dimension])
            where.append(sql.SQL("{} = ANY({})").format(column, self.value([ref.key for ref in refs])))
        if query.status is not None:
            where.append(sql.SQL("{} = {}").format(campaign_column(cc["status"]), self.value(query.status)))
        if query.statuses:
            where.append(
                sql.SQL("{} = ANY({})").format(campaign_column(cc["status"]), self.value(list(query.statuses)))
            )
        for event in query.lifecycle:
            start, end = campaign_column(cc["start_date"]), campaign_column(cc["end_date"])
            if event.event == "started":
                bounds = (start, start)
            elif event.event == "ended":
                bounds = (end, end)
            else:  # running at some time of the period: started before it ended, ended after it started
                bounds = (end, start)
            where.append(
                sql.SQL("{} >= {} AND {} < {}").format(
                    bounds[0], self.value(event.period.start, "date"), bounds[1], self.value(event.period.end, "date")
                )
            )
        if query.advertised:
            activity = [column for column in ("spend", "impressions") if column in grain.measures]
            if not activity:
                raise Unanswerable(
                    "Which rows had advertising (spend or impressions) is not recorded at this grain.",
                    "Qué filas tuvieron publicidad (gasto o impresiones) no se registra a este nivel.",
                )
            where.append(
                sql.SQL("({})").format(
                    sql.SQL(" OR ").join(sql.SQL("{} > 0").format(_col("f", grain.measures[c])) for c in activity)
                )
            )
        if query.period is not None and month is not None:
            where.append(
                sql.SQL("{m} >= {} AND {m} < {}").format(
                    self.value(query.period.start, "date"), self.value(query.period.end, "date"), m=month
                )
            )
        return where


def _labels(query: StructuredQuery) -> tuple[list[sql.Composable], list[sql.Composable], list[str], list[str]]:
    """The output columns of the groups (keys and names), the joins that name them, the column names and
    the label columns."""
    select: list[sql.Composable] = []
    joins: list[sql.Composable] = []
    columns: list[str] = []
    labels: list[str] = []
    cc = wh.CAMPAIGN_COLUMNS
    if query.compare_periods:
        select.append(sql.SQL("period"))
        columns.append("period")
        labels.append("period")
    for dimension in query.group_by:
        key = wh.GROUP_KEYS[dimension]
        labels.append(dimension.value)
        if dimension is Dimension.month:
            select.append(sql.SQL("to_char({k}, 'YYYY-MM') AS {k}").format(k=_ident(key)))
            columns.append("month")
            continue
        if dimension in wh.DAILY_BREAKDOWNS:  # a day; a week by its Monday
            select.append(sql.SQL("to_char({k}, 'YYYY-MM-DD') AS {k}").format(k=_ident(key)))
            columns.append(key)
            continue
        if dimension in (Dimension.status, Dimension.country, *wh.CAMPAIGN_CLASSES):  # the key is the name
            select.append(_ident(key))
            columns.append(key)
            continue
        if dimension is Dimension.campaign:
            source: tuple[str, str, str] = (wh.CAMPAIGN_TABLE, cc["key"], cc["name"])
        elif dimension is Dimension.brand:
            source = (wh.CAMPAIGN_TABLE, cc["brand_key"], cc["brand_name"])
        else:
            source = wh.LABEL_SOURCES[dimension]
        table, table_key, name = source
        alias = f"l_{dimension.value}"
        joins.append(
            sql.SQL(
                " LEFT JOIN (SELECT DISTINCT ON ({tk}) {tk} AS {k}, {n} FROM {s}.{t} ORDER BY {tk}, {n}) AS {a} USING ({k})"
            ).format(
                tk=_ident(table_key),
                k=_ident(key),
                n=_ident(name),
                s=_ident(wh.SCHEMA),
                t=_ident(table),
                a=_ident(alias),
            )
        )
        select.append(
            sql.SQL("{}, {}.{} AS {}").format(_ident(key), _ident(alias), _ident(name), _ident(dimension.value))
        )
        columns.extend([key, dimension.value])
    return select, joins, columns, labels


def _change_ranking(
    query: StructuredQuery,
    metric: Metric,
    body: sql.Composable,
    columns: list[str],
    labels: list[str],
    statement_of: _Statement,
    parts: list[_Part],
) -> BuiltQuery:
    """A ranking by the change of ``metric`` from the earlier compared period (``ord`` 0) to the later (1):
    each group's two values, the change and the relative change; a total missing in a period is 0."""
    keys = [c for c in columns if c != "period" and c not in {m.value for m in query.metrics}]
    value = _ident(metric.value)
    missing = sql.SQL("0") if DEFINITIONS[metric].kind == "sum" else sql.SQL("NULL")
    key_list = sql.SQL(", ").join(map(_ident, keys))
    ranked_by = sql.SQL(
        "later - earlier" if query.rank_change == "absolute" else "(later - earlier) / nullif(earlier, 0)::numeric"
    )
    direction = sql.SQL("DESC NULLS LAST" if query.descending else "ASC NULLS LAST")
    ids = [_ident(c) for c in keys if c.endswith("_id")]
    statement = sql.SQL(
        "SELECT {keys}, earlier, later, change, relative_change FROM ("
        "SELECT {keys}, earlier, later, later - earlier AS change, "
        "(later - earlier) / nullif(earlier, 0)::numeric AS relative_change, "
        "rank() OVER (ORDER BY {ranked_by} {direction}) AS rank FROM ("
        "SELECT {keys}, coalesce(max({v}) FILTER (WHERE ord = 0), {missing}) AS earlier, "
        "coalesce(max({v}) FILTER (WHERE ord = 1), {missing}) AS later FROM ({body}) AS b GROUP BY {keys}) AS c"
        ") AS r WHERE rank <= {limit} ORDER BY rank{ids} LIMIT {rows}"
    ).format(
        keys=key_list,
        v=value,
        missing=missing,
        body=body,
        ranked_by=ranked_by,
        direction=direction,
        limit=statement_of.value(query.limit or 1),
        ids=sql.SQL("").join(sql.SQL(", ") + i for i in ids),
        rows=statement_of.value(MAX_ROWS + 1),
    )
    grain = " + ".join(part.grain.table for part in parts)
    return BuiltQuery(
        statement=statement,
        params=statement_of.params,
        columns=[*keys, "earlier", "later", "change", "relative_change"],
        grain=grain,
        label_columns=[label for label in labels if label != "period"],
    )


#: The SQL comparison of each threshold operator (a fixed whitelist: nothing from a question).
_COMPARISONS = {"gt": ">", "ge": ">=", "lt": "<", "le": "<="}


def _count_groups(query: StructuredQuery) -> BuiltQuery:
    """How many groups meet the query's threshold ("how many brands have more than 8 campaigns"): the
    breakdown of the threshold's figure by its dimension, kept by the threshold, counted."""
    having = query.having
    assert having is not None
    groups = query.model_copy(
        update={"intent": Intent.breakdown, "group_by": [having.dimension], "metrics": [having.metric]}
    )
    inner = build(groups, ordered=False)
    counted = query.metrics[0].value
    statement = sql.SQL("SELECT count(*) AS {} FROM ({}) AS g").format(_ident(counted), inner.statement)
    return BuiltQuery(statement=statement, params=inner.params, columns=[counted], grain=inner.grain)


def build(query: StructuredQuery, *, ordered: bool = True) -> BuiltQuery:
    """The SQL that answers ``query`` (its subjects already resolved to names); ``ordered=False`` leaves a
    breakdown unordered and uncut (when it is the inside of another statement)."""
    if query.subjects:
        raise ValueError("resolve the query's subjects first (service.resolve_subjects)")
    if query.share_of is not None:
        return _shares(query)
    if query.having is not None and not query.group_by:
        return _count_groups(query)
    params: list[object] = []
    parts = _parts(query)
    statement_of = _Statement(query, params)
    ctes = sql.SQL(", ").join(
        sql.SQL("{} AS ({})").format(_ident(part.name), statement_of.part(part)) for part in parts
    )
    keys = _group_keys(query)
    joined: sql.Composable = _ident(parts[0].name)
    for part in parts[1:]:
        if keys:
            joined = sql.SQL("{} FULL JOIN {} USING ({})").format(
                joined, _ident(part.name), sql.SQL(", ").join(map(_ident, keys))
            )
        else:
            joined = sql.SQL("{} CROSS JOIN {}").format(joined, _ident(part.name))
    ratios = [(metric, inputs) for metric in query.metrics if (inputs := over_keys(metric)) is not None]
    if ratios:  # divided once the parts are joined, as a column the ranking and thresholds can name
        divided = [
            sql.SQL("round({}::numeric / nullif({}, 0), 6) AS {}").format(
                _ident(numerator.value), _ident(divisor.value), _ident(metric.value)
            )
            for metric, (numerator, divisor) in ratios
        ]
        joined = sql.SQL("(SELECT *, {} FROM {}) AS j").format(sql.SQL(", ").join(divided), joined)
    label_select, label_joins, columns, labels = _labels(query)
    metric_columns = [metric.value for metric in query.metrics]
    columns = columns + metric_columns
    outer_select = [*label_select, *(_ident(name) for name in metric_columns)]
    grouped = bool(keys)
    order_by = query.order_by if query.intent is Intent.ranking and grouped else None
    if order_by is not None and query.rank_change is not None and len(query.compare_periods) == 2:
        body = sql.SQL("WITH {} SELECT {}, ord FROM {}{}").format(
            ctes, sql.SQL(", ").join(outer_select), joined, sql.SQL("").join(label_joins)
        )
        return _change_ranking(query, order_by, body, columns, labels, statement_of, parts)
    ranked = order_by is not None
    if query.over_time is not None:
        problem = over_time_problem(query.over_time, query.metrics, query.group_by, ranked, bool(query.compare_periods))
        if problem is not None:
            raise Unanswerable(*problem)
        windows, added = _over_time(query, keys)
        outer_select += windows
        columns = columns + added
    if order_by is not None:
        direction = sql.SQL("DESC NULLS LAST" if query.descending else "ASC NULLS LAST")
        partition = sql.SQL("PARTITION BY ord ") if query.compare_periods else sql.SQL("")
        outer_select.append(
            sql.SQL("rank() OVER ({}ORDER BY {} {}) AS rank").format(partition, _ident(order_by.value), direction)
        )
        if query.compare_periods:
            outer_select.append(sql.SQL("ord"))
    kept: sql.Composable = sql.SQL("")
    if query.having is not None:  # before the ranking: ranks are among the groups kept
        kept = sql.SQL(" WHERE {} {} {}").format(
            _ident(query.having.metric.value),
            sql.SQL(_COMPARISONS[query.having.op]),
            statement_of.value(query.having.value, "numeric"),
        )
    body = sql.SQL("WITH {} SELECT {} FROM {}{}{}").format(
        ctes, sql.SQL(", ").join(outer_select), joined, sql.SQL("").join(label_joins), kept
    )
    if ranked:
        ids = [sql.SQL("r.{}").format(_ident(c)) for c in columns if c.endswith("_id")]
        order = [*([sql.SQL("r.ord")] if query.compare_periods else []), sql.SQL("r.rank"), *ids]
        statement = sql.SQL("SELECT {} FROM ({}) AS r WHERE r.rank <= {} ORDER BY {} LIMIT {}").format(
            sql.SQL(", ").join(sql.SQL("r.{}").format(_ident(c)) for c in columns),
            body,
            statement_of.value(query.limit or 1),
            sql.SQL(", ").join(order),
            statement_of.value(MAX_ROWS + 1),
        )
    else:
        statement = body
        if grouped and ordered:
            order_columns = [
                c
                for c in columns
                if c
                in (
                    "month",
                    "week",
                    "day",
                    "status",
                    "objective",
                    "industry",
                    "country",
                    "channel",
                    "market",
                    "brand",
                    "campaign",
                )
            ]
            order = [*([_ident("ord")] if query.compare_periods else []), *map(_ident, order_columns)]
            if order:
                statement += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(order)
            statement += sql.SQL(" LIMIT {}").format(statement_of.value(MAX_ROWS + 1))
    grain = " + ".join(part.grain.table for part in parts)
    return BuiltQuery(statement=statement, params=params, columns=columns, grain=grain, label_columns=labels)


def over_time_problem(
    over_time: str, metrics: list[Metric], group_by: list[Dimension], ranked: bool, compared: bool
) -> tuple[str, str] | None:
    """Why a running total or a change from row to row cannot be given (English, Spanish), or None: it needs a
    breakdown by month, week or day of one period, not ranked; a running total needs figures that add up. The one
    rule for the parser's readings and the structured queries clients send."""
    if ranked or compared or not {Dimension.month, Dimension.week, Dimension.day} & set(group_by):
        return (
            "A running total or a change from row to row needs a breakdown by month, week or day of one period, "
            "without a ranking or compared periods.",
            "Un acumulado o un cambio de fila a fila necesita un desglose por mes, semana o día de un periodo, "
            "sin ranking ni periodos comparados.",
        )
    not_additive = [m.value for m in metrics if DEFINITIONS[m].kind != "sum"]
    if over_time == "running" and not_additive:
        return (
            f"A running total adds the rows up, and {', '.join(not_additive)} does not add up.",
            f"Un acumulado suma las filas, y {', '.join(not_additive)} no se suma.",
        )
    return None


def _over_time_columns(query: StructuredQuery) -> list[tuple[Metric, str, str]]:
    """(metric, column, kind) of the columns a running total or a change from the previous row adds."""
    if query.over_time == "running":
        return [(metric, f"{metric.value}_running", "running") for metric in query.metrics]
    if query.over_time == "change":
        return [
            (metric, f"{metric.value}_{kind}", kind) for metric in query.metrics for kind in ("change", "change_pct")
        ]
    return []


def _over_time(query: StructuredQuery, keys: list[str]) -> tuple[list[sql.Composable], list[str]]:
    """Window columns over the rows of a breakdown by month, week or day (each other breakdown apart): a running
    total, or the change from the previous row (absolute, and relative in percent of the previous value)."""
    time = next(wh.GROUP_KEYS[d] for d in query.group_by if d in (Dimension.month, Dimension.week, Dimension.day))
    others = [key for key in keys if key != time]
    partition = sql.SQL("PARTITION BY {} ").format(sql.SQL(", ").join(map(_ident, others))) if others else sql.SQL("")
    window = sql.SQL("OVER ({}ORDER BY {})").format(partition, _ident(time))
    selects: list[sql.Composable] = []
    for metric, column, kind in _over_time_columns(query):
        value = _ident(metric.value)
        previous = sql.SQL("lag({}) {}").format(value, window)
        if kind == "running":
            expression = sql.SQL("sum({}) OVER ({}ORDER BY {} ROWS UNBOUNDED PRECEDING)").format(
                value, partition, _ident(time)
            )
        elif kind == "change":
            expression = sql.SQL("{} - {}").format(value, previous)
        else:
            expression = sql.SQL("round(100 * ({} - {})::numeric / nullif(abs({}), 0), 2)").format(
                value, previous, previous
            )
        selects.append(sql.SQL("{} AS {}").format(expression, _ident(column)))
    return selects, [column for _, column, _ in _over_time_columns(query)]


def share_columns(query: StructuredQuery) -> list[tuple[Metric, str, str]]:
    """The total and share columns of a share query: ``(metric, "<metric>_total", "<metric>_share")``."""
    return [(metric, f"{metric.value}_total", f"{metric.value}_share") for metric in query.metrics]


def _shares(query: StructuredQuery) -> BuiltQuery:
    """Each row's figures with the total over all values of ``share_of`` and the row's share of it: the query as
    asked (its filters on ``share_of`` pick the part) joined to the same query without them and without a
    breakdown by ``share_of`` (the whole). Only totals have shares: a ratio or a distinct count summed over
    channels or markets is not the whole's."""
    assert query.share_of is not None
    not_totals = [
        metric
        for metric in query.metrics
        if DEFINITIONS[metric].kind != "sum" or not set(required_measures(metric)) <= set(wh.ADDITIVE)
    ]
    if not_totals:
        names_en, names_es = metric_names(not_totals)
        raise Unanswerable(
            f"A share of the total is computed for totals only (spend, leads, sales …); {names_en} is not a total, "
            "so its parts do not add up to the whole.",
            f"La participación en el total se calcula solo para totales (gasto, leads, ventas …); {names_es} no es "
            "un total, así que sus partes no suman el todo.",
        )
    part = query.model_copy(update={"share_of": None})
    rest = [dimension for dimension in query.group_by if dimension is not query.share_of]
    whole = query.model_copy(
        update={
            "share_of": None,
            "filters": [ref for ref in query.filters if ref.dimension is not query.share_of],
            "group_by": rest,
            "intent": Intent.breakdown if rest else (Intent.comparison if query.compare_periods else Intent.value),
            "order_by": None,
            "limit": None,
            "having": None,
        }
    )
    built_part, built_whole = build(part), build(whole, ordered=False)
    keys = [*(["period"] if query.compare_periods else []), *(wh.GROUP_KEYS[dimension] for dimension in rest)]
    shares = share_columns(query)
    select = [sql.SQL("p.{}").format(_ident(column)) for column in built_part.columns]
    for metric, total, share in shares:
        select.append(sql.SQL("w.{} AS {}").format(_ident(metric.value), _ident(total)))
        select.append(
            sql.SQL("p.{m}::numeric / NULLIF(w.{m}, 0) AS {s}").format(m=_ident(metric.value), s=_ident(share))
        )
    join = (
        sql.SQL("LEFT JOIN ({}) AS w USING ({})").format(built_whole.statement, sql.SQL(", ").join(map(_ident, keys)))
        if keys
        else sql.SQL("CROSS JOIN ({}) AS w").format(built_whole.statement)
    )
    # the part's own order (its ranking or breakdown order) is kept through the join by its row number
    statement = sql.SQL(
        "SELECT {} FROM (SELECT x.*, row_number() OVER () AS share_row FROM ({}) AS x) AS p {} ORDER BY p.share_row"
    ).format(sql.SQL(", ").join(select), built_part.statement, join)
    return BuiltQuery(
        statement=statement,
        params=[*built_part.params, *built_whole.params],
        columns=[*built_part.columns, *(column for _, total, share in shares for column in (total, share))],
        grain=built_part.grain,
        label_columns=built_part.label_columns,
    )

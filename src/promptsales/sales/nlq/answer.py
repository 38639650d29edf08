"""Runs a built query read-only with row and time limits, and words the result in the question's language."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
from psycopg import ClientCursor

from promptsales.sales.nlq.builder import MAX_ROWS, BuiltQuery, share_columns
from promptsales.sales.nlq.metrics import DEFINITIONS, formula, label, note
from promptsales.sales.nlq.model import Dimension, Intent, Metric, StructuredQuery
from promptsales.sales.nlq.thresholds import SYMBOL
from promptsales.sales.nlq.words import quoted

#: Statuses and lifecycle events in answers: (English, Spanish).
STATUS_LABELS = {
    "active": ("active", "activas"),
    "finished": ("finished", "finalizadas"),
    "paused": ("paused", "pausadas"),
    "cancelled": ("cancelled", "canceladas"),
    "draft": ("draft", "borrador"),
}
LIFECYCLE_LABELS = {
    "started": ("campaigns started in", "campañas iniciadas en"),
    "ended": ("campaigns ended in", "campañas terminadas en"),
    "running": ("campaigns running in", "campañas en curso en"),
}
PER_LABELS = {
    "campaign": ("average per campaign", "promedio por campaña"),
    "day": ("average per day", "promedio por día"),
    "month": ("average per month", "promedio por mes"),
}

#: Statement timeout of a question's query.
STATEMENT_TIMEOUT_MS = 3000


def execute(conn: psycopg.Connection, built: BuiltQuery) -> tuple[list[list[object]], bool, str]:
    """Rows (at most :data:`MAX_ROWS`), whether more existed, and the SQL with its values shown inline."""
    with conn.transaction():
        conn.execute("SET TRANSACTION READ ONLY")
        conn.execute("SELECT set_config('statement_timeout', %s, true)", (str(STATEMENT_TIMEOUT_MS),))
        rows = [list(row) for row in conn.execute(built.statement, built.params).fetchall()]
    shown = ClientCursor(conn).mogrify(built.statement, built.params)
    truncated = len(rows) > MAX_ROWS
    return rows[:MAX_ROWS], truncated, shown


def plain(value: object) -> object:
    """JSON-friendly value: Decimal → float (exact at 6 decimals), dates → ISO."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _number(value: object) -> float:
    """A figure of a result row (int, Decimal or float) as a float."""
    if not isinstance(value, int | float | Decimal):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def format_value(metric: Metric, value: object, language: str) -> str:
    """``$1,234.50``, ``12.3%``, ``1,234.50 h`` or ``1,234`` by the metric's unit, with Spanish separators in
    Spanish."""
    if value is None:
        return "sin datos" if language == "es" else "no data"
    unit = DEFINITIONS[metric].unit
    number = _number(value)
    if unit == "usd":
        text = f"${number:,.2f}"
    elif unit == "ratio":
        text = f"{number * 100:,.2f}%"
    elif unit == "hours":
        text = f"{number:,.2f} h"
    elif unit == "multiple":
        text = f"{number:,.2f}x"
    else:
        text = f"{int(number):,}"
    return _in_language(text, language)


def _in_language(number: str, language: str) -> str:
    """A number written with English separators ("1,234.50"), with Spanish ones in Spanish ("1.234,50")."""
    if language != "es":
        return number
    return number.replace(",", "\u00a0").replace(".", ",").replace("\u00a0", ".")


#: How a filter on a campaign's objective or its brand's industry is stated ("objective: leads").
CLASS_LABELS = {Dimension.objective: ("objective", "objetivo"), Dimension.industry: ("industry", "industria")}


def _scope(query: StructuredQuery) -> str:
    es = query.language == "es"
    parts = [
        f"{CLASS_LABELS[ref.dimension][es]}: {ref.name}" if ref.dimension in CLASS_LABELS else ref.name
        for ref in query.filters
    ]
    if query.status:
        parts.append(STATUS_LABELS[query.status][es])
    for event in query.lifecycle:
        parts.append(f"{LIFECYCLE_LABELS[event.event][es]} {event.period.label}")
    if query.period:
        parts.append(query.period.label)
    if query.per:
        parts.append(PER_LABELS[query.per][es])
    if query.having is not None:
        having = query.having
        shown = format_value(having.metric, having.value, query.language)
        parts.append(f"{label(having.metric, query.language)} {SYMBOL[having.op]} {shown}")
    return f" ({', '.join(parts)})" if parts else ""


def definitions(query: StructuredQuery) -> str:
    """`` Cost per sale = spend ÷ number of sales; reach: summed over days …`` — how each derived metric of the
    answer is computed, and where a common reading of a name differs from the figure (or "")."""
    parts = []
    for metric in query.metrics:
        written = formula(metric, query.language)
        caveat = note(metric, query.language)
        if written:
            parts.append(written + (f" ({caveat})" if caveat else ""))
        elif caveat:
            parts.append(f"{label(metric, query.language)}: {caveat}")
    return (" " + "; ".join(part[0].upper() + part[1:] for part in parts) + ".") if parts else ""


def _ties(records: list[dict[str, object]], metric: Metric) -> list[int]:
    """The rank of each row of a ranking (rows with the same value share a rank); a ranking per compared
    period ranks again from 1 in each period."""
    ranks: list[int] = []
    first = 0  # index of the first row of the current period
    for index, record in enumerate(records):
        if index and record.get("period") != records[index - 1].get("period"):
            first = index
        same = index > first and record.get(metric.value) == records[index - 1].get(metric.value)
        ranks.append(ranks[-1] if same else index - first + 1)
    return ranks


def _row_name(row: dict[str, object], query: StructuredQuery) -> str:
    names = []
    for dimension in query.group_by:
        names.append(str(row.get(dimension.value)))
    if "period" in row:
        names.insert(0, str(row["period"]))
    return " / ".join(names)


def ignored_note(ignored: list[str], language: str) -> str:
    """`` (ignored: 'please exactly')`` — the words of the question the answer did not use, or nothing."""
    if not ignored:
        return ""
    return f" (ignoré: {quoted(ignored)})" if language == "es" else f" (ignored: {quoted(ignored)})"


def summarize(query: StructuredQuery, columns: list[str], rows: list[list[object]], truncated: bool) -> str:
    """A one- or two-sentence answer (and each row's share of the total, when asked)."""
    text = _summary(query, columns, rows, truncated)
    return text + _shares(query, columns, rows) if query.share_of is not None and rows else text


def _shares(query: StructuredQuery, columns: list[str], rows: list[list[object]]) -> str:
    """ " Share of the total leads (all channels): TikTok 12.35% of 101,000." — the first rows' shares."""
    es = query.language == "es"
    assert query.share_of is not None
    metric = query.order_by or query.metrics[0]
    total, share = next((total, share) for shared, total, share in share_columns(query) if shared is metric)
    if share not in columns:
        return ""
    whole = {
        Dimension.channel: ("todos los canales", "all channels"),
        Dimension.market: ("todos los mercados", "all markets"),
        Dimension.country: ("todos los países", "all countries"),
        Dimension.brand: ("todas las marcas", "all brands"),
        Dimension.campaign: ("todas las campañas", "all campaigns"),
        Dimension.objective: ("todos los objetivos", "all objectives"),
        Dimension.industry: ("todas las industrias", "all industries"),
    }.get(query.share_of, (query.share_of.value, query.share_of.value))[0 if es else 1]
    if any(ref.dimension is not query.share_of for ref in query.filters) or query.status or query.lifecycle:
        whole += " de este alcance" if es else " in this scope"
    parts = []
    for row in rows[:5]:
        record = dict(zip(columns, row))
        name = _row_name(record, query) or ", ".join(
            ref.name for ref in query.filters if ref.dimension is query.share_of
        )
        value = record.get(share)
        shown = "—" if value is None else _in_language(f"{_number(value) * 100:,.2f}%", query.language)
        of = format_value(metric, record.get(total), query.language)
        parts.append(f"{name}: {shown} " + (f"de {of}" if es else f"of {of}"))
    head = (
        f" Participación en el total de {label(metric, 'es')} ({whole}): "
        if es
        else f" Share of the total {label(metric, 'en')} ({whole}): "
    )
    return head + "; ".join(parts) + "."


def _summary(query: StructuredQuery, columns: list[str], rows: list[list[object]], truncated: bool) -> str:
    """A one- or two-sentence answer."""
    es = query.language == "es"
    scope = _scope(query)
    if query.rank_change is not None and "change" in columns:
        return _change_ranking(query, columns, rows)
    if not rows or all(row[columns.index(m.value)] is None for row in rows for m in query.metrics):
        return f"No hay resultados registrados{scope}." if es else f"No results are recorded{scope}."
    records = [dict(zip(columns, row)) for row in rows]
    if query.intent is Intent.funnel:
        lines = []
        for record in records[:5]:
            stages, previous = [], None
            for metric in query.metrics:
                value = record.get(metric.value)
                step = f"{label(metric, query.language)} {format_value(metric, value, query.language)}"
                if previous not in (None, 0) and value is not None:
                    step += f" ({_number(value) / _number(previous) * 100:.1f}%)"
                stages.append(step)
                previous = value
            name = _row_name(record, query)
            lines.append((f"{name}: " if name else "") + " → ".join(stages))
        more = (
            "" if len(records) <= 5 else (f" (y {len(records) - 5} más)" if es else f" (and {len(records) - 5} more)")
        )
        return ("Embudo" if es else "Funnel") + f"{scope}: " + "; ".join(lines) + more + "."
    if query.intent is Intent.value:
        parts = [
            f"{label(m, query.language)}{scope}: {format_value(m, records[0][m.value], query.language)}"
            for m in query.metrics
        ]
        return "; ".join(parts) + "."
    metric = query.order_by or query.metrics[0]
    others = [m for m in query.metrics if m is not metric and m.value in columns][:3]

    def also(record: dict[str, object]) -> str:
        """The row's other figures asked for ("… $183,338.03 (sales amount $10,156.00)")."""
        shown = ", ".join(
            f"{label(m, query.language)} {format_value(m, record[m.value], query.language)}" for m in others
        )
        return f" ({shown})" if shown else ""

    listed = [
        f"{_row_name(r, query)}: {format_value(metric, r.get(metric.value), query.language)}{also(r)}"
        for r in records[:5]
    ]
    more = "" if len(records) <= 5 else (f" (y {len(records) - 5} más)" if es else f" (and {len(records) - 5} more)")
    if query.intent is Intent.ranking:
        dimension = query.group_by[0].value
        ranks = _ties(records, metric)
        head = (
            f"Top {query.limit or 1} por {label(metric, 'es')}{scope}"
            if es
            else f"Top {query.limit or 1} {_plural(dimension)} by {label(metric, 'en')}{scope}"
        )
        if (query.limit or 1) >= 100 and len(records) < 100:  # "rank the channels by CPL": all of them
            head = (
                f"Ranking por {label(metric, 'es')}{scope}"
                if es
                else f"{_upper_first(_plural(dimension))} ranked by {label(metric, 'en')}{scope}"
            )
        tied = ""
        if len(records) > (query.limit or 1) * max(1, len(query.compare_periods)):
            tied = (
                f" Empate: {len(records)} filas comparten los primeros {query.limit or 1} puestos; se muestran todas."
                if es
                else f" Tie: {len(records)} rows share the top {query.limit or 1} places; all are shown."
            )
        return f"{head}: " + "; ".join(f"{rank}. {text}" for rank, text in zip(ranks, listed)) + more + "." + tied
    if query.intent is Intent.comparison and len(records) == 2:
        a, b = (r.get(metric.value) for r in records)
        change = ""
        if a is not None and b is not None:
            difference = _number(b) - _number(a)
            absolute = format_value(metric, abs(difference), query.language)
            change = f" ({'+' if difference >= 0 else '−'}{absolute}"
            if a != 0:
                change += f", {difference / _number(a) * 100:+.1f}%"
            if query.compare_periods:  # periods are compared from the earlier to the later
                first, last = query.compare_periods[0].label, query.compare_periods[-1].label
                change += f" de {first} a {last}" if es else f" from {first} to {last}"
            else:
                first, last = _row_name(records[0], query), _row_name(records[1], query)
                change += f" de {first} a {last}" if es else f" from {first} to {last}"
            change += ")"
        return f"{_upper_first(label(metric, query.language))}{scope}: " + " vs ".join(listed) + change + "."
    by = {
        Dimension.month: ("mes", "month"),
        Dimension.week: ("semana (lunes)", "week (Monday)"),
        Dimension.day: ("día", "day"),
        Dimension.channel: ("canal", "channel"),
        Dimension.market: ("mercado", "market"),
        Dimension.country: ("país", "country"),
        Dimension.brand: ("marca", "brand"),
        Dimension.campaign: ("campaña", "campaign"),
        Dimension.status: ("estado", "status"),
        Dimension.objective: ("objetivo", "objective"),
        Dimension.industry: ("industria", "industry"),
    }
    heading = ", ".join(by.get(d, (d.value, d.value))[0 if es else 1] for d in query.group_by) or (
        "periodo" if es else "period"
    )
    cut = (" Resultado recortado a 500 filas." if es else " Result cut at 500 rows.") if truncated else ""
    return (
        (
            f"{_upper_first(label(metric, query.language))} por {heading}{scope}: "
            if es
            else f"{_upper_first(label(metric, query.language))} by {heading}{scope}: "
        )
        + "; ".join(listed)
        + more
        + "."
        + cut
    )


def _change_ranking(query: StructuredQuery, columns: list[str], rows: list[list[object]]) -> str:
    """ "Top 1 channels by change in sales amount from November 2025 to December 2025: 1. Email marketing:
    +$x (+y%; $a → $b)"."""
    es = query.language == "es"
    metric = query.order_by or query.metrics[0]
    first, last = query.compare_periods[0].label, query.compare_periods[-1].label
    name = label(metric, query.language)
    if not rows:
        return "No hay resultados registrados." if es else "No results are recorded."
    listed = []
    records = [dict(zip(columns, row)) for row in rows]
    ranks: list[int] = []
    for index, record in enumerate(records):
        key = "change" if query.rank_change == "absolute" else "relative_change"
        same = index and record.get(key) == records[index - 1].get(key)
        ranks.append(ranks[-1] if same else index + 1)
        change, relative = record.get("change"), record.get("relative_change")
        sign = "+" if change is not None and _number(change) >= 0 else "−"
        text = f"{sign}{format_value(metric, abs(_number(change)), query.language)}" if change is not None else "–"
        if relative is not None:
            text += f" ({_number(relative) * 100:+.1f}%"
            text += f"; {format_value(metric, record.get('earlier'), query.language)} → "
            text += f"{format_value(metric, record.get('later'), query.language)})"
        listed.append(f"{ranks[-1]}. {_row_name(record, query)}: {text}")
    how = (
        ("el cambio porcentual" if es else "the relative change")
        if query.rank_change == "relative"
        else ("el cambio" if es else "the change")
    )
    head = (
        f"Top {query.limit or 1} por {how} de {name} de {first} a {last}"
        if es
        else f"Top {query.limit or 1} {_plural(query.group_by[0].value)} by {how} in {name} from {first} to {last}"
    )
    tied = ""
    if len(records) > (query.limit or 1):
        tied = (
            f" Empate: {len(records)} filas comparten los primeros {query.limit or 1} puestos; se muestran todas."
            if es
            else f" Tie: {len(records)} rows share the top {query.limit or 1} places; all are shown."
        )
    return f"{head}: " + "; ".join(listed[:5]) + "." + tied


def _plural(noun: str) -> str:
    """ "campaigns", "countries"."""
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def _upper_first(text: str) -> str:
    """``"cPM"`` stays, ``"sales amount"`` → ``"Sales amount"`` (``str.capitalize`` would lower "CPM")."""
    return text[:1].upper() + text[1:]

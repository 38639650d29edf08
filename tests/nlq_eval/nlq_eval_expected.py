"""Expected answers computed by SQL over the SOURCE databases (PromptAds, PromptCRM, the portal), never the
warehouse.

Each source is read as its read-only ``etl`` role. The company databases are separate, so a question that
needs facts of two of them is written against PromptCRM, where this module first copies the PromptAds
catalogues and monthly results and the portal's sales goals into temporary tables (``x_*``, session-local,
nothing is written to a source).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from nlq_eval_cases import Intent, Query
from nlq_eval_text import fold

from promptsales.config import Settings
from promptsales.db.connect import connect

#: Temporary tables created in the PromptCRM session: name → (source, query producing its rows).
CROSS_SOURCE_TABLES: dict[str, tuple[str, str]] = {
    "x_campaigns": (
        "ads",
        "SELECT campaign_id, brand_id, product_id, name, objective, status, budget, start_date, end_date "
        "FROM ads.campaigns",
    ),
    "x_brands": ("ads", "SELECT brand_id, name, industry, country_code FROM ads.brands"),
    "x_channels": ("ads", "SELECT channel_id, code, name, kind FROM ads.channels"),
    "x_markets": ("ads", "SELECT market_id, country_code, country, region, segment, city FROM ads.markets"),
    "x_campaign_channels": ("ads", "SELECT campaign_id, channel_id FROM ads.campaign_channels"),
    "x_campaign_markets": ("ads", "SELECT campaign_id, market_id FROM ads.campaign_markets"),
    "x_results_month": (
        "ads",
        "SELECT campaign_id, channel_id, market_id, date_trunc('month', result_date)::date AS month, "
        "sum(views) AS views, sum(likes) AS likes, sum(interactions) AS interactions, sum(clicks) AS clicks, "
        "sum(leads) AS leads, sum(sales) AS sales, sum(hours_of_exposure) AS hours, "
        "sum(audience_reached) AS reach, sum(cost) AS cost, sum(revenue) AS revenue "
        "FROM ads.ad_results GROUP BY 1, 2, 3, 4",
    ),
    "x_goals": (
        "sales",
        "SELECT campaign_id, client_company_id, period_start, period_end, target_sales_count, target_amount "
        "FROM portal.sales_goals",
    ),
}


@dataclass(frozen=True)
class Table:
    """A result: column names and rows of plain values (numbers as float, dates as ISO text)."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]


def plain(value):
    """A database value as a plain JSON-like value (Decimal → float, date → ISO text)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


class SourceReader:
    """Read-only sessions on the three source databases, with the cross-source tables in PromptCRM's."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.connections = {name: connect(name, "etl", settings=settings) for name in ("ads", "crm", "sales")}
        for conn in self.connections.values():
            conn.autocommit = True
        self._copy_cross_source_tables()

    def _copy_cross_source_tables(self) -> None:
        crm = self.connections["crm"]
        for table, (source, query) in CROSS_SOURCE_TABLES.items():
            with self.connections[source].cursor() as cursor:
                cursor.execute(query)
                columns = [(column.name, column.type_display) for column in cursor.description]
                rows = cursor.fetchall()
            definition = ", ".join(f'"{name}" {kind}' for name, kind in columns)
            crm.execute(f"CREATE TEMP TABLE {table} ({definition})")  # names from the constant above only
            with crm.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            crm.execute(f"ANALYZE {table}")

    def run(self, query: Query, parameters: dict | None = None) -> Table:
        """The rows of one expected-answer query (read-only transaction), with the intent's bound values."""
        conn = self.connections[query.source]
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(query.sql, parameters or None)
            columns = tuple(column.name for column in cursor.description)
            rows = tuple(tuple(plain(value) for value in row) for row in cursor.fetchall())
        return Table(columns, rows)

    def close(self) -> None:
        """Close the sessions (the temporary tables go with them)."""
        for conn in self.connections.values():
            conn.close()


@dataclass
class Expected:
    """What the sources say: each intent's bound names and the tables of its accepted readings."""

    bindings: dict[str, dict]
    tables: dict[str, list[Table]]
    seconds: float

    def degenerate(self) -> list[str]:
        """Intents whose bind query found nothing, or whose first reading is empty or has a NULL: the data no
        longer holds what the question was written about (e.g. after a generator change)."""
        bad = [intent_id for intent_id, values in self.bindings.items() if not values]
        for intent_id, tables in self.tables.items():
            first = tables[0]
            if not first.rows or any(value is None for row in first.rows for value in row):
                bad.append(intent_id)
        return sorted(set(bad))


def bound_values(reader: SourceReader, intent: Intent) -> dict:
    """The intent's bound names (first row of its ``bind`` query), each text also folded as ``<name>_plain``
    (lower case, no accents: how people type names in a hurry)."""
    if intent.bind is None:
        return {}
    table = reader.run(intent.bind)
    if not table.rows:
        return {}
    values = dict(zip(table.columns, table.rows[0], strict=True))
    return values | {f"{name}_plain": fold(value) for name, value in values.items() if isinstance(value, str)}


def expected_answers(reader: SourceReader, intents: Iterable[Intent]) -> Expected:
    """Bound names and expected tables of every intent, timed."""
    started, intents = time.perf_counter(), list(intents)
    bindings = {intent.id: bound_values(reader, intent) for intent in intents if intent.bind}
    tables = {
        intent.id: [reader.run(query, bindings.get(intent.id)) for query in intent.queries]
        for intent in intents
        if intent.queries and (intent.bind is None or bindings[intent.id])
    }
    return Expected(bindings, tables, time.perf_counter() - started)

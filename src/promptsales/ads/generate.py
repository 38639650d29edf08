"""``promptsales seed`` for PromptAds: draw the history (:mod:`promptsales.ads.model`) and load it with COPY.

The load runs in one transaction as the owner role: the generated tables are truncated, every table is
filled with ``COPY … FROM STDIN`` (text format, written in blocks), identity sequences are moved past the
loaded ids, and the transaction commits — so a failed seed leaves the previous data untouched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import psycopg
from psycopg import sql

from promptsales.ads import binary_copy, model
from promptsales.ads.catalog import WINDOW_START
from promptsales.db.connect import connect
from promptsales.seeding import SeedContext

#: Load order (parents before children).
LOAD_ORDER: tuple[str, ...] = (
    "ads.channels",
    "ads.markets",
    "ads.audiences",
    "ads.brands",
    "ads.products",
    "ads.campaigns",
    "ads.campaign_channels",
    "ads.campaign_markets",
    "ads.ads",
    "ads.ad_results",
    "ads.influencers",
    "ads.influencer_reactions",
    "ads.sentiment_observations",
    "ads.logs",
)
#: Identity columns whose sequences must continue after the loaded ids.
IDENTITIES: tuple[tuple[str, str], ...] = (
    ("ads.brands", "brand_id"),
    ("ads.products", "product_id"),
    ("ads.campaigns", "campaign_id"),
    ("ads.ads", "ad_id"),
    ("ads.influencers", "influencer_id"),
    ("ads.sentiment_observations", "observation_id"),
    ("ads.logs", "log_id"),
)
DATE_COLUMNS = {"start_date", "end_date", "result_date", "reaction_date", "observed_on"}
BLOCK_ROWS = 100_000
DEFER_ROWS = 50_000  # tables at least this big are loaded without their FKs/secondary indexes, then rebuilt


def is_seeded(ctx: SeedContext) -> bool:
    """True when PromptAds already has campaigns."""
    with connect("ads", "app", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        return conn.execute("SELECT EXISTS (SELECT 1 FROM ads.campaigns)").fetchone()[0]


def seed(ctx: SeedContext) -> dict[str, int]:
    """Generate the PromptAds history for ``ctx.scale`` / ``ctx.seed`` and load it; rows per table."""
    progress = ctx.progress
    task = progress.add_task("ads: generate", total=len(LOAD_ORDER) + 1) if progress else None
    history = model.generate(ctx.seed, ctx.scale)
    if progress:
        progress.update(task, advance=1, description="ads: load (COPY)")
    with connect("ads", "owner", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        loaded = load(conn, history, on_table=(lambda _t: progress.update(task, advance=1)) if progress else None)
    if progress:
        progress.update(task, description="ads: done")
    return loaded


def load(conn: psycopg.Connection, history: model.History, on_table=None) -> dict[str, int]:
    """Replace the generated tables with ``history`` in one transaction; returns rows per table."""
    loaded: dict[str, int] = {}
    with conn.transaction():
        conn.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(_table_ident(name) for name in LOAD_ORDER)
            )
        )
        for name in LOAD_ORDER:
            columns = history.tables[name]
            if len(next(iter(columns.values()))) >= DEFER_ROWS:
                with deferred_constraints(conn, name):
                    loaded[name.removeprefix("ads.")] = copy_table(conn, name, columns)
            else:
                loaded[name.removeprefix("ads.")] = copy_table(conn, name, columns)
            if on_table:
                on_table(name)
        for table, column in IDENTITIES:
            conn.execute(
                sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), greatest(1, (SELECT max({}) FROM {})))").format(
                    sql.Identifier(column), _table_ident(table)
                ),
                (table, column),
            )
    conn.execute("ANALYZE ads.ad_results, ads.campaigns, ads.ads, ads.influencer_reactions, ads.sentiment_observations")
    return loaded


@contextmanager
def deferred_constraints(conn: psycopg.Connection, table: str) -> Iterator[None]:
    """Bulk-load pattern of pg_restore: drop the table's foreign keys and secondary indexes, load, re-create.

    Re-creating a foreign key validates every row in one set-based join and an index is built in one
    sort, both much faster than checking/inserting row by row during COPY. Runs inside the caller's
    transaction, so a failure restores everything.
    """
    schema, name = table.split(".")
    fks = conn.execute(
        """SELECT conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace
           WHERE n.nspname = %s AND t.relname = %s AND c.contype = 'f' ORDER BY conname""",
        (schema, name),
    ).fetchall()
    indexes = conn.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.schemaname = %s AND i.tablename = %s
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname
                             AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = %s))
           ORDER BY i.indexname""",
        (schema, name, schema),
    ).fetchall()
    for conname, _ in fks:
        conn.execute(sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(_table_ident(table), sql.Identifier(conname)))
    for indexname, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, indexname)))
    yield
    for _, indexdef in indexes:
        conn.execute(indexdef.encode())
    for conname, definition in fks:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ")
            .format(_table_ident(table), sql.Identifier(conname))
            .as_string(conn)
            .encode()
            + definition.encode()
        )


def copy_table(conn: psycopg.Connection, table: str, columns: model.Columns) -> int:
    """COPY in binary when every column is numeric/date (no per-value Python work), else in text format."""
    types = binary_copy.column_types(conn, table)
    if binary_copy.supported(types, columns):
        return binary_copy.copy_binary(conn, table, columns, types)
    return copy_columns(conn, table, columns)


def copy_columns(conn: psycopg.Connection, table: str, columns: model.Columns) -> int:
    """COPY the column arrays into ``table`` (text format, formatted and written block by block); returns rows."""
    names = list(columns)
    rows = len(next(iter(columns.values())))
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        _table_ident(table), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for begin in range(0, rows, BLOCK_ROWS):
            end = min(rows, begin + BLOCK_ROWS)
            block = [format_column(name, slice_column(values, begin, end)) for name, values in columns.items()]
            copy.write("".join("\t".join(r) + "\n" for r in zip(*block)))
    return rows


def slice_column(values, begin: int, end: int):
    """Rows ``begin:end`` of a column, keeping its formatting wrapper."""
    if isinstance(values, model.Timestamp):
        return model.Timestamp(np.asarray(values)[begin:end], values.seconds[begin:end])
    if isinstance(values, model.Fixed):
        return model.Fixed(np.asarray(values)[begin:end], values.digits)
    return values[begin:end]


def format_column(name: str, values) -> list[str]:
    """Text-format COPY representation of one column."""
    if isinstance(values, model.Cents):
        cents = np.asarray(values)
        return [f"{c // 100}.{c % 100:02d}" for c in cents.tolist()]
    if isinstance(values, model.Fixed):
        digits = values.digits
        return [f"{v:.{digits}f}" for v in np.asarray(values).tolist()]
    if isinstance(values, model.Timestamp):
        days = np.asarray(values)
        stamp = _day_strings(days)
        seconds = values.seconds
        return [f"{d} {s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}+00" for d, s in zip(stamp, seconds.tolist())]
    if isinstance(values, model.Nullable):
        return [escape(v) if v else "\\N" for v in np.asarray(values).tolist()]
    array = np.asarray(values)
    if name in DATE_COLUMNS:
        return _day_strings(array)
    if array.dtype.kind in "iu":
        return array.astype(str).tolist()
    if array.dtype.kind == "f":
        return [repr(v) for v in array.tolist()]
    return [escape(v) for v in array.tolist()]


def escape(text: str) -> str:
    """Escape a value for COPY text format."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _day_strings(days: np.ndarray) -> list[str]:
    days = np.asarray(days, dtype=np.int64)
    low, high = int(days.min()), int(days.max())
    base = np.datetime64(WINDOW_START.isoformat()) + np.arange(low, high + 1).astype("timedelta64[D]")
    vocab = base.astype(str)
    return vocab[days - low].tolist()


def _table_ident(name: str) -> sql.Composable:
    schema, table = name.split(".")
    return sql.Identifier(schema, table)


def timed_seed(ctx: SeedContext) -> tuple[dict[str, int], float, float]:
    """Seed and measure: (rows per table, seconds generating, seconds loading) — used by the benchmark."""
    began = time.perf_counter()
    history = model.generate(ctx.seed, ctx.scale)
    generated = time.perf_counter()
    with connect("ads", "owner", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        loaded = load(conn, history)
    return loaded, generated - began, time.perf_counter() - generated

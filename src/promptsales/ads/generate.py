"""``promptsales seed`` for PromptAds: draw the history (:mod:`promptsales.ads.model`) and load it with COPY.

The load runs in one transaction as the owner role: the generated tables are truncated, every table is
filled with ``COPY … FROM STDIN`` — in binary (:mod:`promptsales.db.bulk`) when all its columns are integers,
dates and cents, else in text format written in blocks — the big tables without their foreign keys and
secondary indexes (re-created after their COPY), identity sequences are moved past the loaded ids, and the
transaction commits — so a failed seed leaves the previous data untouched.
"""

from __future__ import annotations

import time
from datetime import date

import numpy as np
import psycopg

from promptsales.ads import comments, model
from promptsales.ads.catalog import WINDOW_START
from promptsales.db import bulk
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar
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
    "ads.social_comments",
    "ads.comment_annotations",
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
    ("ads.social_comments", "comment_id"),
    ("ads.logs", "log_id"),
)
#: Tables analysed right after the load (autovacuum analyses the others).
ANALYZED_TABLES = (
    "ads.ad_results",
    "ads.campaigns",
    "ads.ads",
    "ads.influencer_reactions",
    "ads.sentiment_observations",
)
DATE_COLUMNS = {"start_date", "end_date", "result_date", "reaction_date", "observed_on"}
DAY_OFFSET = (WINDOW_START - date(2000, 1, 1)).days  # model day 0 → days since the PostgreSQL epoch
#: Model columns that only have a text form here (the binary path takes plain integers and cents).
TEXT_ONLY = (model.Cents, model.Fixed, model.Timestamp, model.Nullable)
BLOCK_ROWS = 100_000
DEFER_ROWS = 50_000  # tables at least this big are loaded without their FKs/secondary indexes, then rebuilt


def is_seeded(ctx: SeedContext) -> bool:
    """True when PromptAds already has campaigns."""
    with connect("ads", "app", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        return scalar(conn, "SELECT EXISTS (SELECT 1 FROM ads.campaigns)")


def seed(ctx: SeedContext) -> dict[str, int]:
    """Generate the PromptAds history for ``ctx.scale`` / ``ctx.seed`` and load it; rows per table."""
    progress = ctx.progress
    task = progress.add_task("ads: generate", total=len(LOAD_ORDER) + 1) if progress else None

    def report(advance: int, description: str | None = None) -> None:
        if progress is not None and task is not None:
            progress.update(task, advance=advance, description=description)

    history = model.generate(ctx.seed, ctx.scale)
    history.tables.update(comments.comment_tables(history.tables, ctx.seed))
    report(1, "ads: load (COPY)")
    with connect("ads", "owner", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        loaded = load(conn, history, on_table=lambda _table: report(1))
    loaded["comment_sentiment"] = comments.classify(ctx)
    report(0, "ads: done")
    return loaded


def load(conn: psycopg.Connection, history: model.History, on_table=None) -> dict[str, int]:
    """Replace the generated tables with ``history`` in one transaction; returns rows per table."""
    loaded: dict[str, int] = {}
    with conn.transaction():
        bulk.truncate(conn, LOAD_ORDER, cascade=True)
        for name in LOAD_ORDER:
            columns = history.tables[name]
            if len(next(iter(columns.values()))) >= DEFER_ROWS:
                with bulk.suspended_constraints(conn, [name]):
                    loaded[name.removeprefix("ads.")] = copy_table(conn, name, columns)
            else:
                loaded[name.removeprefix("ads.")] = copy_table(conn, name, columns)
            if on_table:
                on_table(name)
        bulk.continue_identities(conn, IDENTITIES)
    bulk.analyze(conn, ANALYZED_TABLES)
    return loaded


def copy_table(conn: psycopg.Connection, table: str, columns: model.Columns) -> int:
    """COPY in binary when every column is numeric/date (no per-value Python work), else in text format."""
    declared = binary_columns(bulk.column_types(conn, table), columns)
    if declared is not None:
        return bulk.copy_columns(conn, table, declared)
    return copy_text(conn, table, columns)


def binary_columns(types: dict[str, str], columns: model.Columns) -> dict[str, bulk.Column] | None:
    """``columns`` declared for :func:`promptsales.db.bulk.copy_columns`, or None if one has no binary form here.

    ``types`` are the table's column types (:func:`promptsales.db.bulk.column_types`). Plain integers go into
    integer columns, model day indices into dates and cents into numerics; anything else goes in text.
    """
    declared: dict[str, bulk.Column] = {}
    for name, values in columns.items():
        kind = types.get(name, "")
        integers = not isinstance(values, TEXT_ONLY) and np.asarray(values).dtype.kind in "iu"
        if kind in bulk.INTEGER_TYPES and integers:
            declared[name] = (kind, values)
        elif kind == "date" and integers:
            declared[name] = ("date", np.asarray(values) + DAY_OFFSET)
        elif kind == "numeric" and isinstance(values, model.Cents):
            declared[name] = ("numeric", values)
        else:
            return None
    return declared


def copy_text(conn: psycopg.Connection, table: str, columns: model.Columns) -> int:
    """COPY the column arrays into ``table`` (text format, formatted and written block by block); returns rows."""
    rows = len(next(iter(columns.values())))
    with conn.cursor() as cur, cur.copy(bulk.copy_statement(table, columns, binary=False)) as copy:
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


def timed_seed(ctx: SeedContext) -> tuple[dict[str, int], float, float]:
    """Seed and measure: (rows per table, seconds generating, seconds loading) — used by the benchmark."""
    began = time.perf_counter()
    history = model.generate(ctx.seed, ctx.scale)
    history.tables.update(comments.comment_tables(history.tables, ctx.seed))
    generated = time.perf_counter()
    with connect("ads", "owner", settings=ctx.settings, dbname=ctx.database("ads")) as conn:
        loaded = load(conn, history)
    loaded["comment_sentiment"] = comments.classify(ctx)
    return loaded, generated - began, time.perf_counter() - generated

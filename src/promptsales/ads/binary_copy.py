"""COPY … (FORMAT BINARY) for purely numeric tables, built with numpy record arrays (no per-value Python).

Used by the PromptAds loader for the big fact tables (``ad_results``, ``influencer_reactions``), whose
columns are all integers, dates (model day indices) and two-decimal numerics (:class:`model.Cents`).
Binary layout (PostgreSQL docs, "COPY … Binary Format"): a signature header, then per row an int16 field
count followed by int32 length + big-endian value per field, then an int16 -1 trailer. A numeric is sent as
4 base-10000 digits with weight 2 (``d0·10⁸ + d1·10⁴ + d2 + d3·10⁻⁴``); the server strips leading zero digits.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import psycopg
from psycopg import sql

from promptsales.ads import model
from promptsales.ads.catalog import WINDOW_START

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
DAY_OFFSET = (WINDOW_START - date(2000, 1, 1)).days  # model day 0 → days since the PostgreSQL epoch
INT_TYPES = {"integer": ">i4", "smallint": ">i2", "bigint": ">i8"}
BLOCK_ROWS = 500_000


def column_types(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """``format_type`` of each column of ``schema.table``."""
    schema, name = table.split(".")
    rows = conn.execute(
        """SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped""",
        (schema, name),
    ).fetchall()
    return dict(rows)


def supported(types: dict[str, str], columns: model.Columns) -> bool:
    """True when every column can be sent in binary by this module."""
    for name, values in columns.items():
        kind = types.get(name, "")
        if kind in INT_TYPES or kind == "date":
            if isinstance(values, (model.Cents, model.Fixed, model.Timestamp, model.Nullable)):
                return False
            if np.asarray(values).dtype.kind not in "iu":
                return False
        elif kind.startswith("numeric"):
            if not isinstance(values, model.Cents):
                return False
        else:
            return False
    return True


def encode(types: dict[str, str], columns: model.Columns, begin: int, end: int) -> bytes:
    """Rows ``begin:end`` as binary COPY tuples (no header/trailer)."""
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, name in enumerate(columns):
        kind = types[name]
        fields.append((f"len{i}", ">i4"))
        if kind in INT_TYPES:
            fields.append((f"v{i}", INT_TYPES[kind]))
        elif kind == "date":
            fields.append((f"v{i}", ">i4"))
        else:  # numeric: ndigits, weight, sign, dscale, 4 digits
            fields.append((f"v{i}", ">i2", (8,)))
    rows = np.empty(end - begin, dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for i, (name, values) in enumerate(columns.items()):
        kind = types[name]
        data = np.asarray(values)[begin:end].astype(np.int64)
        if kind in INT_TYPES:
            limit = np.iinfo(np.dtype(INT_TYPES[kind])).max
            if data.size and (data.max() > limit or data.min() < -limit):
                raise ValueError(f"{name} out of range for {kind}")
            rows[f"len{i}"] = np.dtype(INT_TYPES[kind]).itemsize
            rows[f"v{i}"] = data
        elif kind == "date":
            rows[f"len{i}"] = 4
            rows[f"v{i}"] = data + DAY_OFFSET
        else:
            if data.size and data.min() < 0:
                raise ValueError(f"{name}: negative amounts are not encoded here")
            units, cents = np.divmod(data, 100)
            digits = np.empty((len(data), 8), dtype=np.int64)
            digits[:, 0] = 4  # ndigits
            digits[:, 1] = 2  # weight
            digits[:, 2] = 0  # sign: positive
            digits[:, 3] = 2  # dscale
            digits[:, 4] = units // 100_000_000
            digits[:, 5] = units // 10_000 % 10_000
            digits[:, 6] = units % 10_000
            digits[:, 7] = cents * 100
            if data.size and digits[:, 4].max() >= 10_000:
                raise ValueError(f"{name} too large for numeric encoding")
            rows[f"len{i}"] = 16
            rows[f"v{i}"] = digits
    return rows.tobytes()


def copy_binary(conn: psycopg.Connection, table: str, columns: model.Columns, types: dict[str, str]) -> int:
    """COPY ``columns`` into ``table`` in binary format; returns the row count."""
    rows = len(next(iter(columns.values())))
    schema, name = table.split(".")
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(schema, name), sql.SQL(", ").join(sql.Identifier(n) for n in columns)
    )
    with conn.cursor() as cur, cur.copy(statement) as copy:
        copy.write(HEADER)
        for begin in range(0, rows, BLOCK_ROWS):
            copy.write(encode(types, columns, begin, min(rows, begin + BLOCK_ROWS)))
        copy.write(TRAILER)
    return rows

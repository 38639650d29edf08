"""Bulk loading for the data generators: binary COPY built from numpy columns, in the pg_restore order.

A column to load is declared as ``(type, values)``:

* ``int2``, ``int4``, ``int8``, ``float8``, ``bool`` — numpy numbers;
* ``date`` — integer days since 2000-01-01 (PostgreSQL's epoch);
* ``timestamp``, ``timestamptz`` — integer microseconds since 2000-01-01 00:00 UTC (the binary form of both);
* ``numeric`` — integer cents ≥ 0, stored with two decimals;
* ``char:N`` — ASCII byte strings of exactly N bytes (text columns);
* ``bytes`` — a list of already-encoded values (UTF-8 text, bytea, :func:`text_array`).

PostgreSQL's binary COPY format (its docs, "COPY … Binary Format") is a signature header, then per row an int16
field count and, per field, an int32 byte length followed by the value in network byte order, then an int16
``-1`` trailer. When every column has a fixed width the rows form a numpy structured array filled column by
column; otherwise every field is scattered into one output buffer by index arithmetic. Either way no Python
object is made per value. A numeric goes as four base-10000 digits with weight 2
(``d0·10⁸ + d1·10⁴ + d2 + d3·10⁻⁴``); the server strips the leading zero digits.

Around the COPY: :func:`truncate` empties the tables, :func:`suspended_constraints` drops their foreign keys and
secondary indexes and re-creates them after the load (each foreign key validated by one set-based join, each
index built in one sort), :func:`continue_identities` moves identity sequences past the loaded ids and
:func:`analyze` refreshes the planner statistics. Everything runs in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
#: numpy big-endian dtype of the binary form of each fixed-width type (``numeric`` and ``char:N`` aside).
FIXED_DTYPES = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "float8": ">f8",
    "bool": "?",
    "date": ">i4",
    "timestamp": ">i8",
    "timestamptz": ">i8",
}
INTEGER_TYPES = ("int2", "int4", "int8")
#: Rows encoded per block when every column has a fixed width, and when some have variable lengths.
FIXED_BLOCK_ROWS = 500_000
VARIABLE_BLOCK_ROWS = 50_000

#: ``(type, values)`` as described in the module docstring.
Column = tuple[str, Any]


def table_identifier(table: str) -> sql.Identifier:
    """``schema.name`` as a quoted identifier."""
    return sql.Identifier(*table.split("."))


def copy_statement(table: str, names: Iterable[str], binary: bool = True) -> sql.Composed:
    """``COPY table (names) FROM STDIN``, in binary format unless ``binary`` is false."""
    return sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        table_identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, names)),
        sql.SQL(" (FORMAT BINARY)" if binary else ""),
    )


def column_types(conn: psycopg.Connection, table: str) -> dict[str, str]:
    """Type name (``int4``, ``numeric``, ``date``, ``text`` …) of each column of ``table``, from the catalog."""
    rows = conn.execute(
        "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
        "WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped",
        (table,),
    ).fetchall()
    return dict(rows)


# ---- binary COPY of numpy columns ---------------------------------------------------------------


def copy_columns(conn: psycopg.Connection, table: str, columns: Mapping[str, Column]) -> int:
    """COPY equally long declared columns (name → ``(type, values)``) into ``table`` in binary; returns rows."""
    rows = len(next(iter(columns.values()))[1])
    if rows == 0:
        return 0
    declared = list(columns.values())
    fixed = all(kind != "bytes" for kind, _ in declared)
    encode = _fixed_width_rows if fixed else _variable_width_rows
    block = FIXED_BLOCK_ROWS if fixed else VARIABLE_BLOCK_ROWS
    with conn.cursor() as cur, cur.copy(copy_statement(table, columns)) as copy:
        copy.write(HEADER)
        for begin in range(0, rows, block):
            end = min(rows, begin + block)
            copy.write(encode([(name, kind, values[begin:end]) for name, (kind, values) in columns.items()]))
        copy.write(TRAILER)
    return rows


def copy_rows(
    conn: psycopg.Connection,
    table: str,
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    types: Sequence[str] | None = None,
) -> int:
    """COPY rows of Python values: in binary with ``types`` (PostgreSQL type names), else in text; returns rows.

    For small tables or values numpy does not hold (decimals, JSON, arrays of text); big tables go through
    :func:`copy_columns`.
    """
    count = 0
    with conn.cursor() as cur, cur.copy(copy_statement(table, names, binary=types is not None)) as copy:
        if types is not None:
            copy.set_types(list(types))
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def text_array(values: list[str]) -> bytes:
    """Binary form of a one-dimensional ``text[]`` without NULLs (element type oid 25), for a ``bytes`` column."""
    encoded = [v.encode() for v in values]
    head = np.array([1, 0, 25, len(encoded), 1], dtype=">i4").tobytes()
    return head + b"".join(len(e).to_bytes(4, "big") + e for e in encoded)


def _field_dtype(kind: str) -> np.dtype:
    """numpy dtype of one fixed-width binary field."""
    if kind == "numeric":  # ndigits, weight, sign, dscale, 4 digits
        return np.dtype((">i2", (8,)))
    if kind.startswith("char:"):
        return np.dtype(f"S{kind.split(':', 1)[1]}")
    return np.dtype(FIXED_DTYPES[kind])


def _binary_values(name: str, kind: str, values: Any) -> np.ndarray:
    """The values of a fixed-width column, checked and ready to be cast to :func:`_field_dtype`."""
    if kind == "numeric":
        return _numeric_digits(name, values)
    if kind in INTEGER_TYPES:
        data = np.asarray(values)
        limits = np.iinfo(np.dtype(FIXED_DTYPES[kind]))
        if data.size and (data.max() > limits.max or data.min() < limits.min):
            raise ValueError(f"{name} out of range for {kind}")
        return data
    return np.asarray(values)


def _numeric_digits(name: str, cents: Any) -> np.ndarray:
    """Binary numeric fields (ndigits, weight, sign, dscale, 4 base-10000 digits) of non-negative cents."""
    data = np.asarray(cents).astype(np.int64)
    if data.size and data.min() < 0:
        raise ValueError(f"{name}: negative amounts are not encoded here")
    units, rest = np.divmod(data, 100)
    digits = np.empty((len(data), 8), dtype=np.int64)
    digits[:, 0] = 4  # ndigits
    digits[:, 1] = 2  # weight
    digits[:, 2] = 0  # sign: positive
    digits[:, 3] = 2  # dscale
    digits[:, 4] = units // 100_000_000
    digits[:, 5] = units // 10_000 % 10_000
    digits[:, 6] = units % 10_000
    digits[:, 7] = rest * 100
    if data.size and digits[:, 4].max() >= 10_000:
        raise ValueError(f"{name} too large for numeric encoding")
    return digits


def _fixed_width_rows(columns: list[tuple[str, str, Any]]) -> bytes:
    """Binary COPY rows (no header/trailer) of fixed-width columns, as one numpy structured array."""
    fields: list[tuple[str, Any]] = [("count", ">i2")]
    for i, (_, kind, _) in enumerate(columns):
        fields += [(f"len{i}", ">i4"), (f"val{i}", _field_dtype(kind))]
    rows = np.empty(len(columns[0][2]), dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for i, (name, kind, values) in enumerate(columns):
        rows[f"len{i}"] = rows.dtype[f"val{i}"].itemsize
        rows[f"val{i}"] = _binary_values(name, kind, values)
    return rows.tobytes()


def _column_bytes(name: str, kind: str, values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(byte length per row, all bytes of the column concatenated) of one column of a block."""
    if kind == "bytes":
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        return lengths, np.frombuffer(b"".join(values), dtype=np.uint8)
    dtype = _field_dtype(kind)
    array = np.ascontiguousarray(_binary_values(name, kind, values), dtype=dtype.base)
    return np.full(len(array), dtype.itemsize, dtype=np.int64), array.view(np.uint8).reshape(-1)


def _variable_width_rows(columns: list[tuple[str, str, Any]]) -> bytes:
    """Binary COPY rows (no header/trailer) of columns of which some have variable-length values.

    Every field is scattered into one output buffer with vectorised index arithmetic.
    """
    n = len(columns[0][2])
    parts = [_column_bytes(name, kind, values) for name, kind, values in columns]
    row_length = sum((4 + lengths for lengths, _ in parts), np.full(n, 2, dtype=np.int64))
    row_start = np.cumsum(row_length) - row_length
    out = np.empty(int(row_length.sum()), dtype=np.uint8)
    out[row_start[:, None] + np.arange(2)] = np.frombuffer(len(columns).to_bytes(2, "big"), dtype=np.uint8)
    position = row_start + 2
    for lengths, data in parts:
        out[position[:, None] + np.arange(4)] = lengths.astype(">i4").view(np.uint8).reshape(n, 4)
        position = position + 4
        source_start = np.cumsum(lengths) - lengths
        out[np.repeat(position - source_start, lengths) + np.arange(len(data))] = data
        position = position + lengths
    return out.tobytes()


# ---- around the COPY ------------------------------------------------------------------------------


def truncate(conn: psycopg.Connection, tables: Iterable[str], cascade: bool = False) -> None:
    """Empty ``tables`` and restart their identity sequences (``CASCADE`` also empties referencing tables)."""
    conn.execute(
        sql.SQL("TRUNCATE {} RESTART IDENTITY{}").format(
            sql.SQL(", ").join(map(table_identifier, tables)), sql.SQL(" CASCADE" if cascade else "")
        )
    )


@contextmanager
def suspended_constraints(conn: psycopg.Connection, tables: Sequence[str]) -> Iterator[None]:
    """Load ``tables`` without their foreign keys and secondary indexes; re-create them when the block ends.

    Primary keys, unique and exclusion constraints stay. The definitions are read from the catalog before
    they are dropped; indexes are re-created first, then foreign keys (each validated in one pass). Runs in
    the caller's transaction: if the block fails, nothing is re-created and the rollback restores them.
    """
    names = list(tables)
    fks = conn.execute(
        "SELECT n.nspname, t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
        "WHERE c.contype = 'f' AND c.conrelid = ANY(%s::text[]::regclass[]) ORDER BY n.nspname, t.relname, c.conname",
        (names,),
    ).fetchall()
    indexes = conn.execute(
        "SELECT n.nspname, ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ci.relnamespace "
        "WHERE i.indrelid = ANY(%s::text[]::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid) "
        "ORDER BY n.nspname, ci.relname",
        (names,),
    ).fetchall()
    for schema, table, name, _ in fks:
        conn.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(sql.Identifier(schema, table), sql.Identifier(name))
        )
    for schema, index, _ in indexes:
        conn.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(schema, index)))
    yield
    for _, _, definition in indexes:
        conn.execute(sql.SQL(definition))
    for schema, table, name, definition in fks:
        conn.execute(
            sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                sql.Identifier(schema, table), sql.Identifier(name), sql.SQL(definition)
            )
        )


def continue_identities(conn: psycopg.Connection, identities: Iterable[tuple[str, str]]) -> None:
    """Move the sequence of each (table, identity column) past the largest loaded id (to 1 when empty)."""
    for table, column in identities:
        conn.execute(
            sql.SQL("SELECT setval(pg_get_serial_sequence(%s, %s), greatest(1, (SELECT max({}) FROM {})))").format(
                sql.Identifier(column), table_identifier(table)
            ),
            (table, column),
        )


def analyze(conn: psycopg.Connection, tables: Iterable[str]) -> None:
    """``ANALYZE`` ``tables`` in one statement, so the planner sees the loaded data at once."""
    conn.execute(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(table_identifier, tables))))

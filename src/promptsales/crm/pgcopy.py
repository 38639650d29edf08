"""Binary COPY payloads built directly from numpy columns (no Python object per value).

PostgreSQL's binary COPY format is a header, then per row an int16 field count and, per field, an int32
byte length followed by the value in network byte order, then an int16 ``-1`` trailer. When every column is
fixed-width the rows form a numpy structured array, filled column by column at memory speed.
"""

from __future__ import annotations

import numpy as np
import psycopg
from psycopg import sql

HEADER = b"PGCOPY\n\xff\r\n\x00" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big")
TRAILER = (-1).to_bytes(2, "big", signed=True)
#: numpy big-endian dtype per PostgreSQL type (timestamp/timestamptz: int64 µs since 2000-01-01 UTC).
DTYPES = {
    "int2": ">i2",
    "int4": ">i4",
    "int8": ">i8",
    "float8": ">f8",
    "bool": "?",
    "timestamp": ">i8",
    "timestamptz": ">i8",
}


def payload(columns: list[tuple[str, np.ndarray]]) -> bytes:
    """The binary COPY bytes of equally long columns given as (PostgreSQL type, values).

    Types are those of :data:`DTYPES`, or ``"char:N"`` for an ASCII text column whose values all have N bytes.
    """
    n = len(columns[0][1])
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for i, (pgtype, _) in enumerate(columns):
        dtype = f"S{pgtype.split(':', 1)[1]}" if pgtype.startswith("char:") else DTYPES[pgtype]
        fields += [(f"len{i}", ">i4"), (f"val{i}", dtype)]
    rows = np.empty(n, dtype=np.dtype(fields))
    rows["count"] = len(columns)
    for i, (_pgtype, values) in enumerate(columns):
        rows[f"len{i}"] = rows.dtype[f"val{i}"].itemsize
        rows[f"val{i}"] = values
    return HEADER + rows.tobytes() + TRAILER


def copy_columns(conn: psycopg.Connection, table: str, names: list[str], columns: list[tuple[str, np.ndarray]]) -> int:
    """COPY numpy columns into ``table`` (``schema.name``) in binary; returns the number of rows."""
    if len(columns[0][1]) == 0:
        return 0
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    data = memoryview(payload(columns))
    with conn.cursor().copy(statement) as copy:
        step = 8 << 20
        for start in range(0, len(data), step):
            copy.write(data[start : start + step])
    return len(columns[0][1])


def text_array(values: list[str]) -> bytes:
    """Binary form of a one-dimensional ``text[]`` without NULLs (element type oid 25)."""
    encoded = [v.encode() for v in values]
    head = np.array([1, 0, 25, len(encoded), 1], dtype=">i4").tobytes()
    return head + b"".join(len(e).to_bytes(4, "big") + e for e in encoded)


def _column_bytes(pgtype: str, values) -> tuple[np.ndarray, np.ndarray]:
    """(byte length per row, all bytes of the column concatenated) for one column of a chunk."""
    if pgtype == "bytes":  # already-encoded values (text as UTF-8, bytea, binary arrays)
        lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        return lengths, np.frombuffer(b"".join(values), dtype=np.uint8)
    array = np.ascontiguousarray(np.asarray(values).astype(DTYPES[pgtype]))
    return np.full(len(array), array.dtype.itemsize, dtype=np.int64), array.view(np.uint8).reshape(-1)


def varlen_payload(columns: list[tuple[str, object]]) -> bytes:
    """Binary COPY rows (no header/trailer) of columns that may have variable-length values.

    Each column is (PostgreSQL type of :data:`DTYPES`, numpy array) or (``"bytes"``, list of bytes). Every
    field is scattered into one output buffer with vectorised index arithmetic.
    """
    n = len(columns[0][1])
    parts = [_column_bytes(pgtype, values) for pgtype, values in columns]
    row_length = 2 + sum(4 + lengths for lengths, _ in parts)
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


def copy_varlen(
    conn: psycopg.Connection, table: str, names: list[str], columns: list[tuple[str, object]], chunk: int = 50_000
) -> int:
    """COPY columns with variable-length values into ``table`` in binary, ``chunk`` rows at a time."""
    n = len(columns[0][1])
    statement = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        sql.Identifier(*table.split(".")), sql.SQL(", ").join(map(sql.Identifier, names))
    )
    with conn.cursor().copy(statement) as copy:
        copy.write(HEADER)
        for start in range(0, n, chunk):
            copy.write(varlen_payload([(pgtype, values[start : start + chunk]) for pgtype, values in columns]))
        copy.write(TRAILER)
    return n

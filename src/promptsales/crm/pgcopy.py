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
    "int2": ">i2", "int4": ">i4", "int8": ">i8", "float8": ">f8", "bool": "?",
    "timestamp": ">i8", "timestamptz": ">i8",
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
    for i, (pgtype, values) in enumerate(columns):
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

"""The bulk-load module: binary COPY from numpy columns loads what psycopg loads row by row; constraints and
indexes suspended around a load come back as they were (and are validated); identities and truncation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import numpy as np
import psycopg
import pytest

from promptsales.config import Settings
from promptsales.db import bulk
from promptsales.db.connect import connect

COLUMNS_SQL = (
    "i2 smallint, i4 integer, i8 bigint, f float8, b boolean, d date, ts timestamp, tz timestamptz, "
    "n numeric(14,2), c char(3)"
)


def sample_columns(rows: int) -> dict[str, bulk.Column]:
    """One declared column of each fixed-width type, with edge values."""
    rng = np.random.default_rng(3)
    return {
        "i2": ("int2", np.r_[-32768, 32767, rng.integers(-100, 100, rows - 2)]),
        "i4": ("int4", rng.integers(-(2**31), 2**31 - 1, rows)),
        "i8": ("int8", rng.integers(-(2**62), 2**62, rows)),
        "f": ("float8", rng.normal(0, 1e6, rows)),
        "b": ("bool", rng.random(rows) < 0.5),
        "d": ("date", rng.integers(-3000, 20000, rows)),
        "ts": ("timestamp", rng.integers(0, 10**15, rows)),
        "tz": ("timestamptz", rng.integers(-(10**14), 10**15, rows)),
        "n": ("numeric", np.r_[0, 1, 99_999_999_999_99, rng.integers(0, 10**9, rows - 3)]),
        "c": ("char:3", np.full(rows, b"USD")),
    }


def python_rows(columns: dict[str, bulk.Column]) -> list[tuple]:
    """The same values as Python objects (what psycopg adapts itself)."""
    epoch = datetime(2000, 1, 1)
    values = {
        "i2": columns["i2"][1].tolist(),
        "i4": columns["i4"][1].tolist(),
        "i8": columns["i8"][1].tolist(),
        "f": columns["f"][1].tolist(),
        "b": columns["b"][1].tolist(),
        "d": [date(2000, 1, 1) + timedelta(days=d) for d in columns["d"][1].tolist()],
        "ts": [epoch + timedelta(microseconds=us) for us in columns["ts"][1].tolist()],
        "tz": [epoch.replace(tzinfo=UTC) + timedelta(microseconds=us) for us in columns["tz"][1].tolist()],
        "n": [Decimal(c).scaleb(-2) for c in columns["n"][1].tolist()],
        "c": ["USD"] * len(columns["c"][1]),
    }
    return list(zip(*values.values()))


def differences(conn: psycopg.Connection, a: str, b: str) -> tuple[int, int, int, int]:
    """(rows of a, rows of b, rows only in a, rows only in b)."""
    return conn.execute(
        f"SELECT (SELECT count(*) FROM {a}), (SELECT count(*) FROM {b}), "
        f"(SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b}) x), "
        f"(SELECT count(*) FROM (SELECT * FROM {b} EXCEPT ALL SELECT * FROM {a}) y)"
    ).fetchone()


def test_fixed_and_variable_width_binary_copy_load_what_row_by_row_copy_loads(settings: Settings) -> None:
    columns = sample_columns(1000)
    texts = [f"text {i} ünïcode\t\\" for i in range(1000)]
    arrays = [bulk.text_array(["a", f"b{i}"]) for i in range(1000)]
    with connect("ads", "owner", settings=settings) as conn:
        for name in ("fixed", "variable", "expected"):
            conn.execute(f"CREATE TEMP TABLE {name} ({COLUMNS_SQL}, t text, arr text[])")
        assert bulk.copy_columns(conn, "pg_temp.fixed", columns) == 1000
        variable = {**columns, "t": ("bytes", [t.encode() for t in texts]), "arr": ("bytes", arrays)}
        assert bulk.copy_columns(conn, "pg_temp.variable", variable) == 1000
        names = [*columns, "t", "arr"]
        rows = [(*row, t, ["a", f"b{i}"]) for i, (row, t) in enumerate(zip(python_rows(columns), texts))]
        assert bulk.copy_rows(conn, "pg_temp.expected", names, rows) == 1000
        assert differences(conn, "variable", "expected") == (1000, 1000, 0, 0)
        conn.execute("UPDATE expected SET t = NULL, arr = NULL")
        assert differences(conn, "fixed", "expected") == (1000, 1000, 0, 0)
        conn.rollback()


@pytest.mark.parametrize(
    ("column", "message"),
    [(("int2", np.array([40_000])), "out of range"), (("numeric", np.array([-1])), "negative")],
)
def test_values_that_do_not_fit_are_refused(settings: Settings, column: bulk.Column, message: str) -> None:
    with connect("ads", "owner", settings=settings) as conn:
        conn.execute("CREATE TEMP TABLE target (value numeric)")
        with pytest.raises(ValueError, match=message):
            bulk.copy_columns(conn, "pg_temp.target", {"value": column})
        conn.rollback()


def test_suspended_constraints_come_back_and_are_validated(settings: Settings) -> None:
    def schema_state(conn: psycopg.Connection) -> list[tuple]:
        return conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'pg_temp.child'::regclass "
            "AND contype <> 'n' "
            "UNION ALL SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'child' "
            "AND schemaname = pg_my_temp_schema()::regnamespace::text ORDER BY 1"
        ).fetchall()

    with connect("ads", "owner", settings=settings) as conn:
        conn.execute("CREATE TEMP TABLE parent (id integer PRIMARY KEY)")
        conn.execute(
            "CREATE TEMP TABLE child (id integer PRIMARY KEY, parent_id integer REFERENCES parent, code text UNIQUE)"
        )
        conn.execute("CREATE INDEX child_parent_idx ON child (parent_id)")
        before = schema_state(conn)
        with bulk.suspended_constraints(conn, ["pg_temp.child"]):
            during = {name for name, _ in schema_state(conn)}
            bulk.copy_columns(
                conn, "pg_temp.child", {"id": ("int4", np.arange(3)), "parent_id": ("int4", np.zeros(3, dtype=int))}
            )
            conn.execute("INSERT INTO parent VALUES (0)")
        assert during == {"child_pkey", "child_code_key"}, "primary key and unique constraint stay"
        assert schema_state(conn) == before
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            with bulk.suspended_constraints(conn, ["pg_temp.child"]):
                bulk.copy_columns(
                    conn, "pg_temp.child", {"id": ("int4", np.array([9])), "parent_id": ("int4", np.array([7]))}
                )
        conn.rollback()


def test_truncate_then_continue_identities_after_the_loaded_ids(settings: Settings) -> None:
    with connect("ads", "owner", settings=settings) as conn:
        conn.execute("CREATE TEMP TABLE numbered (id integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, x int)")
        conn.execute("INSERT INTO numbered (x) VALUES (1), (2)")
        bulk.truncate(conn, ["pg_temp.numbered"])
        bulk.copy_columns(
            conn, "pg_temp.numbered", {"id": ("int4", np.array([5, 41])), "x": ("int4", np.zeros(2, dtype=int))}
        )
        bulk.continue_identities(conn, [("pg_temp.numbered", "id")])
        assert conn.execute("INSERT INTO numbered (x) VALUES (3) RETURNING id").fetchone()[0] == 42
        bulk.analyze(conn, ["pg_temp.numbered"])
        assert bulk.column_types(conn, "pg_temp.numbered") == {"id": "int4", "x": "int4"}
        conn.rollback()

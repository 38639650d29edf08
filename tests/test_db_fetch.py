"""promptsales.db.fetch: the one row / first value of a query that must return a row."""

from __future__ import annotations

import pytest
from psycopg.rows import dict_row

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.fetch import NoRow, lookup, one, scalar
from promptsales.errors import UserError


def test_scalar_and_one_on_a_connection_and_a_cursor(settings: Settings) -> None:
    with connect("ads", "app", settings=settings) as conn:
        assert scalar(conn, "SELECT %s::int + 1", (41,)) == 42
        assert one(conn, "SELECT 1, 'a'") == (1, "a")
        with conn.cursor(row_factory=dict_row) as cur:
            assert one(cur, "SELECT 7 AS n")["n"] == 7


def test_no_row_is_a_clear_error(settings: Settings) -> None:
    with connect("ads", "app", settings=settings) as conn:
        with pytest.raises(NoRow, match="returned none"):
            scalar(conn, "SELECT 1 WHERE false")


def test_lookup_returns_the_row_or_the_users_error(settings: Settings) -> None:
    with connect("ads", "app", settings=settings) as conn:
        assert lookup(conn, "SELECT %s::int AS id", (7,), "No thing has id 7.") == (7,)
        with pytest.raises(UserError, match=r"^No thing has id 8\.$"):
            lookup(conn, "SELECT 1 WHERE %s::int < 0", (8,), "No thing has id 8.")

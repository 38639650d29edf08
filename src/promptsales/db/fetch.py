"""The one row, or its first value, of a query that returns a row.

psycopg types ``fetchone()`` as ``Row | None``. For queries that cannot come back empty (an aggregate, a
``RETURNING`` of an insert, ``SELECT current_setting(...)``) :func:`one` and :func:`scalar` say so once: they
return the row itself and raise :class:`NoRow` in the case that should not happen, instead of a ``TypeError``
on ``None``. For a row the user named (a campaign, client or proposal id), :func:`lookup` turns its absence
into the user's error.
"""

from __future__ import annotations

from typing import Any, TypeVar

from psycopg import Connection, Cursor
from psycopg.abc import Params, QueryNoTemplate

from promptsales.errors import UserError

Row = TypeVar("Row")


class NoRow(LookupError):
    """A query expected to return a row returned none."""


def one(source: Connection[Row] | Cursor[Row], query: QueryNoTemplate, params: Params | None = None) -> Row:
    """Run ``query`` on a connection or cursor and return its first row (in that row factory's shape).

    Raises :class:`NoRow` when the query returns no row.
    """
    row = source.execute(query, params).fetchone()
    if row is None:
        raise NoRow(f"expected a row, the query returned none: {query!r}")
    return row


def scalar(source: Connection[Any] | Cursor[Any], query: QueryNoTemplate, params: Params | None = None) -> Any:
    """The first column of the first row of ``query`` (rows as tuples, psycopg's default row factory).

    Raises :class:`NoRow` when the query returns no row.
    """
    return one(source, query, params)[0]


def lookup(source: Connection[Row] | Cursor[Row], query: QueryNoTemplate, params: Params | None, not_found: str) -> Row:
    """The first row of ``query``; a :class:`~promptsales.errors.UserError` saying ``not_found`` (e.g.
    "No campaign has id 7.") when there is none."""
    row = source.execute(query, params).fetchone()
    if row is None:
        raise UserError(not_found)
    return row

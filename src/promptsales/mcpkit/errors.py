"""Errors a tool caller can cause: the kit turns them into an ``isError`` result with the message."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from promptsales.errors import ServiceUnavailable, UserError


class ToolInputError(UserError):
    """Bad input to a tool: nothing was stored; the message says exactly what is wrong."""


@contextmanager
def tool_input_errors() -> Iterator[None]:
    """Around a tool's service call: a :class:`UserError` the service raises becomes a :class:`ToolInputError`
    with the same message (an unreachable server stays :class:`ServiceUnavailable`)."""
    try:
        yield
    except (ToolInputError, ServiceUnavailable):
        raise
    except UserError as error:
        raise ToolInputError(str(error)) from None


#: The widest integer any database column takes (bigint).
MAX_INTEGER = 2**63 - 1


def check_argument_values(arguments: Any, path: str = "") -> None:
    """Refuse, before the tool runs, values no store can hold whatever the tool's schema says: text with a NUL
    character (PostgreSQL text cannot contain one) and integers outside 64 bits (issue 23: found by the hostile-
    input tests, they reached the database and ended as internal errors)."""
    if isinstance(arguments, str):
        if "\x00" in arguments:
            raise ToolInputError(f"{path or 'a value'} contains a NUL character, which no text field may hold.")
    elif isinstance(arguments, bool):
        return
    elif isinstance(arguments, int):
        if not -MAX_INTEGER - 1 <= arguments <= MAX_INTEGER:
            raise ToolInputError(f"{path or 'a value'} is out of range: {str(arguments)[:30]}…")
    elif isinstance(arguments, dict):
        for key, value in arguments.items():
            check_argument_values(value, f"{path}.{key}" if path else str(key))
    elif isinstance(arguments, (list, tuple)):
        for index, value in enumerate(arguments):
            check_argument_values(value, f"{path}[{index}]")

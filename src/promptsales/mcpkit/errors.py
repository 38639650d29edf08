"""Errors a tool caller can cause: the kit turns them into an ``isError`` result with the message."""

from collections.abc import Iterator
from contextlib import contextmanager

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

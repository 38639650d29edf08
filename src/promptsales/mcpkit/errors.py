"""Errors a tool caller can cause: the kit turns them into an ``isError`` result with the message."""

from promptsales.errors import UserError


class ToolInputError(UserError):
    """Bad input to a tool: nothing was stored; the message says exactly what is wrong."""

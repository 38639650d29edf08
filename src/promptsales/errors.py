"""Errors that a user can cause: the CLI prints their message and exits with code 2."""


class UserError(Exception):
    """A problem with the user's input or configuration, reported without a stack trace."""


class ServiceUnavailable(UserError):
    """A configured server cannot be reached."""

"""Who is calling: the one :class:`Caller` of the platform and the context it lives in.

The MCP kit sets the caller of each tool call (:func:`calling_as`); a service acting for itself, or a test,
sets one with :func:`acting_as`; anything below (services, the cache's permission levels and rate limits,
the AI-usage and audit logs) reads it with :func:`current_caller`.
"""

from __future__ import annotations

import contextvars
import getpass
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

#: How a caller reached us: an OAuth bearer token over HTTP, a local stdio client, a service acting with its
#: own token (:func:`acting_as`), or nothing at all (code run outside any call).
Transport = str


@dataclass(frozen=True)
class Caller:
    """An OAuth client (HTTP), the local user (stdio) or a service, and the scopes it holds."""

    actor: str
    scopes: frozenset[str] = frozenset()
    transport: Transport = "local"

    @property
    def authenticated(self) -> bool:
        """True for an OAuth client (bearer token or a service's own token): rate limits apply per client."""
        return self.transport in ("http", "service")


ANONYMOUS = Caller("anonymous")

_acting: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("promptsales_acting_as", default=None)
_in_call: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("promptsales_tool_caller", default=None)


@contextmanager
def acting_as(actor: str, scopes: Iterable[str] = (), authenticated: bool = True) -> Iterator[Caller]:
    """Run a block as a given caller (services acting for themselves with their own token, tests)."""
    caller = Caller(actor, frozenset(scopes), "service" if authenticated else "local")
    token = _acting.set(caller)
    try:
        yield caller
    finally:
        _acting.reset(token)


@contextmanager
def calling_as(caller: Caller) -> Iterator[Caller]:
    """Run one MCP tool call as ``caller`` (set by the MCP kit around every call)."""
    token = _in_call.set(caller)
    try:
        yield caller
    finally:
        _in_call.reset(token)


def stdio_caller() -> Caller:
    """The local user of a stdio session (trusted, no OAuth scopes)."""
    try:
        user = getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        user = "unknown"
    return Caller(f"stdio:{user}", frozenset(), "stdio")


def current_caller() -> Caller:
    """The caller of the current request: the one set with :func:`acting_as` (innermost wins), else the
    caller of the running MCP tool call, else the MCP bearer token of the running HTTP request, else an
    anonymous caller with no scopes (never more privilege than proven)."""
    explicit = _acting.get()
    if explicit is not None:
        return explicit
    in_call = _in_call.get()
    if in_call is not None:
        return in_call
    return token_caller() or ANONYMOUS


def token_caller() -> Caller | None:
    """The OAuth client of the MCP bearer token of the running HTTP request, if there is one."""
    from mcp.server.auth.middleware.auth_context import get_access_token

    token = get_access_token()
    return Caller(token.client_id, frozenset(token.scopes), "http") if token is not None else None

"""Who is calling: the OAuth client and scopes that rate limits and permission levels depend on."""

from __future__ import annotations

import contextvars
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """An OAuth client and the scopes its token grants."""

    client_id: str
    scopes: frozenset[str] = frozenset()
    authenticated: bool = False  # True for an OAuth bearer token (rate limits apply per OAuth client)


ANONYMOUS = Caller("anonymous")
_current: contextvars.ContextVar[Caller | None] = contextvars.ContextVar("promptsales_cache_caller", default=None)


@contextmanager
def acting_as(client_id: str, scopes: Iterable[str] = (), authenticated: bool = True) -> Iterator[Caller]:
    """Run a block as a given caller (services acting for themselves with their own token, tests)."""
    caller = Caller(client_id, frozenset(scopes), authenticated)
    token = _current.set(caller)
    try:
        yield caller
    finally:
        _current.reset(token)


def current_caller() -> Caller:
    """The caller of the current request: the one set with :func:`acting_as` (innermost wins), else the
    MCP kit's caller of the running tool call, else the MCP bearer token, else an anonymous caller with
    no scopes (never more privilege than proven)."""
    explicit = _current.get()
    if explicit is not None:
        return explicit
    kit = sys.modules.get("promptsales.mcpkit.server")
    kit_caller = kit.CURRENT_CALLER.get() if kit is not None and hasattr(kit, "CURRENT_CALLER") else None
    if kit_caller is not None:
        return Caller(kit_caller.actor, frozenset(kit_caller.scopes), getattr(kit_caller, "transport", "") == "http")
    try:
        from mcp.server.auth.middleware.auth_context import get_access_token

        token = get_access_token()
    except ImportError:  # pragma: no cover - mcp is a dependency
        token = None
    if token is not None:
        return Caller(token.client_id, frozenset(token.scopes), True)
    return ANONYMOUS

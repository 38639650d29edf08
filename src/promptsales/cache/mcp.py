"""The cache in front of MCP tools: one call, :func:`install`, wires a :class:`~promptsales.mcpkit.ToolKit`.

* Every tool (read or write) called with an OAuth token is rate-limited per OAuth client (the token's
  ``client_id``; local stdio sessions are trusted and not limited): over the limit the call returns
  ``isError`` saying when to retry.
* Every ``read_only`` tool is served cache-aside with single-flight. Its policy comes from the tool's
  ``cache=`` option (``@kit.tool(..., cache=CachePolicy(kind="report", depends=..., permission_scopes=...))``);
  ``cache=False`` turns caching off for that tool. Without a policy (or without ``depends``): kind
  ``tool``, invalidated by any write in the company, and the permission level is every scope of the company the caller holds besides
  the tool's own (conservative: answers never cross permission levels unless the tool says they may).
* Every write tool, after it returns successfully (its service has committed), bumps the scopes of its
  ``invalidates=`` option (``lambda args, result: [Scope(...)]``), or the whole company when it declares
  none — correct by default, precise when declared.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from promptsales.cache import serialise
from promptsales.cache.core import CacheSpec
from promptsales.cache.instances import get_cache, get_rate_limiter
from promptsales.cache.keys import COMPANIES, Scope
from promptsales.cache.ratelimit import LIMIT_TAKEN, RateLimiter, RateLimitExceeded
from promptsales.caller import Caller, current_caller


@dataclass(frozen=True)
class CachePolicy:
    """How a read tool is cached: kind (TTL), scopes it depends on, OAuth scopes that change its answer
    (``None``: every company scope the caller holds besides the tool's own)."""

    kind: str = "tool"
    depends: Callable[[Mapping[str, Any]], Iterable[Scope]] | None = None
    permission_scopes: tuple[str, ...] | None = None
    #: Runs on every call, hit or miss, with (arguments, result): e.g. the audit record of a PII read,
    #: which must be written whether or not the answer came from the cache.
    every_call: Callable[[Mapping[str, Any], Any], None] | None = None
    #: Runs only when the answer came from the cache (a hit, or computed by a concurrent caller), with
    #: (arguments, result): e.g. recording the AI tokens the cached answer saved (docs/cache.md §5).
    on_hit: Callable[[Mapping[str, Any], Any], None] | None = None


_INSTALLED = "_promptsales_cache_installed"


def install(kit: Any, limiter: RateLimiter | None = None) -> Any:
    """Add rate limiting to every tool of ``kit``, caching to its read tools and invalidation to its
    write tools. Idempotent; call it once all tools are declared (the kit's ``build`` does).
    ``limiter`` overrides the process's default limiter (rate and burst from ``PROMPTSALES_CACHE_*``)."""
    if getattr(kit, _INSTALLED, False):
        return kit
    setattr(kit, _INSTALLED, True)
    limit = _limit_with(limiter)
    kit.add_read_wrapper(lambda spec, function: read_wrapper(spec, function, limit))
    kit.cached_answer = functools.partial(cached_answer, limiter=limiter)
    for spec in kit.tools.values():
        if not spec.read_only:
            spec.function = write_wrapper(spec, spec.function, limit)
    return kit


def _limit_with(limiter: RateLimiter | None) -> Callable[[], None]:
    def limit() -> None:
        caller = current_caller()
        if caller.authenticated and not LIMIT_TAKEN.get():
            (limiter or get_rate_limiter()).enforce(caller.actor)

    return limit


def _output_model(spec: Any) -> type[BaseModel] | None:
    try:
        model = spec.output_model
    except Exception:
        return None
    return model if inspect.isclass(model) and issubclass(model, BaseModel) else None


def _permission_scopes(spec: Any, policy: CachePolicy, caller_scopes: Iterable[str]) -> tuple[str, ...]:
    if policy.permission_scopes is not None:
        return policy.permission_scopes
    return tuple(scope for scope in caller_scopes if scope.startswith(f"{spec.server}:") and scope != spec.scope)


def read_wrapper(spec: Any, function: Callable[..., Any], limit: Callable[[], None]) -> Callable[..., Any]:
    """Rate limit, then serve from the cache (or compute once and publish) — for one read tool."""
    policy = _policy(spec)
    cacheable = policy is not False and spec.server in COMPANIES
    model = _output_model(spec)

    @functools.wraps(function)
    def run(**arguments: Any) -> Any:
        limit()
        caller = current_caller()
        if not cacheable:
            value = function(**arguments)
        else:
            cache_spec, scopes = _cache_request(spec, policy, arguments, caller.scopes)
            lookup = get_cache().fetch(
                cache_spec, arguments, lambda: function(**arguments), depends=scopes, caller_scopes=caller.scopes
            )
            value = lookup.value
            if lookup.outcome in ("hit", "coalesced") and model is not None:
                value = model.model_validate(value)
            if policy.on_hit is not None and lookup.outcome in ("hit", "coalesced"):
                policy.on_hit(arguments, value)
        if policy and policy.every_call is not None:
            policy.every_call(arguments, value)
        return value

    return run


def _policy(spec: Any) -> Any:
    """The tool's cache policy (``False``: not cached)."""
    option = spec.options.get("cache", CachePolicy())
    return CachePolicy(**option) if isinstance(option, dict) else option


def _cache_request(
    spec: Any, policy: CachePolicy, arguments: Mapping[str, Any], caller_scopes: Iterable[str]
) -> tuple[CacheSpec, list[Scope]]:
    """Where a read tool's answer to ``arguments`` is cached for a caller with ``caller_scopes``: its cache spec
    (kind, permission level) and the scopes it depends on."""
    relevant = _permission_scopes(spec, policy, caller_scopes)
    scopes = list(policy.depends(arguments)) if policy.depends else [Scope.any_change(spec.server)]
    return CacheSpec(spec.server, spec.name, policy.kind, relevant), scopes


def cached_answer(spec: Any, arguments: dict[str, Any], caller: Caller, limiter: RateLimiter | None = None) -> Any:
    """The cached answer (its JSON, as stored) of read tool ``spec`` to (validated) ``arguments`` for an OAuth
    ``caller`` when the shared cache holds it — the rate limit and the lookup in one round trip
    (:meth:`RateLimiter.check_and_lookup`) — or None when the tool has to run (a miss, Redis unavailable, a tool
    not cached or with an every-call hook). Raises :class:`~promptsales.cache.ratelimit.RateLimitExceeded` when
    the caller is over its limit. The JSON is the answer's ``model_dump(mode="json")``, what the tool's own path
    returns on a hit; the ``on_hit`` hook, if any, gets the validated answer as there."""
    policy = _policy(spec)
    if policy is False or spec.server not in COMPANIES or policy.every_call is not None or not caller.authenticated:
        return None
    cache_spec, scopes = _cache_request(spec, policy, arguments, caller.scopes)
    outcome = (limiter or get_rate_limiter()).check_and_lookup(
        caller.actor, cache_spec, arguments, scopes, caller.scopes
    )
    if outcome is None:
        return None
    decision, raw = outcome
    if not decision.allowed:
        raise RateLimitExceeded(caller.actor, decision.retry_after)
    if raw is not None and policy.on_hit is not None:
        model = _output_model(spec)
        value = serialise.loads(raw)
        policy.on_hit(arguments, model.model_validate(value) if model is not None else value)
    return raw


def write_wrapper(spec: Any, function: Callable[..., Any], limit: Callable[[], None]) -> Callable[..., Any]:
    """Rate limit a write tool and, once it has succeeded (committed), bump what it invalidates."""
    invalidates = spec.options.get("invalidates")

    @functools.wraps(function)
    def run(**arguments: Any) -> Any:
        limit()
        result = function(**arguments)
        if spec.server in COMPANIES:
            scopes = list(invalidates(arguments, result)) if invalidates else [Scope(spec.server)]
            if scopes:
                get_cache().bump(*scopes)
        return result

    return run

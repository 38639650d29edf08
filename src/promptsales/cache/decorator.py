"""``@cached(...)``: put a read function (an MCP read tool or the service call behind it) behind the cache."""

from __future__ import annotations

import asyncio
import functools
import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from promptsales.cache.core import CacheSpec
from promptsales.cache.keys import Scope
from promptsales.caller import current_caller

DependsFn = Callable[[Mapping[str, Any]], Iterable[Scope]]


def cached(
    company: str,
    name: str | None = None,
    *,
    kind: str = "tool",
    depends: DependsFn | None = None,
    permission_scopes: Iterable[str] = (),
    ignore: Iterable[str] = (),
    result_type: Any = None,
    cache: Callable[[], Any] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Cache a read function's JSON-serialisable result.

    ``depends(args)`` returns the scopes the answer depends on (e.g. ``[Scope("ads", "campaign", args["campaign_id"])]``);
    the company scope is always included. Without ``depends`` the answer follows every write in the company. ``permission_scopes`` are the OAuth scopes that change the
    answer (``("crm:pii",)`` for client360): the caller's holding of them is part of the key.
    ``ignore`` names arguments that do not change the answer (a connection, a context object).
    ``result_type`` (a pydantic model class) rebuilds the object from the cached JSON on a hit; by
    default the function's return annotation is used when it is a pydantic model.
    ``cache`` returns the :class:`~promptsales.cache.core.Cache` to use (default: the process's cache).
    Works on plain and ``async`` functions; for an async one the (synchronous, two-round-trip) cache
    work runs in a worker thread so the event loop never blocks, and the coroutine runs on the loop.
    """
    ignored = set(ignore) | {"self", "ctx", "context", "conn"}

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        spec = CacheSpec(company, name or function.__name__, kind, tuple(permission_scopes))
        signature = inspect.signature(function)
        model = result_type or _pydantic_return(function)

        def bound_args(args, kwargs) -> dict[str, Any]:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            return {
                key: value
                for key, value in bound.arguments.items()
                if key not in ignored and signature.parameters[key].kind not in (inspect.Parameter.VAR_KEYWORD,)
            }

        def rebuild(value: Any, outcome: str) -> Any:
            if model is not None and outcome in ("hit", "coalesced") and not hasattr(value, "model_dump"):
                return model.model_validate(value)
            return value

        def resolve_cache():
            if cache is not None:
                return cache()
            from promptsales.cache.instances import get_cache

            return get_cache()

        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def async_wrapper(*args, **kwargs):
                arguments = bound_args(args, kwargs)
                store = resolve_cache()
                scopes = list(depends(arguments)) if depends else [Scope.any_change(company)]
                loop = asyncio.get_running_loop()

                def compute():  # runs in the worker thread; the coroutine itself runs on the event loop
                    return asyncio.run_coroutine_threadsafe(function(*args, **kwargs), loop).result()

                result = await asyncio.to_thread(
                    store.fetch, spec, arguments, compute, depends=scopes, caller_scopes=current_caller().scopes
                )
                return rebuild(result.value, result.outcome)

            async_wrapper.cache_spec = spec  # type: ignore[attr-defined]
            return async_wrapper

        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            arguments = bound_args(args, kwargs)
            store = resolve_cache()
            scopes = list(depends(arguments)) if depends else [Scope.any_change(company)]
            result = store.fetch(
                spec,
                arguments,
                lambda: function(*args, **kwargs),
                depends=scopes,
                caller_scopes=current_caller().scopes,
            )
            return rebuild(result.value, result.outcome)

        wrapper.cache_spec = spec  # type: ignore[attr-defined]
        return wrapper

    return decorate


def _pydantic_return(function: Callable[..., Any]) -> Any:
    try:
        annotation = inspect.signature(function, eval_str=True).return_annotation
    except Exception:
        return None
    return annotation if isinstance(annotation, type) and hasattr(annotation, "model_validate") else None

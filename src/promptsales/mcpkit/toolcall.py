"""What the kit's middlewares (audit, metrics) observe of one ``tools/call``: its tool, outcome and duration."""

from __future__ import annotations

import time
from typing import Any


class ObservedCall:
    """One ``tools/call`` as a middleware sees it: ``outcome`` is ``error`` until :meth:`answered` sees a result
    that is not an error, so a call that raises counts as an error."""

    def __init__(self, ctx: Any) -> None:
        self.tool = str((ctx.params or {}).get("name"))
        self.started = time.perf_counter()
        self.outcome = "error"

    def answered(self, result: Any) -> Any:
        """Record ``result``'s outcome and hand it on."""
        is_error = getattr(result, "is_error", None) or (isinstance(result, dict) and result.get("isError"))
        self.outcome = "error" if is_error else "ok"
        return result

    @property
    def seconds(self) -> float:
        """Seconds since the call reached the middleware."""
        return time.perf_counter() - self.started


class ToolCallObserver:
    """Base of an MCP middleware that observes every ``tools/call`` once it has ended (answered or raised):
    subclasses define :meth:`observed`. Other requests pass through untouched."""

    async def __call__(self, ctx: Any, call_next: Any) -> Any:
        if ctx.method != "tools/call":
            return await call_next(ctx)
        call = ObservedCall(ctx)
        try:
            return call.answered(await call_next(ctx))
        finally:
            self.observed(call)

    def observed(self, call: ObservedCall) -> None:
        """What the middleware does with a call that has ended."""
        raise NotImplementedError

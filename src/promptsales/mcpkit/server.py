"""The MCP server kit: one place that turns plain, typed service functions into MCP tools.

A company MCP server is a file that builds a :class:`ToolKit` and declares its tools::

    kit = ToolKit("ads", title="PromptAds", instructions="…")

    @kit.tool(scope="ads:read", read_only=True)
    def getCampaign(campaign_id: Annotated[int, Field(ge=1)]) -> CampaignResult:
        \"\"\"One campaign with its results.\"\"\"
        return service.get_campaign(campaign_id)

The kit adds, for every tool: argument validation (pydantic, from the signature), structured output
(the return model), ``isError`` with the message for :class:`ToolInputError`/``UserError`` (and a short,
trace-free message for unexpected errors, whose trace goes to stderr), an audit record per call
(:func:`promptsales.mcpkit.audit.record`: who, tool, outcome, latency), the tool's OAuth scope checked
at the HTTP layer (403), and **read wrappers** — functions ``wrapper(spec, fn) -> fn`` applied to every
``read_only`` tool, the single hook where the shared cache plugs in (:meth:`ToolKit.add_read_wrapper`).
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ContentBlock, TextContent, ToolAnnotations
from pydantic import BaseModel

from promptsales.caller import calling_as, stdio_caller, token_caller
from promptsales.errors import UserError
from promptsales.mcpkit import audit

log = logging.getLogger("promptsales.mcpkit")


@dataclass
class ToolSpec:
    """A declared tool: its function, OAuth scope, whether it only reads, and extra MCP content."""

    server: str
    name: str
    function: Callable[..., BaseModel]
    scope: str
    read_only: bool
    title: str | None = None
    description: str | None = None
    extra_content: Callable[[Any], Sequence[ContentBlock]] | None = None  # takes the tool's own result model
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def output_model(self) -> type[BaseModel]:
        """The pydantic model the tool returns (its structured output schema)."""
        return inspect.signature(self.function, eval_str=True).return_annotation


class ToolKit:
    """Declare tools once; build the MCP server for stdio or for streamable HTTP behind OAuth + TLS."""

    def __init__(self, name: str, title: str, instructions: str, version: str = "0.1.0") -> None:
        self.name = name
        self.title = title
        self.instructions = instructions
        self.version = version
        self.tools: dict[str, ToolSpec] = {}
        self.read_wrappers: list[Callable[[ToolSpec, Callable[..., BaseModel]], Callable[..., BaseModel]]] = []

    def tool(
        self,
        *,
        scope: str,
        read_only: bool,
        title: str | None = None,
        extra_content: Callable[[Any], Sequence[ContentBlock]] | None = None,
        **options: Any,
    ) -> Callable[[Callable[..., BaseModel]], Callable[..., BaseModel]]:
        """Declare a tool (the function name is the tool name, its docstring the description).

        ``extra_content(result)`` adds MCP content blocks (e.g. images) built from the tool's own result model.
        """

        def decorate(function: Callable[..., BaseModel]) -> Callable[..., BaseModel]:
            self.tools[function.__name__] = ToolSpec(
                self.name,
                function.__name__,
                function,
                scope,
                read_only,
                title,
                inspect.getdoc(function),
                extra_content,
                dict(options),
            )
            return function

        return decorate

    def add_read_wrapper(
        self, wrapper: Callable[[ToolSpec, Callable[..., BaseModel]], Callable[..., BaseModel]]
    ) -> None:
        """Apply ``wrapper(spec, fn) -> fn`` to every read-only tool (e.g. the Redis cache-aside layer)."""
        self.read_wrappers.append(wrapper)

    def tool_scopes(self) -> dict[str, str]:
        """Tool name → the OAuth scope it requires."""
        return {name: spec.scope for name, spec in self.tools.items()}

    # -- building the MCP server -------------------------------------------------------------
    def _runner(self, spec: ToolSpec) -> Callable[..., Any]:
        function = spec.function
        if spec.read_only:
            for wrapper in self.read_wrappers:
                function = wrapper(spec, function)
        signature = inspect.signature(spec.function, eval_str=True)

        @functools.wraps(spec.function)
        async def run(**arguments: Any) -> CallToolResult:
            with calling_as(token_caller() or stdio_caller()):
                context = contextvars.copy_context()
            try:
                result = await anyio.to_thread.run_sync(lambda: context.run(function, **arguments))
            except UserError as error:
                return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)
            except Exception:
                log.exception("tool %s.%s failed", self.name, spec.name)
                return CallToolResult(
                    content=[
                        TextContent(
                            type="text",
                            text=f"{spec.name} failed on the server (internal error); the server log has the details.",
                        )
                    ],
                    is_error=True,
                )
            if not isinstance(result, BaseModel):
                result = spec.output_model.model_validate(result)
            content: list[ContentBlock] = [TextContent(type="text", text=result.model_dump_json())]
            if spec.extra_content:
                content += spec.extra_content(result)
            return CallToolResult(content=content, structured_content=result.model_dump(mode="json"))

        del run.__wrapped__  # the SDK must see the signature below, not the service function's
        # inspect.signature() honours __signature__ on any callable; typeshed declares it on no function type.
        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            return_annotation=Annotated[CallToolResult, signature.return_annotation]
        )
        return run

    def build(self, token_verifier=None, auth=None) -> MCPServer:
        """The ``MCPServer`` with every tool registered and the audit middleware installed."""
        from promptsales.cache.mcp import install as install_cache  # issue 10: rate limits, cache-aside, invalidation

        install_cache(self)
        server = MCPServer(
            name=f"promptsales-{self.name}",
            title=self.title,
            instructions=self.instructions,
            version=self.version,
            token_verifier=token_verifier,
            auth=auth,
            log_level="WARNING",
            middleware=[AuditMiddleware(self)],
        )
        for spec in self.tools.values():
            server.add_tool(
                self._runner(spec),
                name=spec.name,
                title=spec.title,
                description=spec.description,
                annotations=ToolAnnotations(readOnlyHint=spec.read_only, destructiveHint=False, openWorldHint=False),
                meta={"promptsales/scope": spec.scope},
            )
        return server


class AuditMiddleware:
    """MCP middleware: one audit record per ``tools/call`` — who, tool, outcome, latency."""

    def __init__(self, kit: ToolKit) -> None:
        self.kit = kit

    async def __call__(self, ctx, call_next):
        if ctx.method != "tools/call":
            return await call_next(ctx)
        name = (ctx.params or {}).get("name")
        started = time.perf_counter()
        outcome = "error"
        try:
            result = await call_next(ctx)
            is_error = getattr(result, "is_error", None) or (isinstance(result, dict) and result.get("isError"))
            outcome = "error" if is_error else "ok"
            return result
        finally:
            latency = (time.perf_counter() - started) * 1000
            caller = token_caller() or stdio_caller()
            audit.record(caller.actor, self.kit.name, str(name), outcome, latency, {"transport": caller.transport})

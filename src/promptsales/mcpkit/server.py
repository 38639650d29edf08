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
(:func:`promptsales.audit.trail.record`: who, tool, scope, outcome, latency), the tool's OAuth scope checked
at the HTTP layer (403), and **read wrappers** — functions ``wrapper(spec, fn) -> fn`` applied to every
``read_only`` tool, the single hook where the shared cache plugs in (:meth:`ToolKit.add_read_wrapper`).

A tool also declares its behaviour hints (``read_only``, ``idempotent``, ``destructive``, ``open_world`` →
MCP tool annotations; a read-only tool needs a ``…:read`` scope and a write tool any other) and, optionally,
``chart=fn(result) -> Chart | None``: the kit then adds a ``chart`` argument (default true) and returns the
chart as a PNG image next to the structured result (:mod:`promptsales.mcpkit.charts`). Prompts
(:meth:`ToolKit.prompt`), resources (:meth:`ToolKit.resource`) and argument completion
(:meth:`ToolKit.completion`, fuzzy and cached: :mod:`promptsales.mcpkit.completion`) are declared the same way.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import anyio
import psycopg
from mcp.server.mcpserver import MCPServer
from mcp_types import CallToolResult, ContentBlock, TextContent, ToolAnnotations
from pydantic import BaseModel, Field

from promptsales.audit import trail
from promptsales.caller import calling_as, stdio_caller, token_caller
from promptsales.errors import UserError
from promptsales.mcpkit.charts.spec import Chart
from promptsales.mcpkit.completion import Completer, PromptSpec, ResourceSpec, install_completion
from promptsales.mcpkit.errors import check_argument_values
from promptsales.mcpkit.toolcall import ObservedCall, ToolCallObserver

#: The argument the kit adds to every tool that draws a chart.
CHART_ARGUMENT = "chart"
_CHART_PARAMETER = inspect.Parameter(
    CHART_ARGUMENT,
    inspect.Parameter.KEYWORD_ONLY,
    default=True,
    annotation=Annotated[bool, Field(description="Add a chart of the result as a PNG image (false: data only).")],
)

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
    idempotent: bool = True
    destructive: bool = False
    open_world: bool = False
    chart: Callable[[Any], Chart | None] | None = None  # the result model → what to draw, or None

    @property
    def annotations(self) -> ToolAnnotations:
        """The MCP behaviour hints clients show and act on (e.g. asking before a destructive call)."""
        return ToolAnnotations(
            title=self.title,
            readOnlyHint=self.read_only,
            destructiveHint=self.destructive,
            idempotentHint=self.idempotent,
            openWorldHint=self.open_world,
        )

    @functools.cached_property
    def output_model(self) -> type[BaseModel]:
        """The pydantic model the tool returns (its structured output schema); read once (evaluating the
        annotations costs more than a cached answer)."""
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
        self.prompts: list[PromptSpec] = []
        self.resources: list[ResourceSpec] = []
        self.completers: dict[str, Completer] = {}
        #: ``(spec, arguments, caller) -> answer or None``: a read tool's answer when the shared cache holds it
        #: (set by the cache's install; the HTTP fast path, :mod:`promptsales.mcpkit.fastpath`, serves hits with it).
        self.cached_answer: Callable[[ToolSpec, dict[str, Any], Any], Any] | None = None
        #: What each HTTP server process runs before it accepts a request (:meth:`on_start`).
        self.start_hooks: list[Callable[[], None]] = []

    def on_start(self, hook: Callable[[], None]) -> Callable[[], None]:
        """Run ``hook`` in each HTTP server process (every worker) before it accepts requests — e.g. load a model
        that the first call would otherwise load while holding its callers (and those of the same cache key)."""
        self.start_hooks.append(hook)
        return hook

    def tool(
        self,
        *,
        scope: str,
        read_only: bool,
        title: str | None = None,
        extra_content: Callable[[Any], Sequence[ContentBlock]] | None = None,
        idempotent: bool | None = None,
        destructive: bool | None = None,
        open_world: bool = False,
        chart: Callable[[Any], Chart | None] | None = None,
        **options: Any,
    ) -> Callable[[Callable[..., BaseModel]], Callable[..., BaseModel]]:
        """Declare a tool (the function name is the tool name, its docstring the description).

        ``extra_content(result)`` adds MCP content blocks (e.g. images) built from the tool's own result model;
        ``chart(result)`` says what to draw (see the module docstring). Hints: a read-only tool is idempotent
        and not destructive; a write tool is, unless it says otherwise, destructive and not idempotent (the
        protocol's cautious defaults); ``open_world``: it reaches systems outside its own company's data.
        """
        if read_only != scope.endswith(":read"):
            raise ValueError(f"scope {scope!r}: a read-only tool needs a ':read' scope, a write tool another scope")

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
                idempotent=read_only if idempotent is None else idempotent,
                destructive=not read_only if destructive is None else destructive,
                open_world=open_world,
                chart=chart,
            )
            return function

        return decorate

    def prompt(self, *, title: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
        """Declare a prompt (a ready-made workflow the person picks in the client): the function name is its
        name, the docstring its description, its string parameters the arguments; it returns the message."""

        def decorate(function: Callable[..., str]) -> Callable[..., str]:
            self.prompts.append(PromptSpec(function.__name__, function, title, inspect.getdoc(function) or ""))
            return function

        return decorate

    def resource(
        self, uri: str, *, name: str, title: str, description: str, mime_type: str = "application/json"
    ) -> Callable[[Callable[..., str]], Callable[..., str]]:
        """Declare a resource, or a resource template when ``uri`` has ``{variables}`` (the function's
        parameters; their values can be completed with :meth:`completion`)."""

        def decorate(function: Callable[..., str]) -> Callable[..., str]:
            self.resources.append(ResourceSpec(uri, function, name, title, description, mime_type))
            return function

        return decorate

    def completion(self, *arguments: str) -> Callable[[Completer], Completer]:
        """Declare ``fn(partial, context) -> candidates`` as the completer of prompt and resource-template
        arguments with these names (``context``: the arguments already filled in). The kit ranks the
        candidates fuzzily, accent- and case-insensitively, and caches the answers."""

        def decorate(function: Completer) -> Completer:
            for argument in arguments:
                self.completers[argument] = function
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
        cache_kind = getattr(spec.options.get("cache"), "kind", "tool")

        def answer(arguments: dict[str, Any]) -> tuple[BaseModel, list[ContentBlock]]:
            draw = arguments.pop(CHART_ARGUMENT, True)
            check_argument_values(arguments)
            result = function(**arguments)
            if not isinstance(result, BaseModel):
                result = spec.output_model.model_validate(result)
            extra: list[ContentBlock] = list(spec.extra_content(result)) if spec.extra_content else []
            if spec.chart and draw:
                extra += self._chart(spec, cache_kind, result)
            return result, extra

        @functools.wraps(spec.function)
        async def run(**arguments: Any) -> CallToolResult:
            with calling_as(token_caller() or stdio_caller()):
                context = contextvars.copy_context()
            try:
                result, extra = await anyio.to_thread.run_sync(lambda: context.run(answer, arguments))
            except UserError as error:
                return CallToolResult(content=[TextContent(type="text", text=str(error))], is_error=True)
            except psycopg.DataError as error:  # a value the database refuses (out of its column's range…)
                message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
                return CallToolResult(
                    content=[TextContent(type="text", text=f"{spec.name}: a value was refused: {message}")],
                    is_error=True,
                )
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
            content: list[ContentBlock] = [TextContent(type="text", text=result.model_dump_json()), *extra]
            return CallToolResult(content=content, structured_content=result.model_dump(mode="json"))

        del run.__wrapped__  # the SDK must see the signature below, not the service function's
        parameters = list(signature.parameters.values()) + ([_CHART_PARAMETER] if spec.chart else [])
        # inspect.signature() honours __signature__ on any callable; typeshed declares it on no function type.
        run.__signature__ = signature.replace(  # type: ignore[attr-defined]
            parameters=parameters, return_annotation=Annotated[CallToolResult, signature.return_annotation]
        )
        return run

    def _chart(self, spec: ToolSpec, cache_kind: str, result: BaseModel) -> list[ContentBlock]:
        """The tool's chart of ``result`` as image content, or nothing when the result's shape calls for
        none; a chart that fails to draw is logged and left out (the answer still goes back)."""
        try:
            chart = spec.chart(result) if spec.chart else None
            if chart is None:
                return []
            from promptsales.mcpkit.charts.content import chart_image

            return [chart_image(self.name, spec.name, cache_kind, chart)]
        except Exception:
            log.exception("chart of %s.%s failed; answering without it", self.name, spec.name)
            return []

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
                annotations=spec.annotations,
                meta={"promptsales/scope": spec.scope},
            )
        for resource in self.resources:
            server.resource(
                resource.uri,
                name=resource.name,
                title=resource.title,
                description=resource.description,
                mime_type=resource.mime_type,
            )(resource.function)
        for prompt in self.prompts:
            server.prompt(name=prompt.name, title=prompt.title, description=prompt.description)(prompt.function)
        if self.completers:
            install_completion(server, self.name, self.completers, self.prompts, self.resources)
        return server


class AuditMiddleware(ToolCallObserver):
    """MCP middleware: one audit record per ``tools/call`` — who, tool, its scope, outcome, latency."""

    def __init__(self, kit: ToolKit) -> None:
        self.kit = kit

    def observed(self, call: ObservedCall) -> None:
        """Record the call in the central audit (batched writer: off the request path)."""
        caller = token_caller() or stdio_caller()
        spec = self.kit.tools.get(call.tool)
        trail.record(
            caller.actor,
            self.kit.name,
            call.tool,
            call.outcome,
            call.seconds * 1000,
            {"transport": caller.transport},
            scope=spec.scope if spec else None,
        )

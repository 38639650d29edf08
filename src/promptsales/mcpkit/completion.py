"""Argument completion for prompts and resource templates (MCP ``completion/complete``), and the
declarations it reads (:class:`PromptSpec`, :class:`ResourceSpec`).

A completer returns the candidate values of one argument (every campaign name, say); :func:`rank` keeps the
ones that match what the person has typed so far — accent- and case-insensitively, by whole-name prefix,
then word prefixes in any order, then substring, then a typo-tolerant word match — best first. Answers are
cached in the shared cache (kind ``catalog``, under the server's company: the ETL pass or write that bumps the
company refreshes them), so typing is one Redis round trip per keystroke once warm.
"""

from __future__ import annotations

import difflib
import inspect
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp_types import Completion, CompletionArgument, CompletionContext, PromptReference, ResourceTemplateReference

from promptsales.cache.core import CacheSpec
from promptsales.cache.instances import get_cache
from promptsales.cache.keys import COMPANIES

#: ``fn(partial, context) -> candidates``: every value the argument may take, given the arguments already set.
Completer = Callable[[str, Mapping[str, str]], Iterable[str]]
#: Most values one completion answer carries (the protocol's limit).
MAX_VALUES = 100
#: How close a typed word must be to the start of a name's word to count as a typo of it.
TYPO_SIMILARITY = 0.75
_NOT_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class PromptSpec:
    """A declared prompt: name, the function that renders its message, title and description."""

    name: str
    function: Callable[..., str]
    title: str
    description: str


@dataclass(frozen=True)
class ResourceSpec:
    """A declared resource or resource template (``{variables}`` in the URI)."""

    uri: str
    function: Callable[..., str]
    name: str
    title: str
    description: str
    mime_type: str

    @property
    def variables(self) -> tuple[str, ...]:
        """The template's variables (none for a plain resource)."""
        return tuple(re.findall(r"\{([a-z_][a-z0-9_]*)\}", self.uri))


def fold(text: str) -> str:
    """``text`` without accents or case, words separated by one space: ``'Año  Nuevo!'`` → ``'ano nuevo'``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NOT_WORD.sub(" ", plain).strip()


def _tier(query: str, words: list[str], name: str) -> float | None:
    """How well ``name`` (folded, and split into ``words``) matches ``query``: lower is better, None: no match."""
    if name.startswith(query):
        return 0.0
    typed = query.split()
    if all(any(word.startswith(token) for word in words) for token in typed):
        return 1.0
    if query in name:
        return 2.0
    scores = []
    for token in typed:
        best = max((difflib.SequenceMatcher(None, token, word[: len(token) + 1]).ratio() for word in words), default=0)
        if best < TYPO_SIMILARITY:
            return None
        scores.append(best)
    return 4.0 - sum(scores) / len(scores)  # 3.0 (every word exact) … 3.25 (every word at the threshold)


def rank(partial: str, candidates: Iterable[str], limit: int = MAX_VALUES) -> list[str]:
    """The candidates matching ``partial``, best first (ties alphabetical), without duplicates; an empty
    ``partial`` lists them alphabetically."""
    query = fold(partial)
    scored: dict[str, tuple[float, str]] = {}
    for candidate in candidates:
        folded = fold(candidate)
        tier = _tier(query, folded.split(), folded) if query else 0.0
        if tier is not None and candidate not in scored:
            scored[candidate] = (tier, folded)
    return sorted(scored, key=lambda candidate: scored[candidate])[:limit]


def complete(company: str, argument: str, partial: str, context: Mapping[str, str], completer: Completer) -> list[str]:
    """The ranked values for ``argument`` (one more than :data:`MAX_VALUES` tells the caller there are more),
    from the shared cache when another client typed the same."""

    def compute() -> list[str]:
        return rank(partial, completer(partial, context), MAX_VALUES + 1)

    if company not in COMPANIES:
        return compute()
    spec = CacheSpec(company, f"complete.{argument}", "catalog")
    return get_cache().fetch(spec, {"value": fold(partial), "context": dict(sorted(context.items()))}, compute).value


def install_completion(
    server: MCPServer,
    company: str,
    completers: Mapping[str, Completer],
    prompts: Sequence[PromptSpec],
    resources: Sequence[ResourceSpec],
) -> None:
    """Answer ``completion/complete`` on ``server`` for the declared prompts' and resource templates'
    arguments that have a completer; anything else gets an empty completion."""
    arguments: dict[tuple[str, str], tuple[str, ...]] = {}
    for prompt in prompts:
        arguments[("ref/prompt", prompt.name)] = tuple(inspect.signature(prompt.function).parameters)
    for resource in resources:
        arguments[("ref/resource", resource.uri)] = resource.variables

    @server.completion()
    async def handle(
        ref: PromptReference | ResourceTemplateReference, argument: CompletionArgument, context: Any
    ) -> Completion | None:
        target = ref.name if isinstance(ref, PromptReference) else ref.uri
        completer = completers.get(argument.name)
        if completer is None or argument.name not in arguments.get((ref.type, target), ()):
            return None
        filled = dict(context.arguments or {}) if isinstance(context, CompletionContext) else {}
        values = await anyio.to_thread.run_sync(
            lambda: complete(company, argument.name, argument.value, filled, completer)
        )
        more = len(values) > MAX_VALUES
        return Completion(values=values[:MAX_VALUES], total=None if more else len(values), has_more=more)

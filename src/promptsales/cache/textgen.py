"""Text generation behind the AI cache (SPEC G2, I1): :class:`CachedTextGenerator` wraps any
:class:`promptsales.ai.textgen.TextGenerator`; :func:`get_generator` is the configured one (docs/cache.md §5)."""

from __future__ import annotations

import time
from dataclasses import dataclass, fields
from typing import Any

from promptsales.ai.textgen import Generation, LLMSettings, LocalTemplateGenerator, OpenAICompatibleGenerator
from promptsales.cache.ai import AICache, digest
from promptsales.cache.instances import get_ai_cache
from promptsales.caller import current_caller


@dataclass
class CachedGeneration(Generation):
    """A :class:`Generation` that also says whether the AI cache answered and how many tokens that saved."""

    tokens_saved: int = 0
    cache_hit: str | None = None  # "exact" or "semantic" when the cache answered


class CachedTextGenerator:
    """A :class:`promptsales.ai.textgen.TextGenerator` with the AI cache in front of it.

    The exact key covers the system text, the prompt, the context and the count; the semantic cache
    compares the campaign text (``brief['campaign']``) within the same audience, count, model and OAuth
    client, so a paraphrased campaign for the same audience reuses the earlier messages (one client's
    campaign copy is never served to another client). A hit returns a
    :class:`CachedGeneration` with zero tokens spent, ``tokens_saved`` and ``cache_hit`` set.
    """

    def __init__(self, inner: Any, ai_cache: AICache | None = None, namespace: str = "messages") -> None:
        self.inner = inner
        self.provider = inner.provider
        self.model = inner.model
        self._ai_cache = ai_cache
        self.namespace = namespace

    @property
    def ai_cache(self) -> AICache:
        """The AI cache used (the process's one unless given)."""
        if self._ai_cache is None:
            self._ai_cache = get_ai_cache()
        return self._ai_cache

    def generate(
        self, system: str, prompt: str, context: list[str], count: int, brief: dict[str, str]
    ) -> CachedGeneration:
        """Generated texts from the cache when possible, else from the wrapped generator (then cached)."""
        started = time.perf_counter()
        exact_text = "\n".join([system, prompt, *context])

        # Reused only for the same OAuth client: one client's campaign copy is never served to another.
        partition = {
            "audience": brief.get("audience", ""),
            "count": count,
            "system": digest(system),
            "client": current_caller().actor,
        }
        generated: dict[str, Any] = {}

        def run() -> tuple[Any, int]:
            generation = self.inner.generate(system, prompt, context, count, brief)
            generated["value"] = generation
            return generation.texts, generation.tokens_in + generation.tokens_out

        outcome = self.ai_cache.call(
            self.namespace,
            exact_text,
            run,
            model=self.model,
            partition=partition,
            semantic_text=brief.get("campaign") or prompt,
        )
        if outcome.source == "generated":
            generation = generated["value"]
            return CachedGeneration(**{f.name: getattr(generation, f.name) for f in fields(Generation)})
        return CachedGeneration(
            list(outcome.result),
            f"{self.provider}+cache",
            self.model,
            0,
            0,
            (time.perf_counter() - started) * 1000,
            tokens_saved=outcome.tokens_saved,
            cache_hit=outcome.source,
        )


def get_generator() -> CachedTextGenerator:
    """The configured text generator behind the exact and semantic AI cache (docs/cache.md §5): the
    OpenAI-compatible one when ``PROMPTSALES_LLM_BASE_URL`` is set, else the local deterministic one."""
    settings = LLMSettings()
    return CachedTextGenerator(OpenAICompatibleGenerator(settings) if settings.base_url else LocalTemplateGenerator())

"""The AI-usage log (SPEC G4): :func:`log_ai_call` writes one row of ``portal.ai_usage_log`` in the
PromptSales database for every AI invocation (who, prompt, result, validation, tokens, latency)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field

from promptsales.config import Settings, get_settings
from promptsales.db.logwriter import LOG_WRITER

log = logging.getLogger("promptsales.ai.usage")


@dataclass
class AICall:
    """One AI invocation as it is logged."""

    actor: str
    module: str
    operation: str
    provider: str
    model: str
    prompt: str
    result: str
    validation_method: str
    validation_outcome: str = "accepted"
    corrections: str | None = None
    optimizations: str | None = None
    anti_hardcoding_measures: str | None = None
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_saved: int = 0
    latency_ms: float = 0.0
    cache_hit: bool = False
    actor_kind: str = "service"
    reference: dict = field(default_factory=dict)


def log_ai_call(call: AICall, settings: Settings | None = None) -> bool:
    """Insert ``call`` into ``portal.ai_usage_log``; False (and a stderr warning) if it could not be stored."""
    settings = settings or get_settings()
    try:
        LOG_WRITER.execute(
            settings,
            "INSERT INTO portal.ai_usage_log (actor, actor_kind, module, operation, provider, model, prompt, result, "
            "validation_method, validation_outcome, corrections, optimizations, anti_hardcoding_measures, tokens_in, "
            "tokens_out, tokens_saved, latency_ms, cache_hit, reference) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                call.actor,
                call.actor_kind,
                call.module,
                call.operation,
                call.provider,
                call.model,
                call.prompt,
                call.result,
                call.validation_method,
                call.validation_outcome,
                call.corrections,
                call.optimizations,
                call.anti_hardcoding_measures,
                call.tokens_in,
                call.tokens_out,
                call.tokens_saved,
                round(call.latency_ms, 3),
                call.cache_hit,
                json.dumps(call.reference, default=str),
            ),
        )
        return True
    except Exception as error:
        log.warning("AI usage not logged (%s): %s/%s by %s", error, call.module, call.operation, call.actor)
        return False

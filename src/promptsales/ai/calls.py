"""One AI-usage row (G4) per call of an AI module: :func:`logged_call` times a call and logs who asked (the
caller of the MCP tool — the OAuth client of its token), the input, the output, the model and its version,
how the output was validated and whether it came from a cache; :func:`log_cached_call` logs an answer the
MCP read-tool cache served without running the module.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from promptsales.ai.registry import ModelVersion
from promptsales.ai.usage import AICall, log_ai_call
from promptsales.caller import current_caller
from promptsales.config import Settings

#: The longest input or output text stored in one AI-usage row (the rest is cut, and the cut is said).
MAX_TEXT = 20_000


@dataclass
class ModuleCall:
    """What one call of an AI module reports for its AI-usage row; fill it inside :func:`logged_call`."""

    module: str
    operation: str
    input: Any
    output: Any = None
    model: ModelVersion | None = None
    label: str | None = None  # names the method when no registry version answered (e.g. a closed-form estimator)
    validation_method: str = ""
    validation_outcome: str = "accepted"
    corrections: str | None = None
    optimizations: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)


@contextmanager
def logged_call(
    module: str,
    operation: str,
    input: Any,
    *,
    settings: Settings | None = None,
    provider: str = "scikit-learn",
    anti_hardcoding: str | None = None,
) -> Iterator[ModuleCall]:
    """Run a block as one call of ``module``; on exit (also on an error) write its AI-usage row.

    The block sets ``call.output``, ``call.model`` and ``call.validation_method`` (and may set the rest). An
    exception inside the block is logged as ``rejected`` with its message and re-raised.
    """
    call = ModuleCall(module, operation, input)
    started = time.perf_counter()
    try:
        yield call
    except Exception as error:
        call.validation_outcome = "rejected"
        call.output = {"error": str(error)}
        raise
    finally:
        _log(call, settings, provider, anti_hardcoding, (time.perf_counter() - started) * 1000, cache_hit=False)


def log_cached_call(
    module: str,
    operation: str,
    input: Any,
    output: Any,
    *,
    model: str,
    settings: Settings | None = None,
    provider: str = "redis-cache",
) -> bool:
    """Log an answer the MCP read-tool cache served for ``operation`` (``model``: the ``module@vN`` that
    computed it, as the answer says) — one AI-usage row with ``cache_hit`` true."""
    call = ModuleCall(
        module,
        operation,
        input,
        output,
        validation_method="MCP read-tool cache hit: the answer computed and validated earlier for the same "
        "arguments, at the same generation of the data and of the model",
        optimizations="answer reused from the shared cache (same key scheme as every read tool)",
        reference={"model": model},
    )
    return _log(call, settings, provider, None, 0.0, cache_hit=True, model_label=model)


def _log(
    call: ModuleCall,
    settings: Settings | None,
    provider: str,
    anti_hardcoding: str | None,
    latency_ms: float,
    *,
    cache_hit: bool,
    model_label: str | None = None,
) -> bool:
    version = call.model
    reference = dict(call.reference)
    if version is not None:
        reference.setdefault("model_id", version.model_id)
        reference.setdefault("version", version.version)
    return log_ai_call(
        AICall(
            actor=current_caller().actor,
            module=call.module,
            operation=call.operation,
            provider=provider,
            model=model_label or (f"{version.label} ({version.algorithm})" if version else call.label or "none"),
            prompt=_text(call.input),
            result=_text(call.output),
            validation_method=call.validation_method or "none recorded",
            validation_outcome=call.validation_outcome,
            corrections=call.corrections,
            optimizations=call.optimizations,
            anti_hardcoding_measures=anti_hardcoding,
            latency_ms=latency_ms,
            cache_hit=cache_hit,
            reference=reference,
        ),
        settings,
    )


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
    if len(text) > MAX_TEXT:
        return text[:MAX_TEXT] + f"… [{len(text) - MAX_TEXT} more characters not stored]"
    return text

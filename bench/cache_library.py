"""Benchmark (issue 10): the cache at the library level, over real data and the real Valkey.

Source of truth: PromptAds' ``campaignResults`` read (the MCP tool's function, five SQL statements over
the official-scale history). Measures, on the data directory of ``PROMPTSALES_DATA_DIR`` (servers up,
data seeded):

* latency p50/p95/p99 of the source alone, of a cache miss (compute + publish) and of a cache hit;
* a Zipf(1.1) workload of 10,000 calls over 1,000 campaigns from 8 threads, with 0.5 % of the calls
  being writes that bump one campaign: hit ratio, source (database) calls made and saved;
* the semantic AI cache: cosine of paraphrased vs unrelated campaign briefs, and lookup latency with
  2,000 vectors; the rate limiter's check latency.

Writes the section "Cache — library level (issue 10)" of docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from cache_common import LATENCY_HEADER, latency_row, percentiles, zipf_workload  # noqa: E402
from promptsales.cache import AICache, Cache, CacheSpec, RateLimiter, Scope  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from report import write_section  # noqa: E402

CALLS = 10_000
DISTINCT = 1_000
THREADS = 8
WRITE_SHARE = 0.005

PARAPHRASES = [
    (
        "Launch a summer campaign for running shoes aimed at young athletes in Mexico",
        "Summer promotion of running sneakers targeting young sporty people in Mexico",
    ),
    (
        "Black Friday discounts on noise-cancelling headphones for remote workers",
        "Noise cancelling headphones on sale for Black Friday, aimed at people working from home",
    ),
    (
        "Organic baby food subscription for new parents in Colombia",
        "A subscription of organic food for babies, for first-time parents in Colombia",
    ),
    (
        "Back-to-school offer on laptops for university students",
        "Laptop deals for college students going back to school",
    ),
    (
        "Christmas campaign for luxury watches for executives in Dubai",
        "Holiday season luxury watch promotion targeting business executives in Dubai",
    ),
]
NEAR_MISSES = [
    (
        "Launch a summer campaign for running shoes aimed at young athletes in Mexico",
        "Launch a summer campaign for running shoes aimed at young athletes in Brazil",
    ),
]
UNRELATED = [
    "Quarterly accounting software for small law firms",
    "Pet insurance plans for older dogs",
    "Eco-friendly cleaning products for hotels in Portugal",
    "Winter tyres for delivery vans in Canada",
    "Language courses for nurses moving to Germany",
]


def timed(function) -> tuple[float, object]:
    started = time.perf_counter()
    value = function()
    return (time.perf_counter() - started) * 1000, value


def campaign_ids(settings) -> list[int]:
    with connect("ads", "etl", settings=settings) as conn:
        rows = conn.execute(
            "SELECT campaign_id FROM ads.campaigns ORDER BY campaign_id LIMIT %s", (DISTINCT,)
        ).fetchall()
    if len(rows) < DISTINCT:
        raise SystemExit(f"need {DISTINCT} campaigns in PromptAds (seed --scale official first); found {len(rows)}")
    return [row[0] for row in rows]


def main() -> None:
    """Run every measurement and write docs/benchmarks.md."""
    from promptsales.ads.mcp import campaignResults

    settings = get_settings()
    cache = Cache.from_settings(settings)
    ids = campaign_ids(settings)
    spec = CacheSpec("ads", "bench.campaignResults")
    rng = np.random.default_rng(10)

    def source(campaign_id: int):
        return campaignResults(campaign_id)

    def depends(campaign_id: int):
        return [Scope("ads", "campaign", campaign_id)]

    for campaign_id in ids[:20]:  # warm connection pools and plans
        source(campaign_id)
    cache.bump(Scope("ads"))  # everything cold

    sample = [int(x) for x in rng.choice(ids, 300, replace=False)]
    uncached = [timed(lambda c=c: source(c))[0] for c in sample]
    misses = [
        timed(lambda c=c: cache.fetch(spec, {"campaign_id": c}, lambda: source(c), depends=depends(c)))[0]
        for c in sample
    ]
    hits = [
        timed(lambda c=c: cache.fetch(spec, {"campaign_id": c}, lambda: source(c), depends=depends(c)))[0]
        for c in sample * 10
    ]

    # Zipf workload with writes, 8 threads.
    cache.bump(Scope("ads"))
    workload = zipf_workload(CALLS, DISTINCT, 1.1, seed=11)
    writes = set(np.flatnonzero(rng.random(CALLS) < WRITE_SHARE).tolist())
    source_calls = 0
    lock = threading.Lock()
    outcomes: dict[str, int] = {}

    def counted_source(campaign_id: int):
        nonlocal source_calls
        with lock:
            source_calls += 1
        return source(campaign_id)

    def one_call(position: int) -> float:
        campaign_id = ids[int(workload[position])]
        if position in writes:
            cache.bump(Scope("ads", "campaign", campaign_id))  # a committed write to this campaign
        elapsed, lookup = timed(
            lambda: cache.fetch(
                spec, {"campaign_id": campaign_id}, lambda: counted_source(campaign_id), depends=depends(campaign_id)
            )
        )
        with lock:
            outcomes[lookup.outcome] = outcomes.get(lookup.outcome, 0) + 1
        return elapsed

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        zipf_latencies = list(pool.map(one_call, range(CALLS)))
    zipf_seconds = time.perf_counter() - started
    distinct_seen = len(set(workload.tolist()))

    started = time.perf_counter()  # the same workload straight to the database
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(lambda position: source(ids[int(workload[position])]), range(CALLS)))
    uncached_seconds = time.perf_counter() - started
    served_from_cache = outcomes.get("hit", 0) + outcomes.get("coalesced", 0)

    # Semantic AI cache.
    from promptsales.ai.embeddings import get_encoder

    encoder = get_encoder()
    originals = encoder.encode([a for a, _ in PARAPHRASES])
    rephrased = encoder.encode([b for _, b in PARAPHRASES])
    unrelated = encoder.encode(UNRELATED)
    paraphrase_scores = (originals * rephrased).sum(axis=1)
    unrelated_scores = originals @ unrelated.T
    ai_cache = AICache(cache, embed=encoder.encode, capacity=2000, on_hit=None)
    namespace = f"bench{int(time.time())}"
    vectors = rng.standard_normal((1999, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    base = ai_cache.semantic_base(namespace, "bench")
    pipe = cache.connection.client.pipeline(transaction=False)
    for i, vector in enumerate(vectors):
        pipe.hset(f"{base}:vec", f"r{i}", vector.tobytes())
        pipe.zadd(f"{base}:ids", {f"r{i}": i + 1})
    pipe.set(f"{base}:seq", 1999)
    for key in ("vec", "ids", "seq"):
        pipe.expire(f"{base}:{key}", 3600)
    pipe.execute()
    ai_cache.store(namespace, PARAPHRASES[0][0], ["m1", "m2", "m3"], 400, model="bench")
    ai_cache.lookup(namespace, "warm-up", model="bench")  # first load of the 2,000-vector mirror
    semantic = [timed(lambda text=b: ai_cache.lookup(namespace, text, model="bench"))[0] for _, b in PARAPHRASES * 10]
    embed_only = [timed(lambda text=b: ai_cache.embed(text))[0] for _, b in PARAPHRASES * 10]
    query = ai_cache.embed(PARAPHRASES[0][1])
    base_key = ai_cache.semantic_base(namespace, "bench")
    search_only = [timed(lambda: ai_cache._candidates(base_key, query))[0] for _ in range(500)]
    semantic_hits = sum(ai_cache.lookup(namespace, PARAPHRASES[0][1], model="bench") is not None for _ in range(3))
    near_misses = encoder.encode([NEAR_MISSES[0][0], NEAR_MISSES[0][1]])
    near_score = float(near_misses[0] @ near_misses[1])

    limiter = RateLimiter(cache, rate=1e6, burst=10**6, bucket="bench")
    rate_checks = [timed(lambda: limiter.check("bench-client"))[0] for _ in range(2000)]

    stats = {
        name: percentiles(values)
        for name, values in (
            ("uncached", uncached),
            ("miss", misses),
            ("hit", hits),
            ("zipf", zipf_latencies),
            ("semantic", semantic),
            ("embed", embed_only),
            ("search", search_only),
            ("rate", rate_checks),
        )
    }
    load = os.getloadavg()
    lines = [
        f"Machine load average during the run: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (2 cores shared with other "
        f"work); cache bypassed (breaker open) on {cache.local['bypass']:,} calls, rate checks unchecked: "
        f"{cache.local['rate_unchecked']:,}.",
        "",
        "Source: PromptAds `campaignResults` (5 SQL statements over the official-scale history) called as a "
        "function; cache: `Cache.fetch` on the embedded Valkey over loopback TCP.",
        "",
        *LATENCY_HEADER,
        latency_row("source only (no cache)", stats["uncached"]),
        latency_row("cache miss (generations + lock + source + publish)", stats["miss"]),
        latency_row("cache hit (2 round trips + JSON decode)", stats["hit"]),
        latency_row(f"Zipf workload, {THREADS} threads, all calls", stats["zipf"]),
        latency_row("semantic AI lookup, 2,000 vectors (embedding included)", stats["semantic"]),
        latency_row("— of which: embedding the request (all-MiniLM-L6-v2, numpy)", stats["embed"]),
        latency_row("— of which: mirror refresh + nearest search over 2,000 vectors", stats["search"]),
        latency_row("rate-limit check (Lua token bucket)", stats["rate"]),
        "",
        f"Zipf(s = 1.1) workload: {CALLS:,} calls over {DISTINCT:,} campaigns ({distinct_seen:,} distinct asked), "
        f"{THREADS} threads, {len(writes)} writes ({WRITE_SHARE:.1%}) each bumping one campaign:",
        "",
        "| figure | value |",
        "|---|---:|",
        f"| served from cache (hit + coalesced) | {served_from_cache:,} ({served_from_cache / CALLS:.1%}) |",
        f"| hits / coalesced waits / misses | {outcomes.get('hit', 0):,} / {outcomes.get('coalesced', 0):,} / {outcomes.get('miss', 0):,} |",
        f"| database (source) calls | {source_calls:,} |",
        f"| database calls saved | {CALLS - source_calls:,} ({(CALLS - source_calls) / CALLS:.1%}) |",
        f"| wall time | {zipf_seconds:.2f} s ({CALLS / zipf_seconds:,.0f} calls/s) |",
        f"| wall time of the same {CALLS:,} calls without the cache, {THREADS} threads | {uncached_seconds:.2f} s ({CALLS / uncached_seconds:,.0f} calls/s) |",
        "",
        "Semantic cache (all-MiniLM-L6-v2): cosine of paraphrased briefs "
        f"{paraphrase_scores.min():.3f}–{paraphrase_scores.max():.3f}, of unrelated briefs "
        f"{unrelated_scores.min():.3f}–{unrelated_scores.max():.3f}; threshold 0.85; "
        f"paraphrase of a stored brief found among 2,000 vectors: {semantic_hits}/3. The same brief with another "
        f"country scores {near_score:.3f} and is refused by the names-and-numbers check.",
    ]
    write_section("Cache — library level (issue 10)", "bench/cache_library.py", lines)
    print("\n".join(lines))
    cache.close()


if __name__ == "__main__":
    main()

"""Benchmark (issue 3): `ads.adssp_create_campaign` latency for 10 ads × 5 channels × 5 markets (target p95 < 20 ms).

Also measures the same campaign written one row per call (21 INSERT round trips in one transaction), which
is what the TVP form replaces. Scratch database on the running installation; `python bench/ads_procedure.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ads_common import scratch_ads_database  # noqa: E402
from promptsales.ads.service import AdInput, CampaignRequest, ChannelInput, MarketInput, create_campaign  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from promptsales.seed import DEFAULT_SEED, SeedContext  # noqa: E402
from report import write_section  # noqa: E402

CALLS = 300
WARMUP = 20


def request(name: str) -> CampaignRequest:
    """A campaign of 10 ads over 5 channels and 5 markets."""
    return CampaignRequest(
        brand_id=1,
        name=name,
        objective="sales",
        budget=50000,
        start_date=date(2026, 2, 1),
        end_date=date(2026, 3, 31),
        channels=[ChannelInput(c, 0.2) for c in range(1, 6)],
        markets=[MarketInput(m) for m in range(1, 6)],
        ads=[
            AdInput(channel_id=i % 5 + 1, format="image", headline=f"Headline {i}", copy=f"Copy {i}") for i in range(10)
        ],
    )


def row_by_row(conn, name: str) -> None:
    """The same campaign with one INSERT per row (what a client without TVPs does)."""
    with conn.transaction():
        cid = conn.execute(
            """INSERT INTO ads.campaigns (brand_id, name, objective, status, budget, start_date, end_date)
                              VALUES (1, %s, 'sales', 'draft', 50000, '2026-02-01', '2026-03-31') RETURNING campaign_id""",
            (name,),
        ).fetchone()[0]
        for c in range(1, 6):
            conn.execute(
                "INSERT INTO ads.campaign_channels (campaign_id, channel_id, budget_share) VALUES (%s, %s, 0.2)",
                (cid, c),
            )
        for m in range(1, 6):
            conn.execute("INSERT INTO ads.campaign_markets (campaign_id, market_id) VALUES (%s, %s)", (cid, m))
        for i in range(10):
            conn.execute(
                """INSERT INTO ads.ads (campaign_id, channel_id, format, headline, copy, call_to_action, language, start_date, end_date)
                            VALUES (%s, %s, 'image', %s, %s, 'Learn more', 'en', '2026-02-01', '2026-03-31')""",
                (cid, i % 5 + 1, f"Headline {i}", f"Copy {i}"),
            )


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    """Measure both ways of creating a campaign; write the figures into docs/benchmarks.md."""
    with scratch_ads_database() as (settings, dbname):
        from promptsales.ads.generate import seed

        seed(SeedContext(settings, "small", DEFAULT_SEED, dbname={"ads": dbname}))
        with connect("ads", "app", settings=settings, dbname=dbname, autocommit=True) as conn:
            tvp, rows = [], []
            for i in range(WARMUP + CALLS):
                started = time.perf_counter()
                create_campaign(conn, request(f"Bench TVP {i}"))
                if i >= WARMUP:
                    tvp.append((time.perf_counter() - started) * 1000)
            for i in range(WARMUP + CALLS):
                started = time.perf_counter()
                row_by_row(conn, f"Bench rows {i}")
                if i >= WARMUP:
                    rows.append((time.perf_counter() - started) * 1000)
    lines = [
        f"{CALLS} calls after {WARMUP} warm-up calls, one autocommit connection (TCP loopback), scratch database with "
        "small-scale data; each call creates 1 campaign + 5 channels + 5 markets + 10 ads (+1 log row for the procedure).",
        "",
        "| way | p50 (ms) | p95 (ms) | p99 (ms) | mean (ms) | target |",
        "|---|---|---|---|---|---|",
        f"| `CALL ads.adssp_create_campaign` (TVP arrays, validation, log) | {statistics.median(tvp):.2f} | "
        f"{percentile(tvp, 0.95):.2f} | {percentile(tvp, 0.99):.2f} | {statistics.mean(tvp):.2f} | p95 < 20 ms |",
        f"| one INSERT per row (21 round trips, no validation, no log) | {statistics.median(rows):.2f} | "
        f"{percentile(rows, 0.95):.2f} | {percentile(rows, 0.99):.2f} | {statistics.mean(rows):.2f} | |",
    ]
    for line in lines[-2:]:
        print(line)
    write_section("PromptAds adssp_create_campaign latency", "bench/ads_procedure.py", lines)


if __name__ == "__main__":
    main()

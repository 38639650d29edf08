"""Benchmark (issue 3): `ads.adssp_create_campaign` latency for 10 ads × 5 channels × 5 markets (target p95 < 20 ms).

Also measures the same campaign written one row per call (21 INSERT round trips in one transaction), which
is what the TVP form replaces. Scratch database on the running installation; `python bench/ads_procedure.py`.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from promptsales.ads.service import CampaignRequest, create_campaign  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from promptsales.seed import DEFAULT_SEED, SeedContext  # noqa: E402
from promptsales.testing import sample_campaign_request, scratch_company_database  # noqa: E402
from report import write_section  # noqa: E402

CALLS = 300
WARMUP = 20


def row_by_row(conn, campaign: CampaignRequest) -> None:
    """The same campaign with one INSERT per row (what a client without TVPs does), with the defaults the
    procedure fills in (call to action, language, the campaign's dates)."""
    with conn.transaction():
        cid = conn.execute(
            """INSERT INTO ads.campaigns (brand_id, product_id, audience_id, name, objective, status, budget, start_date, end_date)
               VALUES (%s, %s, %s, %s, %s, 'draft', %s, %s, %s) RETURNING campaign_id""",
            (
                campaign.brand_id,
                campaign.product_id,
                campaign.audience_id,
                campaign.name,
                campaign.objective,
                campaign.budget,
                campaign.start_date,
                campaign.end_date,
            ),
        ).fetchone()[0]
        for channel in campaign.channels:
            conn.execute(
                "INSERT INTO ads.campaign_channels (campaign_id, channel_id, budget_share) VALUES (%s, %s, %s)",
                (cid, channel.channel_id, channel.budget_share),
            )
        for market in campaign.markets:
            conn.execute(
                "INSERT INTO ads.campaign_markets (campaign_id, market_id) VALUES (%s, %s)", (cid, market.market_id)
            )
        for ad in campaign.ads:
            conn.execute(
                """INSERT INTO ads.ads (campaign_id, channel_id, format, content_ref, headline, copy, call_to_action, language, start_date, end_date)
                   VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                (
                    cid,
                    ad.channel_id,
                    ad.format,
                    ad.content_ref,
                    ad.headline,
                    ad.copy,
                    ad.call_to_action or "Learn more",
                    ad.language or "en",
                    ad.start_date or campaign.start_date,
                    ad.end_date or campaign.end_date,
                ),
            )


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    """Measure both ways of creating a campaign; write the figures into docs/benchmarks.md."""
    settings = get_settings()
    with scratch_company_database(settings, "ads", "bench_") as dbname:
        from promptsales.ads.generate import seed

        seed(SeedContext(settings, "small", DEFAULT_SEED, dbname={"ads": dbname}))
        with connect("ads", "app", settings=settings, dbname=dbname, autocommit=True) as conn:
            tvp, rows = [], []
            for i in range(WARMUP + CALLS):
                started = time.perf_counter()
                create_campaign(conn, sample_campaign_request(f"Bench TVP {i}"))
                if i >= WARMUP:
                    tvp.append((time.perf_counter() - started) * 1000)
            for i in range(WARMUP + CALLS):
                started = time.perf_counter()
                row_by_row(conn, sample_campaign_request(f"Bench rows {i}"))
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

"""Benchmark (issue 6): cost of the change-capture triggers on a bulk write of 100,000 rows.

Two identical copies of ads.ad_results' shape in a private copy of promptads, one with cdc.attach(), one
without; each round COPYs 100,000 rows into both (alternating order), then UPDATEs all of them. Target:
overhead under 15 % (statement-level triggers write one change row per distinct campaign, not per row).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from etl_common import copy_databases, drop_databases  # noqa: E402
from report import write_section  # noqa: E402

from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402

ROWS = 100_000


def _payload() -> bytes:
    lines = []
    for i in range(ROWS):
        campaign = 1 + i % 500
        lines.append(f"{i}\t{1 + i % 5}\t{1 + i % 7}\t2025-01-{1 + i % 28:02d}\t{campaign}\t{i % 900}\t{i % 90}\t{i % 40}"
                     f"\t{i % 30}\t{i % 10}\t{i % 3}\t{(i % 100) / 10:.2f}\t{i % 800}\t{(i % 1000) / 7:.2f}\t0.00\n")
    return "".join(lines).encode()


def _timed(conn, table: str, payload: bytes) -> tuple[float, float]:
    conn.execute(f"TRUNCATE {table}")  # fixed names only
    conn.commit()
    started = time.perf_counter()
    with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
        copy.write(payload)
    conn.commit()
    copied = time.perf_counter() - started
    started = time.perf_counter()
    conn.execute(f"UPDATE {table} SET cost = cost + 1")
    conn.commit()
    return copied, time.perf_counter() - started


def main(repeats: int = 5) -> None:
    """Measure and record the trigger overhead."""
    settings = get_settings()
    names = copy_databases(settings, ("ads",))
    payload = _payload()
    try:
        with connect("ads", "owner", settings=settings, dbname=names["ads"]) as conn:
            for table in ("public.bench_plain", "public.bench_captured"):
                conn.execute(f"CREATE TABLE {table} (LIKE ads.ad_results INCLUDING DEFAULTS)")
                conn.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (ad_id, channel_id, market_id, result_date)")
            conn.execute("SELECT cdc.attach('public.bench_captured', 'campaign_id')")
            conn.commit()
            results = {"public.bench_plain": [], "public.bench_captured": []}
            for round_no in range(repeats):
                order = list(results) if round_no % 2 == 0 else list(reversed(results))
                for table in order:
                    results[table].append(_timed(conn, table, payload))
            changes = conn.execute("SELECT count(*) FROM cdc.changes WHERE table_name = 'public.bench_captured'").fetchone()[0]
    finally:
        drop_databases(settings, names)
    med = {t: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)) for t, runs in results.items()}
    plain, captured = med["public.bench_plain"], med["public.bench_captured"]
    copy_pct = 100 * (captured[0] - plain[0]) / plain[0]
    update_pct = 100 * (captured[1] - plain[1]) / plain[1]
    lines = [
        f"{ROWS:,} rows of ads.ad_results' shape (500 campaigns), median of {repeats} rounds; the captured table "
        f"wrote {changes // repeats:,} change rows per round (one per distinct campaign per statement).",
        "",
        "| bulk write | without triggers (s) | with cdc triggers (s) | overhead | target |",
        "|---|---|---|---|---|",
        f"| COPY {ROWS:,} rows | {plain[0]:.3f} | {captured[0]:.3f} | {copy_pct:+.1f} % | < 15 % |",
        f"| UPDATE {ROWS:,} rows | {plain[1]:.3f} | {captured[1]:.3f} | {update_pct:+.1f} % | < 15 % |",
    ]
    write_section("ETL change-capture trigger overhead (issue 6)", "bench/etl_triggers.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

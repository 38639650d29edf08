"""Benchmark (issue 6): cost of the change-capture triggers on a bulk write of 100,000 rows.

Two identical copies of ads.ad_results' shape in a private copy of promptads, one with cdc.attach(), one
without; each round COPYs 100,000 rows into both (alternating order), then UPDATEs all of them. Target:
overhead under 15 % (statement-level triggers write one change row per distinct campaign, not per row).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from etl_common import copy_databases, drop_databases  # noqa: E402
from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from report import write_section  # noqa: E402

ROWS = 100_000


def _payload() -> bytes:
    lines = []
    for i in range(ROWS):
        campaign = 1 + i % 500
        lines.append(
            f"{i}\t{1 + i % 5}\t{1 + i % 7}\t2025-01-{1 + i % 28:02d}\t{campaign}\t{i % 900}\t{i % 90}\t{i % 40}"
            f"\t{i % 30}\t{i % 10}\t{i % 3}\t{(i % 100) / 10:.2f}\t{i % 800}\t{(i % 1000) / 7:.2f}\t0.00\n"
        )
    return "".join(lines).encode()


def backend_cpu(conn) -> float:
    """CPU seconds (user + system) used so far by the connection's server process (/proc; local server).

    CPU time is what the triggers add; unlike wall time it hardly moves when other work shares the cores."""
    pid = conn.info.backend_pid
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measure(conn, statement_or_copy) -> tuple[float, float]:
    """(wall seconds, server CPU seconds) of one committed bulk write."""
    cpu, started = backend_cpu(conn), time.perf_counter()
    statement_or_copy()
    conn.commit()
    return time.perf_counter() - started, backend_cpu(conn) - cpu


def _copy_into(conn, table: str, payload: bytes):
    def run() -> None:
        with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:  # fixed names only
            copy.write(payload)

    return run


def _timed(conn, table: str, payload: bytes) -> tuple[tuple[float, float], tuple[float, float]]:
    conn.execute(f"TRUNCATE {table}")  # fixed names only
    conn.commit()
    copied = _measure(conn, _copy_into(conn, table, payload))
    updated = _measure(conn, lambda: conn.execute(f"UPDATE {table} SET cost = cost + 1"))
    return copied, updated


def _real_table_round(conn, payload: bytes, captured: bool) -> tuple[float, float]:
    """COPY 100,000 new rows into ads.ad_results itself (its keys, indexes and FKs), then remove them."""
    action = "ENABLE" if captured else "DISABLE"
    conn.execute(f"ALTER TABLE ads.ad_results {action} TRIGGER cdc_ins")
    conn.commit()
    elapsed = _measure(conn, _copy_into(conn, "ads.ad_results", payload))
    conn.execute("ALTER TABLE ads.ad_results DISABLE TRIGGER cdc_del")
    conn.execute("DELETE FROM ads.ad_results WHERE result_date >= date '2030-01-01'")
    conn.execute("ALTER TABLE ads.ad_results ENABLE TRIGGER cdc_del")
    conn.execute("ALTER TABLE ads.ad_results ENABLE TRIGGER cdc_ins")
    conn.commit()
    return elapsed


def _real_payload(conn) -> bytes:
    """100,000 existing result rows moved to dates after 2030 (valid keys and foreign keys, new primary keys)."""
    buffer = bytearray()
    query = (
        "COPY (SELECT ad_id, channel_id, market_id, result_date + 3000, campaign_id, views, likes, interactions, "
        f"clicks, leads, sales, hours_of_exposure, audience_reached, cost, revenue FROM ads.ad_results "
        f"ORDER BY ad_id, channel_id, market_id, result_date LIMIT {ROWS}) TO STDOUT"
    )
    with conn.cursor().copy(query) as copy:
        for block in copy:
            buffer += bytes(block)
    conn.commit()
    return bytes(buffer)


def _overhead(plain: list[tuple[float, float]], captured: list[tuple[float, float]]) -> list[float]:
    """Median wall time without/with, their overhead %, median server CPU without/with, its overhead %."""
    out = []
    for index in (0, 1):
        p_med = statistics.median(r[index] for r in plain)
        c_med = statistics.median(r[index] for r in captured)
        out += [p_med, c_med, 100 * (c_med - p_med) / p_med]
    return out


def main(repeats: int = 11) -> None:
    """Measure and record the trigger overhead (medians of ``repeats`` alternating rounds, wall and server CPU)."""
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
            changes = conn.execute(
                "SELECT count(*) FROM cdc.changes WHERE table_name = 'public.bench_captured' AND operation = 'I'"
            ).fetchone()[0]
            real_payload = _real_payload(conn)
            real = {False: [], True: []}
            for round_no in range(repeats):
                for captured in (False, True) if round_no % 2 == 0 else (True, False):
                    real[captured].append(_real_table_round(conn, real_payload, captured))
    finally:
        drop_databases(settings, names)
    plain, captured = results["public.bench_plain"], results["public.bench_captured"]
    rows = [
        (
            f"COPY {ROWS:,} rows into a scratch table (primary key only)",
            [r[0] for r in plain],
            [r[0] for r in captured],
        ),
        (f"UPDATE {ROWS:,} rows of that table", [r[1] for r in plain], [r[1] for r in captured]),
        (f"COPY {ROWS:,} rows into ads.ad_results (its indexes and foreign keys)", real[False], real[True]),
    ]
    lines = [
        f"{ROWS:,} rows of ads.ad_results' shape over 500 campaigns; {repeats} alternating rounds each. The captured "
        f"table wrote {changes // repeats:,} change rows per COPY (one per distinct campaign per statement, not one "
        "per row). The machine is shared (2 cores, other sessions' work running), so wall times of single rounds "
        "vary by ±30 %; the server process's CPU time (user + system, from /proc) is what the triggers add and is "
        "far steadier — it is the figure held against the target.",
        "",
        "| bulk write | wall without (s) | wall with cdc (s) | wall overhead | CPU without (s) | CPU with cdc (s) | "
        "**CPU overhead** | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for title, without, with_ in rows:
        w0, w1, wp, c0, c1, cp = _overhead(without, with_)
        lines.append(
            f"| {title} | {w0:.3f} | {w1:.3f} | {wp:+.1f} % | {c0:.2f} | {c1:.2f} | **{cp:+.1f} %** | < 15 % |"
        )
    write_section("ETL change-capture trigger overhead (issue 6)", "bench/etl_triggers.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

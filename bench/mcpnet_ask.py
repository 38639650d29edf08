"""Benchmark (issues 7, 16): askCampaignPerformance latency with the local parser (target p95 < 300 ms).

Runs the question sets of tests/mcpnet — the 49 warehouse questions, the 50 unseen ones and the composed ones
of issue 16 (subjects resolved in two steps, key tables, averages …), names picked from the data — against
the data directory of
``PROMPTSALES_DATA_DIR`` (servers up, data seeded, one ETL pass): in process (parse + catalog + SQL) and,
when the sales MCP server and the issuer run, end to end over MCP streamable HTTP with TLS 1.3 and a
bearer token (one session per call, as a stateless client would). Writes docs/benchmarks.md.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests" / "mcpnet"))
sys.path.insert(0, str(ROOT / "tests" / "nlq_eval"))
from promptsales.config import get_settings  # noqa: E402
from promptsales.db.connect import connect  # noqa: E402
from promptsales.sales.nlq.service import ask  # noqa: E402
from report import write_section  # noqa: E402

AS_OF = date(2026, 1, 31)


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _one_session(settings, url: str, token: str, questions: list[str]) -> list[float]:
    """Per-call latency inside one MCP session (what a connected client sees)."""
    import anyio

    from promptsales.testing import https_session

    async def run() -> list[float]:
        timings = []
        async with https_session(settings, url.removesuffix("/mcp"), token) as session:
            for question in questions:
                started = time.perf_counter()
                result = await session.call_tool(
                    "askCampaignPerformance", {"question": question, "as_of": AS_OF.isoformat()}
                )
                timings.append((time.perf_counter() - started) * 1000)
                assert not result.is_error, result.content
        return timings

    return anyio.run(run)


def _evaluation_questions() -> list[str]:
    """The questions of tests/nlq_eval (dev and held-out; timing only) whose text names no generated name."""
    from nlq_eval_cases import load_cases

    return [case.text({}) for case in load_cases() if not case.intent.bind]


def main(rounds: int = 5) -> None:
    """Measure and record the latencies."""
    import test_mcpnet_composed_questions as composed
    import test_mcpnet_unseen_questions as unseen
    from test_mcpnet_questions import QUESTIONS, _names

    from promptsales.sales.nlq.semantic import semantic_index

    settings = get_settings()
    local: list[float] = []
    with connect("sales", "analyst", settings=settings) as conn:
        names = _names(conn)
        questions = [template.format(**names) for _, template, _ in QUESTIONS]
        with connect("ads", "etl", settings=settings) as ads, connect("crm", "etl", settings=settings) as crm:
            source_names = unseen.source_names(unseen.Sources(ads, crm))
        questions += [template.format(**source_names) for _, _, template, _ in unseen.QUESTIONS]
        questions += [template.format(**source_names) for _, template, _ in composed.QUESTIONS]
        mcpnet_count = len(questions)
        questions += _evaluation_questions()
        ask(questions[0], conn, as_of=AS_OF)  # warm the catalog cache
        semantic_index()  # load the sentence model once, as a running server has
        cpu: list[float] = []
        for _ in range(rounds):
            for question in questions:
                started, started_cpu = time.perf_counter(), time.thread_time()
                ask(question, conn, as_of=AS_OF)
                local.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
        campaigns = conn.execute("SELECT count(*) FROM wh.campaigns").fetchone()[0]
    lines = [
        f"Warehouse: {campaigns:,} campaigns. {len(questions)} questions ({mcpnet_count} of the warehouse, unseen "
        f"and composed sets of tests/mcpnet, {len(questions) - mcpnet_count} of tests/nlq_eval without bound "
        f"names; over half Spanish) × {rounds} rounds.",
        "",
        "| path | calls | p50 ms | p95 ms | max ms |",
        "|---|---|---|---|---|",
        f"| in process (parse + catalog + SQL), wall | {len(local)} | {statistics.median(local):.1f} | "
        f"{percentile(local, 0.95):.1f} | {max(local):.1f} |",
        f"| in process, CPU of the calling thread (parse, plan, answer; not the database's) | {len(cpu)} | "
        f"{statistics.median(cpu):.1f} | {percentile(cpu, 0.95):.1f} | {max(cpu):.1f} |",
    ]
    try:
        from mcpnet_helpers import Network, call

        network = Network(settings)
        url = network.url("sales")
        token = network.token("bench", ["sales:read"])
        remote: list[float] = []
        for question in questions:
            started = time.perf_counter()
            result = call(
                settings, url, token, "askCampaignPerformance", {"question": question, "as_of": AS_OF.isoformat()}
            )
            remote.append((time.perf_counter() - started) * 1000)
            assert not result.is_error, result.content
        lines.append(
            f"| MCP over HTTPS (new session per call, TLS 1.3, JWT) | {len(remote)} | "
            f"{statistics.median(remote):.1f} | {percentile(remote, 0.95):.1f} | {max(remote):.1f} |"
        )
        session = _one_session(settings, url, token, questions)
        lines.append(
            f"| MCP over HTTPS (one session, call only) | {len(session)} | "
            f"{statistics.median(session):.1f} | {percentile(session, 0.95):.1f} | {max(session):.1f} |"
        )
    except Exception as error:  # the HTTPS part needs `promptsales up` with the sales server
        lines.append(f"| MCP over HTTPS | skipped: {type(error).__name__}: {str(error)[:80]} | | | |")
    lines += ["", "Target (issues 7, 16): p95 under 300 ms with the local parser."]
    lines.append(f"Load average while measuring: {os.getloadavg()[0]:.1f} (other jobs shared the 2 cores).")
    write_section("askCampaignPerformance latency (issue 7)", "bench/mcpnet_ask.py", lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()

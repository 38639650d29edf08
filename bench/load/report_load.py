"""The load benchmark's section of docs/benchmarks.md, from ``build/load/results.json`` (``run.py`` writes both)."""

from __future__ import annotations

from typing import Any

from plan import TOOLS

MCP_GROUPS = ("mcp-sales", "mcp-ads", "mcp-crm", "mcp-content")
MIXED = ("saturation", "80%", "50%")


def _stage(results: dict[str, Any], name: str) -> dict[str, Any]:
    return next(stage for stage in results["stages"] if stage["name"] == name)


def _tool_rows(stage: dict[str, Any]) -> dict[str, dict[str, float]]:
    return {name: row for name, row in stage["stats"].items() if name in TOOLS}


def _calls(stage: dict[str, Any]) -> int:
    return sum(row["count"] for row in _tool_rows(stage).values())


def _unintended(stage: dict[str, Any]) -> int:
    return sum(f["count"] for f in stage["failures"] if "rate-limited" not in f["error"])


def _limited(stage: dict[str, Any]) -> int:
    return sum(f["count"] for f in stage["failures"] if "rate-limited" in f["error"])


def _mcp_cpu(stage: dict[str, Any]) -> float:
    return sum(stage["cpu"].get(group, 0.0) for group in MCP_GROUPS)


def _hit_ratio(stage: dict[str, Any]) -> str:
    hits, misses = stage["cache"].get("hits", 0), stage["cache"].get("misses", 0)
    return f"{hits / (hits + misses):.0%}" if hits + misses else "—"


def cached_cost(results: dict[str, Any]) -> tuple[float, float]:
    """(server CPU ms per cached call, cached calls per core per second) from the ``cached`` stage."""
    stage = _stage(results, "cached")
    calls = _calls(stage)
    ms = 1000 * stage["cpu"]["mcp-sales"] / calls if calls else float("nan")
    return ms, 1000 / ms if ms else float("nan")


def section_lines(results: dict[str, Any]) -> list[str]:
    """Markdown lines of the section."""
    size = results["size"]
    lines = [
        f"Data: {size['campaigns']:,} campaigns ({size['active_campaigns']:,} active), {size['warehouse']:,} in the "
        f"warehouse, {size['clients']:,} PromptCRM clients. {results['agents']} agents, each its own OAuth client "
        f"(client-credentials token from the local issuer; the per-client limit is not raised), MCP over streamable "
        f"HTTP + TLS 1.3 with the local CA; {results['workers']} worker processes per MCP server; Locust "
        f"{results['processes']} processes on the same machine. Run time {results['minutes']:.1f} min. "
        "CPU seconds are read from /proc for each group of processes over each stage (MCP servers with their "
        "workers, PostgreSQL with its backends, Valkey, the Locust processes).",
        "",
        "| stage | agents | pace (calls/s each) | tool calls | calls/s | errors | rate-limited | p50 ms | p95 ms "
        "| p99 ms | cache hits | MCP CPU s | PostgreSQL CPU s | Valkey CPU s | Locust CPU s | load avg |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for stage in results["stages"]:
        total = stage["stats"].get("Aggregated", {})
        pace = "closed loop" if not stage["pace"] else f"{stage['pace']:.3f}"
        lines.append(
            f"| {stage['name']} | {stage['users']} | {pace} | {_calls(stage):,} | "
            f"{_calls(stage) / stage['elapsed']:.0f} | {_unintended(stage)} | {_limited(stage)} | "
            f"{total.get('p50', 0):.0f} | {total.get('p95', 0):.0f} | {total.get('p99', 0):.0f} | "
            f"{_hit_ratio(stage)} | {_mcp_cpu(stage):.1f} | {stage['cpu'].get('postgres', 0):.1f} | "
            f"{stage['cpu'].get('valkey', 0):.1f} | {stage['cpu'].get('generator', 0):.1f} | "
            f"{stage['load_average'][0]:.1f} → {stage['load_average'][1]:.1f} |"
        )
    lines += ["", "Per operation in the mixed workload (ms):", ""]
    lines.append("| operation | " + " | ".join(f"{name}: calls/s, p50 / p95 / p99" for name in MIXED) + " |")
    lines.append("|---|" + "---|" * len(MIXED))
    stages = [_stage(results, name) for name in MIXED]
    for tool in sorted({tool for stage in stages for tool in _tool_rows(stage)}):
        cells = []
        for stage in stages:
            row = stage["stats"].get(tool)
            cells.append(
                f"{row['count'] / stage['elapsed']:.1f}, {row['p50']:.0f} / {row['p95']:.0f} / {row['p99']:.0f}"
                if row
                else "—"
            )
        lines.append(f"| {tool} | " + " | ".join(cells) + " |")
    ms, per_core = cached_cost(results)
    sessions = _stage(results, "sessions")["stats"].get("initialize sales", {})
    saturation = _stage(results, "saturation")
    mixed = saturation["stats"].get("Aggregated", {})
    cached_p99 = saturation["stats"].get("topCampaigns", {}).get("p99", float("nan"))
    errors = sum(_unintended(stage) for stage in results["stages"])
    audit = results["audit"]
    lines += [
        "",
        "| target (issue 20) | measured | met |",
        "|---|---|---|",
        f"| cached call ≤ 0.7 ms server CPU (≥ 1,500/s per core) | {ms:.2f} ms → {per_core:,.0f}/s per core | "
        f"{'yes' if ms <= 0.7 else 'no'} |",
        f"| session initialize p95 < 50 ms, 30 opening at once | p50 {sessions.get('p50', 0):.0f} ms, "
        f"p95 {sessions.get('p95', 0):.0f} ms | {'yes' if sessions.get('p95', 1e9) < 50 else 'no'} |",
        f"| mixed p95 < 2.5 s at the highest rate sustained ({results['saturation_rate']:.0f} calls/s) | "
        f"p95 {mixed.get('p95', 0):.0f} ms | {'yes' if mixed.get('p95', 1e9) < 2500 else 'no'} |",
        f"| cached p99 < 400 ms at that rate (topCampaigns, hits after warm-up) | p99 {cached_p99:.0f} ms | "
        f"{'yes' if cached_p99 < 400 else 'no'} |",
        f"| 0 errors other than rate-limit refusals | {errors} | {'yes' if errors == 0 else 'no'} |",
        f"| audit rows = calls (calls served: the servers' rate-limit counters) | {audit['rows']:,} rows for "
        f"{audit['tool_calls']:,} calls (Locust counted {audit.get('locust_counted', 0):,}) | "
        f"{'yes' if audit['rows'] == audit['tool_calls'] else 'no'} |",
    ]
    failures = [f for stage in results["stages"] for f in stage["failures"] if "rate-limited" not in f["error"]]
    if failures:
        lines += ["", "Errors seen:", ""]
        lines += [f"- {f['name']}: {f['error'][:160]} ({f['count']})" for f in failures[:10]]
    return lines

"""Shared pieces of the cache benchmarks: percentiles, a Zipf workload, the report table."""

from __future__ import annotations

import numpy as np


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50/p95/p99 and mean of latencies in milliseconds."""
    values = np.asarray(samples_ms, dtype=float)
    return {
        "p50": float(np.percentile(values, 50)),
        "p95": float(np.percentile(values, 95)),
        "p99": float(np.percentile(values, 99)),
        "mean": float(values.mean()),
        "n": int(values.size),
    }


def zipf_workload(calls: int, distinct: int, exponent: float, seed: int) -> np.ndarray:
    """``calls`` item indexes in ``[0, distinct)`` drawn from a bounded Zipf law (rank r has weight r^-s)."""
    ranks = np.arange(1, distinct + 1, dtype=float)
    weights = ranks**-exponent
    rng = np.random.default_rng(seed)
    return rng.choice(distinct, size=calls, p=weights / weights.sum())


def latency_row(label: str, stats: dict[str, float]) -> str:
    """A Markdown table row: label, p50, p95, p99, mean, samples."""
    return (
        f"| {label} | {stats['p50']:.2f} | {stats['p95']:.2f} | {stats['p99']:.2f} | "
        f"{stats['mean']:.2f} | {stats['n']:,} |"
    )


LATENCY_HEADER = ["| path | p50 ms | p95 ms | p99 ms | mean ms | calls |", "|---|---:|---:|---:|---:|---:|"]

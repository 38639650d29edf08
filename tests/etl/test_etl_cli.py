"""``promptsales etl run/status`` on the session's seeded databases (SPEC S3: rows per source, duration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "etl", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        timeout=600,
        check=False,
    )


def test_etl_run_json_then_status(seeded) -> None:
    """`etl run --json` reports rows read/written per source and the duration; `etl status --json` lists the run."""
    first = _cli("run", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["status"] == "succeeded"
    assert set(report["changes_read"]) == {"ads", "crm", "content", "portal"}
    assert report["duration_ms"] > 0
    if report["full_load"]:
        assert report["rows_read"]["ads"] > 0 and report["rows_written"]["wh.campaigns"] >= 1000
    second = json.loads(_cli("run", "--json").stdout)
    assert second["full_load"] is False and second["changes_read"]["ads"] == 0 and second["changes_read"]["crm"] == 0
    status = _cli("status", "--json")
    assert status.returncode == 0, status.stderr
    listed = json.loads(status.stdout)
    assert listed["runs"][0]["id"] == second["run_id"] and listed["runs"][0]["status"] == "succeeded"
    assert {h["source"] for h in listed["horizons"]} >= {"ads", "crm"}
    table = _cli("status")
    assert table.returncode == 0 and "Horizons" in table.stdout


def test_etl_bad_input_exits_2(seeded) -> None:
    """Bad options are a one-line error and exit code 2, nothing run."""
    result = _cli("status", "--limit", "0")
    assert result.returncode == 2
    assert "--limit must be between 1 and 1000" in result.stderr
    assert "Traceback" not in result.stderr
    assert _cli("ui", "--port", "70000").returncode == 2

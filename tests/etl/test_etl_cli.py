"""``promptsales etl run/status`` on private copies of the seeded databases (SPEC S3: rows per source, duration)."""

from __future__ import annotations

import json

from etl_probe import cli

from promptsales.etl.sources import Sources
from promptsales.testing import empty_warehouse


def test_etl_run_json_then_status(etl_sources: Sources, own_databases: dict[str, str]) -> None:
    """`etl run --json` reports rows read/written per source and the duration; `etl status --json` lists the run.
    The package's copies are emptied first, so the first run is a full load (which leaves them loaded)."""
    empty_warehouse(etl_sources)
    first = cli("run", "--json", env=own_databases)
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["status"] == "succeeded" and report["full_load"] is True
    assert set(report["changes_read"]) == {"ads", "crm", "content", "portal"}
    assert report["duration_ms"] > 0
    with etl_sources.connect("ads", "etl") as ads, etl_sources.connect("sales", "app") as sales:
        source_campaigns = ads.execute("SELECT count(*) FROM ads.campaigns").fetchone()[0]
        loaded_campaigns = sales.execute("SELECT count(*) FROM wh.campaigns").fetchone()[0]
    assert report["rows_read"]["ads"] > 0 and source_campaigns >= 1000
    assert report["rows_written"]["wh.campaigns"] == loaded_campaigns == source_campaigns
    second = json.loads(cli("run", "--json", env=own_databases).stdout)
    assert second["full_load"] is False and second["changes_read"]["ads"] == 0 and second["changes_read"]["crm"] == 0
    status = cli("status", "--json", env=own_databases)
    assert status.returncode == 0, status.stderr
    listed = json.loads(status.stdout)
    assert [run["id"] for run in listed["runs"][:2]] == [second["run_id"], report["run_id"]]
    assert all(run["status"] == "succeeded" for run in listed["runs"][:2])
    assert {h["source"] for h in listed["horizons"]} >= {"ads", "crm"}
    table = cli("status", env=own_databases)
    assert table.returncode == 0 and "Horizons" in table.stdout


def test_etl_bad_input_exits_2(seeded) -> None:
    """Bad options are a one-line error and exit code 2, nothing run."""
    result = cli("status", "--limit", "0")
    assert result.returncode == 2
    assert "--limit must be between 1 and 1000" in result.stderr
    assert "Traceback" not in result.stderr
    assert cli("ui", "--port", "70000").returncode == 2

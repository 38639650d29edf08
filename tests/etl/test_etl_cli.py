"""``promptsales etl run/status`` on private copies of the seeded databases (SPEC S3: rows per source, duration)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from promptsales.db.connect import admin_conninfo
from promptsales.etl.sources import Sources


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "etl", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def own_databases(etl_sources: Sources) -> dict[str, str]:
    """The CLI's environment pointed at the module's private copies (empty warehouse, no horizons), so its
    first `etl run` is a full load whatever other tests did to the session's warehouse."""
    env = dict(os.environ)
    for company, dbname in etl_sources.dbnames.items():
        env[f"PROMPTSALES_{company.upper()}_DATABASE_URL"] = admin_conninfo(etl_sources.settings, company, dbname)
    env["PROMPTSALES_CONTENT_MONGO_DATABASE"] = etl_sources.mongo_database
    return env


def test_etl_run_json_then_status(etl_sources: Sources, own_databases: dict[str, str]) -> None:
    """`etl run --json` reports rows read/written per source and the duration; `etl status --json` lists the run."""
    first = _cli("run", "--json", env=own_databases)
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
    second = json.loads(_cli("run", "--json", env=own_databases).stdout)
    assert second["full_load"] is False and second["changes_read"]["ads"] == 0 and second["changes_read"]["crm"] == 0
    status = _cli("status", "--json", env=own_databases)
    assert status.returncode == 0, status.stderr
    listed = json.loads(status.stdout)
    assert [run["id"] for run in listed["runs"][:2]] == [second["run_id"], report["run_id"]]
    assert all(run["status"] == "succeeded" for run in listed["runs"][:2])
    assert {h["source"] for h in listed["horizons"]} >= {"ads", "crm"}
    table = _cli("status", env=own_databases)
    assert table.returncode == 0 and "Horizons" in table.stdout


def test_etl_bad_input_exits_2(seeded) -> None:
    """Bad options are a one-line error and exit code 2, nothing run."""
    result = _cli("status", "--limit", "0")
    assert result.returncode == 2
    assert "--limit must be between 1 and 1000" in result.stderr
    assert "Traceback" not in result.stderr
    assert _cli("ui", "--port", "70000").returncode == 2

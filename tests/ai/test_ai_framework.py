"""The AI-module framework (issue 18, I1/G4): versioned models with their metrics, one AI-usage row per call,
the ``promptsales ai`` command and the Dagster retraining job."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from promptsales.ai import registry
from promptsales.ai.calls import log_cached_call, logged_call
from promptsales.caller import acting_as
from promptsales.db.connect import connect
from promptsales.errors import UserError

sys.path.insert(0, str(Path(__file__).parent))
from ai_usage import usage_rows  # noqa: E402


@pytest.fixture
def module_name() -> str:
    """A module name no other test uses (the registry is shared by the session)."""
    return f"probe_{uuid.uuid4().hex[:10]}"


def test_versions_are_stored_with_metrics_and_loaded_checked(settings, module_name) -> None:
    assert registry.latest_version(settings, module_name) is None
    with pytest.raises(registry.NoModel, match="promptsales ai train"):
        registry.load_model(settings, module_name)
    first = registry.save_model(
        settings, module_name, {"weights": [1, 2]}, algorithm="toy", trained_by="test",
        params={"depth": 3}, data={"rows": 10}, metrics={"auc": 0.7},
    )  # fmt: skip
    second = registry.save_model(
        settings, module_name, {"weights": [3]}, algorithm="toy", trained_by="test",
        params={}, data={}, metrics={"auc": 0.8},
    )  # fmt: skip
    assert (first.version, second.version) == (1, 2) and second.label == f"{module_name}@v2"
    version, model = registry.load_model(settings, module_name)
    assert version.version == 2 and model == {"weights": [3]} and version.metrics == {"auc": 0.8}
    assert registry.load_model(settings, module_name, 1)[1] == {"weights": [1, 2]}
    assert [v.version for v in registry.history(settings, module_name)] == [2, 1]

    registry.record_evaluation(settings, version, "test", {"auc": 0.79})
    assert registry.last_evaluation(settings, version)["metrics"] == {"auc": 0.79}

    current = registry.CurrentModel(module_name, refresh_seconds=0)
    assert current.get(settings)[0].version == 2
    registry.save_model(
        settings, module_name, {"weights": []}, algorithm="toy", trained_by="t", params={}, data={}, metrics={}
    )
    assert current.get(settings)[0].version == 3, "a newer stored version is picked up"

    with connect("sales", "owner", settings=settings) as conn:  # a changed artefact is refused, not unpickled
        conn.execute(
            "UPDATE portal.ai_models SET artefact = artefact || '\\x00'::bytea WHERE module = %s AND version = 1",
            (module_name,),
        )
    with pytest.raises(UserError, match="does not match its SHA-256: retrain it"):
        registry.load_model(settings, module_name, 1)


def test_status_counts_the_rows_the_newest_version_stored(settings, module_name) -> None:
    from promptsales.ai.modules import module_status

    stored = ("rows_stored", "wh.campaign_rank_scores")
    empty = module_status(settings, module_name, company="sales", serves="test", stored=stored)
    assert empty["ready"] is False and "rows_stored" not in empty
    for _ in range(2):
        registry.save_model(
            settings, module_name, {}, algorithm="toy", trained_by="test", params={}, data={}, metrics={}
        )
    state = module_status(settings, module_name, company="sales", serves="test", stored=stored)
    with connect("sales", "owner", settings=settings) as conn:
        expected = conn.execute("SELECT count(*) FROM wh.campaign_rank_scores WHERE model_version = 2").fetchone()[0]
    assert state["ready"] is True and state["version"] == 2 and state["rows_stored"] == expected


def test_every_call_leaves_one_usage_row_with_the_caller(settings, module_name) -> None:
    version = registry.save_model(
        settings, module_name, [1], algorithm="toy", trained_by="test", params={}, data={}, metrics={}
    )
    with acting_as("client-42", ["crm:read"]):
        with logged_call(module_name, "score", {"lead_id": 7}, settings=settings) as call:
            call.output, call.model, call.validation_method = {"p": 0.4}, version, "probability in [0, 1]"
        with pytest.raises(ValueError):
            with logged_call(module_name, "score", {"lead_id": -1}, settings=settings):
                raise ValueError("bad lead")
        log_cached_call(module_name, "score", {"lead_id": 7}, {"p": 0.4}, model=version.label, settings=settings)
    rows = usage_rows(
        settings, module_name, "actor, operation, model, prompt, result, validation_outcome, cache_hit, reference"
    )
    assert len(rows) == 3
    ok, failed, hit = rows
    assert ok[0] == failed[0] == hit[0] == "client-42"
    assert ok[2].startswith(f"{module_name}@v1") and '"lead_id": 7' in ok[3] and '"p": 0.4' in ok[4]
    assert (ok[5], ok[6], ok[7]["version"]) == ("accepted", False, 1)
    assert failed[5] == "rejected" and "bad lead" in failed[4]
    assert hit[6] is True and hit[2] == version.label


def test_cli_status_and_unknown_module(settings) -> None:
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "ai", "status", "no_such_module"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 2 and "Unknown AI module" in result.stderr and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "promptsales.cli", "ai", "status", "--json"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr


def test_dagster_retraining_job_is_in_the_code_location() -> None:
    from promptsales.definitions import defs

    assert defs.get_job_def("ai_retrain") is not None
    assert defs.get_schedule_def("weekly_ai_retrain").cron_schedule == "0 4 * * 0"

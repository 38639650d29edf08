"""Purchase-intent prediction (issue 18, deliverable 2): a small model trained in seconds on the leads of some
campaigns of the session's official-scale PromptCRM, time-based split, held-out metrics against the baselines,
scores stored per lead with the model version, ``scoreLeads`` over MCP (HTTPS + OAuth) with one AI-usage row per
call — cache hits included — and the score in ``client360``. Full-size figures: bench/ai_lead_scoring.py."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from promptsales.ai import registry
from promptsales.ai.lead_scoring import features
from promptsales.ai.lead_scoring.model import Split
from promptsales.ai.lead_scoring.training import run_training
from promptsales.db.connect import connect, serve_as

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "cache"))
from ai_usage import last_usage_id, usage_rows  # noqa: E402
from mcp_harness import McpSession, ThreadedHttpsServer, issuer_running, run, token_for  # noqa: E402

#: One campaign in ten: ~70,000 leads, enough for a stable small model, read and fitted in seconds.
CAMPAIGNS = list(range(3, 1001, 10))
SMALL = {"max_iter": 60, "learning_rate": 0.15, "max_leaf_nodes": 15, "min_samples_leaf": 100, "random_state": 0}


@pytest.fixture(scope="module")
def trained(seeded) -> registry.ModelVersion:
    """A small lead-scoring model trained on the leads of :data:`CAMPAIGNS` (scores stored for them)."""
    return run_training(seeded, params=SMALL, campaign_ids=CAMPAIGNS)


def test_time_split_and_held_out_metrics_beat_the_source_alone(trained) -> None:
    data, held_out = trained.data, trained.metrics
    assert data["train_until"] < data["test_from"] and data["test_rows"] > 5_000 and data["train_rows"] > 20_000
    model, source = held_out["model"], held_out["source_only"]
    assert model["auc"] > source["auc"] + 0.15 and model["brier"] < source["brier"]
    assert model["ece"] <= 0.03 and model["top_decile_lift"] > 2.5
    assert len(model["reliability"]["predicted"]) == 15 and sum(model["reliability"]["count"]) == model["rows"]
    assert held_out["logistic_regression"]["auc"] > source["auc"]
    assert trained.algorithm.startswith("HistGradientBoostingClassifier")


def test_the_crm_mcp_role_loads_the_campaign_profiles_scoring_reads(seeded) -> None:
    """scoreLeads runs as the CRM MCP server's role; the first call of a server process loads every campaign's
    profile through the linked PromptAds tables (it failed with "permission denied for foreign table brands")."""
    serve_as("crm")
    try:
        with connect("crm", "etl", settings=seeded) as conn:
            profiles = features.campaign_profiles(conn)
    finally:
        serve_as(None)
    with connect("ads", "admin", settings=seeded) as conn:
        campaigns = conn.execute("SELECT count(*) FROM ads.campaigns").fetchone()[0]
    assert len(profiles) == campaigns > 0


def test_split_keeps_the_outcome_window_between_train_and_test(seeded) -> None:
    with connect("crm", "etl", settings=seeded) as conn:
        leads = features.read_leads(conn, features.interest_vocabulary(conn), campaign_ids=CAMPAIGNS[:20])
    split = Split()
    train, test = split.masks(leads)
    created = leads.columns["created_epoch"]
    assert created[train].max() < (split.test_from - timedelta(days=30)).timestamp() <= created[test].min()
    assert not (train & test).any()


def test_features_never_read_the_outcome(seeded, clone_db) -> None:
    """Deleting what happened to buyers after the 24-hour horizon — their sale, the purchase, later stages and
    interactions — changes none of their features."""
    dbname = clone_db("crm")
    with connect("crm", "admin", settings=seeded, dbname=dbname) as conn:
        buyers = [
            row[0]
            for row in conn.execute(
                "SELECT s.lead_id FROM crm.sales s JOIN crm.leads l USING (lead_id)"
                " WHERE s.sold_at > l.created_at + interval '2 days' ORDER BY s.lead_id LIMIT 200"
            ).fetchall()
        ]
        vocabulary = features.interest_vocabulary(conn)
        before = features.read_leads(conn, vocabulary, lead_ids=buyers)
        horizon = "(SELECT created_at + interval '24 hours' FROM crm.leads l WHERE l.lead_id = {t}.lead_id)"
        conn.execute("DELETE FROM crm.sales WHERE lead_id = ANY(%s)", (buyers,))
        for table, column in (("crm.interactions", "occurred_at"), ("crm.lead_stage_history", "changed_at")):
            conn.execute(
                f"DELETE FROM {table} t WHERE t.lead_id = ANY(%s) AND t.{column} > {horizon.format(t='t')}", (buyers,)
            )
        conn.execute("UPDATE crm.leads SET stage_id = 2, score = 0 WHERE lead_id = ANY(%s)", (buyers,))
        after = features.read_leads(conn, vocabulary, lead_ids=buyers)
    assert len(before) == len(after) == len(buyers) and before.columns["converted"].all()
    for name, values in before.columns.items():
        if name not in ("converted", "rule_score"):
            assert np.array_equal(values, after.columns[name], equal_nan=True), name
    assert not after.columns["converted"].any()


def test_scores_are_stored_per_lead_with_the_model_version(seeded, trained) -> None:
    with connect("crm", "etl", settings=seeded) as conn:
        stored, leads, bad = conn.execute(
            "SELECT (SELECT count(*) FROM crm.lead_scores WHERE model_version = %(v)s),"
            " (SELECT count(*) FROM crm.leads WHERE campaign_id = ANY(%(c)s)),"
            " (SELECT count(*) FROM crm.lead_scores WHERE probability < 0 OR probability > 1)",
            {"v": trained.version, "c": CAMPAIGNS},
        ).fetchone()
    assert stored == leads > 0 and bad == 0


def test_score_leads_over_mcp_one_usage_row_per_call_and_score_in_client360(seeded, trained) -> None:
    from promptsales.crm.mcp import kit

    with connect("crm", "etl", settings=seeded) as conn:
        lead_id, client_id, campaign_id = conn.execute(
            "SELECT l.lead_id, l.client_id, l.campaign_id FROM crm.leads l JOIN crm.lead_scores s USING (lead_id)"
            " WHERE l.stage_id NOT IN (6, 7) AND s.model_version = %s ORDER BY l.lead_id LIMIT 1",
            (trained.version,),
        ).fetchone()
    since = last_usage_id(seeded)
    with issuer_running(seeded), ThreadedHttpsServer(kit, seeded) as server:
        token = token_for(seeded, "portal", ["crm:read"])

        async def scenario():
            async with McpSession(server.url, token, seeded) as caller:
                one = await caller.call("scoreLeads", lead_id=lead_id, explain=4)
                again = await caller.call("scoreLeads", lead_id=lead_id, explain=4)  # same input: cache hit
                campaign = await caller.call("scoreLeads", campaign_id=campaign_id, top=5)
                best = await caller.call("scoreLeads", top=3)
                missing = await caller.call("scoreLeads", lead_id=10**9)
                both = await caller.call("scoreLeads", lead_id=lead_id, campaign_id=campaign_id)
                client = await caller.call("client360", client_id=client_id)
                return one, again, campaign, best, missing, both, client

        one, again, campaign, best, missing, both, client = run(scenario())
    ok, answer = one
    assert ok and answer["model"] == trained.label and answer["leads_scored"] == 1
    scored = answer["leads"][0]
    assert scored["lead_id"] == lead_id and 0 <= scored["probability"] <= 1 and len(scored["top_features"]) == 4
    assert {"feature", "effect", "value"} <= set(scored["top_features"][0]) and answer["held_out"]["auc"] > 0.6
    assert again == one
    ok, in_campaign = campaign
    probabilities = [lead["probability"] for lead in in_campaign["leads"]]
    assert (
        ok
        and len(probabilities) == min(5, in_campaign["leads_scored"])
        and probabilities == sorted(probabilities, reverse=True)
    )
    assert in_campaign["expected_buyers"] >= sum(probabilities) - 1e-6
    ok, top = best
    assert ok and len(top["leads"]) == 3 and all(lead["stage"] not in ("won", "lost") for lead in top["leads"])
    assert missing[0] is False and f"No lead has id {10**9}." in missing[1]
    assert both[0] is False and "not both" in both[1]
    ok, view = client
    assert ok and any(
        item["lead_id"] == lead_id and item["model_version"] == trained.version for item in view["purchase_intent"]
    )

    rows = usage_rows(seeded, "lead_scoring", "actor, operation, model, cache_hit, validation_outcome", since)
    assert len(rows) == 6, rows  # six scoreLeads calls, six rows (client360 is no AI call)
    assert all(actor == "portal" and operation == "scoreLeads" for actor, operation, *_ in rows)
    assert [hit for *_, hit, _ in rows] == [False, True, False, False, False, False]
    assert [outcome for *_, outcome in rows] == ["accepted"] * 4 + ["rejected"] * 2
    assert rows[0][2].startswith(trained.label) and rows[1][2] == trained.label

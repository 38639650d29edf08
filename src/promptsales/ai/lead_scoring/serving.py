"""Scoring leads with the newest lead-scoring model: one lead, a campaign's open leads, or the CRM's top-N open
leads — each with the features that moved its score most — and the stored score of every lead.

:func:`score_leads` answers PromptCRM's MCP tool ``scoreLeads`` and writes one AI-usage row per call
(:func:`promptsales.ai.calls.logged_call`); :func:`store_scores` writes ``crm.lead_scores`` after a training.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg
from pydantic import BaseModel, Field

from promptsales.ai.calls import logged_call
from promptsales.ai.lead_scoring import features
from promptsales.ai.registry import CurrentModel, ModelVersion
from promptsales.config import Settings
from promptsales.db.bulk import copy_columns
from promptsales.db.connect import connect
from promptsales.errors import UserError

if TYPE_CHECKING:  # scikit-learn takes 3 s to import: loaded with the first model, not with the MCP server
    from promptsales.ai.lead_scoring.model import LeadScoringModel

MODULE = "lead_scoring"
OPERATION = "scoreLeads"
#: How long campaign profiles (read through the linked server) are reused before they are read again.
PROFILES_SECONDS = 600.0

CURRENT = CurrentModel(MODULE)


# Models of the MCP tool's published schema: no class docstrings (a docstring would change the schema).
class FeatureEffect(BaseModel):
    feature: str = Field(description="A group of features, e.g. 'follow-ups in 24 h'.")
    effect: float = Field(description="Change of the log-odds against a typical lead; positive raises the score.")
    value: Any = Field(None, description="The lead's value(s) of that feature group.")


class LeadScore(BaseModel):
    lead_id: int
    campaign_id: int
    stage: str
    probability: float = Field(description="Calibrated probability that the lead buys.")
    top_features: list[FeatureEffect]


class LeadScores(BaseModel):
    model: str = Field(description="The model version that scored, e.g. lead_scoring@v3.")
    algorithm: str
    held_out: dict[str, float] = Field(description="AUC, Brier score and calibration error on held-out leads.")
    scope: str
    leads_scored: int
    expected_buyers: float = Field(description="Sum of the probabilities of the leads scored.")
    leads: list[LeadScore]


class _Profiles:
    """Campaign profiles of the serving process, reread every :data:`PROFILES_SECONDS` or for a new campaign."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: dict[int, features.CampaignProfile] = {}
        self._at = 0.0

    def get(self, conn: psycopg.Connection, campaigns: set[int]) -> dict[int, features.CampaignProfile]:
        with self._lock:
            stale = time.monotonic() - self._at > PROFILES_SECONDS or not campaigns <= self._loaded.keys()
            if stale:
                self._loaded, self._at = features.campaign_profiles(conn), time.monotonic()
            return self._loaded


PROFILES = _Profiles()


def score_leads(
    settings: Settings,
    conn: psycopg.Connection,
    *,
    lead_id: int | None = None,
    campaign_id: int | None = None,
    top: int = 10,
    explain: int = 3,
) -> LeadScores:
    """Score one lead (``lead_id``), the open leads of a campaign (``campaign_id``: the ``top`` most likely
    buyers are returned, all are counted) or the ``top`` open leads of the CRM by their stored scores
    (neither), with the ``explain`` feature groups that moved each returned score most. ``conn`` reads
    PromptCRM (read-only is enough)."""
    arguments = {"lead_id": lead_id, "campaign_id": campaign_id, "top": top, "explain": explain}
    with logged_call(MODULE, OPERATION, arguments, settings=settings) as call:
        if lead_id is not None and campaign_id is not None:
            raise UserError("Give lead_id or campaign_id, not both (neither: the top open leads of the CRM).")
        version, model = CURRENT.get(settings)
        call.model = version
        if lead_id is not None:
            scope, leads = f"lead {lead_id}", _read(conn, model, lead_ids=[lead_id])
            if not len(leads):
                raise UserError(f"No lead has id {lead_id}.")
        elif campaign_id is not None:
            scope, leads = (
                f"open leads of campaign {campaign_id}",
                _read(conn, model, campaign_ids=[campaign_id], open_only=True),
            )
            if not len(leads):
                raise UserError(f"Campaign {campaign_id} has no open leads in PromptCRM.")
        else:
            ids = _top_stored(conn, version.version, top)
            if not ids:
                raise UserError(
                    f"No stored scores of {version.label} yet: run `promptsales ai train {MODULE}` to score every lead."
                )
            scope, leads = f"top {top} open leads by stored score", _read(conn, model, lead_ids=ids)
        answer = _answer(conn, version, model, leads, scope, top, explain)
        call.output = {
            "model": answer.model,
            "scope": scope,
            "leads_scored": answer.leads_scored,
            "expected_buyers": answer.expected_buyers,
            "leads": [{"lead_id": s.lead_id, "probability": s.probability} for s in answer.leads],
        }
        call.validation_method = (
            "features read with the training SQL (24-hour horizon, no outcome columns) and checked against the "
            "model's columns; probabilities finite and in [0, 1]; artefact SHA-256 checked when loaded; "
            f"held-out AUC {version.metrics.get('model', {}).get('auc')} at training"
        )
        call.optimizations = "model kept in memory per process; campaign profiles cached 10 min; MCP read-tool cache"
        return answer


def _read(conn: psycopg.Connection, model: LeadScoringModel, **filters: Any) -> features.Leads:
    return features.read_leads(conn, model.spec.interests, **filters)


def _top_stored(conn: psycopg.Connection, version: int, top: int) -> list[int]:
    rows = conn.execute(
        "SELECT s.lead_id FROM crm.lead_scores s JOIN crm.leads l USING (lead_id)"
        " WHERE s.model_version = %s AND l.stage_id NOT IN (6, 7) ORDER BY s.probability DESC, s.lead_id LIMIT %s",
        (version, top),
    ).fetchall()
    return [row[0] for row in rows]


def _answer(
    conn: psycopg.Connection,
    version: ModelVersion,
    model: LeadScoringModel,
    leads: features.Leads,
    scope: str,
    top: int,
    explain: int,
) -> LeadScores:
    campaigns = {int(c) for c in leads.columns["campaign_id"]}
    matrix = model.spec.matrix(leads, PROFILES.get(conn, campaigns))
    probability = model.probabilities(matrix)
    if not np.all(np.isfinite(probability)) or probability.min() < 0 or probability.max() > 1:
        raise RuntimeError("lead scoring produced a probability outside [0, 1]")
    chosen = np.argsort(-probability, kind="stable")[:top]
    explained = model.explain(matrix[chosen], explain)
    ids = [int(leads.columns["lead_id"][i]) for i in chosen]
    stages: dict[int, str] = dict(
        conn.execute(
            "SELECT l.lead_id, f.code FROM crm.leads l JOIN crm.funnel_stages f USING (stage_id)"
            " WHERE l.lead_id = ANY(%s)",
            (ids,),
        ).fetchall()
    )
    held_out = version.metrics.get("model", {})
    return LeadScores(
        model=version.label,
        algorithm=version.algorithm,
        held_out={k: held_out[k] for k in ("auc", "brier", "ece") if k in held_out},
        scope=scope,
        leads_scored=len(leads),
        expected_buyers=round(float(probability.sum()), 2),
        leads=[
            LeadScore(
                lead_id=lead,
                campaign_id=int(leads.columns["campaign_id"][i]),
                stage=stages.get(lead, "unknown"),
                probability=round(float(probability[i]), 4),
                top_features=[FeatureEffect(feature=c.feature, effect=c.effect, value=c.value) for c in contributions],
            )
            for lead, i, contributions in zip(ids, chosen, explained)
        ],
    )


def store_scores(settings: Settings, version: int, lead_ids: np.ndarray, probabilities: np.ndarray) -> int:
    """Replace ``crm.lead_scores`` with these scores of model ``version`` (one transaction); returns rows."""
    with connect("crm", "app", settings=settings) as conn, conn.transaction():
        conn.execute("CREATE TEMP TABLE new_scores (lead_id bigint, probability float8) ON COMMIT DROP")
        copy_columns(
            conn,
            "new_scores",
            {"lead_id": ("int8", np.asarray(lead_ids, dtype=np.int64)), "probability": ("float8", probabilities)},
        )
        conn.execute("DELETE FROM crm.lead_scores")
        cursor = conn.execute(
            "INSERT INTO crm.lead_scores (lead_id, model_version, probability)"
            " SELECT n.lead_id, %s, n.probability FROM new_scores n JOIN crm.leads l USING (lead_id)",
            (version,),
        )
        return cursor.rowcount

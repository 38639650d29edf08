"""The purchase-intent model, its baselines and its held-out metrics (docs/ai.md, "Lead scoring").

* **Split by time.** Train on the leads created from :data:`TRAIN_FROM` until :data:`OUTCOME_DAYS` before
  :data:`TEST_FROM` (their outcome is known by then: sales close within 30 days), test on the leads created from
  :data:`TEST_FROM` on. The last :data:`CALIBRATION_SHARE` of the training window (by time) is held back to
  check and, where needed, fix the calibration.
* **Model.** scikit-learn ``HistGradientBoostingClassifier`` (native categorical splits, missing values as
  such), then isotonic regression fitted on the calibration part when the booster's expected calibration
  error there exceeds :data:`ISOTONIC_ABOVE_ECE`.
* **Baselines** on the same split: logistic regression on the same columns (one-hot categories, imputed and
  standardised numbers) and the conversion rate of the lead's source alone.
* **Metrics** (:func:`metrics`): ROC AUC, Brier score, expected calibration error over 15 equal-count bins,
  top-decile lift and the reliability curve.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from threadpoolctl import ThreadpoolController

from promptsales.ai.lead_scoring.features import FeatureSpec, Leads, created_before

#: Training starts once clients have three months of history (the window opens 2024-07-01).
TRAIN_FROM = datetime(2024, 10, 1, tzinfo=UTC)
#: Held-out leads: everything created from this day (the last three months, the 2025 holiday season included).
TEST_FROM = datetime(2025, 11, 1, tzinfo=UTC)
#: A sale closes within this many days of its lead, so training stops this long before the test period.
OUTCOME_DAYS = 30
CALIBRATION_SHARE = 0.15
ISOTONIC_ABOVE_ECE = 0.01
RELIABILITY_BINS = 15
#: Batches smaller than this are predicted on one thread (see :func:`_threads_for`).
SMALL_BATCH = 20_000
BOOSTER_PARAMS: dict[str, Any] = {
    "learning_rate": 0.1,
    "max_iter": 300,
    "max_leaf_nodes": 15,
    "min_samples_leaf": 200,
    "l2_regularization": 1.0,
    "early_stopping": True,
    "validation_fraction": 0.1,
    "n_iter_no_change": 20,
    "random_state": 0,
}


@dataclass(frozen=True)
class Split:
    """The time-based split: train on [train_from, test_from − outcome window), test on [test_from, …)."""

    train_from: datetime = TRAIN_FROM
    test_from: datetime = TEST_FROM
    outcome_days: int = OUTCOME_DAYS

    @property
    def train_until(self) -> datetime:
        """The end (exclusive) of the training window."""
        return self.test_from - timedelta(days=self.outcome_days)

    def masks(self, leads: Leads) -> tuple[np.ndarray, np.ndarray]:
        """(train, test) boolean masks over ``leads``."""
        train = created_before(leads, self.train_until) & ~created_before(leads, self.train_from)
        return train, ~created_before(leads, self.test_from)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored with the model)."""
        return {
            "train_from": self.train_from.date().isoformat(),
            "train_until": self.train_until.date().isoformat(),
            "test_from": self.test_from.date().isoformat(),
            "outcome_days": self.outcome_days,
        }


@dataclass
class Contribution:
    """How much one group of features moved a lead's log-odds against the population's typical lead."""

    feature: str
    effect: float  # log-odds; > 0 raises the probability
    value: Any


@dataclass
class LeadScoringModel:
    """The fitted booster, its calibration and the feature spec it was trained with."""

    spec: FeatureSpec
    booster: HistGradientBoostingClassifier
    isotonic: IsotonicRegression | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def algorithm(self) -> str:
        """What answers: the booster and its calibration."""
        return "HistGradientBoostingClassifier" + (" + isotonic calibration" if self.isotonic else "")

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """Calibrated probability of a purchase for each row of ``matrix``."""
        with _threads_for(len(matrix)):
            raw = self.booster.predict_proba(matrix)[:, 1]
        return self.isotonic.predict(raw) if self.isotonic is not None else raw

    def explain(self, matrix: np.ndarray, top: int = 3) -> list[list[Contribution]]:
        """The ``top`` feature groups that moved each row's log-odds most (either way): each group replaced by
        the training population's typical value (median or most frequent), the change of the booster's
        log-odds read as that group's contribution."""
        if top <= 0 or not len(matrix):
            return [[] for _ in range(len(matrix))]
        groups = self.spec.group_columns()
        names = list(groups)
        reference = np.array([self.spec.reference.get(name, np.nan) for name in self.spec.columns])
        variants = np.repeat(matrix, len(names) + 1, axis=0)
        for g, name in enumerate(names):
            rows = np.arange(len(matrix)) * (len(names) + 1) + g + 1
            columns = np.array(groups[name], dtype=np.int64)
            variants[np.ix_(rows, columns)] = reference[columns]
        with _threads_for(len(variants)):
            margin = self.booster.decision_function(variants).reshape(len(matrix), len(names) + 1)
        effects = margin[:, :1] - margin[:, 1:]
        explained = []
        for i, row in enumerate(matrix):
            order = np.argsort(-np.abs(effects[i]))[:top]
            explained.append(
                [
                    Contribution(names[g], round(float(effects[i, g]), 3), self.spec.describe_group(names[g], row))
                    for g in order
                ]
            )
        return explained


def fit(
    train_matrix: np.ndarray, labels: np.ndarray, spec: FeatureSpec, params: dict[str, Any] | None = None
) -> LeadScoringModel:
    """Fit the booster on the first part of the (time-ordered) training rows, check its calibration on the
    last :data:`CALIBRATION_SHARE` and fit isotonic regression there when it is needed."""
    cut = int(len(train_matrix) * (1.0 - CALIBRATION_SHARE))
    booster = HistGradientBoostingClassifier(categorical_features=spec.categorical_mask, **(params or BOOSTER_PARAMS))
    booster.fit(train_matrix[:cut], labels[:cut])
    raw = booster.predict_proba(train_matrix[cut:])[:, 1]
    raw_ece = expected_calibration_error(labels[cut:], raw)
    isotonic = None
    if raw_ece > ISOTONIC_ABOVE_ECE:
        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(raw, labels[cut:])
    info = {
        "fit_rows": cut,
        "calibration_rows": len(train_matrix) - cut,
        "iterations": int(booster.n_iter_),
        "calibration_ece_before": round(raw_ece, 4),
        "isotonic": isotonic is not None,
    }
    return LeadScoringModel(spec, booster, isotonic, info)


def logistic_baseline(train_matrix: np.ndarray, labels: np.ndarray, spec: FeatureSpec) -> Pipeline:
    """Logistic regression on the same columns: categories one-hot, numbers median-imputed (with a missing
    flag) and standardised."""
    categorical = np.flatnonzero(spec.categorical_mask)
    numeric = np.flatnonzero(~spec.categorical_mask)
    encode = ColumnTransformer(
        [
            ("categories", OneHotEncoder(handle_unknown="ignore"), categorical),
            ("numbers", make_pipeline(SimpleImputer(strategy="median", add_indicator=True), StandardScaler()), numeric),
        ]
    )
    model = make_pipeline(encode, LogisticRegression(max_iter=2000))
    return model.fit(_categories_filled(train_matrix, spec), labels)


def logistic_probabilities(model: Pipeline, matrix: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """Probabilities of the logistic baseline."""
    return model.predict_proba(_categories_filled(matrix, spec))[:, 1]


def source_rates(sources: np.ndarray, labels: np.ndarray) -> dict[int, float]:
    """The conversion rate of each lead source in the training rows (the "source alone" baseline)."""
    return {int(s): float(labels[sources == s].mean()) for s in np.unique(sources)}


def metrics(labels: np.ndarray, probabilities: np.ndarray) -> dict[str, Any]:
    """AUC, Brier score, expected calibration error, top-decile lift and the reliability curve."""
    labels = np.asarray(labels, dtype=float)
    decile = max(1, int(round(len(labels) * 0.1)))
    top = np.argsort(-probabilities, kind="stable")[:decile]
    return {
        "auc": round(float(roc_auc_score(labels, probabilities)), 4),
        "brier": round(float(brier_score_loss(labels, probabilities)), 5),
        "ece": round(expected_calibration_error(labels, probabilities), 4),
        "top_decile_lift": round(float(labels[top].mean() / labels.mean()), 2),
        "top_decile_rate": round(float(labels[top].mean()), 4),
        "base_rate": round(float(labels.mean()), 4),
        "rows": int(len(labels)),
        "reliability": reliability_curve(labels, probabilities),
    }


def expected_calibration_error(labels: np.ndarray, probabilities: np.ndarray, bins: int = RELIABILITY_BINS) -> float:
    """Σ over equal-count bins of |observed rate − mean predicted| × the bin's share of rows."""
    curve = reliability_curve(labels, probabilities, bins)
    total = sum(curve["count"])
    return float(sum(abs(o - p) * c / total for o, p, c in zip(curve["observed"], curve["predicted"], curve["count"])))


def reliability_curve(labels: np.ndarray, probabilities: np.ndarray, bins: int = RELIABILITY_BINS) -> dict:
    """Mean predicted probability, observed rate and count of each of ``bins`` equal-count bins."""
    order = np.argsort(probabilities, kind="stable")
    curve: dict[str, list] = {"predicted": [], "observed": [], "count": []}
    for part in np.array_split(order, bins):
        if len(part):
            curve["predicted"].append(round(float(probabilities[part].mean()), 5))
            curve["observed"].append(round(float(np.asarray(labels, dtype=float)[part].mean()), 5))
            curve["count"].append(int(len(part)))
    return curve


def _threads_for(rows: int) -> Any:
    """One OpenMP thread for small batches: each of the booster's trees starts the thread team again, which
    costs ten times the prediction itself when a request scores a few leads."""
    global _controller
    if rows >= SMALL_BATCH:
        return nullcontext()
    if _controller is None:  # finding the loaded libraries takes ~20 ms: once per process
        _controller = ThreadpoolController()
    return _controller.limit(limits=1, user_api="openmp")


_controller: ThreadpoolController | None = None


def _categories_filled(matrix: np.ndarray, spec: FeatureSpec) -> np.ndarray:
    """The matrix with unknown categories as -1 (one-hot encoders take no NaN categories)."""
    filled = matrix.copy()
    mask = spec.categorical_mask
    filled[:, mask] = np.nan_to_num(filled[:, mask], nan=-1.0)
    return filled

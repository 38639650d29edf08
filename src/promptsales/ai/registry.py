"""The model registry of the AI modules (``portal.ai_models`` in the PromptSales database, migration 0018).

A training run stores its artefact (the fitted model, serialised with joblib) as the module's next version
together with what it learned from and the metrics measured on held-out data; :func:`load_model` returns a
version with its artefact checked against the stored SHA-256; :class:`CurrentModel` keeps the newest version
of a module in a serving process and notices a newer one within ``refresh_seconds``.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from promptsales.config import Settings, get_settings
from promptsales.db.connect import connect
from promptsales.db.fetch import one
from promptsales.errors import UserError

COLUMNS = "model_id, module, version, algorithm, trained_at, trained_by, params, data, metrics, artefact_sha256"


@dataclass(frozen=True)
class ModelVersion:
    """One stored version of a module's model (without its artefact)."""

    model_id: int
    module: str
    version: int
    algorithm: str
    trained_at: datetime
    trained_by: str
    params: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    artefact_sha256: str = ""

    @property
    def label(self) -> str:
        """``module@vN`` — how a version is named in logs and answers."""
        return f"{self.module}@v{self.version}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        record = asdict(self)
        record["trained_at"] = self.trained_at.isoformat()
        return record


class NoModel(UserError):
    """A module has no trained version yet."""

    def __init__(self, module: str) -> None:
        super().__init__(f"The AI module {module!r} has no trained model yet: run `promptsales ai train {module}`.")


def serialise(model: Any) -> bytes:
    """The artefact bytes of a fitted model (joblib, compressed)."""
    import joblib  # 0.3 s: imported where a model is stored or loaded, not by every MCP server

    buffer = io.BytesIO()
    joblib.dump(model, buffer, compress=3)
    return buffer.getvalue()


def save_model(
    settings: Settings | None,
    module: str,
    model: Any,
    *,
    algorithm: str,
    trained_by: str,
    params: dict[str, Any],
    data: dict[str, Any],
    metrics: dict[str, Any],
) -> ModelVersion:
    """Store ``model`` as the next version of ``module`` with its metrics; returns that version."""
    artefact = serialise(model)
    digest = hashlib.sha256(artefact).hexdigest()
    with connect("sales", "app", settings=settings or get_settings()) as conn, conn.transaction():
        # one writer at a time per module, so two concurrent trainings get consecutive versions
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('portal.ai_models:' || %s))", (module,))
        with conn.cursor(row_factory=dict_row) as cur:
            row = one(
                cur,
                "INSERT INTO portal.ai_models (module, version, algorithm, trained_by, params, data, metrics,"
                " artefact, artefact_sha256)"
                " SELECT %(module)s, coalesce(max(version), 0) + 1, %(algorithm)s, %(by)s, %(params)s, %(data)s,"
                " %(metrics)s, %(artefact)s, %(sha)s FROM portal.ai_models WHERE module = %(module)s"
                f" RETURNING {COLUMNS}",
                {
                    "module": module,
                    "algorithm": algorithm,
                    "by": trained_by,
                    "params": Jsonb(_plain(params)),
                    "data": Jsonb(_plain(data)),
                    "metrics": Jsonb(_plain(metrics)),
                    "artefact": artefact,
                    "sha": digest,
                },
            )
    return ModelVersion(**row)


def latest_version(settings: Settings | None, module: str) -> ModelVersion | None:
    """The newest stored version of ``module`` (without the artefact), or None."""
    with connect("sales", "app", settings=settings or get_settings()) as conn, conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"SELECT {COLUMNS} FROM portal.ai_models WHERE module = %s ORDER BY version DESC LIMIT 1", (module,)
        ).fetchone()
    return ModelVersion(**row) if row else None


def history(settings: Settings | None, module: str, limit: int = 10) -> list[ModelVersion]:
    """The newest ``limit`` versions of ``module``, newest first."""
    with connect("sales", "app", settings=settings or get_settings()) as conn, conn.cursor(row_factory=dict_row) as cur:
        rows = cur.execute(
            f"SELECT {COLUMNS} FROM portal.ai_models WHERE module = %s ORDER BY version DESC LIMIT %s",
            (module, limit),
        ).fetchall()
    return [ModelVersion(**row) for row in rows]


def load_model(settings: Settings | None, module: str, version: int | None = None) -> tuple[ModelVersion, Any]:
    """A stored version of ``module`` (the newest when ``version`` is None) and its deserialised model.

    The artefact is checked against its SHA-256 before it is deserialised; a module without a trained
    version raises :class:`NoModel`.
    """
    with connect("sales", "app", settings=settings or get_settings()) as conn, conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            f"SELECT {COLUMNS}, artefact FROM portal.ai_models WHERE module = %s"
            " AND (%s::int IS NULL OR version = %s) ORDER BY version DESC LIMIT 1",
            (module, version, version),
        ).fetchone()
    if row is None:
        raise NoModel(module)
    artefact = bytes(row.pop("artefact"))
    if hashlib.sha256(artefact).hexdigest() != row["artefact_sha256"]:
        raise UserError(f"The stored artefact of {module} v{row['version']} does not match its SHA-256: retrain it.")
    import joblib

    return ModelVersion(**row), joblib.load(io.BytesIO(artefact))


def record_evaluation(settings: Settings | None, model: ModelVersion, evaluated_by: str, metrics: dict) -> None:
    """Store one re-evaluation of ``model`` (``portal.ai_model_evaluations``)."""
    with connect("sales", "app", settings=settings or get_settings()) as conn:
        conn.execute(
            "INSERT INTO portal.ai_model_evaluations (model_id, evaluated_by, metrics) VALUES (%s, %s, %s)",
            (model.model_id, evaluated_by, Jsonb(_plain(metrics))),
        )


def last_evaluation(settings: Settings | None, model: ModelVersion) -> dict[str, Any] | None:
    """The newest stored re-evaluation of ``model`` (``evaluated_at``, ``evaluated_by``, ``metrics``), or None."""
    with connect("sales", "app", settings=settings or get_settings()) as conn, conn.cursor(row_factory=dict_row) as cur:
        row = cur.execute(
            "SELECT evaluated_at, evaluated_by, metrics FROM portal.ai_model_evaluations WHERE model_id = %s"
            " ORDER BY evaluated_at DESC LIMIT 1",
            (model.model_id,),
        ).fetchone()
    if row is None:
        return None
    return {**row, "evaluated_at": row["evaluated_at"].isoformat()}


class CurrentModel:
    """The newest version of one module in a serving process: loaded on first use, reloaded when a newer
    version is stored (looked up at most every ``refresh_seconds``)."""

    def __init__(self, module: str, refresh_seconds: float = 30.0) -> None:
        self.module = module
        self.refresh_seconds = refresh_seconds
        self._loaded: tuple[ModelVersion, Any] | None = None
        self._checked = 0.0
        self._key: str | None = None
        self._lock = threading.Lock()

    def get(self, settings: Settings | None = None) -> tuple[ModelVersion, Any]:
        """(version, model) — the newest stored version; :class:`NoModel` when there is none."""
        settings = settings or get_settings()
        key = str(settings.data_path)
        with self._lock:
            fresh = self._loaded is not None and self._key == key
            if fresh and time.monotonic() - self._checked < self.refresh_seconds:
                assert self._loaded is not None
                return self._loaded
            newest = latest_version(settings, self.module)
            self._checked = time.monotonic()
            if newest is None:
                self._loaded = None
                raise NoModel(self.module)
            if not fresh or self._loaded is None or self._loaded[0].version != newest.version:
                self._loaded = load_model(settings, self.module, newest.version)
                self._key = key
            return self._loaded

    def forget(self) -> None:
        """Drop the loaded model (the next :meth:`get` reloads)."""
        with self._lock:
            self._loaded = None
            self._checked = 0.0


def _plain(value: Any) -> Any:
    """``value`` made JSON-ready (numpy scalars and arrays, dates) for a jsonb column."""
    return json.loads(json.dumps(value, default=_default))


def _default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON-ready: {type(value).__name__}")

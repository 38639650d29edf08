"""The contract every AI module of the platform keeps (docs/ai.md, "The AI-module framework").

An AI module is a package ``promptsales/ai/<name>/`` listed in ``promptsales.wiring.AI_MODULES``. Its
``__init__`` exposes ``status``; its ``training`` module (imported only to train or evaluate: the heavy libraries
stay out of serving processes) exposes the other two::

    # promptsales/ai/<name>/__init__.py
    def status(settings) -> dict          # see module_status(): ready?, version, metrics, the serving company
    # promptsales/ai/<name>/training.py
    def run_training(settings) -> ...     # fit on the data, evaluate on held-out data, store a new version
    def run_evaluation(settings) -> dict  # re-measure the newest version on held-out data (and record it)

and its serving code logs every call through :func:`promptsales.ai.calls.logged_call`. ``promptsales ai
train|evaluate|status [MODULE]`` and the Dagster job ``ai_retrain`` go through :class:`AIModule` and nothing
else.
"""

from __future__ import annotations

import importlib
from typing import Any

from psycopg import sql

from promptsales.ai import registry
from promptsales.caller import ANONYMOUS, current_caller, stdio_caller
from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.db.fetch import scalar


class AIModule:
    """What ``promptsales ai`` and the Dagster job need from AI module ``name`` (its package and training)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.package = importlib.import_module(f"promptsales.ai.{name}")
        if not callable(getattr(self.package, "status", None)):
            raise TypeError(f"promptsales.ai.{name} does not define status(settings)")

    def _training(self) -> Any:
        return importlib.import_module(f"promptsales.ai.{self.name}.training")

    def train(self, settings: Settings) -> dict[str, Any]:
        """Fit, evaluate on held-out data, store the new version; returns :func:`module_status` of it."""
        self._training().run_training(settings)
        return self.status(settings)

    def evaluate(self, settings: Settings) -> dict[str, Any]:
        """Held-out metrics of the newest stored version (recorded in the registry)."""
        return self._training().run_evaluation(settings)

    def status(self, settings: Settings) -> dict[str, Any]:
        """Whether the module can answer, and its newest version (see :func:`module_status`)."""
        return self.package.status(settings)


def actor() -> str:
    """Who is training or evaluating: the current caller (an MCP client, a Dagster run acting as itself),
    else the local user of the command line (``stdio:<user>``, as for a local MCP session)."""
    caller = current_caller()
    return caller.actor if caller is not ANONYMOUS else stdio_caller().actor


def module_status(
    settings: Settings,
    module: str,
    *,
    company: str,
    serves: str,
    stored: tuple[str, str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """The status every module reports: ``module``, ``company`` (whose MCP server answers with it — its
    cache is bumped after a training), ``serves`` (tools or reports that use it), ``ready`` (a version is
    stored), ``version``, ``algorithm``, ``trained_at``, ``metrics`` (held-out, at training),
    ``last_evaluation``, plus ``extra``. ``stored`` = ``(key, "schema.table")`` for a module that stores its
    outputs in ``company``'s database: ``key`` counts that table's rows written by the newest version (its
    ``model_version`` column)."""
    newest = registry.latest_version(settings, module)
    status: dict[str, Any] = {
        "module": module,
        "company": company,
        "serves": serves,
        "ready": newest is not None,
        "version": None,
        "algorithm": None,
        "trained_at": None,
        "metrics": {},
        "last_evaluation": None,
    }
    if newest is not None:
        status.update(
            version=newest.version,
            algorithm=newest.algorithm,
            trained_at=newest.trained_at.isoformat(),
            trained_by=newest.trained_by,
            metrics=newest.metrics,
            data=newest.data,
            last_evaluation=registry.last_evaluation(settings, newest),
        )
        if stored is not None:
            key, table = stored
            query = sql.SQL("SELECT count(*) FROM {} WHERE model_version = %s").format(
                sql.Identifier(*table.split("."))
            )
            with connect(company, "etl", settings=settings) as conn:
                status[key] = scalar(conn, query, (newest.version,))
    status.update(extra)
    return status

"""The contract every AI module of the platform keeps (docs/ai.md, "The AI-module framework").

An AI module is a package ``promptsales/ai/<name>/`` listed in ``promptsales.wiring.AI_MODULES``. Its
``__init__`` exposes three functions::

    def train(settings) -> dict      # fit on the data, evaluate on held-out data, store a new version
    def evaluate(settings) -> dict   # re-measure the newest version on held-out data (and record it)
    def status(settings) -> dict     # see module_status(): ready?, version, metrics, the serving company

and its serving code logs every call through :func:`promptsales.ai.calls.logged_call`. ``promptsales ai
train|evaluate|status [MODULE]`` and the Dagster job ``ai_retrain`` call these three and nothing else.
"""

from __future__ import annotations

from typing import Any, Protocol

from promptsales.ai import registry
from promptsales.caller import ANONYMOUS, current_caller, stdio_caller
from promptsales.config import Settings


class AIModule(Protocol):
    """What ``promptsales ai`` and the Dagster job need from an AI module."""

    def train(self, settings: Settings) -> dict[str, Any]:
        """Fit, evaluate on held-out data, store the new version; returns :func:`module_status` of it."""

    def evaluate(self, settings: Settings) -> dict[str, Any]:
        """Held-out metrics of the newest stored version (recorded in the registry)."""

    def status(self, settings: Settings) -> dict[str, Any]:
        """Whether the module can answer, and its newest version (see :func:`module_status`)."""


def actor() -> str:
    """Who is training or evaluating: the current caller (an MCP client, a Dagster run acting as itself),
    else the local user of the command line (``stdio:<user>``, as for a local MCP session)."""
    caller = current_caller()
    return caller.actor if caller is not ANONYMOUS else stdio_caller().actor


def module_status(settings: Settings, module: str, *, company: str, serves: str, **extra: Any) -> dict[str, Any]:
    """The status every module reports: ``module``, ``company`` (whose MCP server answers with it — its
    cache is bumped after a training), ``serves`` (tools or reports that use it), ``ready`` (a version is
    stored), ``version``, ``algorithm``, ``trained_at``, ``metrics`` (held-out, at training),
    ``last_evaluation``, plus ``extra``."""
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
    status.update(extra)
    return status

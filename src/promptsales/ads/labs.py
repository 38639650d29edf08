"""Python lab entries of PromptAds: ``ads.auto-explain`` (SPEC A7), which needs a superuser session and the server log."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

from promptsales.config import Settings
from promptsales.db.connect import connect
from promptsales.lab.registry import LabEntry, LabParam, LabResult, StepResult, register
from promptsales.runtime.postgres import EmbeddedPostgres

QUERY = """/* {marker} */
SELECT ch.name AS channel, sum(r.cost) AS cost, sum(r.revenue) AS revenue, sum(r.sales) AS sales
FROM ads.ad_results AS r
JOIN ads.campaigns AS c ON c.campaign_id = r.campaign_id
JOIN ads.channels AS ch ON ch.channel_id = r.channel_id
WHERE c.brand_id = %(brand_id)s
GROUP BY ch.name
ORDER BY revenue DESC"""

SETTINGS = (
    "SET auto_explain.log_min_duration = 0",
    "SET auto_explain.log_analyze = on",
    "SET auto_explain.log_buffers = on",
    "SET auto_explain.log_format = 'text'",
)


def server_log(settings: Settings) -> Path | None:
    """The embedded server's log file, or None when the database is external."""
    if settings.external_database_url("ads"):
        return None
    path = EmbeddedPostgres(settings).root / "server.log"
    return path if path.exists() else None


def plan_from_log(text: str, marker: str) -> list[str]:
    """The auto_explain entry (duration line, query text, plan) whose query carries ``marker``."""
    lines = text.splitlines()
    for start, line in enumerate(lines):
        if "duration:" in line and "plan:" in line and any(marker in ln for ln in lines[start : start + 4]):
            entry = [line]
            for following in lines[start + 1 :]:
                if " LOG: " in following or " STATEMENT: " in following or following.startswith("20"):
                    break
                entry.append(following)
            return entry
    return []


def run_auto_explain(settings: Settings, values: dict[str, Any], _options: dict[str, Any]) -> LabResult:
    """Log the plan of one query through auto_explain and read it back from the server log."""
    result = LabResult("ads.auto-explain")
    marker = f"auto_explain lab {uuid.uuid4().hex[:12]}"
    log = server_log(settings)
    offset = log.stat().st_size if log else 0
    with connect("ads", "admin", settings=settings) as conn:
        for statement in SETTINGS:
            conn.execute(statement)
            result.steps.append(StepResult(title=statement, sql=statement + ";"))
        query = QUERY.format(marker=marker)
        cur = conn.execute(query, {"brand_id": values["brand_id"]})
        result.steps.append(
            StepResult(
                title="The query (its plan goes to the server log)",
                sql=query.replace("%(brand_id)s", str(values["brand_id"])),
                columns=[c.name for c in cur.description or ()],
                rows=cur.fetchall(),
            )
        )
        conn.rollback()
    if log is None:
        result.outcome = "The database is external: read the plan in that server's log (auto_explain writes it there)."
        return result
    entry: list[str] = []
    for _ in range(20):  # the logging collector may write a moment later
        with log.open("r", errors="replace") as handle:
            handle.seek(offset)
            entry = plan_from_log(handle.read(), marker)
        if entry:
            break
        time.sleep(0.1)
    result.steps.append(
        StepResult(
            title=f"auto_explain entry read from {log}", columns=["server log"], rows=[(line,) for line in entry]
        )
    )
    result.outcome = (
        "auto_explain logged the actual plan (with buffers) of the query without anyone running EXPLAIN."
        if entry
        else "No auto_explain entry found in the server log."
    )
    return result


register(
    LabEntry(
        name="ads.auto-explain",
        company="ads",
        title="auto_explain — the server logs the plans of slow statements by itself (SPEC A7)",
        explanation=(
            "auto_explain is loaded at server start (shared_preload_libraries) with log_min_duration = 2 s: every "
            "statement slower than that leaves its plan in the server log. This entry lowers the threshold to 0 for "
            "one superuser session (the auto_explain.* settings are superuser-only), turns on ANALYZE and BUFFERS, "
            "runs a report query tagged with a unique comment, and reads the logged plan back from the server log. "
            "In production keep log_min_duration high (seconds) and log_analyze off unless investigating: ANALYZE "
            "timing adds overhead to every statement. SQL Server equivalent: Query Store / Extended Events capturing "
            "actual plans."
        ),
        params=[LabParam("brand_id", "int", "1")],
        runner=run_auto_explain,
        source=";\n".join(SETTINGS) + ";\n" + QUERY.format(marker="auto_explain lab <id>") + ";\n",
    )
)

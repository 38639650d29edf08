"""The AI-usage rows the AI-module tests read back (``portal.ai_usage_log``, after the batched writer flushed)."""

from __future__ import annotations

from promptsales.db.connect import connect
from promptsales.db.logwriter import LOG_WRITER


def usage_rows(settings, module: str, columns: str, since: int = 0) -> list[tuple]:
    """``columns`` of the rows of ``module`` logged after row id ``since``, oldest first."""
    LOG_WRITER.flush()
    with connect("sales", "app", settings=settings) as conn:
        return conn.execute(
            f"SELECT {columns} FROM portal.ai_usage_log WHERE module = %s AND ai_usage_id > %s ORDER BY ai_usage_id",
            (module, since),
        ).fetchall()


def last_usage_id(settings) -> int:
    """The id of the newest AI-usage row (0 when there is none)."""
    LOG_WRITER.flush()
    with connect("sales", "app", settings=settings) as conn:
        return conn.execute("SELECT coalesce(max(ai_usage_id), 0) FROM portal.ai_usage_log").fetchone()[0]

"""The two-step plan of a question about an entity named by a ranking ("the channels of *the campaign with
the most sales of the brand with the most campaigns*"): each subject is answered first, innermost first, by
a ranking query of its own; its rows — every row tied for the places asked — become the filter of the
question. Each step is shown with its SQL and result, and stated at the head of the answer.
"""

from __future__ import annotations

from typing import Any

import psycopg

from promptsales.sales.nlq.answer import execute, format_value, plain
from promptsales.sales.nlq.builder import build
from promptsales.sales.nlq.metrics import label
from promptsales.sales.nlq.model import EntityRef, StructuredQuery
from promptsales.sales.nlq.warehouse import GROUP_KEYS


class NoSubject(Exception):
    """A subject has no rows (nothing recorded for its ranking): the question has no entity to answer for."""

    def __init__(self, english: str, spanish: str, steps: list[dict[str, Any]]) -> None:
        super().__init__(english)
        self.english = english
        self.spanish = spanish
        self.steps = steps

    def reason(self, language: str) -> str:
        """The reason in ``language``."""
        return self.spanish if language == "es" else self.english


def resolve_subjects(conn: psycopg.Connection, query: StructuredQuery) -> tuple[StructuredQuery, list[dict[str, Any]]]:
    """``query`` with each subject replaced by the entities its ranking names (ties included), and the
    steps that named them (words, SQL, rows, a sentence)."""
    if not query.subjects:
        return query, []
    steps: list[dict[str, Any]] = []
    filters = list(query.filters)
    language = query.language
    for subject in query.subjects:
        inner, inner_steps = resolve_subjects(conn, subject.query.model_copy(update={"language": language}))
        steps.extend(inner_steps)
        built = build(inner)
        rows, _, shown = execute(conn, built)
        records = [dict(zip(built.columns, row)) for row in rows]
        metric = inner.order_by or inner.metrics[0]
        dimension = subject.dimension.value
        records = [record for record in records if record.get(metric.value) is not None]
        step: dict[str, Any] = {"subject": subject.text, "sql": shown}
        if not records:
            steps.append({**step, "rows": [], "answer": ""})
            raise NoSubject(
                f"Nothing is recorded for '{subject.text}', so there is no {dimension} to answer for.",
                f"No hay nada registrado para '{subject.text}', así que no hay a quién responder.",
                steps,
            )
        names = [str(record[dimension]) for record in records]
        values = [format_value(metric, record[metric.value], language) for record in records]
        listed = "; ".join(f"{name} ({label(metric, language)} {value})" for name, value in zip(names, values))
        scope = f" ({inner.period.label})" if inner.period else ""
        sentence = f"{subject.text[0].upper()}{subject.text[1:]}{scope}: {listed}."
        if len(records) > (inner.limit or 1):
            sentence += (
                f" Empate: {len(records)} comparten el puesto; se usan todos."
                if language == "es"
                else f" Tie: {len(records)} share the place; all of them are used."
            )
        steps.append(
            {
                **step,
                "rows": [[name, plain(record[metric.value])] for name, record in zip(names, records)],
                "answer": sentence,
            }
        )
        filters.extend(
            EntityRef(
                dimension=subject.dimension,
                key=record[GROUP_KEYS[subject.dimension]],
                name=name,
                matched_text=subject.text,
            )
            for name, record in zip(names, records)
        )
    return query.model_copy(update={"subjects": [], "filters": filters}), steps

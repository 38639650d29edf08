"""Privacy, read-only and forecast refusals are rules (issue 16): they say why, whatever else the question
says; and nothing that is not a read can run through the question tool."""

from __future__ import annotations

import psycopg
import pytest
from psycopg import sql
from test_mcpnet_parser import AS_OF, sample_catalog

from promptsales.db.connect import connect
from promptsales.sales.nlq.answer import execute
from promptsales.sales.nlq.builder import BuiltQuery
from promptsales.sales.nlq.model import NotAnswerable, StructuredQuery
from promptsales.sales.nlq.parser import QuestionParser

REFUSED = [
    # (question, rule, a phrase of the reason)
    ("What is the national ID of client 7?", "privacy", "personal data"),
    ("Phone numbers of the buyers of campaign Navidad Feliz", "privacy", "personal data"),
    ("Which customers bought the most in 2025?", "privacy", "personal data"),
    ("¿Cuál es la dirección de los clientes de Nova Foods?", "privacy", "datos personales"),
    ("Lista de clientes de Instagram", "privacy", "datos personales"),
    ("¿Quiénes compraron en diciembre?", "privacy", "datos personales"),
    ("Delete campaign Navidad Feliz", "read-only", "only reads"),
    ("Please update the budget of Nova Foods", "read-only", "only reads"),
    ("Elimina las ventas de 2025", "read-only", "solo lee"),
    ("Sales next month", "forecast", "future"),
    ("How much will Nova Foods sell in the coming months?", "forecast", "future"),
    ("¿Cuánto venderá Nova Foods en marzo?", "forecast", "futuro"),
    ("Alcance del mes que viene", "forecast", "futuro"),
    ("Sales in December 2026", "forecast", "after the as-of date"),
]
STILL_QUESTIONS = [
    "How many clients did campaign Navidad Feliz have?",  # a count of clients is aggregated
    "¿Cuántos clientes tuvo Nova Foods?",
    "Leads from email in Q4 2025",  # "email" the channel, not an e-mail address
    "¿Cuánto generó Nova Foods en ventas en 2025?",  # "generó" is not "género"
]


@pytest.fixture(scope="module")
def parser() -> QuestionParser:
    return QuestionParser(sample_catalog(), AS_OF)


@pytest.mark.parametrize("question, rule, phrase", REFUSED, ids=[q for q, _, _ in REFUSED])
def test_mcpnet_rules_refuse_and_say_why(parser, question, rule, phrase):
    result = parser.parse(question)
    assert isinstance(result, NotAnswerable), result
    assert result.refusal == rule and phrase in result.reason, result.reason


@pytest.mark.parametrize("question", STILL_QUESTIONS)
def test_mcpnet_rules_leave_aggregated_questions_alone(parser, question):
    assert isinstance(parser.parse(question), StructuredQuery)


def test_mcpnet_question_tool_cannot_write(warehouse):
    """Whatever a built query held, it runs in a READ ONLY transaction as the read-only analyst role."""
    write = BuiltQuery(
        statement=sql.SQL("UPDATE wh.campaigns SET budget = budget + 1 RETURNING campaign_id"),
        params=[],
        columns=["campaign_id"],
        grain="campaigns",
    )
    with connect("sales", "analyst", settings=warehouse) as conn:
        with pytest.raises((psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.InsufficientPrivilege)):
            execute(conn, write)
        conn.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE wh.campaigns SET budget = budget + 1")

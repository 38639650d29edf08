"""Exposure hours, loaded by the ETL since the warehouse existed, can be asked for in English and Spanish
(the measure registry's drift fix): each answer equals direct SQL over the fact table ``wh.campaign_facts``,
whichever table the question is answered from."""

from __future__ import annotations

import math
from datetime import date

import pytest

from promptsales.db.connect import connect
from promptsales.sales.nlq.service import ask

AS_OF = date(2026, 1, 31)
Y25 = "f.month >= '2025-01-01' AND f.month < '2026-01-01'"
BY_CHANNEL = (
    "SELECT ch.channel_name, sum(f.exposure_hours) FROM wh.campaign_facts f "
    "JOIN (SELECT DISTINCT channel_id, channel_name FROM wh.campaign_channels) ch USING (channel_id) "
    "{where} GROUP BY f.channel_id, ch.channel_name ORDER BY ch.channel_name"
)
BY_MARKET = (
    "SELECT m.market_name, sum(f.exposure_hours) FROM wh.campaign_facts f "
    "JOIN (SELECT DISTINCT market_id, market_name FROM wh.campaign_markets) m USING (market_id) "
    "GROUP BY f.market_id, m.market_name ORDER BY m.market_name"
)

QUESTIONS = [
    # (language, question, expected SQL over the facts, the table the answer must come from)
    (
        "en",
        'What were the exposure hours of campaign "{C}"?',
        "SELECT sum(f.exposure_hours) FROM wh.campaign_facts f JOIN wh.campaigns c USING (campaign_id) "
        "WHERE c.campaign_name = %(C)s",
        "wh.campaigns",
    ),
    (
        "es",
        '¿Cuántas horas de exposición tuvo la campaña "{C}"?',
        "SELECT sum(f.exposure_hours) FROM wh.campaign_facts f JOIN wh.campaigns c USING (campaign_id) "
        "WHERE c.campaign_name = %(C)s",
        "wh.campaigns",
    ),
    ("en", "Exposure hours by channel", BY_CHANNEL.format(where=""), "wh.campaign_channels"),
    ("es", "Horas de exposición por mercado", BY_MARKET, "wh.campaign_markets"),
    (
        "es",
        "Horas de exposición por mes en 2025",
        f"SELECT to_char(f.month, 'YYYY-MM'), sum(f.exposure_hours) FROM wh.campaign_facts f WHERE {Y25} "
        "GROUP BY f.month ORDER BY 1",
        "wh.campaign_months",
    ),
    ("en", "Hours of exposure by channel in 2025", BY_CHANNEL.format(where=f"WHERE {Y25}"), "wh.campaign_facts"),
]


@pytest.fixture(scope="module")
def conn(warehouse):
    with connect("sales", "analyst", settings=warehouse) as connection:
        yield connection


@pytest.fixture(scope="module")
def campaign(conn) -> str:
    """The campaign with the most exposure hours (deterministic for the seed)."""
    return conn.execute(
        "SELECT campaign_name FROM wh.campaigns ORDER BY exposure_hours DESC, campaign_id LIMIT 1"
    ).fetchone()[0]


@pytest.mark.parametrize("language, template, expected_sql, grain", QUESTIONS, ids=[q[1] for q in QUESTIONS])
def test_mcpnet_exposure_hours_are_answered_exactly(conn, campaign, language, template, expected_sql, grain):
    result = ask(template.format(C=campaign), conn, as_of=AS_OF)
    assert result.answerable and result.language == language, result.answer
    assert result.understood["metrics"] == ["exposure_hours"] and result.grain == grain
    expected = conn.execute(expected_sql, {"C": campaign}).fetchall()
    got = [[value for column, value in zip(result.columns, row) if not column.endswith("_id")] for row in result.rows]
    assert len(got) == len(expected) and len(expected) >= 1
    for row, want in zip(got, expected):
        assert row[:-1] == list(want[:-1])
        assert want[-1] > 0 and math.isclose(row[-1], float(want[-1]), rel_tol=1e-12)
    assert " h" in result.answer  # shown in hours

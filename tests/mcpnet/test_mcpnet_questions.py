"""The question set of SPEC S5 against the real warehouse: ≥ 40 questions (half Spanish), expected answers
computed here by direct SQL over ``wh.*``; every one must be answered exactly by the local parser, and
every unanswerable one must get an explanation and no number.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from promptsales.db.connect import connect
from promptsales.sales.nlq.service import ask

AS_OF = date(2026, 1, 31)  # the generator's as-of date: "last quarter" = Q4 2025

Y25 = "f.month >= '2025-01-01' AND f.month < '2026-01-01'"
Q4 = "f.month >= '2025-10-01' AND f.month < '2026-01-01'"
DEC = "f.month >= '2025-12-01' AND f.month < '2026-01-01'"
JUL_SEP = "f.month >= '2025-07-01' AND f.month < '2025-10-01'"
CH = "(SELECT DISTINCT channel_id, channel_name FROM wh.campaign_channels)"
MK = "(SELECT DISTINCT market_id, market_name FROM wh.campaign_markets)"
ROI = "round((sum(f.sales_amount) - sum(f.spend))::numeric / nullif(sum(f.spend), 0), 6)"


def by_campaign(metric: str, where: str, order: str, limit: int) -> str:
    """The top ``limit`` campaigns and every campaign tied with the last of them (issue 16: ties are shown)."""
    return (
        f"SELECT name, v FROM (SELECT c.campaign_id, c.campaign_name AS name, {metric} AS v, "
        f"rank() OVER (ORDER BY {metric} {order} NULLS LAST) AS r FROM wh.campaign_months f "
        f"JOIN wh.campaigns c USING (campaign_id) WHERE {where} GROUP BY c.campaign_id, c.campaign_name) t "
        f"WHERE r <= {limit} ORDER BY r, campaign_id"
    )


def by_channel(metric: str, where: str, order: str = "ch.channel_name", limit: int = 500) -> str:
    return (
        f"SELECT ch.channel_name, {metric} AS v FROM wh.campaign_facts f JOIN {CH} ch USING (channel_id) "
        f"WHERE {where} GROUP BY f.channel_id, ch.channel_name ORDER BY {order} LIMIT {limit}"
    )


def periods(metric: str, ranges: list[tuple[str, str, str]]) -> str:
    return " UNION ALL ".join(
        f"(SELECT '{label}', {metric} FROM wh.campaign_months f WHERE f.month >= '{a}' AND f.month < '{b}')"
        for label, a, b in ranges
    )


SAME = {
    "reach_c": "SELECT reach FROM wh.campaigns WHERE campaign_name = %(C)s",
    "spend_c": "SELECT spend FROM wh.campaigns WHERE campaign_name = %(C)s",
    "sales_b": f"SELECT sum(f.sales_count) FROM wh.campaign_months f JOIN wh.campaigns c USING (campaign_id) "
    f"WHERE c.brand_name = %(B)s AND {Y25}",
    "top_rev": by_campaign("sum(f.revenue)", Q4, "DESC", 5),
    "top_channel_reach": by_channel("sum(f.reach)", Q4, "v DESC NULLS LAST, f.channel_id", 1),
    "sales_by_channel": by_channel("sum(f.sales_amount)", JUL_SEP),
    "ig_tt": by_channel("sum(f.reactions)", f"ch.channel_name IN ('Instagram', 'TikTok') AND {Y25}"),
    "conv_b": "SELECT round(sum(sales_count)::numeric / nullif(sum(leads), 0), 6) FROM wh.campaigns "
    "WHERE brand_name = %(B)s",
    "monthly_spend": f"SELECT to_char(f.month, 'YYYY-MM'), sum(f.spend) FROM wh.campaign_months f WHERE {Y25} "
    "GROUP BY f.month ORDER BY 1",
    "active": "SELECT count(*) FROM wh.campaigns WHERE status = 'active'",
    "top_brand_sales": f"SELECT c.brand_name, sum(f.sales_amount) AS v FROM wh.campaign_months f JOIN wh.campaigns c "
    f"USING (campaign_id) WHERE {Q4} GROUP BY c.brand_id, c.brand_name "
    "ORDER BY v DESC NULLS LAST, c.brand_id LIMIT 1",
    "mexico_monthly": f"SELECT to_char(f.month, 'YYYY-MM'), sum(f.reach) FROM wh.campaign_facts f JOIN {MK} m "
    f"USING (market_id) WHERE m.market_name LIKE 'Mexico /%%' AND {Y25} GROUP BY f.month ORDER BY 1",
    "funnel_c": "SELECT reach, interactions, leads, clients, sales_count FROM wh.campaigns WHERE campaign_name = %(C)s",
    "low_spend_dec": by_campaign("sum(f.spend)", DEC, "ASC", 3),
    "channels_c": "SELECT count(DISTINCT channel_id) FROM wh.campaign_channels JOIN wh.campaigns USING (campaign_id) "
    "WHERE campaign_name = %(C)s",
    "email_leads_q4": f"SELECT sum(f.leads) FROM wh.campaign_facts f JOIN {CH} ch USING (channel_id) "
    f"WHERE ch.channel_name = 'Email marketing' AND {Q4}",
    "interactions_market_b": f"SELECT m.market_name, sum(f.interactions) FROM wh.campaign_markets f JOIN {MK} m "
    "USING (market_id) JOIN wh.campaigns c USING (campaign_id) WHERE c.brand_name = %(B)s "
    "GROUP BY f.market_id, m.market_name ORDER BY m.market_name",
    "ctr_linkedin": f"SELECT round(sum(f.clicks)::numeric / nullif(sum(f.impressions), 0), 6) FROM wh.campaign_facts f "
    f"JOIN {CH} ch USING (channel_id) WHERE ch.channel_name = 'LinkedIn Ads' AND {Y25}",
    "roi_b": f"SELECT {ROI} FROM wh.campaign_months f JOIN wh.campaigns c USING (campaign_id) "
    f"WHERE c.brand_name = %(B)s AND {Y25}",
    "budget_b": "SELECT sum(budget) FROM wh.campaigns WHERE brand_name = %(B)s",
    "campaigns_q4": f"SELECT count(DISTINCT f.campaign_id) FROM wh.campaign_months f WHERE {Q4}",
    "reach_f": "SELECT reach FROM wh.campaigns WHERE campaign_name = %(F_NAME)s",
    "clients_dec": "SELECT count(DISTINCT client_id) FROM wh.campaign_buyers f WHERE " + DEC,
    "colombia_dec": f"SELECT sum(f.sales_amount) FROM wh.campaign_facts f JOIN {MK} m USING (market_id) "
    f"WHERE m.market_name LIKE 'Colombia /%%' AND {DEC}",
}

QUESTIONS: list[tuple[str, str, str]] = [
    # (language, question template, expected key)
    ("en", 'What was the total reach of campaign "{C}"?', "reach_c"),
    ("es", '¿Cuál fue el alcance total de la campaña "{C}"?', "reach_c"),
    ("en", 'How much did we spend on campaign "{C}"?', "spend_c"),
    ("es", '¿Cuánto gastamos en la campaña "{C}"?', "spend_c"),
    ("en", "How many sales did {B} close in 2025?", "sales_b"),
    ("es", "¿Cuántas ventas cerró {B} en 2025?", "sales_b"),
    ("en", "Top 5 campaigns by revenue in Q4 2025", "top_rev"),
    ("es", "Las 5 campañas con más ingresos en el cuarto trimestre de 2025", "top_rev"),
    ("en", "Which channel had the highest reach last quarter?", "top_channel_reach"),
    ("es", "¿Qué canal tuvo mayor alcance el trimestre pasado?", "top_channel_reach"),
    ("en", "Sales amount by channel between July and September 2025", "sales_by_channel"),
    ("es", "Monto de ventas por canal entre julio y septiembre de 2025", "sales_by_channel"),
    ("en", "Compare Instagram vs TikTok reactions in 2025", "ig_tt"),
    ("es", "Compara las reacciones de Instagram y TikTok en 2025", "ig_tt"),
    ("en", "Compare revenue in December 2025 vs January 2026", "rev_dec_jan_en"),
    ("es", "Compara los ingresos de diciembre 2025 con enero 2026", "rev_dec_jan_es"),
    ("en", "What is the conversion rate of {B}?", "conv_b"),
    ("es", "¿Cuál es la tasa de conversión de {B}?", "conv_b"),
    ("en", "Show monthly spend in 2025", "monthly_spend"),
    ("es", "Gasto mensual en 2025", "monthly_spend"),
    ("en", "How many campaigns are active?", "active"),
    ("es", "¿Cuántas campañas activas hay?", "active"),
    ("en", "Which brand had the most sales last quarter?", "top_brand_sales"),
    ("es", "¿Qué marca vendió más el trimestre pasado?", "top_brand_sales"),
    ("en", "Reach in Mexico by month in 2025", "mexico_monthly"),
    ("es", "Alcance en México por mes en 2025", "mexico_monthly"),
    ("en", 'Funnel of campaign "{C}"', "funnel_c"),
    ("es", 'Embudo de la campaña "{C}"', "funnel_c"),
    ("en", "The 3 campaigns with the lowest spend in December 2025", "low_spend_dec"),
    ("es", "Las 3 campañas con menor gasto en diciembre 2025", "low_spend_dec"),
    ("en", 'How many channels did campaign "{C}" use?', "channels_c"),
    ("es", '¿Cuántos canales usó la campaña "{C}"?', "channels_c"),
    ("en", "Email marketing leads in Q4 2025", "email_leads_q4"),
    ("es", "Leads de correo electrónico en el 4T 2025", "email_leads_q4"),
    ("en", "Interactions by market for {B}", "interactions_market_b"),
    ("es", "Interacciones por mercado de {B}", "interactions_market_b"),
    ("en", "What was the click-through rate of LinkedIn in 2025?", "ctr_linkedin"),
    ("es", "Tasa de clics de LinkedIn en 2025", "ctr_linkedin"),
    ("en", "What was the ROI of {B} in 2025?", "roi_b"),
    ("es", "¿Cuál fue el ROI de {B} en 2025?", "roi_b"),
    ("en", "Total budget of {B}", "budget_b"),
    ("es", "Presupuesto total de {B}", "budget_b"),
    ("en", "Number of campaigns in Q4 2025", "campaigns_q4"),
    ("es", "Número de campañas en el último trimestre", "campaigns_q4"),
    ("en", "Reach of campaign {F}", "reach_f"),
    ("es", "Alcance de la campaña {F}", "reach_f"),
    ("es", "¿Cuánto se vendió en Colombia durante diciembre?", "colombia_dec"),
    ("en", "Revenue in 2024 and 2025", "rev_years"),
    ("es", "¿Cuántos clientes compraron en diciembre 2025?", "clients_dec"),
]
SAME["rev_dec_jan_en"] = periods(
    "sum(f.revenue)", [("December 2025", "2025-12-01", "2026-01-01"), ("January 2026", "2026-01-01", "2026-02-01")]
)
SAME["rev_dec_jan_es"] = periods(
    "sum(f.revenue)", [("diciembre 2025", "2025-12-01", "2026-01-01"), ("enero 2026", "2026-01-01", "2026-02-01")]
)
SAME["rev_years"] = periods(
    "sum(f.revenue)", [("2024", "2024-01-01", "2025-01-01"), ("2025", "2025-01-01", "2026-01-01")]
)

UNANSWERABLE = [
    ("en", "Why did sales drop in December 2025?"),
    ("en", "What will revenue be next year?"),
    ("es", "¿Cuál es la edad promedio de los clientes?"),
    ("en", "Reach of campaign Zebra Quantum Blaster"),
]


def _names(conn) -> dict[str, str]:
    """Real names to put in the questions, chosen by SQL over the warehouse (deterministic for the seed)."""
    brand = conn.execute(
        "SELECT brand_name FROM wh.campaigns GROUP BY brand_name ORDER BY count(*) DESC, brand_name LIMIT 1"
    ).fetchone()[0]
    campaign = conn.execute(
        "SELECT campaign_name FROM wh.campaigns ORDER BY reach DESC, campaign_id LIMIT 1"
    ).fetchone()[0]
    # a campaign named without its brand ("Product · Occasion Year") that no other campaign shares
    fuzzy = conn.execute(
        "SELECT campaign_name, split_part(campaign_name, ' · ', 2) || ' ' || split_part(campaign_name, ' · ', 3) AS tail "
        "FROM wh.campaigns c WHERE status = 'finished' AND (SELECT count(*) FROM wh.campaigns d WHERE "
        "split_part(d.campaign_name, ' · ', 2) = split_part(c.campaign_name, ' · ', 2) AND "
        "split_part(d.campaign_name, ' · ', 3) = split_part(c.campaign_name, ' · ', 3)) = 1 "
        "ORDER BY campaign_id LIMIT 1"
    ).fetchone()
    return {"B": brand, "C": campaign, "F": fuzzy[1], "F_NAME": fuzzy[0]}


def _same(got: list[list[object]], expected: list[tuple]) -> bool:
    if len(got) != len(expected):
        return False
    for row, want in zip(got, expected):
        if len(row) != len(want):
            return False
        for a, b in zip(row, want):
            if isinstance(b, (int, float)) or hasattr(b, "as_tuple"):
                if a is None or not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6):
                    return False
            elif a != b and not (a is None and b is None):
                return False
    return True


@pytest.fixture(scope="module")
def conn(warehouse):
    with connect("sales", "analyst", settings=warehouse) as connection:
        yield connection


def test_mcpnet_question_set_answers_exactly(conn):
    """Every one of the 49 questions (half Spanish) answers exactly what direct SQL over the warehouse says.

    SPEC S5 asks ≥ 90% of questions in general; this fixed set is answered in full today, so any miss here
    is a regression and fails the test (a score over new questions belongs to an evaluation, not here)."""
    names = _names(conn)
    assert sum(lang == "es" for lang, _, _ in QUESTIONS) >= len(QUESTIONS) / 2 and len(QUESTIONS) >= 40
    failures = []
    for language, template, key in QUESTIONS:
        question = template.format(**names)
        expected = [tuple(row) for row in conn.execute(SAME[key], names).fetchall()]
        result = ask(question, conn, as_of=AS_OF)
        projected = [[v for c, v in zip(result.columns, row) if not c.endswith("_id")] for row in result.rows]
        if not result.answerable or result.language != language or not _same(projected, expected):
            failures.append((question, result.answer, projected[:3], expected[:3]))
    assert failures == [], f"{len(failures)}/{len(QUESTIONS)} questions missed: {failures}"


@pytest.mark.parametrize("language, question", UNANSWERABLE, ids=[q for _, q in UNANSWERABLE])
def test_mcpnet_unanswerable_questions_get_explanations(conn, language, question):
    """Unanswerable questions: an explanation in the question's language, no rows, no SQL run."""
    result = ask(question, conn, as_of=AS_OF)
    assert not result.answerable
    assert result.rows == [] and result.sql is None
    assert len(result.answer) > 20 and result.language == language

"""An independent set of questions for the failure classes of issue 16, checked against the SOURCE databases.

Written for the classes the issue lists (nested subjects, ratio metrics, lifecycle filters, counts of
campaigns, morphology, halves of a year, changes between months, forecasts, personal data, writes), half of
them in Spanish, none taken from the other question sets. An answerable question's expected answer is
computed here by SQL over PromptAds (``ads.*``) and PromptCRM (``crm.*``) — never over the warehouse.

Every question lands in one class: answered correctly, refused correctly, refused although answerable
(``wrong refusal``), or answered wrongly — with the ignored words stated (``wrong with a note``) or without
(``silent wrong``, which must be 0). The counts are printed (``-s``) and checked.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import psycopg
import pytest

from promptsales.db.connect import connect
from promptsales.sales.nlq.service import Answer, ask

AS_OF = date(2026, 1, 31)
REFUSE = "refuse"

H1_25 = ("2025-01-01", "2025-07-01")
H2_25 = ("2025-07-01", "2026-01-01")
Q4_25 = ("2025-10-01", "2026-01-01")
Y25 = ("2025-01-01", "2026-01-01")
DEC_25 = ("2025-12-01", "2026-01-01")
JAN_26 = ("2026-01-01", "2026-02-01")


class Sources:
    """Expected answers by SQL over the source databases (PromptAds, PromptCRM)."""

    def __init__(self, ads: psycopg.Connection, crm: psycopg.Connection) -> None:
        self.ads = ads
        self.crm = crm

    def one(self, conn: psycopg.Connection, statement: str, params: tuple = ()) -> Decimal:
        return conn.execute(statement, params).fetchone()[0]

    def ads_sum(self, column: str, months: tuple[str, str], campaign_ids: list[int] | None = None) -> Decimal:
        """A PromptAds result column summed over the result months ``[start, end)``."""
        statement = {"audience_reached": "sum(audience_reached)", "revenue": "sum(revenue)"}[column]
        return self.one(
            self.ads,
            f"SELECT {statement} FROM ads.ad_results WHERE date_trunc('month', result_date) >= %s "
            "AND date_trunc('month', result_date) < %s AND (%s::int[] IS NULL OR campaign_id = ANY(%s))",
            (*months, campaign_ids, campaign_ids),
        )

    def sales_amount(self, months: tuple[str, str], campaign_ids: list[int] | None = None) -> Decimal:
        """PromptCRM sales amount over the sale months ``[start, end)``."""
        return self.one(
            self.crm,
            "SELECT sum(amount) FROM crm.sales WHERE date_trunc('month', sold_at) >= %s "
            "AND date_trunc('month', sold_at) < %s AND (%s::int[] IS NULL OR campaign_id = ANY(%s))",
            (*months, campaign_ids, campaign_ids),
        )

    def monthly_sales_with_change(self, year: int) -> list[list]:
        """Each month of ``year``: its sales amount, the change from the month before (none for January) and that
        change in percent of the month before, rounded to 2 decimals."""
        rows = self.crm.execute(
            "SELECT to_char(m, 'YYYY-MM'), amount, amount - lag(amount) OVER w, "
            "round(100 * (amount - lag(amount) OVER w) / nullif(abs(lag(amount) OVER w), 0), 2) "
            "FROM (SELECT date_trunc('month', sold_at) AS m, sum(amount) AS amount FROM crm.sales "
            "WHERE sold_at >= make_date(%s, 1, 1) AND sold_at < make_date(%s + 1, 1, 1) GROUP BY 1) t "
            "WINDOW w AS (ORDER BY m) ORDER BY m",
            (year, year),
        ).fetchall()
        return [list(row) for row in rows]

    def brand_campaigns(self, brand: str) -> list[int]:
        return [
            row[0]
            for row in self.ads.execute(
                "SELECT c.campaign_id FROM ads.campaigns c JOIN ads.brands b USING (brand_id) WHERE b.name = %s",
                (brand,),
            )
        ]

    def campaigns_per_brand(self) -> dict[str, int]:
        rows = self.ads.execute(
            "SELECT b.name, count(*) FROM ads.campaigns c JOIN ads.brands b USING (brand_id) GROUP BY b.name"
        ).fetchall()
        return {name: count for name, count in rows}

    def reach_of_top_roi_campaign(self) -> tuple[str, int]:
        """The campaign with the highest ROI ((sales amount − spend) / spend, rounded like the warehouse) and
        its reach; ties by campaign id."""
        ads = {
            row[0]: row[1:]
            for row in self.ads.execute(
                "SELECT c.campaign_id, c.name, coalesce(sum(r.cost), 0), coalesce(sum(r.audience_reached), 0) "
                "FROM ads.campaigns c LEFT JOIN ads.ad_results r USING (campaign_id) GROUP BY c.campaign_id, c.name"
            )
        }
        sales = dict(self.crm.execute("SELECT campaign_id, sum(amount) FROM crm.sales GROUP BY campaign_id").fetchall())
        scored = [
            (round((sales.get(key, Decimal(0)) - spend) / spend, 6), -key, name, reach)
            for key, (name, spend, reach) in ads.items()
            if spend
        ]
        _, _, name, reach = max(scored)
        return name, int(reach)

    # --- issue 16, deliverables 2-5: the figures the answers now compute, by SQL over the sources ---------
    def spend_over(self, where: str, params: tuple = ()) -> Decimal:
        """PromptAds cost of the result rows matching ``where`` (alias r)."""
        return self.one(self.ads, f"SELECT sum(r.cost) FROM ads.ad_results r WHERE {where}", params)

    def ratio(self, numerator: Decimal, denominator: Decimal, scale: int = 1) -> Decimal:
        """A ratio rounded like the warehouse's (6 decimals)."""
        return round(Decimal(numerator) * scale / Decimal(denominator), 6)

    def crm_count(self, table: str, where: str, params: tuple = ()) -> int:
        """Rows of a PromptCRM table (alias x) matching ``where``."""
        return self.one(self.crm, f"SELECT count(*) FROM crm.{table} x WHERE {where}", params)

    def sales_sum(self, where: str, params: tuple = ()) -> Decimal:
        """PromptCRM sales amount (alias x) matching ``where``."""
        return self.one(self.crm, f"SELECT sum(x.amount) FROM crm.sales x WHERE {where}", params)

    def top_by_sales(self, campaign_ids: list[int]) -> int:
        """The campaign of ``campaign_ids`` with the highest PromptCRM sales amount (one, here)."""
        rows = self.crm.execute(
            "SELECT campaign_id, sum(amount) AS v FROM crm.sales WHERE campaign_id = ANY(%s) GROUP BY 1 "
            "ORDER BY v DESC, campaign_id",
            (campaign_ids,),
        ).fetchall()
        assert len(rows) == 1 or rows[0][1] != rows[1][1], "a tie: the question's expected answer would list both"
        return rows[0][0]

    def brands_with_most_campaigns(self, status: str | None = None) -> list[tuple[int, str, int]]:
        """Every brand tied for the most campaigns (of a status), by brand id: (id, name, count)."""
        rows = self.ads.execute(
            "SELECT b.brand_id, b.name, count(*) FROM ads.campaigns c JOIN ads.brands b USING (brand_id) "
            "WHERE %s::text IS NULL OR c.status = %s GROUP BY b.brand_id, b.name",
            (status, status),
        ).fetchall()
        most = max(count for _, _, count in rows)
        return sorted(row for row in rows if row[2] == most)

    def channels_of_campaign(self, campaign_id: int) -> dict[str, float]:
        """The channels with any result, lead or sale of a campaign, with its sales amount on each."""
        used = {
            r[0]
            for r in self.ads.execute("SELECT channel_id FROM ads.ad_results WHERE campaign_id = %s", (campaign_id,))
        }
        for table in ("leads", "sales"):
            used |= {
                r[0]
                for r in self.crm.execute(f"SELECT channel_id FROM crm.{table} WHERE campaign_id = %s", (campaign_id,))
            }
        names = dict(self.ads.execute("SELECT channel_id, name FROM ads.channels").fetchall())
        amounts = dict(
            self.crm.execute(
                "SELECT channel_id, sum(amount) FROM crm.sales WHERE campaign_id = %s GROUP BY 1", (campaign_id,)
            ).fetchall()
        )
        return {names[channel]: float(amounts.get(channel, 0)) for channel in used}  # as the answer's JSON

    def funnel(self, campaign_id: int) -> list:
        """Reach, interactions (PromptAds), leads, distinct clients, sales (PromptCRM) of one campaign."""
        reach, interactions = self.ads.execute(
            "SELECT sum(audience_reached), sum(interactions) FROM ads.ad_results WHERE campaign_id = %s", (campaign_id,)
        ).fetchone()
        leads = self.crm_count("leads", "x.campaign_id = %s", (campaign_id,))
        clients, sales = self.crm.execute(
            "SELECT count(DISTINCT client_id), count(*) FROM crm.sales WHERE campaign_id = %s", (campaign_id,)
        ).fetchone()
        return [reach, interactions, leads, clients, sales]

    def campaign_name(self, campaign_id: int) -> str:
        return self.one(self.ads, "SELECT name FROM ads.campaigns WHERE campaign_id = %s", (campaign_id,))

    def named_funnel(self, campaign_id: int) -> list:
        """The funnel's row as answered for a campaign named by a ranking: the campaign, then its stages."""
        return [self.campaign_name(campaign_id), *self.funnel(campaign_id)]

    def top_spend_campaign(self) -> int:
        return self.ads.execute(
            "SELECT campaign_id FROM ads.ad_results GROUP BY 1 ORDER BY sum(cost) DESC, campaign_id LIMIT 1"
        ).fetchone()[0]

    def campaign_ids(self, where: str, params: tuple = ()) -> list[int]:
        """PromptAds campaigns (alias c) matching ``where``."""
        return [r[0] for r in self.ads.execute(f"SELECT campaign_id FROM ads.campaigns c WHERE {where}", params)]

    def channel_ids(self, name: str) -> list[int]:
        return [r[0] for r in self.ads.execute("SELECT channel_id FROM ads.channels WHERE name = %s", (name,))]


IN_MONTHS = "date_trunc('month', {}) >= %s AND date_trunc('month', {}) < %s"


def channels_of_nested(s: Sources) -> dict[str, float]:
    """The channels of the campaign with the most sales of the brand with the most campaigns."""
    (brand_id, _, _), *tied = s.brands_with_most_campaigns()
    assert not tied, "a tie: the expected answer would cover every tied brand"
    return s.channels_of_campaign(s.top_by_sales(s.campaign_ids("c.brand_id = %s", (brand_id,))))


def ratio_of(numerator, denominator, scale: int = 1):
    return lambda s, n: [[s.ratio(numerator(s, n), denominator(s, n), scale)]]


def value(compute: Callable[[Sources, dict[str, str]], object]) -> Callable[[Sources, dict[str, str]], list[list]]:
    """One figure as the single row of the answer."""
    return lambda sources, names: [[compute(sources, names)]]


def top_roi_row(sources: Sources) -> list[list]:
    """The ranking's row: the campaign, its ROI (not checked here), its reach."""
    name, reach = sources.reach_of_top_roi_campaign()
    return [[name, None, reach]]


# (language, class, question, expected: REFUSE or a function of (sources, names) giving the answer's rows
#  without *_id columns)
QUESTIONS: list[tuple[str, str, str, object]] = [
    # --- halves of a year ------------------------------------------------------------------------------
    ("en", "halves", "Sales in the second half of 2025", value(lambda s, n: s.sales_amount(H2_25))),
    ("es", "halves", "Ventas del segundo semestre de 2025", value(lambda s, n: s.sales_amount(H2_25))),
    ("en", "halves", "What was the reach in H1 2025?", value(lambda s, n: s.ads_sum("audience_reached", H1_25))),
    (
        "es",
        "halves",
        "Alcance en la primera mitad del año 2025",
        value(lambda s, n: s.ads_sum("audience_reached", H1_25)),
    ),
    # --- changes between months: always from the earlier to the later ---------------------------------
    (
        "en",
        "changes",
        "How did revenue change from January 2026 to December 2025?",
        lambda s, n: [["December 2025", s.ads_sum("revenue", DEC_25)], ["January 2026", s.ads_sum("revenue", JAN_26)]],
    ),
    (
        "es",
        "changes",
        "¿Cómo cambiaron las ventas de enero 2026 a diciembre 2025?",
        lambda s, n: [["diciembre 2025", s.sales_amount(DEC_25)], ["enero 2026", s.sales_amount(JAN_26)]],
    ),
    # each month with its change from the month before (D174; refused before running totals and changes existed)
    ("en", "changes", "Month-over-month change in sales in 2025", lambda s, n: s.monthly_sales_with_change(2025)),
    ("es", "changes", "Cambio mes a mes de las ventas en 2025", lambda s, n: s.monthly_sales_with_change(2025)),
    # --- nested subjects ---------------------------------------------------------------------------------
    (
        "en",
        "nested",
        "Which channels did the campaign with the most sales of the brand with the most campaigns use?",
        lambda s, n: channels_of_nested(s),
    ),
    (
        "es",
        "nested",
        "¿Qué canales usó la campaña con más ventas de la marca con más campañas?",
        lambda s, n: channels_of_nested(s),
    ),
    (
        "en",
        "nested",
        "The funnel of the campaign with the highest spend",
        lambda s, n: [s.named_funnel(s.top_spend_campaign())],
    ),
    ("es", "nested", "El embudo de la campaña con mayor gasto", lambda s, n: [s.named_funnel(s.top_spend_campaign())]),
    ("en", "nested", "Reach of the campaign with the highest ROI", lambda s, n: top_roi_row(s)),
    ("es", "nested", "Alcance de la campaña con el mayor ROI", lambda s, n: top_roi_row(s)),
    # --- ratio metrics and definitions ------------------------------------------------------------------
    (
        "en",
        "ratios",
        "What was the cost per sale in 2025?",
        ratio_of(
            lambda s, n: s.spend_over(IN_MONTHS.format("r.result_date", "r.result_date"), Y25),
            lambda s, n: s.crm_count("sales", IN_MONTHS.format("x.sold_at", "x.sold_at"), Y25),
        ),
    ),
    (
        "es",
        "ratios",
        "¿Cuál fue el costo por venta en 2025?",
        ratio_of(
            lambda s, n: s.spend_over(IN_MONTHS.format("r.result_date", "r.result_date"), Y25),
            lambda s, n: s.crm_count("sales", IN_MONTHS.format("x.sold_at", "x.sold_at"), Y25),
        ),
    ),
    (
        "en",
        "ratios",
        "Cost per lead of {B}",
        ratio_of(
            lambda s, n: s.spend_over("r.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
            lambda s, n: s.crm_count("leads", "x.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
        ),
    ),
    (
        "es",
        "ratios",
        "Costo por lead de {B}",
        ratio_of(
            lambda s, n: s.spend_over("r.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
            lambda s, n: s.crm_count("leads", "x.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
        ),
    ),
    (
        "en",
        "ratios",
        "What is the CPM of Instagram?",
        ratio_of(
            lambda s, n: s.spend_over("r.channel_id = ANY(%s)", (s.channel_ids("Instagram"),)),
            lambda s, n: s.one(
                s.ads, "SELECT sum(views) FROM ads.ad_results WHERE channel_id = ANY(%s)", (s.channel_ids("Instagram"),)
            ),
            1000,
        ),
    ),
    (
        "es",
        "ratios",
        "¿Cuál es el CPM de Instagram?",
        ratio_of(
            lambda s, n: s.spend_over("r.channel_id = ANY(%s)", (s.channel_ids("Instagram"),)),
            lambda s, n: s.one(
                s.ads, "SELECT sum(views) FROM ads.ad_results WHERE channel_id = ANY(%s)", (s.channel_ids("Instagram"),)
            ),
            1000,
        ),
    ),
    (
        "en",
        "ratios",
        "What was the return on ad spend of {B}?",
        ratio_of(
            lambda s, n: s.sales_sum("x.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
            lambda s, n: s.spend_over("r.campaign_id = ANY(%s)", (s.brand_campaigns(n["B"]),)),
        ),
    ),
    (
        "es",
        "ratios",
        "Valor promedio por venta en 2025",
        ratio_of(
            lambda s, n: s.sales_amount(Y25),
            lambda s, n: s.crm_count("sales", IN_MONTHS.format("x.sold_at", "x.sold_at"), Y25),
        ),
    ),
    # --- lifecycle filters ------------------------------------------------------------------------------
    (
        "en",
        "lifecycle",
        "How many campaigns ended between July and September 2025?",
        value(lambda s, n: len(s.campaign_ids("c.end_date >= '2025-07-01' AND c.end_date < '2025-10-01'"))),
    ),
    (
        "es",
        "lifecycle",
        "¿Cuántas campañas terminaron entre julio y septiembre de 2025?",
        value(lambda s, n: len(s.campaign_ids("c.end_date >= '2025-07-01' AND c.end_date < '2025-10-01'"))),
    ),
    (
        "en",
        "lifecycle",
        "Sales of the campaigns launched in 2025",
        value(
            lambda s, n: s.sales_sum(
                "x.campaign_id = ANY(%s)",
                (s.campaign_ids("c.start_date >= '2025-01-01' AND c.start_date < '2026-01-01'"),),
            )
        ),
    ),
    (
        "es",
        "lifecycle",
        "Ventas de las campañas lanzadas en 2025",
        value(
            lambda s, n: s.sales_sum(
                "x.campaign_id = ANY(%s)",
                (s.campaign_ids("c.start_date >= '2025-01-01' AND c.start_date < '2026-01-01'"),),
            )
        ),
    ),
    # --- counts of campaigns ----------------------------------------------------------------------------
    (
        "en",
        "counts",
        "Which brand had the most finished campaigns?",
        lambda s, n: [[name, count] for _, name, count in s.brands_with_most_campaigns("finished")],
    ),
    (
        "es",
        "counts",
        "¿Qué marca tuvo más campañas finalizadas?",
        lambda s, n: [[name, count] for _, name, count in s.brands_with_most_campaigns("finished")],
    ),
    ("en", "counts", "How many campaigns does each brand have?", lambda s, n: s.campaigns_per_brand()),
    ("es", "counts", "¿Cuántas campañas tiene cada marca?", lambda s, n: s.campaigns_per_brand()),
    # --- morphology and words to ignore -------------------------------------------------------------------
    (
        "es",
        "morphology",
        "¿Cuánto invirtió {B} en 2025?",
        value(
            lambda s, n: s.spend_over(
                "r.campaign_id = ANY(%s) AND " + IN_MONTHS.format("r.result_date", "r.result_date"),
                (s.brand_campaigns(n["B"]), *Y25),
            )
        ),
    ),
    (
        "es",
        "morphology",
        "¿Cuánto generó {B} en ventas en 2025?",
        value(lambda s, n: s.sales_amount(Y25, s.brand_campaigns(n["B"]))),
    ),
    (
        "en",
        "morphology",
        "Roughly what was the reach in Q4 2025?",
        value(lambda s, n: s.ads_sum("audience_reached", Q4_25)),
    ),
    (
        "es",
        "morphology",
        "Aproximadamente, ¿cuál fue el alcance en el 4T 2025?",
        value(lambda s, n: s.ads_sum("audience_reached", Q4_25)),
    ),
    # --- forecasts ----------------------------------------------------------------------------------------
    ("en", "forecasts", "What will our sales be next month?", REFUSE),
    ("en", "forecasts", "Sales for next month", REFUSE),
    ("en", "forecasts", "How much revenue should we expect next quarter?", REFUSE),
    ("es", "forecasts", "¿Cuánto venderemos el próximo mes?", REFUSE),
    ("es", "forecasts", "Ventas del próximo mes", REFUSE),
    ("es", "forecasts", "¿Cuál será el alcance del mes que viene?", REFUSE),
    # --- personal data and writes ----------------------------------------------------------------------
    ("en", "privacy", "What is the national ID of the client who bought the most?", REFUSE),
    ("en", "privacy", "List the email addresses of the clients of {B}", REFUSE),
    ("en", "privacy", "Give me the phone numbers of our leads in Mexico", REFUSE),
    ("en", "privacy", "Top 5 customers by sales amount", REFUSE),
    ("es", "privacy", "¿Cuál es la cédula del cliente que más compró?", REFUSE),
    ("es", "privacy", "Dame los correos de los clientes de {B}", REFUSE),
    ("es", "privacy", '¿Cuáles son los nombres de los compradores de la campaña "{C}"?', REFUSE),
    ("es", "privacy", "¿Quiénes compraron en diciembre 2025?", REFUSE),
    ("en", "writes", 'Delete the campaign "{C}"', REFUSE),
    ("es", "writes", "Borra las ventas de diciembre", REFUSE),
]
#: The refusal each class must give (the rule, not an accident of the vocabulary).
RULE_OF_CLASS = {"privacy": "privacy", "forecasts": "forecast", "writes": "read-only"}


def _same(got: list[list], expected: list[list]) -> bool:
    if len(got) != len(expected):
        return False
    for row, want in zip(got, expected):
        if len(row) != len(want):
            return False
        for a, b in zip(row, want):
            if b is None:
                continue  # not checked (a label the source names differently)
            if isinstance(b, int | float | Decimal):
                if a is None or not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6):
                    return False
            elif a != b:
                return False
    return True


def _rows(answer: Answer) -> list[list]:
    return [[v for c, v in zip(answer.columns, row) if not c.endswith("_id")] for row in answer.rows]


def judge(answer: Answer, expected: object, sources: Sources, names: dict[str, str], kind: str) -> str:
    """correct, refused, wrong-refusal, wrong-with-note or silent-wrong."""
    if expected == REFUSE:
        if not answer.answerable:
            rule = RULE_OF_CLASS.get(kind)
            return "refused" if rule is None or answer.refusal == rule else "refused-for-another-reason"
        return "wrong-with-note" if answer.ignored else "silent-wrong"
    if not answer.answerable:
        return "wrong-refusal"
    assert callable(expected)
    want = expected(sources, names)
    if isinstance(want, dict):  # a breakdown: compare as a mapping, whatever the order
        ok = {row[0]: row[1] for row in _rows(answer)} == want
    else:
        ok = _same(_rows(answer), want)
    if ok:
        return "correct"
    return "wrong-with-note" if answer.ignored else "silent-wrong"


@pytest.fixture(scope="module")
def conns(current_warehouse):
    """The warehouse (made current at the start of the module: answers are compared with SQL over the live
    sources, which tests before this module may have written to) and the two sources."""
    with (
        connect("sales", "analyst", settings=current_warehouse) as sales,
        connect("ads", "etl", settings=current_warehouse) as ads,
        connect("crm", "etl", settings=current_warehouse) as crm,
    ):
        yield sales, Sources(ads, crm)


def source_names(sources: Sources) -> dict[str, str]:
    """Names for the questions, chosen over the sources: the brand with the most campaigns, the campaign with
    the most reach."""
    brand = sources.ads.execute(
        "SELECT b.name FROM ads.campaigns c JOIN ads.brands b USING (brand_id) GROUP BY b.name "
        "ORDER BY count(*) DESC, b.name LIMIT 1"
    ).fetchone()[0]
    campaign = sources.ads.execute(
        "SELECT c.name FROM ads.campaigns c JOIN ads.ad_results r USING (campaign_id) GROUP BY c.campaign_id, c.name "
        "ORDER BY sum(r.audience_reached) DESC, c.campaign_id LIMIT 1"
    ).fetchone()[0]
    return {"B": brand, "C": campaign}


def test_mcpnet_unseen_question_set_is_independent_and_half_spanish():
    """At least 40 questions, half Spanish, every failure class of the issue present."""
    assert len(QUESTIONS) >= 40 and sum(q[0] == "es" for q in QUESTIONS) >= len(QUESTIONS) / 2
    assert {q[1] for q in QUESTIONS} >= {
        "halves",
        "changes",
        "nested",
        "ratios",
        "lifecycle",
        "counts",
        "morphology",
        "forecasts",
        "privacy",
    }


def test_mcpnet_unseen_questions_no_silent_wrong_answer(conns):
    """Every question is answered exactly (by SQL over the sources) or refused; none is silently wrong, and
    the privacy, forecast and write questions are refused by their rule."""
    sales, sources = conns
    names = source_names(sources)
    verdicts: dict[str, list[str]] = {}
    for language, kind, template, expected in QUESTIONS:
        question = template.format(**names)
        answer = ask(question, sales, as_of=AS_OF)
        assert answer.language == language, question
        if answer.ignored:  # what an answer ignored is said in its text
            assert all(word in answer.answer for word in answer.ignored), answer.answer
        verdicts.setdefault(judge(answer, expected, sources, names, kind), []).append(f"{question} → {answer.answer}")
    counts = {verdict: len(found) for verdict, found in verdicts.items()}
    print(f"\nunseen questions ({len(QUESTIONS)}): {counts}")
    for verdict in ("wrong-refusal", "wrong-with-note", "refused-for-another-reason"):
        for line in verdicts.get(verdict, []):
            print(f"  {verdict}: {line}")
    assert not verdicts.get("silent-wrong"), verdicts["silent-wrong"]
    assert not verdicts.get("wrong-with-note") and not verdicts.get("refused-for-another-reason"), verdicts
    assert counts.get("correct", 0) + counts.get("refused", 0) >= len(QUESTIONS) - 2, counts


def test_mcpnet_changes_are_from_the_earlier_period_to_the_later(conns):
    """A change named later-first is still computed from the earlier month to the later one, in the text too."""
    sales, sources = conns
    answer = ask("How did revenue change from January 2026 to December 2025?", sales, as_of=AS_OF)
    december, january = sources.ads_sum("revenue", DEC_25), sources.ads_sum("revenue", JAN_26)
    expected = f"{(january - december) / december * 100:+.1f}% from December 2025 to January 2026"
    assert expected in answer.answer, answer.answer

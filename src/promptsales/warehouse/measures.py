"""The measure registry: every figure of the warehouse, declared once.

A :class:`Measure` says

* **where it is stored** — ``stored``: :data:`FACTS` (``wh.campaign_facts`` and every summary table),
  :data:`SUMMARIES` (every summary table, derived from the facts when they are summed), :data:`CAMPAIGN`
  (``wh.campaigns`` only) or ``None`` (computed when a question asks) — and the SQL type of its column;
* **how the ETL computes it** — a fact measure names its ``extract`` (the source rows it is aggregated from,
  per campaign × channel × market × month, see :data:`EXTRACTS`) and the aggregate ``expression`` over
  them; a per-campaign measure the ``expression`` over the campaign load's inputs (see
  :data:`CAMPAIGN_INPUTS`); a derived measure (ratio, ROI) is computed from its ``inputs`` by
  :func:`aggregate`;
* **how a question aggregates it** — ``kind``: a sum, a ratio of sums (``scale``: per thousand for CPM), ROI,
  a success rate, a count of distinct dimension keys, or a count of distinct keys of a key table
  (:data:`KEY_TABLES`: buyers, ads — exact at every grain, never a sum of per-row counts), always from the
  rows asked for, never an average of per-row ratios;
* **how people ask for it and how it is shown** — English and Spanish labels, the parser's phrases
  (accent-free, lower case, both languages), the unit, and a ``note`` where a common reading of the name
  differs from ours (quoted in answers and published with the definition).

The ETL (:mod:`promptsales.etl.load`) builds its staging tables, extracts and upserts from this list; the
questions (:mod:`promptsales.sales.nlq`) take their ``Metric`` enum, lexicon, SQL and published metric
definitions from it. ``tests/etl/test_etl_measure_registry.py`` proves the migrated tables, the ETL and the
questions agree with it. Adding a measure: CONTRIBUTING.md, "Add a warehouse measure".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from psycopg import sql

SCHEMA = "wh"
FACT_TABLE = "campaign_facts"
CAMPAIGN_TABLE = "campaigns"
#: The summaries the ETL derives from the facts (``wh.campaigns`` first: one row per campaign).
SUMMARY_TABLES: tuple[str, ...] = (CAMPAIGN_TABLE, "campaign_channels", "campaign_markets", "campaign_months")
#: The fact measures per campaign × channel × market × day (D163, D171), aggregated by the ETL from the daily source rows with the same
#: expressions as the facts, so a campaign's days sum to its months; only the FACTS measures (sums).
DAY_TABLE = "campaign_days"
#: Every warehouse table that holds measures, with its key columns.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    FACT_TABLE: ("campaign_id", "channel_id", "market_id", "month"),
    CAMPAIGN_TABLE: ("campaign_id",),
    "campaign_channels": ("campaign_id", "channel_id"),
    "campaign_markets": ("campaign_id", "market_id"),
    "campaign_months": ("campaign_id", "month"),
    DAY_TABLE: ("campaign_id", "channel_id", "market_id", "day"),
    "campaign_buyers": ("campaign_id", "channel_id", "market_id", "month", "client_id"),
    "campaign_ads": ("campaign_id", "channel_id", "market_id", "month", "ad_id"),
}
#: Tables of distinct keys per fact cell (campaign × channel × market × month): the buying clients of
#: PromptCRM's sales and the ads of PromptAds' results. A question counts distinct keys over the rows it
#: asks for, so a client who bought on two channels or in two months counts once in a total.
#: table → (key column, the extract ``promptsales/etl/sql/<extract>.sql`` that lists the keys).
KEY_TABLES: dict[str, tuple[str, str]] = {
    "campaign_buyers": ("client_id", "crm_buyers"),
    "campaign_ads": ("ad_id", "ads_ads"),
}

Storage = Literal["facts", "summaries", "campaign"]
FACTS: Storage = "facts"
SUMMARIES: Storage = "summaries"
CAMPAIGN: Storage = "campaign"
_TABLES: dict[Storage, tuple[str, ...]] = {
    FACTS: (FACT_TABLE, *SUMMARY_TABLES, DAY_TABLE),
    SUMMARIES: SUMMARY_TABLES,
    CAMPAIGN: (CAMPAIGN_TABLE,),
}

Extract = Literal["ads_results", "crm_leads", "crm_sales"]
#: The source rows fact measures are aggregated from, each by one SQL template ``promptsales/etl/sql/<name>.sql``
#: grouped by campaign × channel × market × month; the alias an ``expression`` uses for a source row.
EXTRACTS: dict[Extract, str] = {
    "ads_results": "r: a PromptAds ads.ad_results row (month of result_date)",
    "crm_leads": "l: a PromptCRM crm.leads row (month the lead was created)",
    "crm_sales": "s: a PromptCRM crm.sales row (month of the sale)",
}
#: What a per-campaign ``expression`` may use: the inputs of the campaign load (aliases of its query).
CAMPAIGN_INPUTS = {
    "s": "stg_campaigns: PromptAds campaign attributes (budget, channels, markets, …)",
    "f": "the campaign's fact measures summed over its rows (every FACTS and SUMMARIES measure by name)",
    "k": "the campaign's distinct buying clients (PromptCRM), counted from the buyers' staging table",
    "g": "portal.sales_goals: the campaign's sales goal (target_amount)",
    "ct": "the count of PromptContent assets used by the campaign (items)",
}

Kind = Literal["sum", "ratio", "roi", "success", "distinct", "keys"]
Unit = Literal["count", "usd", "ratio", "hours", "multiple"]
Dimension = Literal["campaign", "brand", "channel", "market", "country"]


@dataclass(frozen=True)
class Measure:
    """One figure of the warehouse; the module docstring says what each field drives."""

    name: str  # the column and the metric a question names
    en: str  # label in English answers
    es: str  # label in Spanish answers
    definition: str  # one sentence, published with the metric definitions
    unit: Unit
    kind: Kind = "sum"
    inputs: tuple[str, ...] = ()  # measures it is computed from: (numerator, denominator); a sum: itself
    stored: Storage | None = None
    column_type: str | None = None  # SQL type of the warehouse column(s) when stored
    extract: Extract | None = None  # FACTS: the source rows it is aggregated from
    expression: str | None = None  # FACTS: aggregate over the extract's rows; CAMPAIGN: over CAMPAIGN_INPUTS
    phrases: tuple[str, ...] = ()  # what a question may call it (English and Spanish, accent-free, lower case)
    askable: bool = True  # False: stored for other readers, not a metric of the questions
    distinct: Dimension | None = None  # kind "distinct": the dimension whose keys are counted
    counts: str | None = None  # kind "keys": the key table (KEY_TABLES) whose distinct keys are counted
    scale: int = 1  # kind "ratio": multiplier of the ratio (1000 for a cost per thousand)
    note: str = ""  # where a common reading of the name differs from this figure (English)
    note_es: str = ""  # the same in Spanish

    def __post_init__(self) -> None:
        if self.kind == "sum" and not self.inputs:
            object.__setattr__(self, "inputs", (self.name,))

    @property
    def tables(self) -> tuple[str, ...]:
        """The warehouse tables with a column for this measure."""
        return _TABLES[self.stored] if self.stored else ()


_COUNT = "bigint"
_MONEY = "numeric(16,2)"
_RATIO = "numeric(14,6)"


def _ads(name: str, expression: str, column_type: str, **fields) -> Measure:
    """A fact measure aggregated from PromptAds result rows."""
    return Measure(name, stored=FACTS, extract="ads_results", expression=expression, column_type=column_type, **fields)


def _derived(name: str, inputs: tuple[str, str], unit: Unit, **fields) -> Measure:
    """A ratio computed when a question asks: ``inputs[0] ÷ inputs[1]`` over the rows asked for (× ``scale``)."""
    return Measure(name, kind="ratio", inputs=inputs, unit=unit, **fields)


MEASURES: tuple[Measure, ...] = (
    _ads(
        "reach",
        "sum(r.audience_reached)::bigint",
        _COUNT,
        unit="count",
        en="reach",
        es="alcance",
        definition="Audience reached: sum of PromptAds audience_reached over the daily ad results asked for.",
        note="summed over days, ads, channels and markets: a person reached twice counts twice (not unique people)",
        note_es="sumado por días, anuncios, canales y mercados: una persona alcanzada dos veces cuenta dos veces "
        "(no son personas únicas)",
        phrases=(
            "reach",
            "reached",
            "audience reached",
            "people reached",
            "alcance",
            "alcanzo",
            "alcanzaron",
            "audiencia alcanzada",
            "personas alcanzadas",
            "alcanzadas",
            *("gente alcanzamos", "gente alcanzaron", "gente alcanzada", "alcanzamos", "people we reached"),
        ),
    ),
    _ads(
        "impressions",
        "sum(r.views)::bigint",
        _COUNT,
        unit="count",
        en="impressions",
        es="impresiones",
        definition="Views of the ads (PromptAds views).",
        phrases=("impressions", "views", "impresiones", "vistas", "visualizaciones", "reproducciones"),
    ),
    _ads(
        "reactions",
        "sum(r.likes)::bigint",
        _COUNT,
        unit="count",
        en="reactions",
        es="reacciones",
        definition="Likes/reactions to the ads.",
        phrases=("reactions", "likes", "reacciones", "me gusta"),
    ),
    _ads(
        "interactions",
        "sum(r.interactions)::bigint",
        _COUNT,
        unit="count",
        en="interactions",
        es="interacciones",
        definition="Comments, shares and saves on the ads.",
        phrases=("interactions", "engagement", "interacciones"),
    ),
    _ads(
        "clicks",
        "sum(r.clicks)::bigint",
        _COUNT,
        unit="count",
        en="clicks",
        es="clics",
        definition="Clicks on the ads.",
        phrases=("clicks", "clics", "clicks totales"),
    ),
    _ads(
        "exposure_hours",
        "sum(r.hours_of_exposure)",
        _MONEY,
        unit="hours",
        en="exposure hours",
        es="horas de exposición",
        definition="Hours the ads were on screen (PromptAds hours_of_exposure).",
        phrases=(
            "exposure hours",
            "hours of exposure",
            "exposure time",
            "hours exposed",
            "exposure",
            "horas de exposicion",
            "tiempo de exposicion",
            "horas expuestas",
            *("tiempo en pantalla", "screen time", "time on screen"),
            "exposicion",
        ),
    ),
    Measure(
        "leads",
        stored=FACTS,
        extract="crm_leads",
        expression="count(*)",
        column_type=_COUNT,
        unit="count",
        en="leads",
        es="leads",
        definition="PromptCRM leads created by the campaign.",
        phrases=("leads", "prospects", "prospectos", "contactos captados"),
    ),
    Measure(
        "clients",
        kind="keys",
        counts="campaign_buyers",
        stored=CAMPAIGN,
        expression="coalesce(k.clients, 0)",
        column_type=_COUNT,
        unit="count",
        en="clients",
        es="clientes",
        definition="Distinct PromptCRM clients with at least one sale in the rows asked for (campaign, channel, "
        "market, month): a client who bought twice counts once.",
        phrases=(
            "clients",
            "customers",
            "buyers",
            "clientes",
            "compradores",
            "distinct clients",
            "unique customers",
            "clientes distintos",
            "clientes unicos",
            # people counted by what they did: they bought
            *("personas distintas nos compraron", "personas nos compraron", "personas que compraron"),
            *("personas compraron", "personas distintas compraron"),
            *("people who bought", "different people bought", "people bought from us"),
        ),
        note="distinct people who bought, not sales: a client who bought on two channels counts once in the total",
        note_es="personas distintas que compraron, no ventas: quien compró por dos canales cuenta una vez en el total",
    ),
    Measure(
        "sales_count",
        stored=FACTS,
        extract="crm_sales",
        expression="count(*)",
        column_type=_COUNT,
        unit="count",
        en="number of sales",
        es="número de ventas",
        definition="Sales closed in PromptCRM.",
        phrases=(
            "number of sales",
            "sales count",
            "how many sales",
            "count of sales",
            "sales made",
            "numero de ventas",
            "cantidad de ventas",
            "cuantas ventas",
            "ventas cerradas",
            "closed sales",
            "deals",
        ),
    ),
    Measure(
        "sales_amount",
        stored=FACTS,
        extract="crm_sales",
        expression="sum(s.amount)",
        column_type=_MONEY,
        unit="usd",
        en="sales amount",
        es="monto de ventas",
        definition="Amount of the sales closed in PromptCRM, USD.",
        phrases=(
            "sales",
            "sales amount",
            "amount sold",
            "sold",
            "sell",
            "sales value",
            "ventas",
            "vendio",
            "vendieron",
            "monto de ventas",
            "importe de ventas",
            "monto vendido",
            "facturacion",
            *("sales $", "$ sales", "$ in sales", "ventas $", "$ de ventas", "$ en ventas"),  # "$" alone: an amount
            *("dollars in sales", "dollars of sales", "dolares en ventas", "dolares de ventas", "usd en ventas"),
            *("nos compro", "nos compraron", "bought from us"),  # what clients bought is what was sold
        ),
    ),
    _ads(
        "revenue",
        "sum(r.revenue)",
        _MONEY,
        unit="usd",
        en="revenue",
        es="ingresos",
        definition="Revenue reported by PromptAds, USD.",
        phrases=("revenue", "income", "ingresos", "ingreso"),
    ),
    _ads(
        "spend",
        "sum(r.cost)",
        _MONEY,
        unit="usd",
        en="spend",
        es="gasto",
        definition="Media cost of the ads, USD.",
        phrases=(
            "spend",
            "spent",
            "spending",
            "cost",
            "costs",
            "ad spend",
            "gasto",
            "gastos",
            "gastado",
            "gastamos",
            "gastaron",
            "gastando",
            *("metimos", "cuanta lana metimos", "lana metimos"),  # Mexican "lana": money put into the ads
            # "cuánto terminó gastando": how much it spent in the end, not when it ended
            *("termino gastando", "terminaron gastando", "terminamos gastando", "acabo gastando", "ended up spending"),
            "invertimos",
            "invirtio",
            "invirtieron",
            "invest",
            "costo",
            "coste",
            "costos",
            "inversion",
            "invertido",
            "invested",
            # "media" here is the bought media, not a breakdown by channel ("inversión en medios" is one total)
            "media spend",
            "media investment",
            "inversion en medios",
            "gasto en medios",
            "inversion publicitaria",
            "gasto publicitario",
            "inversion en pauta",
        ),
    ),
    Measure(
        "budget",
        stored=CAMPAIGN,
        expression="s.budget",
        column_type=_MONEY,
        unit="usd",
        en="budget",
        es="presupuesto",
        definition="Budget of the campaigns, USD (per campaign).",
        phrases=("budget", "budgets", "presupuesto", "presupuestos"),
    ),
    Measure(
        "roi",
        kind="roi",
        inputs=("sales_amount", "spend"),
        stored=SUMMARIES,
        column_type=_RATIO,
        unit="ratio",
        en="ROI",
        es="ROI",
        definition="(sales amount − spend) ÷ spend: the sales the ads brought back beyond their cost.",
        note="not ROAS (sales ÷ spend): ROI = ROAS − 1",
        note_es="no es el ROAS (ventas ÷ gasto): ROI = ROAS − 1",
        phrases=(
            "roi",
            "return on investment",
            "retorno de la inversion",
            "retorno de inversion",
            "retorno sobre la inversion",
            "rentabilidad",
            "rentable",
            "rentables",
            "profitability",
            "profitable",
        ),
    ),
    Measure(
        "conversion_rate",
        kind="ratio",
        inputs=("sales_count", "leads"),
        stored=SUMMARIES,
        column_type=_RATIO,
        unit="ratio",
        en="conversion rate",
        es="tasa de conversión",
        definition="Funnel stage leads → sales: number of sales ÷ leads of the same rows.",
        note="sales ÷ leads of the same months: a sale may come from a lead of an earlier month",
        note_es="ventas ÷ leads de los mismos meses: una venta puede venir de un lead de un mes anterior",
        phrases=(
            "conversion rate",
            "conversion",
            "conversions rate",
            "lead conversion",
            "tasa de conversion",
            "conversion de leads",
            "conversion de leads a ventas",
            "conversion de lead a venta",
            "lead to sale conversion",
            "leads to sales conversion",
            "lead-to-sale conversion",
            "lead to sale conversion rate",
            "lead-to-sale conversion rate",
            "leads to sales conversion rate",
            "tasa de conversion de leads a ventas",
            "tasa de conversion de lead a venta",
            "convirtio",
            "convirtieron",
        ),
    ),
    Measure(
        "success_rate",
        kind="success",
        inputs=("sales_amount", "goal_amount"),
        stored=CAMPAIGN,
        expression="round(coalesce(f.sales_amount, 0) / nullif(g.target_amount, 0), 6)",
        column_type=_RATIO,
        unit="ratio",
        en="success rate",
        es="tasa de éxito",
        definition="Sales amount / sales goal, over the campaigns that have a goal (per campaign only).",
        phrases=(
            "success rate",
            "success",
            "goal attainment",
            "goal achievement",
            "tasa de exito",
            "exito",
            "cumplimiento de la meta",
            "cumplimiento del objetivo",
            "porcentaje de exito",
        ),
    ),
    Measure(
        "ctr",
        kind="ratio",
        inputs=("clicks", "impressions"),
        unit="ratio",
        en="click-through rate",
        es="tasa de clics",
        definition="Click-through rate: clicks ÷ impressions.",
        phrases=("ctr", "click through rate", "click-through rate", "tasa de clics"),
    ),
    _derived(
        "cost_per_sale",
        ("spend", "sales_count"),
        "usd",
        en="cost per sale",
        es="costo por venta",
        definition="Spend ÷ number of sales (PromptCRM sales of the rows asked for).",
        phrases=(
            "cost per sale",
            "cost per acquisition",
            "cost per conversion",
            "cpa",
            "costo por venta",
            "coste por venta",
            "costo por adquisicion",
            "costo por conversion",
            "coste por conversion",
        ),
    ),
    _derived(
        "cost_per_lead",
        ("spend", "leads"),
        "usd",
        en="cost per lead",
        es="costo por lead",
        definition="Spend ÷ leads.",
        phrases=("cost per lead", "cpl", "costo por lead", "coste por lead", "costo por prospecto"),
    ),
    _derived(
        "cost_per_click",
        ("spend", "clicks"),
        "usd",
        en="cost per click",
        es="costo por clic",
        definition="Spend ÷ clicks.",
        phrases=("cost per click", "cpc", "costo por clic", "costo por click", "coste por clic"),
    ),
    _derived(
        "cost_per_interaction",
        ("spend", "interactions"),
        "usd",
        en="cost per interaction",
        es="costo por interacción",
        definition="Spend ÷ interactions (comments, shares, saves).",
        phrases=(
            "cost per interaction",
            "cost per engagement",
            "costo por interaccion",
            "coste por interaccion",
        ),
    ),
    _derived(
        "cpm",
        ("spend", "impressions"),
        "usd",
        scale=1000,
        en="CPM",
        es="CPM",
        definition="Cost per thousand impressions: spend ÷ impressions × 1,000.",
        phrases=(
            "cpm",
            "cost per thousand impressions",
            "cost per mille",
            "cost per thousand",
            "costo por mil impresiones",
            "costo por mil",
            "coste por mil impresiones",
        ),
    ),
    _derived(
        "roas",
        ("sales_amount", "spend"),
        "multiple",
        en="ROAS",
        es="ROAS",
        definition="Return on ad spend: sales amount (PromptCRM) ÷ spend.",
        phrases=(
            "roas",
            "return on ad spend",
            "return on advertising spend",
            "retorno del gasto publicitario",
            "retorno sobre el gasto publicitario",
            "retorno de la inversion publicitaria",
            "retorno sobre la inversion publicitaria",
        ),
        note="not ROI: ROI = ROAS − 1; the revenue PromptAds reports is not used (ask 'revenue' for it)",
        note_es="no es el ROI: ROI = ROAS − 1; no usa los ingresos que informa PromptAds (pregunta 'ingresos')",
    ),
    _derived(
        "aov",
        ("sales_amount", "sales_count"),
        "usd",
        en="average order value",
        es="valor promedio por venta",
        definition="Sales amount ÷ number of sales.",
        phrases=(
            "average order value",
            "aov",
            "average ticket",
            "average tickets",
            "avg ticket",
            "tickets promedio",
            "average sale value",
            "average sale",
            "average deal size",
            "ticket promedio",
            "ticket medio",
            "valor promedio por venta",
            "valor promedio de venta",
            "valor medio por venta",
            "venta promedio",
            "importe medio por venta",
            "importe promedio por venta",
        ),
    ),
    _derived(
        "sales_per_client",
        ("sales_amount", "clients"),
        "usd",
        en="sales amount per client",
        es="monto de ventas por cliente",
        definition="Sales amount ÷ distinct clients who bought (each client once, however often they bought).",
        phrases=(
            "sales per client",
            "sales per customer",
            "sales amount per client",
            "sales amount per customer",
            "average ticket per customer",
            "average ticket per client",
            "average spend per customer",
            "average spend per client",
            "average sales per customer",
            "average sales per client",
            "customer value",
            "ventas por cliente",
            "vendimos por cliente",
            "vendieron por cliente",
            "vendio por cliente",
            "sold per customer",
            "sold per client",
            "monto de ventas por cliente",
            "monto por cliente",
            "ticket promedio por cliente",
            "ticket medio por cliente",
            "gasto promedio por cliente",
            "compra promedio por cliente",
            "promedio de compra por cliente",
            "valor por cliente",
        ),
        note="not the average order value (÷ sales): a client who bought twice counts once here",
        note_es="no es el valor promedio por venta (÷ ventas): quien compró dos veces cuenta una vez aquí",
    ),
    _derived(
        "interaction_rate",
        ("interactions", "reach"),
        "ratio",
        en="interaction rate",
        es="tasa de interacción",
        definition="Funnel stage reach → interactions: interactions ÷ reach.",
        phrases=("interaction rate", "engagement rate", "tasa de interaccion", "tasa de engagement"),
        note="÷ reach (the funnel's first stage); some tools divide by impressions",
        note_es="÷ alcance (la primera etapa del embudo); algunas herramientas dividen por impresiones",
    ),
    _derived(
        "lead_rate",
        ("leads", "interactions"),
        "ratio",
        en="lead rate",
        es="tasa de leads",
        definition="Funnel stage interactions → leads: leads ÷ interactions.",
        phrases=("lead rate", "interaction to lead rate", "tasa de leads", "tasa de captacion"),
    ),
    _derived(
        "click_to_lead_rate",
        ("leads", "clicks"),
        "ratio",
        en="click-to-lead rate",
        es="tasa de clic a lead",
        definition="Leads ÷ clicks.",
        phrases=("click to lead rate", "click-to-lead rate", "tasa de clic a lead", "leads por clic"),
    ),
    Measure(
        "channels_used",
        kind="distinct",
        distinct="channel",
        unit="count",
        en="channels used",
        es="canales usados",
        definition="Distinct channels with ad results (spend or views) in the rows asked for.",
        phrases=(
            "channels used",
            "how many channels",
            "number of channels",
            "canales usados",
            "canales utilizados",
            "cuantos canales",
            "numero de canales",
            "cantidad de canales",
        ),
    ),
    Measure(
        "markets_used",
        kind="distinct",
        distinct="market",
        unit="count",
        en="markets used",
        es="mercados usados",
        definition="Distinct markets with ad results (spend or views) in the rows asked for.",
        phrases=(
            "markets used",
            "how many markets",
            "number of markets",
            "mercados usados",
            "cuantos mercados",
            "numero de mercados",
            "cantidad de mercados",
        ),
    ),
    Measure(
        "countries",
        kind="distinct",
        distinct="country",
        unit="count",
        en="countries",
        es="países",
        definition="Distinct countries with ad results (spend or views) in the rows asked for (a country's markets count once).",
        phrases=(
            "how many countries",
            "number of countries",
            "countries used",
            "cuantos paises",
            "en cuantos paises",
            "numero de paises",
            "cantidad de paises",
        ),
    ),
    Measure(
        "campaigns",
        kind="distinct",
        distinct="campaign",
        unit="count",
        en="campaigns",
        es="campañas",
        definition="Distinct campaigns (with results in the period when one is given).",
        phrases=(
            "how many campaigns",
            "number of campaigns",
            "count of campaigns",
            "campaign count",
            "cuantas campanas",
            "numero de campanas",
            "cantidad de campanas",
        ),
    ),
    Measure(
        "brands",
        kind="distinct",
        distinct="brand",
        unit="count",
        en="brands",
        es="marcas",
        definition="Distinct brands (with results in the period when one is given).",
        phrases=(
            "how many brands",
            "number of brands",
            "count of brands",
            "cuantas marcas",
            "numero de marcas",
            "cantidad de marcas",
        ),
    ),
    Measure(
        "ads",
        kind="keys",
        counts="campaign_ads",
        unit="count",
        en="ads",
        es="anuncios",
        definition="Distinct PromptAds ads with results in the rows asked for.",
        phrases=(
            "number of ads",
            "how many ads",
            "ads count",
            "count of ads",
            "ads used",
            "numero de anuncios",
            "cuantos anuncios",
            "cantidad de anuncios",
            "anuncios usados",
        ),
    ),
    Measure(
        "content_items",
        stored=CAMPAIGN,
        expression="coalesce(ct.items, 0)",
        column_type="integer",
        unit="count",
        en="content items",
        es="piezas de contenido",
        definition="PromptContent library assets (images, videos, copy …) linked to the campaign (per campaign).",
        phrases=(
            "content items",
            "content pieces",
            "assets",
            "library assets",
            "content assets",
            "media assets",
            "piezas de contenido",
            "contenidos",
            "recursos de contenido",
            "activos de contenido",
            "piezas",
        ),
        note="an asset used by two campaigns counts once for each",
        note_es="un recurso usado por dos campañas cuenta una vez en cada una",
    ),
    Measure(
        "goal_amount",
        stored=CAMPAIGN,
        expression="g.target_amount",
        column_type=_MONEY,
        unit="usd",
        en="sales goal",
        es="meta de ventas",
        definition="The campaigns' sales goals in the portal (portal.sales_goals), USD (per campaign).",
        phrases=(
            *("sales goal", "sales goals", "sales target", "sales targets", "goal", "goals"),
            *("meta de ventas", "metas de ventas", "meta de venta", "la meta", "las metas", "su meta", "sus metas"),
        ),
    ),
    # Stored for other readers (the schema resource, SQL users), not asked for by name.
    Measure(
        "channels",
        stored=CAMPAIGN,
        expression="s.channels",
        column_type="integer",
        unit="count",
        en="channels planned",
        es="canales planificados",
        definition="Channels the campaign is set up on in PromptAds.",
        askable=False,
    ),
    Measure(
        "markets",
        stored=CAMPAIGN,
        expression="s.markets",
        column_type="integer",
        unit="count",
        en="markets planned",
        es="mercados planificados",
        definition="Markets the campaign is set up for in PromptAds.",
        askable=False,
    ),
)

BY_NAME: dict[str, Measure] = {measure.name: measure for measure in MEASURES}


def askable() -> list[Measure]:
    """The measures a question can ask for, in registry order (the order of the ``Metric`` enum)."""
    return [measure for measure in MEASURES if measure.askable]


def stored_in(table: str) -> list[Measure]:
    """The measures with a column in ``wh.<table>``, in registry order."""
    return [measure for measure in MEASURES if table in measure.tables]


def from_extract(extract: str) -> list[Measure]:
    """The fact measures aggregated from one extract, in registry order (the order of its columns)."""
    return [measure for measure in MEASURES if measure.extract == extract]


def aggregate(measure: Measure, column: Callable[[str], sql.Composable]) -> sql.Composable:
    """The SQL aggregate of ``measure`` over a set of rows, ``column(name)`` being how a stored measure's
    column is reached in them. Ratios are ratios of sums, so they are right at every grain."""
    if measure.kind == "sum":
        return sql.SQL("sum({})").format(column(measure.inputs[0]))
    if measure.kind == "ratio":
        num, den = measure.inputs
        if measure.scale != 1:
            return sql.SQL("round(sum({})::numeric * {} / nullif(sum({}), 0), 6)").format(
                column(num), sql.Literal(measure.scale), column(den)
            )
        return sql.SQL("round(sum({})::numeric / nullif(sum({}), 0), 6)").format(column(num), column(den))
    if measure.kind == "roi":
        amount, spend = measure.inputs
        return sql.SQL("round((sum({a}) - sum({s}))::numeric / nullif(sum({s}), 0), 6)").format(
            a=column(amount), s=column(spend)
        )
    if measure.kind == "success":
        amount, goal = measure.inputs
        return sql.SQL("round((sum({a}) FILTER (WHERE {g} IS NOT NULL))::numeric / nullif(sum({g}), 0), 6)").format(
            a=column(amount), g=column(goal)
        )
    raise ValueError(f"{measure.name} ({measure.kind}) is not an aggregate of stored columns")

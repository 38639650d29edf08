"""Spanish and English words for metrics, dimensions, intents and statuses (accent-free, lower case).

The metrics' words are declared with the measures, in the registry; the rest of the vocabulary is here.

Phrases are matched longest first on whole words, so ``number of sales`` wins over ``sales`` and
``conversion rate`` over ``rate``.
"""

from __future__ import annotations

from promptsales.sales.nlq.metrics import DEFINITIONS
from promptsales.sales.nlq.model import Dimension, Metric

#: How "number of" is abbreviated ("no. of brands", "nro. de campañas", "cant. de marcas"; the dot is gone once
#: the question is normalised).
COUNT_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "number of ": ("no of ", "nr of ", "num of "),
    "numero de ": ("nro de ", "num de ", "no de "),
    "cantidad de ": ("cant de ",),
}


#: English counts that may say "different" before the noun ("how many different ads"); Spanish says it after
#: ("cuántos anuncios distintos"), where it is a stop word.
COUNT_PREFIXES = ("how many ", "number of ", "count of ", "no of ")
DISTINCT_WORDS = ("different ", "distinct ", "unique ")


def phrase_variants(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """``phrases`` and, for each count among them, its abbreviations ("no. of", "nro. de", "cant. de") and its
    English form with "different" / "distinct" / "unique" before the counted noun; a ratio's "por" / "per" may
    be written "x", as in chat ("costo x lead")."""
    found = list(phrases)
    found += [f" {phrase} ".replace(" por ", " x ").replace(" per ", " x ").strip() for phrase in phrases]
    for phrase in phrases:
        for prefix, abbreviations in COUNT_ABBREVIATIONS.items():
            if phrase.startswith(prefix):
                found += [abbreviation + phrase[len(prefix) :] for abbreviation in abbreviations]
    for phrase in list(found):
        for prefix in COUNT_PREFIXES:
            if phrase.startswith(prefix) and not phrase[len(prefix) :].startswith(DISTINCT_WORDS):
                found += [prefix + word + phrase[len(prefix) :] for word in DISTINCT_WORDS]
    return tuple(dict.fromkeys(found))


#: What a question may call each metric: the registry's phrases (promptsales.warehouse.measures).
METRIC_PHRASES: dict[Metric, tuple[str, ...]] = {
    metric: phrase_variants(definition.phrases) for metric, definition in DEFINITIONS.items()
}

#: Words that ask for a funnel (reach → interactions → leads → clients → sales).
FUNNEL_WORDS = ("funnel", "embudo", "embudo de ventas", "conversion funnel", "embudo de conversion")

#: The funnel stages, in order.
FUNNEL_STAGES: tuple[Metric, ...] = tuple(
    Metric(name) for name in ("reach", "interactions", "leads", "clients", "sales_count")
)

DIMENSION_WORDS: dict[Dimension, tuple[str, ...]] = {
    Dimension.campaign: ("campaign", "campaigns", "campana", "campanas"),
    Dimension.brand: ("brand", "brands", "marca", "marcas", "client company", "empresa", "empresas"),
    Dimension.channel: (
        "channel",
        "channels",
        "canal",
        "canales",
        "medio",
        "medios",
        "network",
        "red social",
        "redes sociales",
    ),
    Dimension.market: ("market", "markets", "mercado", "mercados", "city", "cities", "ciudad", "ciudades"),
    Dimension.country: ("country", "countries", "pais", "paises"),
    Dimension.month: ("month", "months", "mes", "meses"),
    Dimension.status: ("status", "statuses", "estado", "estados", "estatus"),
    Dimension.objective: (
        "objective",
        "objectives",
        "campaign objective",
        "campaign objectives",
        "objective of the campaign",
        "objetivo",
        "objetivos",
        "objetivo de campana",
        "objetivo de la campana",
        "objetivos de campana",
        "objetivos de las campanas",
        "meta de la campana",
        "metas de las campanas",
    ),
    Dimension.industry: (
        "industry",
        "industries",
        "industria",
        "industrias",
        "sector",
        "sectores",
        "rubro",
        "rubros",
        "vertical",
        "verticales",
    ),
}

#: "by X" / "por X" / "per X" / "for each X" / "para cada X" introduce a breakdown.
GROUP_MARKERS = (
    "by",
    "x",  # Spanish chat for "por" ("alcance x canal"): a breakdown only when a dimension follows
    "per",
    "for each",
    "for every",
    "each",
    "across",
    "por",
    "por cada",
    "para cada",
    "cada",
    "segun",
    "desglosado por",
    "broken down by",
    "split by",
    "en cada",
)
#: Words that only say "break it down": read with a breakdown the question asks for ("break down 2025 revenue
#: per market", "desglose de ventas por canal").
BREAKDOWN_WORDS = (
    *("break down", "break it down", "breakdown", "broken down", "split it"),
    *("desglose", "desglosa", "desglosado", "desglosar", "desglosalo", "desglosala", "desglosame", "desglosalos"),
)
MONTHLY_WORDS = (
    "monthly",
    "month by month",
    "month over month",
    "mensual",
    "mensuales",
    "mensualmente",
    "mes a mes",
    "mes por mes",
    "mes x mes",
)
#: A breakdown by week (Monday to Sunday) or by day: read from the daily table (D164).
WEEKLY_WORDS = (
    "weekly",
    "week by week",
    "week over week",
    "semanal",
    "semanales",
    "semana a semana",
    "semana por semana",
)
#: Weeks and days as what a ranking ranks ("the best day of December", "¿qué semana tuvo más leads?"): the daily
#: table's (D164, D170); not dimensions elsewhere ("per day" is an average's unit, "week 50" a period).
RANKED_UNIT_WORDS: dict[Dimension, tuple[str, ...]] = {
    Dimension.week: ("week", "weeks", "semana", "semanas"),
    Dimension.day: ("day", "days", "dia", "dias"),
}
DAILY_WORDS = ("daily", "day by day", "diario", "diaria", "diarios", "diarias", "dia a dia", "dia por dia")

RANK_DESC_WORDS = (
    "top",
    "best",
    "most",
    "highest",
    "largest",
    "biggest",
    "greatest",
    "leading",
    "mejor",
    "mejores",
    "mas",
    "mayor",
    "mayores",
    "lider",
    "principales",
)
RANK_ASC_WORDS = (
    "cheapest",
    "worst",
    "least",
    "lowest",
    "fewest",
    "smallest",
    "bottom",
    "peor",
    "peores",
    "menos",
    "menor",
    "menores",
)
#: After "más", these rank from the lowest ("el presupuesto más bajo").
LOW_WORDS = (
    *("bajo", "baja", "bajos", "bajas", "pequeno", "pequena", "chico", "chica"),
    *("barato", "barata", "baratos", "baratas", "economico", "economica", "economicos", "economicas"),
)
#: Words that, after "más", rank from the highest ("el CPC más alto", "más caro cada clic").
HIGH_WORDS = (
    "alto",
    "alta",
    "altos",
    "altas",
    "grande",
    "grandes",
    "caro",
    "cara",
    "caros",
    "caras",
    "elevado",
    "elevada",
)
#: Ranking words of quantity: before a dimension word they count it ("the most campaigns", "más canales").
COUNT_RANK_WORDS = ("most", "fewest", "least", "mas", "menos")
WHICH_WORDS = ("which", "what", "que", "cual", "cuales")

COMPARE_WORDS = (
    "vs",
    "versus",
    "compare",
    "compared",
    "comparison",
    "against",
    "compara",
    "comparar",
    "comparado",
    "comparada",
    "comparacion",
    "frente a",
    "frente al",
    "contra",
    "respecto a",
    "respecto al",
    "con respecto a",
    "con respecto al",
    "comparado con",
    "en comparacion con",
)

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "active": (
        "active",
        "ongoing",
        "still running",
        "still live",
        "activa",
        "activas",
        "activo",
        "activos",
        "en curso",
        "al aire",
        "on air",
        "vigentes",
        "vigente",
    ),
    "finished": (
        "finished",
        "completed",
        "ended",
        "closed campaigns",
        "terminada",
        "terminadas",
        "finalizada",
        "finalizadas",
        "cerradas",
        "concluidas",
    ),
    "paused": ("paused", "on hold", "pausada", "pausadas", "pausado", "pausados", "en pausa"),
    "cancelled": ("cancelled", "canceled", "cancelada", "canceladas", "cancelado", "cancelados"),
    "draft": ("draft", "drafts", "borrador", "borradores"),
}

#: Words of when campaigns ran, read with the period right after them ("campaigns that ended between July
#: and September", "lanzadas en 2025", "active in December"): a filter on the flight dates, not on result months.
LIFECYCLE_WORDS: dict[str, tuple[str, ...]] = {
    "started": (
        "started",
        "starting",
        "start",
        "starts",
        "began",
        "begun",
        "launched",
        "launching",
        "kicked off",
        "lanzada",
        "lanzadas",
        "lanzado",
        "lanzados",
        "lanzo",
        "lanzaron",
        "lanzamos",
        "empezo",
        "empezaron",
        "empezada",
        "empezadas",
        "comenzo",
        "comenzaron",
        "comenzada",
        "comenzadas",
        "iniciaron",
        "iniciada",
        "iniciadas",
        "arrancaron",
        "arranco",
    ),
    "ended": (
        "ended",
        "ending",
        "ends",
        "finished",
        "completed",
        "concluded",
        "wrapped up",
        "terminaron",
        "termino",
        "terminada",
        "terminadas",
        "finalizaron",
        "finalizo",
        "finalizada",
        "finalizadas",
        "acabaron",
        "acabo",
        "concluyeron",
        "concluyo",
        "concluidas",
    ),
    "running": (
        "running",
        "ran",
        "active",
        "live",
        "ongoing",
        "activa",
        "activas",
        "activo",
        "activos",
        "vigente",
        "vigentes",
        "en curso",
        "corriendo",
        "corrieron",
        "estuvieron activas",
    ),
}
# a status word right before a period says when ("cerradas durante 2025", "active in December")
LIFECYCLE_WORDS["ended"] += (*STATUS_WORDS["finished"], "closed", "cerraron", "cerro")
LIFECYCLE_WORDS["running"] += STATUS_WORDS["active"]

#: What may stand between a lifecycle word and its period ("ended *in*", "terminaron *entre*").
LIFECYCLE_CONNECTORS = frozenset(
    "in en during durante between entre within at on of de del el la the from desde sometime at some time point any"
    " algun alguna momento".split()
)

#: Words that ask for an average of a total; with a unit (:data:`PER_UNITS`) they average per that unit.
AVERAGE_WORDS = ("on average", "en promedio", "average", "avg", "mean", "promedio", "promedios", "media")
#: Units of an average, as they follow "per"/"por"/"a" or as an adjective ("average daily sales").
PER_UNITS: dict[str, tuple[str, ...]] = {
    "campaign": ("campaign", "campana"),
    "day": ("day", "dia", "daily", "diario", "diaria", "diarios", "diarias"),
    "month": ("month", "mes", "monthly", "mensual", "mensuales"),
}
#: Verbs of a list ("which channels did the campaign use"): the question lists, it does not rank.
LIST_VERBS = ("use", "used", "uses", "uso", "usaron", "utilizo", "utilizaron", "usa", "usan", "ran on", "run on")

#: Words of a change between two periods ("how did sales change from … to …"): read as a comparison when
#: the question names two periods, else they refuse it (a change needs two periods).
CHANGE_WORDS = (
    "change",
    "changed",
    "changes",
    "growth",
    "grow",
    "grew",
    "increase",
    "increased",
    "decrease",
    "decreased",
    "decline",
    "drop",
    "rise",
    "fell",
    "went up",
    "go up",
    "went down",
    "go down",
    *("go up or down", "went up or down", "gone up or down", "up or down", "subio o bajo", "subieron o bajaron"),
    "subieron",
    "subio",
    "bajaron",
    "cayeron",
    "cayo",
    "difference",
    "diff",
    "evolution",
    "variation",
    "cambio",
    "cambios",
    "cambiaron",
    "crecimiento",
    "crecio",
    "crecieron",
    "aumento",
    "aumentaron",
    "disminucion",
    "variacion",
    "variaron",
    "vario",
    "varied",
    "diferencia",
    "evolucion",
    "variacion porcentual",
    "var %",
    "var",
    "cambio porcentual",
    "crecimiento porcentual",
    "percent change",
    "percentage change",
    "year over year",
    "year on year",
    "year-over-year",
    "year-on-year",
    "yoy",
    "interanual",
    "ano contra ano",
    "went from",
    *("move", "moved", "se movio", "movio"),
    *("improve", "improved", "improvement", "mejoro", "mejoraron", "empeoro", "empeoraron", "worsened"),
    *("fell", "dropped", "declined", "cayo", "cayeron", "bajaron", "disminuyo", "disminuyeron", "caida"),
)
#: Change words that judge the change: which direction is better depends on the figure (a lower cost per lead is
#: better), so a ranking by them is refused; between two periods the change is given with its sign.
IMPROVEMENT_WORDS = frozenset("improve improved improvement mejoro mejoraron empeoro empeoraron worsened".split())
#: Change words of a fall: a ranking by them puts the largest fall first ("which brand's spend fell the most").
DECREASE_WORDS = frozenset(
    "fell dropped declined decreased decrease decline drop cayo cayeron bajaron disminuyo disminuyeron caida "
    "disminucion".split()
)
#: Words of a trend: with one period (or none) a monthly breakdown ("monthly sales trend in 2025").
TREND_WORDS = (
    "trend",
    "trends",
    "tendencia",
    "tendencias",
    "evolution",
    "evolucion",
    "evolve",
    "evolved",
    "evolucionaron",
    "evoluciono",
    "over time",
    "a lo largo del tiempo",
    "historico",
)
#: "All time": every recorded period up to the as-of date, the default; read and changing nothing. ("El histórico
#: de ventas" is a trend: "historico" is one only before "de" / "of".)
ALL_TIME_WORDS = (
    "of all time",
    "all time",
    "ever",
    "de todos los tiempos",
    "desde siempre",
    "en toda la historia",
    "historicamente",
    "historicos",
    "historica",
    "historicas",
    "historico",
)
#: "that year", "ese año": the period already named.
SAME_PERIOD_PHRASES = (
    "that year",
    "the same year",
    "same year",
    "ese ano",
    "ese mismo ano",
    "el mismo ano",
    "dicho ano",
)

#: Questions about things the warehouse does not hold (answered with an explanation, never a number).
#: Forecasts are a rule (:mod:`.rules`), checked first.
OUT_OF_SCOPE: dict[str, tuple[str, ...]] = {
    "reasons": ("why", "por que", "porque", "reason", "razon", "motivo"),
    "demographics": (
        "age",
        "ages",
        "how old",
        "gender",
        "edad",
        "edades",
        "genero",
        "sexo",
        "income level",
        "nivel socioeconomico",
    ),
    "weather": (
        "weather",
        "rain",
        "raining",
        "temperature",
        "clima",
        "tiempo hara",
        "llover",
        "llovera",
        "lluvia",
        "llueve",
        "temperatura",
    ),
    "data outside the campaigns (competitors, salaries, stock prices)": (
        "competitor",
        "competitors",
        "competition",
        "competencia",
        "competidores",
        "competidor",
        "salary",
        "salaries",
        "payroll",
        "salario",
        "salarios",
        "sueldo",
        "sueldos",
        "nomina",
        "employees",
        "empleados",
        "stock price",
        "share price",
        "precio de la accion",
        "exchange rate",
        "tipo de cambio",
        "tasa de cambio",
        "inflation",
        "inflacion",
    ),
    "website, app and social analytics (visits, bounce rate, followers, opens, keywords)": (
        *("bounce rate", "tasa de rebote", "time on page", "tiempo en la pagina", "tiempo promedio en la pagina"),
        *("website visits", "web visits", "site visits", "visitas al sitio", "visitas a la web", "visitas web"),
        *("page views", "pageviews", "sessions", "sesiones", "app downloads", "descargas de la app", "installs"),
        *("instalaciones", "followers", "seguidores", "open rate", "tasa de apertura", "keyword", "keywords"),
        *("palabras clave", "quality score", "nivel de calidad"),
    ),
    "opinions and loyalty (NPS, sentiment, reviews, churn)": (
        *("net promoter", "nps", "sentiment", "sentimiento", "opinan", "opinion", "opiniones", "satisfaction"),
        *("satisfaccion", "reviews", "resenas", "churn", "tasa de abandono"),
    ),
    "products and costs outside the campaigns (margins, production, units, inventory)": (
        *("profit margin", "margen de ganancia", "margen de utilidad", "production cost", "costo de produccion"),
        *("costos de produccion", "units sold", "unidades vendidas", "units of product", "inventory", "inventario"),
        *("stock disponible", "en stock", "in stock", "stock levels", "existencias", "en bodega", "en almacen"),
    ),
}

SPANISH_MARKERS = (
    "cual",
    "cuales",
    "cuanto",
    "cuanta",
    "cuantos",
    "cuantas",
    "que",
    "las",
    "los",
    "del",
    "en",
    "por",
    "de",
    "ventas",
    "campana",
    "campanas",
    "alcance",
    "marca",
    "canal",
    "mercado",
    "mes",
    "ano",
    "entre",
    "tuvo",
    "tuvieron",
    "fue",
    "fueron",
    "mejor",
    "mejores",
    "dame",
    "muestra",
    "compara",
    "y",
    "el",
    "la",
)
ENGLISH_MARKERS = (
    "what",
    "which",
    "how",
    "many",
    "much",
    "the",
    "of",
    "in",
    "by",
    "sales",
    "campaign",
    "campaigns",
    "reach",
    "brand",
    "channel",
    "market",
    "month",
    "year",
    "between",
    "did",
    "was",
    "were",
    "best",
    "top",
    "show",
    "compare",
    "and",
    "last",
)

#: Common first names in the US and Latin America (lower case): after "client", "cliente", "lead" … they name one
#: person, whose data the privacy rule keeps out of the question tool.
FIRST_NAMES: frozenset[str] = frozenset(
    """
    maria jose juan luis carlos jorge pedro miguel antonio manuel francisco javier alejandro fernando ricardo
    roberto eduardo sergio andres diego daniel david pablo rafael raul oscar mario alberto arturo enrique hector
    gabriel santiago sebastian mateo nicolas samuel matias tomas felipe martin lucas emiliano ana laura carmen rosa
    isabel patricia gabriela daniela mariana fernanda valentina camila sofia lucia paula andrea natalia carolina
    elena julia adriana ximena alejandra veronica claudia monica silvia teresa guadalupe lupita beatriz marta
    john james robert michael william richard thomas charles christopher matthew anthony mark steven paul andrew
    joshua kevin brian george edward jason ryan jacob mary jennifer linda elizabeth barbara susan jessica sarah
    karen nancy lisa betty margaret sandra ashley emily donna michelle amanda melissa stephanie rebecca laura
    emma olivia ava isabella mia charlotte amelia harper evelyn abigail
    """.split()
)

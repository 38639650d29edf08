"""Spanish and English words for metrics, dimensions, intents and statuses (accent-free, lower case).

The metrics' words are declared with the measures, in the registry; the rest of the vocabulary is here.

Phrases are matched longest first on whole words, so ``number of sales`` wins over ``sales`` and
``conversion rate`` over ``rate``.
"""

from __future__ import annotations

from promptsales.sales.nlq.metrics import DEFINITIONS
from promptsales.sales.nlq.model import Dimension, Metric

#: What a question may call each metric: the registry's phrases (promptsales.warehouse.measures).
METRIC_PHRASES: dict[Metric, tuple[str, ...]] = {
    metric: definition.phrases for metric, definition in DEFINITIONS.items()
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
    Dimension.market: ("market", "markets", "mercado", "mercados", "country", "countries", "pais", "paises"),
    Dimension.month: ("month", "months", "mes", "meses"),
}

#: "by X" / "por X" / "per X" / "for each X" / "para cada X" introduce a breakdown.
GROUP_MARKERS = (
    "by",
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
MONTHLY_WORDS = (
    "monthly",
    "month by month",
    "month over month",
    "mensual",
    "mensuales",
    "mensualmente",
    "mes a mes",
    "mes por mes",
)

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
    "contra",
    "respecto a",
    "con respecto a",
)

STATUS_WORDS: dict[str, tuple[str, ...]] = {
    "active": ("active", "ongoing", "activa", "activas", "activo", "activos", "en curso", "vigentes", "vigente"),
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
}

#: Words of a change between two periods ("how did sales change from … to …"): read as a comparison when
#: the question names two periods, else they refuse it (a change needs two periods).
CHANGE_WORDS = (
    "change",
    "changed",
    "changes",
    "growth",
    "grew",
    "increase",
    "increased",
    "decrease",
    "decreased",
    "difference",
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
    "diferencia",
    "evolucion",
)

#: Phrases the registry reads as ROI that mean another figure (ROAS = revenue / spend): refused, never ROI.
NOT_ROI_PHRASES = ("return on ad spend", "retorno del gasto publicitario", "retorno sobre el gasto publicitario")

#: Questions about things the warehouse does not hold (answered with an explanation, never a number).
#: Forecasts are a rule (:mod:`.rules`), checked first.
OUT_OF_SCOPE: dict[str, tuple[str, ...]] = {
    "reasons": ("why", "por que", "porque", "reason", "razon", "motivo"),
    "demographics": ("age", "gender", "edad", "genero", "sexo", "income level", "nivel socioeconomico"),
    "weather": ("weather", "clima", "tiempo hara"),
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

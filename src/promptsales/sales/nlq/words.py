"""Accounting for every word of a question (issue 16): what the parser read, and what the rest means.

Each step of :class:`~promptsales.sales.nlq.parser.QuestionParser` blanks the words it reads and records
them under its part of the query (:func:`read_words`). The words nobody read are sorted here:

* **stop words** (articles, prepositions, auxiliaries, question words, politeness, verbs that only carry
  the metric, such as "close" in "how many sales did X close") say nothing about the figure — recorded
  under the part ``stop``;
* **words that change the meaning** (:data:`MEANINGFUL`: an unknown figure such as "per sale" or
  "average", another campaign/brand/ranking inside the subject, a period the parser could not read, a
  change over time without two periods, a threshold or a negation, when campaigns started or ended,
  content, a question that is not a figure) — the question is refused, naming them;
* **hedges** (:data:`HEDGES`: "roughly", "aproximadamente") — answered, and the answer says it ignored
  those words (``ignored``);
* **anything else** is a word the parser does not know: its meaning is not guessed, the question is refused
  naming it (unless the semantic fallback, :mod:`.semantic`, maps it to a metric above its threshold).

Never answer a simpler question silently: an answer either used every content word or says which it
ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

#: A word of a normalised question (clause marks and quotes are not words).
WORD = re.compile(r"[a-z0-9%$]+(?:[\-\.'][a-z0-9%$]+)*")

#: Words with no bearing on which figure is meant, English and Spanish (accent-free).
STOP_WORDS: frozenset[str] = frozenset(
    """
    a an the of in on at to for from with within during throughout by per via through as into over about this that these those there
    is are was were be been being am do does did done have has had having what which who whom whose how
    much many and or but if so than then also too just only please kindly me my we our us you your i it
    its they their them show give tell list get got see know want need would like could can may might
    let lets total overall all whole entire each every any some both altogether amount number figure
    figures value values data result results performance perform performed doing went go going
    close closed closing make made achieve achieved generate generated generating bring brought
    produce produced obtain obtained record recorded register registered use used using sell run ran
    currently exactly precisely actually really ok okay hey hi hello thanks thank bought buy buying purchased purchase
    el la los las lo un una unos unas de del al a en con por para sobre entre desde hasta segun sin durante
    y e o u ni que cual cuales cuanto cuanta cuantos cuantas como quien es son era eran fue fueron ser
    estar esta estan estaba estuvo ha han habia hubo hay tiene tienen tenia tuvo tuvieron tengo tenemos
    se su sus mi mis nuestro nuestra nuestros nuestras nos le les me te yo tu usted ustedes
    dame dime muestra muestrame muestranos ensena ensename indica indicame quiero quisiera saber ver
    necesito podrias puedes favor total totales todo toda todos todas cada algun alguna
    monto cifra cifras dato datos valor valores resultado resultados rendimiento desempeno
    cerro cerraron cerramos logro lograron logramos genero generaron generamos obtuvo obtuvieron
    obtuvimos produjo consiguio consiguieron registro registraron usamos uso usaron utilizo utilizaron
    tuvimos hicimos hizo hicieron compraron compro actualmente exactamente solo solamente
    hola gracias porfa ads anuncios advertising publicidad publicitaria publicitario publicitarias
    unique distinct different unicos unicas distintos distintas diferentes
    still todavia aun siguen sigue seguir came come comes arrived arrive entered enter entraron llegaron llegar
    vinieron vienen venir provienen provinieron completo completa entero entera ahora ahorita now
    tied tie ties empate empatadas empatados empatan
    targeted target targeting hecho hecha hacer comprado compradas vendidas x alto alta altos altas elevado
    traves numero cantidad cant nro num vino provino salio salieron resulto resultaron already drove drive drives driven among those aquellas aquellos llevamos llevan llevo lleva acumularon acumulo acumulamos accumulate
    sumar sumaron sumamos w plata gotten presente presentes aporto aportaron aporta aportan aportamos contributed contribute contributes
    trajo trajeron trajimos traer conseguimos conseguir consigue reportados reportado reportadas reported
    tan corrio corre corren correr ya decir dime podrias podria dentro saco sacamos sacaron pauta
    right anything algo whichever belong belongs belonged pertenece pertenecen pertenecia pls plz thx porfavor across
    transcurso largo calendar
    suman suma sumo apuntan apunta apuntaron apuntadas apuntados dirigidas dirigidos dirigida dirigido
    orientadas orientados enfocadas enfocados inclusive inclusivo incluidos incluidas incluido incluida ambos ambas
    entraban entran entraron contando counting including incluyendo mandaron enviaron mandamos enviamos
    """.split()
)

#: Hedges and fillers: words that do not change which figure is meant; answered, and stated as ignored.
HEDGES: frozenset[str] = frozenset(
    """
    roughly approximately approx around circa about estimated ballpark quickly briefly quick
    aproximadamente aprox alrededor aproximado aproximada rapido rapidamente brevemente rapidito
    """.split()
)

#: Words that change the meaning of a question when nobody read them, by what they would have meant.
MEANINGFUL: dict[str, frozenset[str]] = {
    "metric": frozenset(
        """
        sale venta lead click clic impression impresion customer client buyer cliente comprador
        prospecto prospect conversion conversions conversiones average avg mean median promedio media mediana
        ratio rate tasa share percentage porcentaje proportion proporcion cpm cpl cpc cpa cac roas aov
        ticket margin margen profit profits ganancia ganancias beneficio utilidad unit unidad unidades units
        bounce rebote retention retencion churn frequency frecuencia reachs cost costo coste
        """.split()
    ),
    "subject": frozenset(
        """
        campaign campaigns campana campanas brand brands marca marcas channel channels canal canales market markets mercado
        mercados country countries pais paises network red redes empresa empresas ad anuncio
        most best highest largest biggest greatest leading top worst least lowest fewest smallest bottom
        mejor mejores mas mayor mayores lider principales peor peores menos menor menores
        """.split()
    ),
    "period": frozenset(
        """
        half halves semester semesters semestre semestres mitad h1 h2 week weeks weekly semana semanas
        semanal semanales month months mes meses day days daily dia dias diario diaria diarios diarias weekend fin bimester bimestre bimestres quarter
        quarters trimestre trimestres year years yearly annual anual ano anos since until before after
        antes despues last past previous ultimo ultima ultimos ultimas pasado pasada anterior first
        second third fourth primer primera primero segundo segunda tercer tercero tercera cuarto cuarta
        early late mid beginning end principio inicio final finales mediados today hoy yesterday ayer
        ago hace season temporada holiday holidays navidad
        """.split()
    ),
    "change": frozenset(
        """
        change changed changes growth grew grow grown increase increased decrease decreased decline
        declined drop dropped fell fall rise rose difference delta variation evolution trend
        cambio cambios cambiaron cambio crecimiento crecio crecieron aumento aumentaron aumentado
        disminucion disminuyo disminuyeron bajaron bajo subio subieron cayeron cayo caida
        variacion diferencia evolucion tendencia
        """.split()
    ),
    "filter": frozenset(
        """
        not no without except excluding exclude excluded other others above below
        exceed exceeded exceeds greater less more fewer minimum maximum min max
        sin excepto salvo excluyendo otro otra otros otras encima debajo superior inferior supera
        superaron minimo maximo new nuevo nuevos nueva nuevas old viejo repeat recurrentes recurring
        returning organic organico paid pagado paused pausada pausadas cancelled canceladas draft borrador
        """.split()
    ),
    "lifecycle": frozenset(
        """
        started start starting began begin launched launch ending ended end ends lasted duration long
        empezo empezaron empezaron comenzo comenzaron inicio iniciaron iniciada iniciadas lanzada
        lanzadas lanzo lanzaron lanzamiento arrancaron termino terminaron finalizo finalizaron acabo
        acabaron concluyo concluyeron duro duraron duracion running corrieron vigencia
        """.split()
    ),
    "content": frozenset(
        """
        content asset assets image images video videos copy headline creative creatives
        contenido contenidos pieza piezas imagen imagenes creatividad creatividades titular
        """.split()
    ),
    "question": frozenset("when where cuando donde whom".split()),
}

#: Period words of days and weeks: the warehouse is monthly, so they are refused with that reason.
DAYS_AND_WEEKS: frozenset[str] = frozenset(
    "week weeks weekly semana semanas semanal semanales day days daily dia dias diario diaria diarios diarias weekend"
    " today hoy yesterday ayer".split()
)

_EXPLANATIONS: dict[str, tuple[str, str]] = {
    "metric": ("a figure I do not know how to compute", "una cifra que no sé calcular"),
    "subject": (
        "another campaign, brand, channel, market or ranking inside the subject (nested questions are not "
        "supported yet: ask it in two steps)",
        "otra campaña, marca, canal, mercado o ranking dentro del sujeto (las preguntas anidadas aún no se "
        "admiten: pregúntalo en dos pasos)",
    ),
    "period": ("a period I could not read", "un periodo que no pude leer"),
    "change": (
        "a change over time, which needs two periods I can read (e.g. 'December 2025 vs January 2026')",
        "un cambio en el tiempo, que necesita dos periodos que pueda leer (p. ej. 'diciembre 2025 vs enero 2026')",
    ),
    "filter": ("a filter or threshold I cannot apply", "un filtro o umbral que no puedo aplicar"),
    "lifecycle": (
        "when campaigns started or ended (only results per month are dated)",
        "cuándo empezaron o terminaron las campañas (solo los resultados por mes tienen fecha)",
    ),
    "content": (
        "the content used by campaigns, which cannot be asked yet",
        "el contenido usado por las campañas, que aún no se puede preguntar",
    ),
    "question": ("an answer that is not a figure (a date or a place)", "una respuesta que no es una cifra"),
    "unknown": (
        "words I do not know, whose meaning I do not guess",
        "palabras que no conozco, cuyo significado no adivino",
    ),
    "number": ("a number I could not place (a threshold or a limit)", "un número que no supe ubicar"),
}


@dataclass
class Leftover:
    """The words of a question nobody read: the ones that change its meaning (by class) and the rest."""

    meaningful: dict[str, list[str]]
    ignorable: list[str]
    stop: list[str] = field(default_factory=list)

    @property
    def not_understood(self) -> list[str]:
        """Every word nobody read that is not a stop word, in question order."""
        return [*{word: None for words in self.meaningful.values() for word in words}, *self.ignorable]


def read_words(before: str, after: str) -> list[str]:
    """The words of ``before`` that a step blanked out to give ``after`` (same length)."""
    return [match.group() for match in WORD.finditer(before) if after[match.start() : match.end()] != match.group()]


def unread(text: str) -> list[str]:
    """The words still in ``text`` (what no step read), in order."""
    return WORD.findall(text)


def classify(words: list[str], extra_stop_words: frozenset[str] = frozenset()) -> Leftover:
    """Sorts unread words into stop words, meaning-changing words by class (an unknown word is one: its
    meaning is not guessed), and hedges, which are answered and stated as ignored."""
    meaningful: dict[str, list[str]] = {}
    ignorable: list[str] = []
    stop: list[str] = []
    for word in words:
        kind = _meaning(word)
        if kind is not None:
            meaningful.setdefault(kind, []).append(word)
        elif _is_stop_word(word, extra_stop_words):
            stop.append(word)
        elif word in HEDGES:
            ignorable.append(word)
        else:
            meaningful.setdefault("unknown", []).append(word)
    return Leftover(meaningful, ignorable, stop)


def _is_stop_word(word: str, extra_stop_words: frozenset[str]) -> bool:
    """A stop word, or an inflection of one (same Snowball stem: "comprado" of "compraron")."""
    from promptsales.sales.nlq.language import stems

    return word in STOP_WORDS or word in extra_stop_words or bool(stems(word) & _stop_stems())


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    from promptsales.sales.nlq.language import stems

    return frozenset(stem for word in STOP_WORDS if len(word) >= 5 for stem in stems(word))


def _meaning(word: str) -> str | None:
    if any(char.isdigit() for char in word):
        return "number"
    for kind, vocabulary in MEANINGFUL.items():
        if word in vocabulary:
            return kind
    return None


def explain(meaningful: dict[str, list[str]], language: str) -> str:
    """``'per sale' (a figure I do not know how to compute); …`` in ``language``."""
    parts = []
    for kind, words in meaningful.items():
        english, spanish = _EXPLANATIONS[kind]
        parts.append(f"{quoted(words)} ({spanish if language == 'es' else english})")
    return "; ".join(parts)


def quoted(words: list[str]) -> str:
    """``'per sale'`` — the words as one quoted phrase, duplicates dropped."""
    return "'" + " ".join(dict.fromkeys(words)) + "'"

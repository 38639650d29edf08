"""Privacy and safety as rules (issue 16): questions refused for what they ask, whatever else they say.

* **privacy** — personal data about people (national IDs, e-mail addresses, phones, addresses, birth
  dates, names or lists of clients and leads, who bought): the question tool answers aggregated campaign
  figures only; personal data is served, to authorised callers and logged, by PromptCRM's ``client360``.
* **read-only** — a request to change data (delete, update, create, launch …): the tool only reads.
* **forecast** — the future ("next month", "el próximo mes", "will be", "venderá"): the warehouse holds
  recorded results and no forecasting module exists, so no number is made up.

Each rule matches the normalised question (accent-free, lower case); the Spanish future tense is matched on
the original text, where its accent tells it apart ("venderá" but not "vendera"/"era").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from promptsales.sales.nlq.lexicon import FIRST_NAMES
from promptsales.sales.nlq.text import strip_accents

_PEOPLE = (
    r"(?:clients?|customers?|buyers?|leads?|prospects?|people|persons?|users?|contacts?|"
    r"clientes?|compradore?s?|prospectos?|personas?|usuarios?|contactos?)"
)
_THE = r"(?:(?:the|our|their|los|las|nuestros|nuestras|sus|de|del|of)\s+)*"
#: A contact field of a person.
_CONTACT = r"(?:names?|nombres?|e-?mails?|mails?|correos?|phones?|telefonos?|celulares?|addresses|direccion(?:es)?)"


@dataclass(frozen=True)
class Rule:
    """One refusal rule: its name, what it matches, and why it refuses (English, Spanish)."""

    name: str
    patterns: tuple[re.Pattern[str], ...]
    english: str
    spanish: str
    #: What the patterns cannot see in the normalised question: ``(normalized, original) → words or None``.
    also: Callable[[str, str], str | None] | None = None

    def match(self, normalized: str, original: str) -> str | None:
        """The words of the question that break the rule, or None."""
        for pattern in self.patterns:
            found = pattern.search(normalized)
            if found:
                return found.group(0).strip()
        return self.also(normalized, original) if self.also is not None else None


#: One person named after the word for a client or lead: "our client Maria Gonzalez", "del cliente juan perez" —
#: a common first name (``lexicon.FIRST_NAMES``), or two capitalised words in the question as written.
_ONE_PERSON = (
    r"(?:client|customer|buyer|lead|prospect|contact|user|clienta?|cliente|compradora?|prospect[oa]|contact[oa]|"
    r"usuari[oa])"
)
_FIRST_NAMES = frozenset(strip_accents(name) for name in FIRST_NAMES)
#: Capitalised words after "lead", "customer" … that name a marketing notion, not a person ("Lead Generation").
_MARKETING_NOUNS = frozenset(
    "generation gen acquisition lifetime retention engagement companies company segment segments journey service "
    "success experience base data conversion value satisfaction support scoring score nurturing magnet".split()
)
_NAMED_PERSON = re.compile(rf"\b{_ONE_PERSON}\s+(?:named\s+|called\s+|llamad[oa]\s+)?([a-z]+)\s+[a-z]+")
_CAPITALISED_PERSON = re.compile(
    rf"(?i:\b{_ONE_PERSON})\s+(?:(?i:named|called|llamad[oa])\s+)?([A-ZÁÉÍÓÚÑ][a-záéíóúñü]+\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñü]+)"
)


def named_person(normalized: str, original: str) -> str | None:
    """The words naming one person after a client or lead word ("cliente juan perez", "client Maria Gonzalez")."""
    for match in _NAMED_PERSON.finditer(normalized):
        if match.group(1) in _FIRST_NAMES:
            return match.group(0)
    for match in _CAPITALISED_PERSON.finditer(original):
        if strip_accents(match.group(1).split()[0].lower()) not in _MARKETING_NOUNS:
            return match.group(0)
    return None


PRIVACY = Rule(
    "privacy",
    tuple(
        re.compile(pattern)
        for pattern in (
            r"\b(?:national\s+id|id\s+numbers?|identity\s+(?:number|card|document)|passport|ssn|social\s+security"
            r"|cedulas?|dni|curp|rfc|pasaportes?|documentos?\s+de\s+identidad|numeros?\s+de\s+identificacion)\b",
            r"\b(?:e-?mail\s+address(?:es)?|phone(?:\s+numbers?)?|telephone|mobile\s+numbers?|cell\s+phones?"
            r"|home\s+address(?:es)?|street\s+address(?:es)?|postal\s+address(?:es)?|birth\s*dates?|date\s+of\s+birth"
            r"|birthdays?|full\s+names?|first\s+names?|last\s+names?|surnames?|personal\s+(?:data|information|details)"
            r"|contact\s+(?:details|information|info)|whatsapps?)\b",
            r"\b(?:direccion(?:es)?\s+de\s+correo|correos?\s+electronicos?\s+de|telefonos?|celulares?"
            r"|numeros?\s+de\s+(?:telefono|celular)|direccion(?:es)?|domicilios?|fechas?\s+de\s+nacimiento"
            r"|cumpleanos|nombres?\s+completos?|apellidos?|datos\s+personales|informacion\s+personal"
            r"|datos\s+de\s+contacto)\b",
            rf"\b(?:e-?mails|mails|correos|addresses|names?|nombres?|list|lista|listado|identities|identidades)\s+"
            rf"{_THE}{_PEOPLE}\b",
            # one e-mail of people needs "of": "email leads" are the leads of the e-mail channel
            rf"\b(?:e-?mail|mail|correo)\s+(?:of|de|del)\s+{_THE}{_PEOPLE}\b",
            # contact fields listed together: "nombre y mail de los leads", "names and phones of the clients"
            rf"\b{_CONTACT}\s+(?:y|e|and|&)\s+{_CONTACT}\s+(?:of|de|del)\s+{_THE}{_PEOPLE}\b",
            rf"\b(?:which|what|que|cuales?|top(?:\s+\d+)?|list|lista|listado)\s+{_PEOPLE}\b",
            r"\b(?:who|quien(?:es)?)\s+(?:bought|purchased|buys|compro|compraron|compra|compran)\b",
            # "¿quién fue el cliente que más compró?", "who is our top customer", "which lead …"
            rf"\b(?:who|quien(?:es)?)\s+(?:was|were|is|are|fue|fueron|es|son|era|eran)\s+{_THE}(?:\d+\s+)?"
            rf"(?:\w+\s+){{0,2}}{_PEOPLE}\b",  # "quién fue el último cliente"
            # "the emails of everyone who became a lead", "los teléfonos de todos los que compraron"
            r"\b(?:e-?mails?|correos?|phones?|telefonos?|celulares?|names?|nombres?|addresses)\s+(?:of|de)\s+"
            r"(?:everyone|everybody|anyone|all|todos|todas|cada)\b",
            rf"\b(?:el|la|the)\s+{_PEOPLE}\s+(?:que|who|with|con)\s+(?:the\s+|el\s+|la\s+)?(?:mas|most|more|highest|biggest|mayor)\b",
            # one person by number: "el cliente 12345", "client #12345"
            rf"\b{_PEOPLE}\s+(?:id\s+|numero\s+|number\s+|no\s+|n\s+)?\d{{3,}}\b",
            rf"\b(?:the|los|las|el|la)\s+(?:\d+\s+)?(?:best|top|biggest|largest|mejores|principales|mayores)\s+{_PEOPLE}\b",
            rf"\b{_PEOPLE}\s+(?:named|called|llamad[oa]s?|de\s+nombre)\b",
            # the people themselves, in bulk: "export the leads of TikTok", "la base de clientes de México"
            rf"\b(?:export|exports|exporta|exportar|exportame|download|descarga|descargar|dump)\b.*\b{_PEOPLE}\b",
            rf"\b(?:base|bases|database|databases)\s+(?:de\s+(?:datos\s+de\s+)?|of\s+)?{_PEOPLE}\b",
            # the people themselves: "show me the clients that purchased on TikTok", "dame los leads que …"
            rf"\b(?:show|list|give|get|display|find|muestra|muestrame|muestranos|dame|danos|ensename|lista|listame|"
            rf"busca|buscame)\s+(?:me\s+|us\s+)?(?:all\s+)?(?:the\s+|los\s+|las\s+|todos\s+los\s+|todas\s+las\s+)?"
            rf"{_PEOPLE}\s+(?:that|who|which|whose|with|que|quienes|cuyos?|cuyas?|con)\b",
            # people picked by their lead score: "leads with a score above 80", "prospectos con puntaje mayor a 70"
            rf"\b{_PEOPLE}\s+(?:with|con)\s+(?:a\s+|an\s+|un\s+|el\s+|la\s+)?(?:(?:lead|high|alto|alta)\s+)?"
            rf"(?:scores?|puntajes?|puntuacion(?:es)?|calificacion(?:es)?)\b",
            # where people are: "the exact location (latitude and longitude) of each client", "coordenadas de …"
            rf"\b(?:latitudes?|longitudes?|coordinates|coordenadas|geolocation|geolocalizacion|gps|exact\s+locations?"
            rf"|ubicacion(?:es)?(?:\s+exactas?)?|home\s+locations?)\b.*\b{_PEOPLE}\b"
            rf"|\b{_PEOPLE}\b.*\b(?:latitudes?|longitudes?|coordinates|coordenadas|geolocation|geolocalizacion|gps)\b",
            # who wrote, said or posted something: "the comments leads left and who wrote each one"
            r"\b(?:who|quien(?:es)?)\s+(?:wrote|commented|posted|said|left|replied|escribio|escribieron|comento"
            r"|comentaron|dijo|dijeron|publico|publicaron|dejo|dejaron|respondio|respondieron)\b",
            # what people did, one by one: "who clicked on our ads", "quiénes abrieron el email", "who converted"
            r"\b(?:who|quien(?:es)?)\s+(?:\w+\s+)?(?:clicked|opened|converted|signed\s+up|registered|visited|saw|watched"
            r"|viewed|engaged|responded|subscribed|unsubscribed|downloaded|liked|shared|abrio|abrieron|hizo\s+clic"
            r"|hicieron\s+clic|dio\s+clic|dieron\s+clic|registro|registraron|visito|visitaron|vio|vieron|descargo"
            r"|descargaron|convirtio|convirtieron|suscribio|suscribieron|gasto|gastaron|spent)\b",
            # identifiers and private details of people: IP addresses, profiles, cards, user names, client IDs, income
            rf"\b(?:ip\s+address(?:es)?|direccion(?:es)?\s+ip|ips|linkedin\s+profiles?|social\s+(?:media\s+)?profiles?"
            rf"|perfiles?(?:\s+de\s+(?:linkedin|redes))?|credit\s+cards?|card\s+numbers?|tarjetas?(?:\s+de\s+credito)?"
            rf"|user\s*names?|nombres?\s+de\s+usuario|salar(?:y|ies|io|ios)|sueldos?)\b.*\b{_PEOPLE}\b"
            rf"|\b{_PEOPLE}\b.*\b(?:ip\s+address(?:es)?|profiles?|credit\s+cards?|user\s*names?|income|salar(?:y|ies))\b"
            rf"|\bincomes?\s+of\s+{_THE}{_PEOPLE}\b",
            rf"\b(?:client|customer|buyer|lead|cliente|comprador|prospecto)\s*ids?\b|\bids?\s+(?:de\s+)?{_THE}{_PEOPLE}\b",
            # their names or contacts beside the figures: "customer names and amounts", "con sus nombres"
            r"\b(?:client|customer|buyer|lead|prospect|contact|user)s?\s+(?:names?|e-?mails?|phones?|contacts?)\b"
            r"|\b(?:with|con)\s+(?:their|sus)\s+(?:names?|nombres?|e-?mails?|correos?|phones?|telefonos?|contact\w*|datos)\b"
            r"|\bnombres?\s+(?:y|e|and)\s+(?:correos?|e-?mails?|telefonos?|celulares?|apellidos?)\b",
            # where people live: "¿dónde viven nuestros clientes?", "where do our customers live"
            r"\b(?:where|donde)\s+(?:do|does|did)?\s*(?:\w+\s+){0,2}(?:live|lives|reside|viven|vive|residen|reside)\b",
            # one person chosen by what they did: "the customer who spent the most", "el comprador más grande"
            r"\b(?:the|el|la|del|al)\s+(?:\w+\s+)?(?:client|customer|buyer|lead|prospect|cliente|clienta|comprador"
            r"|compradora|prospecto)\s+(?:who|that|que|with|con)\s+(?:\w+\s+){0,2}(?:the\s+|el\s+|la\s+)?(?:mas|most|more"
            r"|highest|biggest|largest|mayor)\b"
            r"|\b(?:el|la|del|al)\s+(?:client[ea]|comprador[a]?|prospect[oa])\s+mas\s+(?:grande|importante|valios[oa]|fiel"
            r"|activ[oa]|recient[e])\b",
            # one by one: "the purchases of each buyer", "ticket de cada cliente" (an average per client is a figure)
            r"^(?!.*\b(?:average|avg|promedio|media|mean|per\s+capita|cost|costs|costo|costos|cuesta|cuestan|salio"
            r"|salieron|price|precio|valor|value|spend|gasto|cpl|cac)\b).*\b(?:each|every|cada)\s+"
            r"(?:one\s+of\s+(?:our|the)\s+)?(?:client|customer|buyer|person|cliente|clienta|comprador|compradora|persona)\b"
            r"(?!\s+(?:only\s+)?once\b|\s+(?:solo\s+)?una\s+(?:sola\s+)?vez\b)",  # "counting each customer once": a count
            # one person's purchases: "the purchase history of …", "historial de compras del cliente …"
            r"\b(?:purchase|purchasing|buying|order|shopping|transaction)\s+(?:history|histories|records?)\b"
            r"|\bhistorial(?:es)?\s+de\s+(?:compras?|pedidos|ordenes|transacciones)\b",
        )
    ),
    "This asks for personal data about people, which the privacy rule keeps out of the question tool: it "
    "answers aggregated campaign figures only, never names, contact details, IDs or lists of clients or "
    "leads. Authorised users read a client's record, logged, through PromptCRM's client360 tool (scope crm:pii).",
    "Esto pide datos personales de personas, que la regla de privacidad deja fuera de la herramienta de "
    "preguntas: solo responde cifras agregadas de campañas, nunca nombres, datos de contacto, documentos ni "
    "listas de clientes o leads. Los usuarios autorizados consultan la ficha de un cliente, con registro, "
    "con la herramienta client360 de PromptCRM (permiso crm:pii).",
    also=named_person,
)

_WRITE_VERBS = (
    r"delete|remove|drop|truncate|update|insert|create|modify|set|assign|approve|launch|pause|cancel|"
    r"rename|edit|erase|increase|decrease|raise|reduce|lower|cut|double|move|add|send|publish|archive|"
    r"restore|duplicate|activate|deactivate|stop|resume|"
    r"borra|borrar|elimina|eliminar|actualiza|actualizar|inserta|insertar|crea|crear|modifica|modificar|"
    r"cambia|cambiar|asigna|asignar|aprueba|aprobar|lanza|lanzar|pausa|pausar|cancela|cancelar|renombra|"
    r"renombrar|edita|editar|agrega|agregar|anade|anadir|sube|subir|baja|bajar|aumenta|aumentar|detener|deten|"
    r"incrementa|incrementar|reduce|reducir|disminuye|disminuir|duplica|duplicar|envia|enviar|publica|publicar|"
    r"archiva|archivar|reactiva|reactivar|desactiva|desactivar|mueve|mover|"
    r"reassign|reallocate|allocate|transfer|shift|schedule|mark|extend|prolong|register|"
    r"extiende|extender|prolonga|prolongar|registra|registrar|anota|anotar|"
    r"reasigna|reasignar|asigna|transfiere|transferir|programa\s+(?:la|el|una|un)|haz|hazme|pon|ponle|poner|ponga|pongan|"
    r"replace|rewrite|overwrite|reemplaza|reemplazar|sustituye|sustituir|reescribe|reescribir|"
    r"clone|copy|configure|adjust|save|clona|clonar|copia|copiar|fija|fijar|establece|establecer|configura|"
    r"configurar|ajusta|ajustar|deja|dejar|guarda|guardar|marcar|marca\s+como|marcalos|marcalas|manda|mandar|"
    r"bump|boost|hike|slash|trim|top\s+up|switch|swap|convert|turn|reactivate|upload|import|unsubscribe|"
    r"shut\s+(?:down|off)|apaga|apagar|enciende|encender|prende|prender|importar|importa|carga(?!\s+de\b)|cargar|"
    r"give\s+(?!me\b|us\b)(?:\w+\s+)?(?:another|more|an\s+extra|extra)\s+(?:\$?\d+\w*|budget|money)|"
    r"pasa\s+(?:las|los|la|el|todas|todos)|pasar\s+(?:las|los|la|el|todas|todos)|cambiale|cambialas|cambialos|"
    # Rioplatense imperatives ("aprobá", "fusioná"), rejections and merges of records
    r"aproba|reject|decline|rechaza|rechazar|merge|dedupe|deduplicate|fusiona|fusionar|unifica|unificar|apply|aplica|"
    r"aplicar|"
    r"deduplica|deduplicar"
)
#: Spanish object pronouns written onto an imperative ("súbele", "bórrala", "páusalas").
_CLITICS = r"(?:le|la|lo|les|las|los|me|nos)?"
#: Spanish subjunctive of a write verb after "quiero que" / "necesito que" / "puedes" ("quiero que borres …").
_WRITE_SUBJUNCTIVE = (
    r"borres|elimines|actualices|cambies|pauses|subas|bajes|crees|lances|canceles|detengas|asignes|reasignes|"
    r"muevas|agregues|anadas|modifiques|aumentes|reduzcas|disminuyas|apruebes|envies|publiques|renombres|"
    r"actives|desactives|reactives|archives|dupliques|transfieras|clones|copies|fijes|establezcas|configures|"
    r"ajustes|dejes|guardes|reemplaces|sustituyas|reescribas"
)
_ASKING = (
    r"(?:please|kindly|por\s+favor|can\s+you|could\s+you|would\s+you|will\s+you|puedes|podrias|quiero|"
    r"quisiera|necesito|i\s+want\s+(?:you\s+)?to|i\s+need\s+(?:you\s+)?to|let\s*s|let|go\s+ahead\s+and|ahora|"
    r"me\s+ayudas\s+a|ayudame\s+a|help\s+me)"
)
READ_ONLY = Rule(
    "read-only",
    (
        re.compile(rf"^\W*(?:{_ASKING}\s+)*(?:{_WRITE_VERBS}){_CLITICS}\b"),
        re.compile(
            rf"\b(?:quiero|quisiera|necesito|puedes|podrias)\s+que\s+(?:\w+\s+)?(?:{_WRITE_SUBJUNCTIVE}){_CLITICS}\b"
        ),
        re.compile(
            r"^\W*(?:please\s+)?(?:give|dale|da)\b.*\b(?:more|extra|additional|mas)\s+(?:budget|money|presupuesto|dinero)\b"
        ),
        re.compile(
            r"^\W*(?:make|create|haz|crea)\s+(?:me\s+)?(?:a\s+|una\s+)?(?:new\s+|nueva\s+)?(?:campaign|campana)\b"
        ),
        re.compile(r"\b(?:drop\s+table|delete\s+from|insert\s+into|truncate\s+table|update\s+\S+\s+set)\b"),
    ),
    "askCampaignPerformance only reads recorded figures: it cannot change, create or delete anything "
    "(campaigns are proposed with proposeCampaign and launched by an approver).",
    "askCampaignPerformance solo lee cifras registradas: no puede cambiar, crear ni borrar nada (las campañas "
    "se proponen con proposeCampaign y las lanza un aprobador).",
)

#: The Spanish future tense, matched on the original (accented) question: "venderá", "tendrán".
SPANISH_FUTURE = re.compile(r"\b\w+(?:ará|erá|irá|arán|erán|irán|drá|drán)\b")


#: The Spanish conditional of a what-if ("¿cuántas ventas tendríamos si …?"): infinitive + -ía(n/mos), or an
#: irregular stem ("tendr-", "habr-"); read only with an "if" ("si") in the question, since some imperfects of
#: -er/-ir verbs look the same ("preferían").
SPANISH_CONDITIONAL = re.compile(r"\b\w*(?:ar|er|ir|dr|br)[ií](?:a|an|amos)\b")
_IF = re.compile(r"\bsi\b")
#: The first person plural of the conditional ("podríamos", "tendríamos"), a what-if even without "si": no
#: imperfect ends in an infinitive's letters and "-íamos" ("corríamos" has "rr").
_CONDITIONAL_WE = re.compile(r"\b\w*(?:ar|er|ir|dr|br)[ií]amos\b")


def spanish_future(normalized: str, original: str) -> str | None:
    """A verb in the Spanish future tense ("venderá", not "vendera"), or in the conditional of a what-if
    ("¿cuántas ventas tendríamos si …?"), in the question as written."""
    lowered = original.lower()
    found = SPANISH_FUTURE.search(lowered) or _CONDITIONAL_WE.search(lowered)
    if found is None and _IF.search(normalized):
        found = SPANISH_CONDITIONAL.search(lowered)
    return found.group(0) if found else None


FORECAST = Rule(
    "forecast",
    tuple(
        re.compile(pattern)
        for pattern in (
            r"\b(?:forecasts?|forecasting|predict|predicted|prediction|predictions|projected|projections?"
            r"|expected|expect|estimate\s+for|will|going\s+to|gonna|upcoming|future|in\s+the\s+coming"
            # what-ifs: "what if we double the budget", "how many sales would we get if …"
            r"|what\s+if|would\s+(?:we|it|they|sales|leads|spend|revenue|roi)|would\b.*\bif|\bif\b.*\bwould"
            r"|hypothetical(?:ly)?|^\W*estimate"
            r"|next\s+(?:\d+\s+)?(?:month|months|quarter|quarters|year|years|week|weeks|half|semester|season"
            r"|campaign|campaigns)|coming\s+(?:month|months|quarter|year|weeks?))\b",
            r"\b(?:pronosticos?|pronosticar|prediccion(?:es)?|predecir|proyeccion(?:es)?|proyectad[oa]s?|futur[oa]s?"
            r"|esperad[oa]s?|esperamos|proxim[oa]s?|que\s+viene|venider[oa]s?|sera|seran|habra|va\s+a|van\s+a"
            r"|vamos\s+a|tendremos|venderemos|alcanzaremos|ganaremos|que\s+pasaria\s+si|hipotetic[oa]s?)\b",
        )
    ),
    "This asks about the future: the warehouse holds recorded results only and there is no forecasting "
    "module, so no forecasts are made (and no historical total is passed off as one).",
    "Esto pregunta por el futuro: el almacén solo guarda resultados registrados y no hay módulo de "
    "pronósticos, así que no se hace ninguna predicción (ni se presenta un total histórico como tal).",
    also=spanish_future,
)


#: The rules in the order they are checked: privacy first, so its reason is the one given.
RULES: tuple[Rule, ...] = (PRIVACY, READ_ONLY, FORECAST)


def broken_rule(normalized: str, original: str, checked: tuple[Rule, ...] = RULES) -> tuple[Rule, str] | None:
    """The first rule of ``checked`` the question breaks and the words that break it, or None."""
    for rule in checked:
        words = rule.match(normalized, original)
        if words:
            return rule, words
    return None

"""The names a question can mention — campaigns, brands, channels, markets — and how they are found.

:class:`Catalog` holds the warehouse's names in memory (loaded by :func:`.warehouse.load_catalog`) and finds
them in a normalised question: exact whole-word mentions (with Spanish/English aliases for channels and
countries) and a fuzzy campaign lookup for a name fragment (``pg_trgm`` in the database; ``difflib`` for an
in-memory catalog).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from promptsales.sales.nlq.model import Dimension, EntityRef
from promptsales.sales.nlq.text import blank_span, normalize, normalize_name, phrase_pattern

#: Channel aliases: any alias found in a channel's name makes the other words of its group mention it.
CHANNEL_ALIASES: tuple[tuple[str, ...], ...] = (
    ("email", "e-mail", "correo", "correo electronico", "mail", "newsletter"),
    ("sms", "mensajes de texto", "mensaje de texto", "text message", "text messages"),
    ("linkedin",),
    ("facebook", "fb", "face"),
    ("instagram", "insta", "ig"),
    ("tiktok", "tik tok"),
    ("youtube", "yt"),
    ("twitter", "x"),
    ("whatsapp",),
    ("pinterest",),
    ("snapchat",),
    ("search", "search ads", "google ads", "busqueda", "anuncios de busqueda", "google"),
    ("influencer", "influencers", "influenciadores", "influencer marketing"),
    ("display", "banners", "banner", "display programatico", "programatico", "programatica", "programmatic"),
    ("podcast", "podcasts"),
)
#: Countries in English and Spanish (plus ISO codes) for market mentions.
COUNTRY_ALIASES: tuple[tuple[str, ...], ...] = (
    ("united states", "usa", "us", "estados unidos", "eeuu", "ee uu"),
    ("mexico",),
    ("canada",),
    ("brazil", "brasil"),
    ("argentina",),
    ("colombia",),
    ("chile",),
    ("peru",),
    ("costa rica",),
    ("panama",),
    ("guatemala",),
    ("ecuador",),
    ("uruguay",),
    ("dominican republic", "republica dominicana"),
    ("spain", "espana"),
    ("united kingdom", "uk", "reino unido"),
    ("germany", "alemania"),
    ("france", "francia"),
    ("italy", "italia"),
    ("portugal",),
    ("netherlands", "paises bajos", "holanda"),
    ("japan", "japon"),
    ("india",),
    ("australia",),
    ("china",),
    ("south korea", "corea del sur"),
    ("puerto rico",),
    ("honduras",),
    ("el salvador",),
    ("nicaragua",),
    ("paraguay",),
    ("bolivia",),
    ("venezuela",),
)


#: Cities of the markets in English and Spanish, with their common abbreviations: a market is also named by
#: its city ("Mexico City", "Ciudad de México", "CDMX"). Only a city the warehouse records for a market is read.
CITY_ALIASES: tuple[tuple[str, ...], ...] = (
    ("mexico city", "ciudad de mexico", "cdmx", "mexico df", "df"),
    ("new york", "nueva york", "nyc", "new york city"),
    ("guatemala city", "ciudad de guatemala"),
    ("panama city", "ciudad de panama"),
    ("sao paulo", "san pablo"),
    ("santiago", "santiago de chile"),
    ("bogota", "bogota dc"),
    ("washington", "washington dc"),
)


#: A campaign's objective (PromptAds ads.campaigns.objective) in words that name nothing else: these alone
#: name it ("campañas de awareness", "lead generation campaigns", "generar leads"). The objectives whose own
#: word is also a figure — sales, leads, engagement — are named by that word only next to the word
#: "objective" (:data:`OBJECTIVE_FIGURE_WORDS`, read by the parser: "objetivo de ventas", "a sales
#: objective", "leads as their objective").
OBJECTIVE_ALIASES: dict[str, tuple[str, ...]] = {
    "awareness": (
        "awareness",
        "brand awareness",
        "reconocimiento de marca",
        "reconocimiento",
        "conocimiento de marca",
        "notoriedad de marca",
        "notoriedad",
    ),
    "consideration": ("consideration", "consideracion"),
    "traffic": ("traffic", "web traffic", "website traffic", "trafico", "trafico web", "trafico al sitio"),
    "engagement": (),
    "leads": (
        "lead generation",
        "leads generation",
        "lead gen",
        "generacion de leads",
        "generar leads",
        "generacion de prospectos",
        "captacion de leads",
        "captar leads",
        "captacion de prospectos",
    ),
    "sales": (),
}
#: Words of an objective that are also a figure (sales, leads, engagement as interactions): an objective only
#: right next to "objective" / "objetivo".
OBJECTIVE_FIGURE_WORDS: dict[str, tuple[str, ...]] = {
    "sales": ("sales", "sale", "ventas", "venta", "vender"),
    "leads": ("leads", "lead"),
    "engagement": ("engagement", "interaccion", "interacciones"),
}
#: A brand's industry (PromptAds ads.brands.industry, read from the warehouse at run time) in English and
#: Spanish; an industry not listed here is named by its value with spaces ("health fitness").
INDUSTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "food_beverage": (
        "food and beverage",
        "food and beverages",
        "food beverage",
        "food",
        "alimentos y bebidas",
        "alimentos",
        "comida y bebida",
        "comida",
    ),
    "beauty": ("beauty", "belleza", "cosmetics", "cosmetica", "cosmeticos"),
    "apparel": ("apparel", "clothing", "fashion", "ropa", "moda", "vestimenta", "indumentaria"),
    "electronics": ("electronics", "consumer electronics", "electronica", "electronicos"),
    "finance": (
        "finance",
        "financial",
        "financial services",
        "finanzas",
        "financiero",
        "financiera",
        "financieros",
        "financieras",
        "servicios financieros",
        "banca",
        "banking",
    ),
    "home": ("home", "home goods", "hogar", "articulos para el hogar"),
    "travel": ("travel", "tourism", "viajes", "turismo"),
    "education": ("education", "educacion", "educativo", "educativa", "educativos", "educativas"),
    "health_fitness": (
        "health and fitness",
        "health fitness",
        "fitness",
        "health",
        "salud",
        "salud y fitness",
        "salud y bienestar",
        "bienestar",
        "wellness",
    ),
    "telecom": ("telecom", "telecommunications", "telecomunicaciones", "telco", "telefonia"),
    "automotive": (
        "automotive",
        "automotriz",
        "automotrices",
        "automotor",
        "automoviles",
        "automobiles",
        "autos",
        "cars",
    ),
}


def class_aliases(value: str, aliases: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The words of an objective or industry value: its own (``food_beverage`` → "food beverage") and its
    listed aliases."""
    return tuple(dict.fromkeys(a for a in (normalize_name(value.replace("_", " ")), *aliases.get(value, ())) if a))


#: Two-letter aliases that are known abbreviations of a channel ("ig", "fb", "yt").
_SHORT_ALIASES = {"ig", "fb", "yt"}


@dataclass
class Named:
    """One named entity of the catalog."""

    key: int | str
    name: str
    aliases: tuple[str, ...] = ()
    city: str = ""  # a market's city (its other name)


CampaignMatcher = Callable[[str], list[tuple[int | str, str, float]]]


def _alias_groups(name: str, groups: Sequence[tuple[str, ...]]) -> tuple[str, ...]:
    norm = normalize_name(name)
    found: list[str] = [norm]
    for group in groups:
        if any(phrase_pattern(alias).search(norm) for alias in group):
            found.extend(alias for alias in group if len(alias) > 2 or alias == norm or alias in _SHORT_ALIASES)
    return tuple(dict.fromkeys(found))


@dataclass
class Catalog:
    """Warehouse names by dimension plus a fuzzy campaign matcher."""

    campaigns: list[Named] = field(default_factory=list)
    brands: list[Named] = field(default_factory=list)
    channels: list[Named] = field(default_factory=list)
    markets: list[Named] = field(default_factory=list)
    objectives: list[Named] = field(default_factory=list)
    industries: list[Named] = field(default_factory=list)
    campaign_matcher: CampaignMatcher | None = None

    def __post_init__(self) -> None:
        for channel in self.channels:
            channel.aliases = channel.aliases or _alias_groups(channel.name, CHANNEL_ALIASES)
        for market in self.markets:
            city = _alias_groups(market.city, tuple(g for g in CITY_ALIASES if normalize_name(market.city) in g))
            market.aliases = market.aliases or tuple(
                dict.fromkeys((*_alias_groups(market.name, COUNTRY_ALIASES), *city))
            )
        for entity in (*self.brands, *self.campaigns):
            entity.aliases = entity.aliases or (normalize_name(entity.name),)
        for objective in self.objectives:  # "sales", "leads", "engagement" alone are figures, not objectives
            figure_words = OBJECTIVE_FIGURE_WORDS.get(str(objective.key), ())
            objective.aliases = objective.aliases or tuple(
                a for a in class_aliases(str(objective.key), OBJECTIVE_ALIASES) if a not in figure_words
            )
        for industry in self.industries:
            industry.aliases = industry.aliases or class_aliases(str(industry.key), INDUSTRY_ALIASES)
        self._index: dict[Dimension, tuple[dict[str, list[Named]], int]] = {}
        for dimension in (
            Dimension.campaign,
            Dimension.brand,
            Dimension.channel,
            Dimension.market,
            Dimension.objective,
            Dimension.industry,
        ):
            index: dict[str, list[Named]] = {}
            for entity in self.entities(dimension):
                for alias in entity.aliases:
                    if alias:
                        index.setdefault(alias, []).append(entity)
            self._index[dimension] = (index, max((len(a.split()) for a in index), default=0))

    def entities(self, dimension: Dimension) -> list[Named]:
        """The entities of one dimension."""
        return {
            Dimension.campaign: self.campaigns,
            Dimension.brand: self.brands,
            Dimension.channel: self.channels,
            Dimension.market: self.markets,
            Dimension.objective: self.objectives,
            Dimension.industry: self.industries,
        }.get(dimension, [])

    def find_mentions(self, text: str, dimension: Dimension) -> tuple[list[EntityRef], str]:
        """Whole-word mentions of ``dimension``'s names in ``text``, longest first; blanks them."""
        refs, spans = self.mention_spans(text, dimension)
        for start, end in spans:
            text = blank_span(text, start, end)
        return refs, text

    def mention_spans(self, text: str, dimension: Dimension) -> tuple[list[EntityRef], list[tuple[int, int]]]:
        """Whole-word mentions of ``dimension``'s names in ``text``, longest first, and where each is.

        Looks up every run of 1..n consecutive words (n = the longest name) in a dictionary of names and
        aliases, so the cost does not grow with the number of campaigns.
        """
        index, longest = self._index.get(dimension, ({}, 0))
        if not index:
            return [], []
        words = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9%$\-\.]+(?:'[a-z0-9]+)*", text)]
        candidates: list[tuple[int, int, int, str]] = []  # (-length, start, end, alias)
        for i in range(len(words)):
            for j in range(i, min(len(words), i + longest)):
                if j > i and words[j][0] != words[j - 1][1] + 1:
                    break  # a blanked span or a clause mark lies between: not one name
                alias = text[words[i][0] : words[j][1]]
                if alias in index:
                    candidates.append((-(words[j][1] - words[i][0]), words[i][0], words[j][1], alias))
        candidates.sort()
        refs: list[EntityRef] = []
        spans: list[tuple[int, int]] = []
        for _, start, end, alias in candidates:
            if any(start < e and s < end for s, e in spans):
                continue
            spans.append((start, end))
            for entity in index[alias]:
                if not any(ref.key == entity.key for ref in refs):
                    refs.append(
                        EntityRef(dimension=dimension, key=entity.key, name=entity.name, matched_text=text[start:end])
                    )
        return refs, spans

    def named(self, dimension: Dimension, fragment: str) -> list[Named]:
        """The entities of ``dimension`` whose whole name (or an alias) is ``fragment``, normalised."""
        index, _ = self._index.get(dimension, ({}, 0))
        return index.get(normalize_name(fragment), [])

    def match_campaign(self, fragment: str, limit: int = 5) -> list[tuple[int | str, str, float]]:
        """Campaigns whose name is most similar to ``fragment``: ``(key, name, score in 0..1)``."""
        if self.campaign_matcher is not None:
            return self.campaign_matcher(fragment)[:limit]
        wanted = normalize(fragment)
        scored = []
        for campaign in self.campaigns:
            name = campaign.aliases[0]
            score = difflib.SequenceMatcher(None, wanted, name).ratio()
            if wanted and wanted in name:
                score = max(score, 0.6 + 0.4 * len(wanted) / max(len(name), 1))
            scored.append((campaign.key, campaign.name, round(score, 4)))
        scored.sort(key=lambda item: (-item[2], item[1]))
        return scored[:limit]

    def match_brand(self, fragment: str) -> tuple[Named, float] | None:
        """The brand most similar to ``fragment`` (difflib over the short brand list)."""
        wanted = normalize(fragment)
        best: tuple[Named, float] | None = None
        for brand in self.brands:
            score = difflib.SequenceMatcher(None, wanted, brand.aliases[0]).ratio()
            if best is None or score > best[1]:
                best = (brand, score)
        return best

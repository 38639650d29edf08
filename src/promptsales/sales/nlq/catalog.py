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
from promptsales.sales.nlq.text import blank_span, normalize, normalize_name

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
    ("display", "banners", "banner"),
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
        if any(re.search(rf"(?<![a-z0-9]){re.escape(alias)}(?![a-z0-9])", norm) for alias in group):
            found.extend(alias for alias in group if len(alias) > 2 or alias == norm or alias in _SHORT_ALIASES)
    return tuple(dict.fromkeys(found))


@dataclass
class Catalog:
    """Warehouse names by dimension plus a fuzzy campaign matcher."""

    campaigns: list[Named] = field(default_factory=list)
    brands: list[Named] = field(default_factory=list)
    channels: list[Named] = field(default_factory=list)
    markets: list[Named] = field(default_factory=list)
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
        self._index: dict[Dimension, tuple[dict[str, list[Named]], int]] = {}
        for dimension in (Dimension.campaign, Dimension.brand, Dimension.channel, Dimension.market):
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
        }.get(dimension, [])

    def find_mentions(self, text: str, dimension: Dimension) -> tuple[list[EntityRef], str]:
        """Whole-word mentions of ``dimension``'s names in ``text``, longest first; blanks them.

        Looks up every run of 1..n consecutive words (n = the longest name) in a dictionary of names and
        aliases, so the cost does not grow with the number of campaigns.
        """
        index, longest = self._index.get(dimension, ({}, 0))
        if not index:
            return [], text
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
        for start, end in spans:
            text = blank_span(text, start, end)
        return refs, text

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

"""Reference catalogues of PromptAds: channels, markets and the vocabulary names are composed from.

These are the *model parameters* of the generator (what a channel costs, how it converts, where a market's
main city is), not data rows: campaigns, ads and results are drawn from them by :mod:`promptsales.ads.model`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Channel:
    """A channel and the response model the generator uses for it (docs/data.md cites the published ranges).

    At the reference daily spend of an ad in a market (``model.REFERENCE_DAILY_SPEND``) a dollar buys
    ``1000 / cpm`` views in the US general market; ``saturation`` is the exponent of views on spend (below 1:
    diminishing returns — the next dollar reaches fewer new people), ``ctr`` clicks per view, ``lead_rate``
    leads per click and ``close_rate`` sales per lead, before the market, industry, audience, season and
    campaign-quality factors.
    """

    code: str
    name: str
    kind: str
    cpm: float  # USD per 1,000 views at the reference daily spend, US general market, industry index 1
    ctr: float  # clicks per view
    like_rate: float  # likes per view
    engage_rate: float  # comments/shares/saves per view
    lead_rate: float  # leads per click (landing-page / form conversion)
    close_rate: float  # sales per lead
    saturation: float  # exponent of views on spend (1 = linear)
    view_seconds: float  # average exposure per view
    weekend: float  # weekend multiplier on activity
    formats: tuple[str, ...]

    @property
    def public(self) -> bool:
        """True when people talk about the ad in public (social listening, influencers apply)."""
        return self.kind in ("social", "video", "influencer", "professional")


# fmt: off
CHANNELS: tuple[Channel, ...] = (
    # code, name, kind, cpm, ctr, like, engage, lead (per click), close (per lead), saturation, seconds, weekend
    Channel("facebook", "Facebook Ads", "social", 13.0, 0.012, 0.020, 0.012, 0.09, 0.14, 0.75, 6, 1.10,
            ("image", "carousel", "video", "story")),
    Channel("instagram", "Instagram", "social", 10.0, 0.009, 0.040, 0.015, 0.08, 0.13, 0.75, 8, 1.15,
            ("image", "carousel", "reel", "story")),
    Channel("tiktok", "TikTok", "social", 8.0, 0.009, 0.060, 0.020, 0.06, 0.10, 0.80, 12, 1.20, ("video", "reel")),
    Channel("x", "X (Twitter)", "social", 6.0, 0.007, 0.015, 0.010, 0.05, 0.09, 0.80, 4, 1.00, ("text", "image", "video")),
    Channel("youtube", "YouTube", "video", 10.0, 0.0065, 0.010, 0.006, 0.05, 0.12, 0.80, 25, 1.15, ("video",)),
    Channel("linkedin", "LinkedIn Ads", "professional", 35.0, 0.005, 0.008, 0.006, 0.12, 0.18, 0.70, 10, 0.55,
            ("sponsored_post", "image", "video")),
    Channel("email", "Email marketing", "email", 20.0, 0.026, 0.0, 0.004, 0.12, 0.20, 0.50, 15, 0.80, ("email",)),
    Channel("sms", "SMS", "sms", 30.0, 0.050, 0.0, 0.002, 0.10, 0.18, 0.55, 3, 0.90, ("sms",)),
    Channel("google_search", "Google Search Ads", "search", 128.0, 0.056, 0.0, 0.0, 0.10, 0.25, 0.65, 2, 0.90,
            ("search",)),
    Channel("display", "Programmatic display", "display", 3.0, 0.0046, 0.0, 0.001, 0.015, 0.06, 0.90, 3, 1.00,
            ("image",)),
    Channel("influencer", "Influencer marketing", "influencer", 15.0, 0.011, 0.070, 0.025, 0.07, 0.12, 0.75, 15, 1.15,
            ("video", "reel", "sponsored_post")),
)
# fmt: on


@dataclass(frozen=True)
class Market:
    """A country × segment, with its main city and the cost/size indices of the model."""

    country_code: str
    country: str
    region: str
    segment: str
    city: str
    latitude: float
    longitude: float
    language: str
    cost_index: float  # relative media cost (US general = 1)
    weight: float  # how often campaigns target it


MARKETS: tuple[Market, ...] = (
    Market("US", "United States", "North America", "general", "New York", 40.7128, -74.0060, "en", 1.00, 5.0),
    Market("US", "United States", "North America", "hispanic", "Miami", 25.7617, -80.1918, "es", 0.85, 4.0),
    Market("US", "United States", "North America", "business", "Chicago", 41.8781, -87.6298, "en", 1.20, 2.5),
    Market("CA", "Canada", "North America", "general", "Toronto", 43.6532, -79.3832, "en", 0.90, 1.5),
    Market("MX", "Mexico", "North America", "consumer", "Mexico City", 19.4326, -99.1332, "es", 0.45, 4.0),
    Market("MX", "Mexico", "North America", "business", "Monterrey", 25.6866, -100.3161, "es", 0.55, 1.5),
    Market("GT", "Guatemala", "Central America", "consumer", "Guatemala City", 14.6349, -90.5069, "es", 0.30, 0.8),
    Market("CR", "Costa Rica", "Central America", "consumer", "San José", 9.9281, -84.0907, "es", 0.40, 1.0),
    Market("PA", "Panama", "Central America", "consumer", "Panama City", 8.9824, -79.5199, "es", 0.45, 0.8),
    Market("DO", "Dominican Republic", "Caribbean", "consumer", "Santo Domingo", 18.4861, -69.9312, "es", 0.35, 0.9),
    Market("PR", "Puerto Rico", "Caribbean", "consumer", "San Juan", 18.4655, -66.1057, "es", 0.60, 0.8),
    Market("CO", "Colombia", "South America", "consumer", "Bogotá", 4.7110, -74.0721, "es", 0.35, 3.0),
    Market("CO", "Colombia", "South America", "business", "Medellín", 6.2442, -75.5812, "es", 0.40, 1.0),
    Market("PE", "Peru", "South America", "consumer", "Lima", -12.0464, -77.0428, "es", 0.35, 1.5),
    Market("EC", "Ecuador", "South America", "consumer", "Quito", -0.1807, -78.4678, "es", 0.30, 0.8),
    Market("CL", "Chile", "South America", "consumer", "Santiago", -33.4489, -70.6693, "es", 0.50, 1.8),
    Market("AR", "Argentina", "South America", "consumer", "Buenos Aires", -34.6037, -58.3816, "es", 0.35, 2.0),
    Market("UY", "Uruguay", "South America", "consumer", "Montevideo", -34.9011, -56.1645, "es", 0.45, 0.6),
)

#: Leads per click and sales per lead by market region and segment (multipliers of the channel rates).
REGION_CLOSE = {"North America": 1.0, "Central America": 0.92, "Caribbean": 0.95, "South America": 0.9}
SEGMENT_RESPONSE = {"business": (0.85, 1.25), "hispanic": (1.05, 1.0)}  # segment: (lead, close); others (1, 1)
#: Month → (CPM, leads per click, sales per lead) multipliers: Q4 auctions are dearer and buyers readier
#: (Black Friday, Buen Fin, Christmas), January's "Q5" is cheaper, May has Hot Sale and Mother's Day.
SEASON = {
    1: (0.85, 1.0, 0.95), 2: (0.95, 1.0, 1.0), 3: (1.0, 1.0, 1.0), 4: (1.0, 1.0, 1.0), 5: (1.05, 1.05, 1.05),
    6: (1.0, 1.0, 1.0), 7: (0.95, 0.95, 0.95), 8: (1.0, 1.0, 1.0), 9: (1.0, 1.0, 1.0), 10: (1.1, 1.0, 1.0),
    11: (1.35, 1.1, 1.25), 12: (1.25, 1.1, 1.3),
}  # fmt: skip
#: Campaign objective → leads per click multiplier (lead and sales campaigns optimise for it).
OBJECTIVE_LEADS = {
    "awareness": 0.8,
    "consideration": 0.95,
    "traffic": 0.9,
    "engagement": 0.85,
    "leads": 1.2,
    "sales": 1.1,
}

#: Window of campaign start dates (SPEC A3) and the as-of date for active/finished.
WINDOW_START = date(2024, 7, 1)
WINDOW_END = date(2026, 1, 31)
AS_OF = date(2026, 1, 31)
#: Peak months of campaign starts: December, January and November (Black Friday / Buen Fin / Cyber Monday).
PEAK_MONTHS = {12: 2.6, 1: 2.4, 11: 2.2}
ACTIVE_SHARE = 0.30

OBJECTIVES = ("awareness", "consideration", "traffic", "engagement", "leads", "sales")
NEGATIVE_TYPES = ("anger", "distrust", "disappointment", "mockery")

# Industries: English and Spanish brand-name suffixes, product nouns, list price range (USD), and the
# response model's industry factors (docs/data.md).
INDUSTRIES: dict[str, dict] = {
    "food_beverage": {
        "en": ("Foods", "Beverages", "Kitchen", "Provisions"),
        "es": ("Alimentos", "Bebidas", "Cocina", "Sabores"),
        "products": (
            "Cold Brew",
            "Granola Crunch",
            "Salsa Picante",
            "Agua Mineral",
            "Café de Altura",
            "Protein Bar",
            "Tortillas Artesanales",
            "Kombucha",
        ),
        "price": (6.0, 35.0),
        "cpc_index": 0.6,  # media cost relative to the average industry
        "order_units": 4.0,  # units (or months) in an order: order value = list price × units
        "close_index": 1.2,
        "interests": ("cocina", "familia"),  # audience interests that fit the industry
    },
    "beauty": {
        "en": ("Beauty", "Skin", "Cosmetics"),
        "es": ("Belleza", "Cosmética", "Piel"),
        "products": (
            "Vitamin C Serum",
            "Protector Solar FPS 50",
            "Hydra Cream",
            "Labial Mate",
            "Shampoo Botánico",
            "Night Repair",
        ),
        "price": (12.0, 90.0),
        "cpc_index": 0.8,
        "order_units": 2.2,
        "close_index": 1.1,
        "interests": ("belleza", "moda"),
    },
    "apparel": {
        "en": ("Apparel", "Outfitters", "Threads"),
        "es": ("Moda", "Textiles", "Confecciones"),
        "products": (
            "Running Sneakers",
            "Denim Clásico",
            "Chaqueta Impermeable",
            "Linen Shirt",
            "Vestido de Verano",
            "Trail Backpack",
        ),
        "price": (25.0, 180.0),
        "cpc_index": 0.7,
        "order_units": 1.8,
        "close_index": 1.0,
        "interests": ("moda", "deportes"),
    },
    "electronics": {
        "en": ("Tech", "Electronics", "Devices"),
        "es": ("Tecnología", "Electrónica", "Digital"),
        "products": (
            "Wireless Earbuds",
            "Smartwatch Pro",
            "Laptop Ultraligera",
            "4K Smart TV",
            "Bocina Bluetooth",
            "Action Camera",
        ),
        "price": (40.0, 900.0),
        "cpc_index": 1.0,
        "order_units": 1.1,
        "close_index": 0.8,
        "interests": ("tecnología", "gaming"),
    },
    "finance": {
        "en": ("Financial", "Bank", "Capital"),
        "es": ("Financiera", "Banco", "Seguros"),
        "products": (
            "Cashback Card",
            "Seguro de Auto",
            "Cuenta de Ahorro Digital",
            "Small Business Loan",
            "Seguro de Vida",
            "Travel Card",
        ),
        "price": (30.0, 400.0),
        "cpc_index": 1.8,
        "order_units": 3.0,
        "close_index": 0.7,
        "interests": ("finanzas", "negocios"),
    },
    "home": {
        "en": ("Home", "Living", "Interiors"),
        "es": ("Hogar", "Muebles", "Casa"),
        "products": (
            "Memory Foam Mattress",
            "Juego de Sábanas",
            "Air Purifier",
            "Cafetera Espresso",
            "Smart Lamp",
            "Sofá Modular",
        ),
        "price": (30.0, 700.0),
        "cpc_index": 1.2,
        "order_units": 1.3,
        "close_index": 0.8,
        "interests": ("familia", "cocina"),
    },
    "travel": {
        "en": ("Travel", "Getaways", "Airlines"),
        "es": ("Viajes", "Turismo", "Aerolíneas"),
        "products": (
            "Weekend Getaway",
            "Paquete Cancún",
            "Vuelo Redondo",
            "All-Inclusive Resort",
            "Tour Machu Picchu",
            "City Pass",
        ),
        "price": (90.0, 1200.0),
        "cpc_index": 0.6,
        "order_units": 1.8,
        "close_index": 0.8,
        "interests": ("viajes", "familia"),
    },
    "education": {
        "en": ("Academy", "Learning", "Institute"),
        "es": ("Academia", "Instituto", "Educación"),
        "products": (
            "Curso de Inglés",
            "Data Science Bootcamp",
            "Diplomado en Marketing",
            "Coding for Kids",
            "MBA Online",
            "Certificación Cloud",
        ),
        "price": (50.0, 900.0),
        "cpc_index": 1.4,
        "order_units": 1.0,
        "close_index": 0.7,
        "interests": ("negocios", "tecnología"),
    },
    "health_fitness": {
        "en": ("Health", "Fitness", "Wellness"),
        "es": ("Salud", "Bienestar", "Vital"),
        "products": (
            "Gym Membership",
            "Plan Nutricional",
            "Yoga Online",
            "Vitaminas Diarias",
            "Telemedicina Plus",
            "Smart Scale",
        ),
        "price": (15.0, 250.0),
        "cpc_index": 1.1,
        "order_units": 3.0,
        "close_index": 1.0,
        "interests": ("salud", "deportes"),
    },
    "telecom": {
        "en": ("Mobile", "Telecom", "Connect"),
        "es": ("Móvil", "Telecomunicaciones", "Conecta"),
        "products": (
            "Plan Ilimitado",
            "Fibra 500 Mbps",
            "5G Unlimited",
            "Prepaid Bundle",
            "Internet Hogar",
            "Family Plan",
        ),
        "price": (15.0, 120.0),
        "cpc_index": 1.0,
        "order_units": 6.0,
        "close_index": 1.0,
        "interests": ("tecnología", "música"),
    },
    "automotive": {
        "en": ("Motors", "Auto", "Mobility"),
        "es": ("Motores", "Autos", "Movilidad"),
        "products": (
            "Servicio de Mantenimiento",
            "EV Test Drive",
            "Llantas All-Season",
            "Car Wash Club",
            "Seguro Vehicular",
            "Accesorios 4x4",
        ),
        "price": (40.0, 600.0),
        "cpc_index": 1.0,
        "order_units": 1.2,
        "close_index": 0.8,
        "interests": ("viajes", "deportes"),
    },
}

BRAND_WORDS_EN = (
    "Blue",
    "North",
    "Bright",
    "Summit",
    "Urban",
    "Golden",
    "Silver",
    "Green",
    "Maple",
    "Harbor",
    "Peak",
    "Pioneer",
    "Liberty",
    "Evergreen",
    "Crescent",
    "Iron",
    "Cedar",
    "Atlas",
    "Nova",
    "True",
    "Coastal",
    "Prairie",
    "Redwood",
    "Lakeside",
    "Granite",
    "Horizon",
    "Willow",
    "Sterling",
    "Beacon",
    "Juniper",
)
BRAND_WORDS_ES = (
    "Sol",
    "Luna",
    "Casa",
    "Tierra",
    "Río",
    "Monte",
    "Vida",
    "Agua",
    "Cielo",
    "Mar",
    "Selva",
    "Maíz",
    "Cacao",
    "Alma",
    "Viento",
    "Roca",
    "Flor",
    "Oro",
    "Andes",
    "Caribe",
    "Aurora",
    "Brisa",
    "Ceiba",
    "Jaguar",
    "Quetzal",
    "Palma",
    "Volcán",
    "Pampa",
    "Nopal",
    "Colibrí",
)
BRAND_ADJ_ES = (
    "Andino",
    "del Valle",
    "Verde",
    "Dorado",
    "Azul",
    "Nativo",
    "Sereno",
    "Bravo",
    "del Sur",
    "Real",
    "Puro",
    "Norteño",
)

#: Campaign themes per start month (English, Spanish); month 0 = any month.
THEMES: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = {
    12: (
        ("Holiday Cheer", "Gift Guide", "Merry Deals", "Holiday Countdown"),
        ("Navidad Mágica", "Fiestas Decembrinas", "Regalos de Navidad", "Posadas"),
    ),
    1: (
        ("New Year, New You", "January Reset", "Winter Sale", "Fresh Start"),
        ("Año Nuevo", "Rebajas de Enero", "Cuesta de Enero", "Propósitos"),
    ),
    11: (
        ("Black Friday", "Cyber Week", "Cyber Monday", "Thanksgiving Deals"),
        ("Buen Fin", "Black Friday", "Semana Cyber", "Noviembre Loco"),
    ),
    2: (("Valentine's Day", "Love Week"), ("San Valentín", "Mes del Amor")),
    5: (("Mother's Day", "Spring Savings"), ("Día de las Madres", "Hot Sale")),
    7: (("Summer Splash", "Mid-Year Sale"), ("Verano", "Vacaciones de Verano")),
    8: (("Back to School", "Summer Finale"), ("Regreso a Clases", "Fin de Verano")),
    9: (("Fall Launch", "Labor Day Deals"), ("Fiestas Patrias", "Mes de la Patria")),
    10: (("Halloween", "Autumn Edit"), ("Halloween", "Temporada de Otoño")),
    0: (
        ("Brand Lift", "Always On", "Launch", "Loyalty Boost", "Spotlight", "Discover"),
        ("Lanzamiento", "Siempre Contigo", "Descubre", "Lealtad", "Impulso", "Conoce"),
    ),
}

HEADLINE_BENEFITS_EN = (
    "made for you",
    "now 20% off",
    "try it today",
    "loved by thousands",
    "new and improved",
    "free shipping",
)
HEADLINE_BENEFITS_ES = (
    "hecho para ti",
    "ahora con 20% de descuento",
    "pruébalo hoy",
    "favorito de miles",
    "nuevo y mejorado",
    "envío gratis",
)
COPY_HOOKS_EN = (
    "Ready for something better?",
    "This season is yours.",
    "Small change, big difference.",
    "Your new favorite is here.",
)
COPY_HOOKS_ES = (
    "¿Listo para algo mejor?",
    "Esta temporada es tuya.",
    "Un pequeño cambio, una gran diferencia.",
    "Tu nuevo favorito ya llegó.",
)
CTAS_EN = ("Shop now", "Learn more", "Sign up", "Get offer", "Book now")
CTAS_ES = ("Compra ahora", "Conoce más", "Regístrate", "Obtén la oferta", "Reserva ya")

INFLUENCER_FIRST = (
    "Vale",
    "Sofi",
    "Dani",
    "Cami",
    "Luis",
    "Mateo",
    "Emma",
    "Jake",
    "Olivia",
    "Nico",
    "Ana",
    "Leo",
    "Mia",
    "Diego",
    "Chloe",
    "Pau",
)
INFLUENCER_LAST = (
    "Travels",
    "Cocina",
    "Fit",
    "Style",
    "Tech",
    "Beauty",
    "Vlogs",
    "Gamer",
    "Moda",
    "Eats",
    "Runs",
    "Deco",
)
INFLUENCER_NICHES = (
    "lifestyle",
    "food",
    "fitness",
    "fashion",
    "tech",
    "beauty",
    "travel",
    "family",
    "gaming",
    "finance",
)

AUDIENCE_AGE_BANDS = ((18, 24), (25, 34), (35, 44), (45, 54), (55, 70), (18, 34), (25, 54))
AUDIENCE_INTERESTS = (
    "deportes",
    "tecnología",
    "moda",
    "viajes",
    "cocina",
    "finanzas",
    "familia",
    "gaming",
    "música",
    "salud",
    "negocios",
    "belleza",
)

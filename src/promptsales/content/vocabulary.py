"""The attribute vocabulary the generator draws from (G7: data from attributes, not hard-coded rows).

Each attribute value carries the words the description uses for it and the hashtag it yields; the
paraphrases used by the recall test and benchmark are built from the short ``key`` names, never from
the description sentences.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

PRODUCTS: list[tuple[str, str]] = [
    ("running shoes", "a pair of lightweight running shoes"),
    ("espresso machine", "a chrome espresso machine"),
    ("smartwatch", "a slim smartwatch with a round face"),
    ("electric bicycle", "an electric bicycle with a matte frame"),
    ("skincare serum", "a glass bottle of skincare serum"),
    ("wireless headphones", "a set of over-ear wireless headphones"),
    ("craft beer", "a cold bottle of craft beer"),
    ("yoga mat", "a rolled yoga mat"),
    ("laptop", "a thin aluminium laptop"),
    ("sneakers", "a pair of high-top sneakers"),
    ("perfume", "a faceted perfume bottle"),
    ("backpack", "a waterproof hiking backpack"),
    ("sunglasses", "a pair of polarised sunglasses"),
    ("coffee beans", "a bag of single-origin coffee beans"),
    ("electric car", "a compact electric car"),
    ("smartphone", "a bezel-less smartphone"),
    ("vegan burger", "a stacked vegan burger"),
    ("mountain tent", "a four-season mountain tent"),
    ("gaming console", "a gaming console with two controllers"),
    ("winter jacket", "an insulated winter jacket"),
    ("sparkling water", "a can of sparkling water"),
    ("office chair", "an ergonomic office chair"),
    ("wristwatch", "a classic leather-strap wristwatch"),
    ("dog food", "a bag of premium dog food"),
    ("travel suitcase", "a hard-shell travel suitcase"),
    ("protein bar", "a chocolate protein bar"),
    ("lipstick", "a satin-finish lipstick"),
    ("drone", "a folding camera drone"),
    ("kitchen blender", "a high-speed kitchen blender"),
    ("banking app", "a mobile banking app on a phone screen"),
    ("surfboard", "a longboard surfboard"),
    ("scented candle", "a scented soy candle in a jar"),
    ("tennis racket", "a carbon tennis racket"),
    ("baby stroller", "a folding baby stroller"),
    ("green tea", "a tin of loose-leaf green tea"),
    ("electric guitar", "a sunburst electric guitar"),
    ("smart speaker", "a fabric-covered smart speaker"),
    ("ice cream", "a scoop of artisanal ice cream in a cone"),
    ("hotel stay", "a boutique hotel room with the bed made"),
    ("insurance plan", "a family insurance plan brochure"),
]

SETTINGS: list[tuple[str, str]] = [
    ("city street", "on a rain-soaked city street at dusk"),
    ("beach", "on a sunny beach with gentle waves"),
    ("mountain trail", "on a rocky mountain trail above the clouds"),
    ("kitchen", "in a bright modern kitchen"),
    ("office", "in an open-plan office with tall windows"),
    ("forest", "in a misty pine forest"),
    ("desert", "among desert dunes at golden hour"),
    ("living room", "in a cosy living room with a sofa"),
    ("gym", "in a busy gym next to the weights"),
    ("rooftop", "on a rooftop terrace overlooking the skyline"),
    ("cafe", "on a small table in a corner cafe"),
    ("snowy village", "in a snowy alpine village"),
    ("studio", "against a seamless studio backdrop"),
    ("subway", "inside a crowded subway car"),
    ("park", "on the grass of a city park in spring"),
    ("lake", "on a wooden pier by a calm lake"),
    ("night market", "in a lively night market lit by lanterns"),
    ("stadium", "in a packed stadium under floodlights"),
    ("library", "between the shelves of an old library"),
    ("garden", "in a blooming backyard garden"),
    ("airport", "in an airport departure lounge"),
    ("farm", "on a farm field at sunrise"),
    ("bathroom", "on a marble bathroom counter"),
    ("campsite", "at a campsite beside a crackling fire"),
    ("classroom", "in a sunny school classroom"),
    ("harbour", "in a fishing harbour with moored boats"),
    ("concert", "in front of a concert stage with lights"),
    ("highway", "on an empty coastal highway"),
    ("bakery", "in a rustic bakery with fresh loaves"),
    ("space", "floating in outer space above the Earth"),
]

STYLES: list[tuple[str, str, str]] = [
    # key, description phrase, the treatment the renderer applies (and the description states)
    (
        "minimalist",
        "minimalist",
        "a plain backdrop with the setting reduced to faint outlines and generous empty space",
    ),
    ("retro", "retro seventies", "sunburst stripes behind the product and warm faded colours"),
    ("flat illustration", "flat illustration", "flat fills without shadows or outlines"),
    ("photorealistic", "photorealistic", "a blurred background for depth of field and a soft shadow under the product"),
    ("watercolor", "watercolor", "soft washes of colour bleeding into each other on textured paper"),
    ("neon", "neon cyberpunk", "a darkened scene with glowing outlines"),
    ("geometric", "geometric", "triangles and circles laid on a grid over the backdrop"),
    ("hand drawn", "hand-drawn sketch", "loose pencil outlines on paper"),
    ("pop art", "pop art", "halftone dots and thick black outlines"),
    ("isometric", "isometric 3D", "the product standing on an isometric block"),
    ("collage", "paper collage", "torn paper pieces layered behind the product"),
    ("cinematic", "cinematic", "letterbox bars and dramatic light falling off to the edges"),
    ("pastel", "soft pastel", "gentle washed-out tones"),
    ("brutalist", "brutalist", "heavy black blocks and raw type"),
    ("vintage poster", "vintage poster", "a framed border and aged, grainy paper"),
]

PALETTES: list[tuple[str, str, list[tuple[int, int, int]]]] = [
    ("ocean blue", "deep ocean blues and turquoise", [(10, 40, 90), (20, 110, 160), (64, 200, 210)]),
    ("sunset orange", "warm sunset oranges and pinks", [(250, 120, 40), (240, 80, 90), (255, 190, 120)]),
    ("forest green", "forest greens and moss", [(20, 70, 40), (60, 120, 60), (150, 190, 110)]),
    ("monochrome", "black, white and greys", [(20, 20, 20), (128, 128, 128), (235, 235, 235)]),
    ("royal purple", "royal purples and gold accents", [(70, 30, 110), (130, 70, 170), (220, 180, 60)]),
    ("earth tones", "earthy browns, terracotta and sand", [(110, 70, 40), (190, 100, 60), (220, 190, 140)]),
    ("candy pink", "candy pinks and mint", [(250, 150, 190), (255, 200, 220), (150, 230, 200)]),
    ("electric neon", "electric magenta and cyan on black", [(10, 10, 20), (240, 40, 200), (40, 230, 250)]),
    ("crimson red", "crimson reds and charcoal", [(160, 20, 40), (210, 40, 50), (50, 50, 55)]),
    ("lemon yellow", "lemon yellows and sky blue", [(250, 220, 40), (255, 240, 130), (120, 190, 240)]),
    ("arctic white", "icy whites and pale blue", [(240, 245, 250), (200, 220, 240), (150, 180, 210)]),
    ("autumn", "autumn rust, mustard and olive", [(170, 80, 30), (210, 160, 40), (110, 110, 50)]),
]

MOODS: list[tuple[str, str]] = [
    ("joyful", "joyful and upbeat"),
    ("calm", "calm and serene"),
    ("energetic", "energetic and dynamic"),
    ("luxurious", "luxurious and exclusive"),
    ("nostalgic", "nostalgic and warm"),
    ("mysterious", "mysterious and moody"),
    ("playful", "playful and cheeky"),
    ("romantic", "romantic and tender"),
    ("adventurous", "adventurous and bold"),
    ("cozy", "cozy and intimate"),
    ("futuristic", "futuristic and sleek"),
    ("trustworthy", "trustworthy and reassuring"),
    ("rebellious", "rebellious and raw"),
    ("fresh", "fresh and clean"),
]

AUDIENCES: list[tuple[str, str]] = [
    ("gen z students", "Gen Z students"),
    ("young professionals", "young urban professionals"),
    ("new parents", "new parents"),
    ("retirees", "active retirees"),
    ("athletes", "competitive athletes"),
    ("gamers", "gamers"),
    ("small business owners", "small business owners"),
    ("travellers", "frequent travellers"),
    ("foodies", "food lovers"),
    ("outdoor enthusiasts", "outdoor enthusiasts"),
    ("tech early adopters", "tech early adopters"),
    ("eco conscious shoppers", "eco-conscious shoppers"),
    ("luxury buyers", "luxury buyers"),
    ("pet owners", "pet owners"),
]

FORMATS: list[tuple[str, str, str, tuple[int, int], tuple[int, int]]] = [
    # key, noun, channel, render size (a preview with the delivery aspect ratio), delivery size in pixels
    ("square post", "square social post", "Instagram feed", (320, 320), (1080, 1080)),
    ("story", "vertical story", "Instagram and TikTok stories", (216, 384), (1080, 1920)),
    ("banner", "wide web banner", "display advertising", (384, 160), (1200, 500)),
    ("poster", "print poster", "outdoor print", (256, 362), (4961, 7016)),
    ("email header", "email header", "email newsletters", (384, 128), (600, 200)),
    ("linkedin card", "LinkedIn card", "LinkedIn sponsored posts", (384, 201), (1200, 627)),
]

#: Categories of the hashtag catalogue, in the order of the attribute tuple.
CATEGORIES: tuple[str, ...] = ("product", "setting", "style", "palette", "mood", "audience", "format")


def hashtag(text: str) -> str:
    """``"running shoes"`` → ``"#runningshoes"``."""
    return "#" + "".join(ch for ch in text.lower() if ch.isalnum())


#: The attributes an asset is drawn with, in the order of its attribute row (indexes into these lists).
ATTRIBUTE_LISTS: dict[str, Sequence[tuple[Any, ...]]] = {
    "product": PRODUCTS,
    "setting": SETTINGS,
    "style": STYLES,
    "palette": PALETTES,
    "mood": MOODS,
    "audience": AUDIENCES,
    "format": FORMATS,
}


def attribute_entries(row: Iterable[Any]) -> dict[str, tuple[Any, ...]]:
    """The vocabulary entry (key, phrase, …) of each attribute of one asset's attribute row."""
    return {name: entries[int(index)] for (name, entries), index in zip(ATTRIBUTE_LISTS.items(), row, strict=True)}

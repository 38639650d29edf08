"""Search queries for the recall test written independently of the generator's vocabulary.

``promptsales.content.describe.paraphrase`` builds queries from the vocabulary keys, and those keys appear
verbatim in most descriptions, so its recall partly measures word overlap. The wording below was written by
hand for this test: synonyms and other phrasings for every attribute value, sharing no word with any
vocabulary key nor with the phrase the descriptions use for that value (checked by
``test_independent_wording_shares_no_word_with_the_vocabulary``), assembled in word orders unlike
``paraphrase()``.
"""

from __future__ import annotations

import re

PRODUCT = {
    "running shoes": "jogging trainers",
    "espresso machine": "barista brewer",
    "smartwatch": "wrist wearable fitness tracker",
    "electric bicycle": "battery-powered e-bike",
    "skincare serum": "facial moisturising elixir",
    "wireless headphones": "bluetooth earphones",
    "craft beer": "artisanal brewed ale",
    "yoga mat": "pilates exercise pad",
    "laptop": "portable notebook computer",
    "sneakers": "casual canvas kicks",
    "perfume": "designer fragrance scent",
    "backpack": "trekking rucksack",
    "sunglasses": "UV-blocking shades eyewear",
    "coffee beans": "roasted arabica",
    "electric car": "zero-emission EV automobile",
    "smartphone": "cellular handset",
    "vegan burger": "plant-based patty sandwich",
    "mountain tent": "camping shelter for high-altitude expeditions",
    "gaming console": "video game system with joypads",
    "winter jacket": "warm puffer coat",
    "sparkling water": "fizzy seltzer drink",
    "office chair": "swivel desk seat",
    "wristwatch": "analogue timepiece",
    "dog food": "kibble for canines",
    "travel suitcase": "rolling luggage trolley",
    "protein bar": "nutrition snack for workouts",
    "lipstick": "lip tint cosmetics",
    "drone": "quadcopter for aerial footage",
    "kitchen blender": "smoothie mixer appliance",
    "banking app": "fintech money-management software",
    "surfboard": "wave-riding board",
    "scented candle": "aromatic wax light",
    "tennis racket": "racquet for court sports",
    "baby stroller": "pram pushchair for infants",
    "green tea": "matcha infusion",
    "electric guitar": "amplified six-string instrument",
    "smart speaker": "voice assistant device",
    "ice cream": "gelato dessert",
    "hotel stay": "overnight resort accommodation",
    "insurance plan": "coverage policy for households",
}

SETTING = {
    "city street": "along an urban avenue",
    "beach": "by the seaside shoreline",
    "mountain trail": "up a summit footpath",
    "kitchen": "where cooking happens at home",
    "office": "inside a corporate workplace",
    "forest": "in woodland among trees",
    "desert": "across an arid Sahara-like landscape",
    "living room": "in a home lounge",
    "gym": "at a fitness centre",
    "rooftop": "atop a high-rise building",
    "cafe": "inside a bistro",
    "snowy village": "in a ski resort hamlet",
    "studio": "on a photo shoot set with a plain background",
    "subway": "aboard an underground metro train",
    "park": "on a public lawn among playgrounds",
    "lake": "at a freshwater pond shore",
    "night market": "at an after-dark bazaar with hawker stalls",
    "stadium": "inside a sports arena",
    "library": "in a reading hall full of books",
    "garden": "among flower beds in a yard",
    "airport": "at a terminal gate before a flight",
    "farm": "at a countryside ranch with crops",
    "bathroom": "beside a washroom vanity sink",
    "campsite": "at a camping ground by a bonfire",
    "classroom": "in a lecture hall with pupils",
    "harbour": "at a marina dock",
    "concert": "at a live music gig",
    "highway": "during an open motorway road trip",
    "bakery": "in a bread shop and patisserie",
    "space": "in orbit among the stars of the cosmos",
}

STYLE = {
    "minimalist": "sparse, uncluttered design",
    "retro": "old-school throwback look",
    "flat illustration": "two-dimensional vector drawing",
    "photorealistic": "lifelike photo",
    "watercolor": "aquarelle painting",
    "neon": "glowing tube-light aesthetic",
    "geometric": "angular polygon pattern",
    "hand drawn": "crayon scribble artwork",
    "pop art": "comic-book Warhol style",
    "isometric": "axonometric blocky render",
    "collage": "scrapbook montage",
    "cinematic": "movie-like film still",
    "pastel": "washed-out muted tints",
    "brutalist": "stark concrete aesthetic",
    "vintage poster": "old-fashioned advertising artwork",
}

PALETTE = {
    "ocean blue": "navy and teal hues",
    "sunset orange": "tangerine and coral hues",
    "forest green": "emerald and jade shades",
    "monochrome": "grayscale, colourless",
    "royal purple": "violet and lavender",
    "earth tones": "clay, ochre and beige",
    "candy pink": "bubblegum and rose hues",
    "electric neon": "fluorescent glow colours",
    "crimson red": "scarlet and burgundy",
    "lemon yellow": "canary and citrus hues",
    "arctic white": "frosty ivory",
    "autumn": "fall foliage shades",
}

MOOD = {
    "joyful": "happy, cheerful",
    "calm": "peaceful, tranquil",
    "energetic": "vigorous, high-energy",
    "luxurious": "opulent, lavish",
    "nostalgic": "wistful, reminiscent of the past",
    "mysterious": "enigmatic, shadowy",
    "playful": "fun, whimsical",
    "romantic": "loving, affectionate",
    "adventurous": "daring, thrill-seeking",
    "cozy": "snug, homely",
    "futuristic": "sci-fi, ultramodern",
    "trustworthy": "reliable, dependable",
    "rebellious": "defiant, punk",
    "fresh": "crisp, invigorating",
}

AUDIENCE = {
    "gen z students": "teenage undergraduates",
    "young professionals": "millennial career starters",
    "new parents": "mums and dads of newborns",
    "retirees": "seniors and pensioners",
    "athletes": "sportspeople in training",
    "gamers": "esports fans",
    "small business owners": "shopkeepers and entrepreneurs",
    "travellers": "globetrotters and tourists",
    "foodies": "gourmets and culinary fans",
    "outdoor enthusiasts": "hikers and nature fans",
    "tech early adopters": "gadget geeks",
    "eco conscious shoppers": "sustainability-minded consumers",
    "luxury buyers": "affluent high-end customers",
    "pet owners": "households with cats and puppies",
}

FORMAT = {
    "square post": "one-to-one aspect tile",
    "story": "full-screen portrait slide",
    "banner": "leaderboard ad strip",
    "poster": "billboard placard",
    "email header": "mailing masthead",
    "linkedin card": "professional-network ad tile",
}

#: Attribute name → its independent wording.
WORDING = {
    "product": PRODUCT,
    "setting": SETTING,
    "style": STYLE,
    "palette": PALETTE,
    "mood": MOOD,
    "audience": AUDIENCE,
    "format": FORMAT,
}

#: Word orders unlike paraphrase()'s "{mood} {style} {format} of {product} at a {setting}, … colours, for …".
TEMPLATES = [
    "{audience} would like this {product} shown {setting}: {style}, {palette}, feeling {mood}, as a {format}",
    "A {format} for {audience}: {palette}, {mood}, {style}, with {product} {setting}",
    "{product} {setting} in {palette} — a {mood} {style} {format} aimed at {audience}",
]

_NOT_CONTENT = {"a", "an", "and", "at", "by", "for", "in", "of", "on", "the", "to", "with", "up", "among"}


def content_words(text: str) -> set[str]:
    """The lower-case words of ``text`` that carry meaning (no articles or prepositions)."""
    return set(re.findall(r"[a-z0-9]+", text.lower())) - _NOT_CONTENT


def independent_query(attributes: dict[str, str], variant: int) -> str:
    """A query for an asset with these attribute keys, in the independent wording and template ``variant``."""
    words = {name: WORDING[name][key] for name, key in attributes.items() if name in WORDING}
    return TEMPLATES[variant % len(TEMPLATES)].format(**words)

"""One scene description per asset (issue 24): what the picture, the audio spot or the video contains.

The renderer (:mod:`promptsales.content.render`) draws a scene and the description writer
(:mod:`promptsales.content.describe`) states it; neither invents anything the scene does not hold, so a
description cannot name a setting cue, a layout or a headline the picture lacks. A scene is a plain dict
(stored as the asset's ``scene`` field in MongoDB), built deterministically from the asset's attribute
row and its template variants.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from promptsales.content.vocabulary import attribute_entries

#: What the backdrop of each setting draws (the renderer's cue names, in drawing order).
SETTING_CUES: dict[str, tuple[str, ...]] = {
    "city street": ("dusk sky", "buildings with lit windows", "wet road", "street lamp"),
    "beach": ("sky", "sun", "sea", "sand"),
    "mountain trail": ("sky", "snow-capped peaks", "clouds", "trail"),
    "kitchen": ("tiled wall", "wall cabinets", "counter"),
    "office": ("tall windows", "desk"),
    "forest": ("mist", "pine trees", "forest floor"),
    "desert": ("low sun", "sand dunes"),
    "living room": ("wall", "sofa", "floor lamp", "rug"),
    "gym": ("mirror wall", "dumbbell rack", "rubber floor"),
    "rooftop": ("skyline", "terrace railing"),
    "cafe": ("pendant lamps", "counter", "round table"),
    "snowy village": ("night sky", "houses with snowy roofs", "snow", "falling snowflakes"),
    "studio": ("seamless sweep", "softbox light"),
    "subway": ("train windows", "grab poles", "seats"),
    "park": ("sky", "round trees", "grass", "bench"),
    "lake": ("sky", "hills", "calm water", "wooden pier"),
    "night market": ("night sky", "paper lanterns", "market stalls"),
    "stadium": ("floodlights", "stands", "pitch"),
    "library": ("bookshelves", "wooden floor"),
    "garden": ("sky", "wooden fence", "flowers", "grass"),
    "airport": ("window with a plane", "departure board", "floor"),
    "farm": ("sunrise", "barn", "crop rows"),
    "bathroom": ("wall tiles", "mirror", "marble counter"),
    "campsite": ("starry sky", "dark trees", "campfire"),
    "classroom": ("chalkboard", "school desks", "floor"),
    "harbour": ("sky", "moored boats", "water", "dock"),
    "concert": ("spotlights", "stage", "crowd"),
    "highway": ("sky", "sea", "road with lane markings"),
    "bakery": ("shelves of loaves", "counter"),
    "space": ("stars", "the Earth"),
}

#: What a setting sounds like in an audio spot (its ambience bed).
SETTING_SOUNDS: dict[str, str] = {
    "city street": "rain and passing traffic",
    "beach": "waves and gulls",
    "mountain trail": "wind and footsteps on gravel",
    "kitchen": "a kettle and clinking cups",
    "office": "keyboards and a quiet murmur",
    "forest": "birdsong and rustling needles",
    "desert": "dry wind",
    "living room": "a ticking clock and a crackling fireplace",
    "gym": "clanking weights",
    "rooftop": "distant traffic far below",
    "cafe": "an espresso grinder and chatter",
    "snowy village": "sleigh bells and crunching snow",
    "studio": "near silence",
    "subway": "train wheels and door chimes",
    "park": "children playing and birds",
    "lake": "lapping water",
    "night market": "vendors calling and sizzling woks",
    "stadium": "a roaring crowd",
    "library": "turning pages",
    "garden": "bees and a sprinkler",
    "airport": "boarding announcements",
    "farm": "a rooster and a tractor",
    "bathroom": "running water",
    "campsite": "a crackling campfire and crickets",
    "classroom": "a school bell and chalk",
    "harbour": "creaking boats and gulls",
    "concert": "a cheering crowd and a warming-up band",
    "highway": "a passing engine and the sea",
    "bakery": "an oven door and a shop bell",
    "space": "a low cosmic hum",
}

#: How the mood lights the picture: (light name the renderer applies, phrase the description uses).
MOOD_LIGHT: dict[str, tuple[str, str]] = {
    "joyful": ("bright", "bright, saturated light with small sparkles"),
    "calm": ("soft", "soft, low-contrast light"),
    "energetic": ("streaks", "crisp light with diagonal speed streaks"),
    "luxurious": ("gold", "deep shadows and a thin gold frame"),
    "nostalgic": ("faded", "warm, faded light"),
    "mysterious": ("dark", "dim light and a heavy dark vignette"),
    "playful": ("confetti", "bright light with scattered confetti"),
    "romantic": ("rosy", "a rosy glow"),
    "adventurous": ("contrast", "hard, high-contrast light"),
    "cozy": ("warm", "warm, golden lamplight"),
    "futuristic": ("cool", "cool light and a faint glowing grid"),
    "trustworthy": ("even", "clear, even daylight"),
    "rebellious": ("grunge", "harsh light and scratched texture"),
    "fresh": ("airy", "airy, cool morning light"),
}

#: Where the product stands in the frame.
LAYOUTS = ("centre", "left third", "right third", "lower corner")
LAYOUT_PHRASES = {
    "centre": "Product centred",
    "left third": "Product on the left third",
    "right third": "Product on the right third",
    "lower corner": "Product small in the lower right corner",
}

#: The headline of each mood (text overlay of images and video captions).
HEADLINES: dict[str, str] = {
    "joyful": "Pure joy",
    "calm": "Slow down",
    "energetic": "Go further",
    "luxurious": "Simply exquisite",
    "nostalgic": "Like old times",
    "mysterious": "Discover more",
    "playful": "Have some fun",
    "romantic": "Made with love",
    "adventurous": "Go wild",
    "cozy": "Stay in",
    "futuristic": "Tomorrow, today",
    "trustworthy": "Count on it",
    "rebellious": "Break the rules",
    "fresh": "Feel fresh",
}

#: Safe area of each format: fraction of (width, height) kept clear at (left/right, top, bottom).
SAFE_MARGINS: dict[str, tuple[float, float, float]] = {
    "square post": (0.06, 0.06, 0.06),
    "story": (0.06, 0.14, 0.20),  # stories put the account bar on top and the reply field at the bottom
    "banner": (0.04, 0.08, 0.08),
    "poster": (0.07, 0.06, 0.06),
    "email header": (0.04, 0.1, 0.1),
    "linkedin card": (0.05, 0.07, 0.07),
}

VOICES = (
    "a warm female voice-over",
    "a calm male narrator",
    "a young, upbeat female voice",
    "a deep male voice",
    "two friends in conversation",
    "a whispered close-mic voice",
)
#: Music bed of an audio spot or video, by the asset's style.
MUSIC: dict[str, str] = {
    "minimalist": "a sparse piano motif",
    "retro": "seventies funk with wah guitar",
    "flat illustration": "light ukulele pop",
    "photorealistic": "an acoustic guitar",
    "watercolor": "soft strings and harp",
    "neon": "pulsing synthwave",
    "geometric": "clean electronic beats",
    "hand drawn": "a whistled folk tune",
    "pop art": "bouncy sixties pop",
    "isometric": "chiptune arpeggios",
    "collage": "a lo-fi hip-hop loop",
    "cinematic": "a swelling orchestral score",
    "pastel": "dreamy bedroom pop",
    "brutalist": "distorted industrial drums",
    "vintage poster": "a crackling jazz record",
}
#: Tempo range (beats per minute) by mood.
TEMPO: dict[str, tuple[int, int]] = {
    "joyful": (118, 132),
    "calm": (60, 76),
    "energetic": (128, 150),
    "luxurious": (80, 96),
    "nostalgic": (84, 100),
    "mysterious": (66, 84),
    "playful": (110, 126),
    "romantic": (64, 80),
    "adventurous": (120, 140),
    "cozy": (68, 84),
    "futuristic": (112, 128),
    "trustworthy": (90, 104),
    "rebellious": (140, 170),
    "fresh": (100, 116),
}
LANGUAGES = ("English", "Spanish")
#: Product names for Spanish scripts (the spoken line names the product in the spot's language).
SPANISH_PRODUCTS: dict[str, str] = {
    "running shoes": "zapatillas para correr",
    "espresso machine": "cafetera espresso",
    "smartwatch": "reloj inteligente",
    "electric bicycle": "bicicleta eléctrica",
    "skincare serum": "sérum facial",
    "wireless headphones": "auriculares inalámbricos",
    "craft beer": "cerveza artesanal",
    "yoga mat": "esterilla de yoga",
    "laptop": "portátil",
    "sneakers": "zapatillas",
    "perfume": "perfume",
    "backpack": "mochila",
    "sunglasses": "gafas de sol",
    "coffee beans": "café en grano",
    "electric car": "coche eléctrico",
    "smartphone": "teléfono móvil",
    "vegan burger": "hamburguesa vegana",
    "mountain tent": "tienda de montaña",
    "gaming console": "consola de videojuegos",
    "winter jacket": "chaqueta de invierno",
    "sparkling water": "agua con gas",
    "office chair": "silla de oficina",
    "wristwatch": "reloj de pulsera",
    "dog food": "comida para perros",
    "travel suitcase": "maleta de viaje",
    "protein bar": "barrita de proteínas",
    "lipstick": "pintalabios",
    "drone": "dron",
    "kitchen blender": "batidora",
    "banking app": "app del banco",
    "surfboard": "tabla de surf",
    "scented candle": "vela aromática",
    "tennis racket": "raqueta de tenis",
    "baby stroller": "cochecito de bebé",
    "green tea": "té verde",
    "electric guitar": "guitarra eléctrica",
    "smart speaker": "altavoz inteligente",
    "ice cream": "helado",
    "hotel stay": "estancia de hotel",
    "insurance plan": "seguro familiar",
}
SCRIPT_LINES = {
    "English": "{headline}. {product}, right where you are: {place}.",
    "Spanish": "{headline_es}. {product}, aquí y ahora.",
}
HEADLINES_ES: dict[str, str] = {
    "joyful": "Pura alegría",
    "calm": "Sin prisa",
    "energetic": "Llega más lejos",
    "luxurious": "Simplemente exquisito",
    "nostalgic": "Como antes",
    "mysterious": "Descubre más",
    "playful": "Diviértete",
    "romantic": "Hecho con cariño",
    "adventurous": "Sin límites",
    "cozy": "Quédate en casa",
    "futuristic": "El mañana, hoy",
    "trustworthy": "Cuenta con ello",
    "rebellious": "Rompe las reglas",
    "fresh": "Siente la frescura",
}
#: Camera motion of a video, by style.
MOTION: dict[str, str] = {
    "minimalist": "a locked-off static camera",
    "retro": "a slow zoom",
    "flat illustration": "animated flat shapes sliding in",
    "photorealistic": "a slow dolly push-in",
    "watercolor": "slow cross-dissolves",
    "neon": "fast whip pans",
    "geometric": "shapes snapping into place",
    "hand drawn": "frame-by-frame sketch animation",
    "pop art": "punchy jump cuts",
    "isometric": "an orbiting camera around the block",
    "collage": "stop-motion paper cut-outs",
    "cinematic": "a sweeping crane shot",
    "pastel": "a gentle floating pan",
    "brutalist": "hard cuts on the beat",
    "vintage poster": "a film-grain slow pan",
}


def safe_area(fmt: str, size: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box ``(x0, y0, x1, y1)`` of a format where text may go."""
    width, height = size
    side, top, bottom = SAFE_MARGINS[fmt]
    return round(width * side), round(height * top), width - round(width * side), height - round(height * bottom)


def headline_beside(scene: dict) -> bool:
    """True when the headline stands beside the product (wide formats, off-centre layouts), else on top."""
    width, height = scene["size"]
    return width / height >= 1.6 and scene["layout"] != "centre"


def build_scene(attrs: np.ndarray, media_type: str, variants: np.ndarray, duration: float | None = None) -> dict:
    """The scene of one asset: its attributes, what is drawn (cues, layout, headline, light) and, for audio
    and video, what is heard and shown (voice, music, tempo, language, script; shots, motion, captions)."""
    entry = attribute_entries(attrs)
    v = [int(x) for x in variants]
    keys = {name: str(value[0]) for name, value in entry.items()}
    headline = HEADLINES[keys["mood"]]
    scene: dict[str, Any] = {
        "media_type": media_type,
        **keys,
        "cues": list(SETTING_CUES[keys["setting"]]),
        "light": MOOD_LIGHT[keys["mood"]][0],
        "layout": LAYOUTS[v[7] % len(LAYOUTS)],
        "headline": headline,
        "size": list(entry["format"][3]),
        "delivery_size": list(entry["format"][4]),
    }
    if media_type == "image":
        return scene
    low, high = TEMPO[keys["mood"]]
    scene["duration_seconds"] = duration
    scene["music"] = MUSIC[keys["style"]]
    scene["tempo_bpm"] = low + v[8] % (high - low + 1)
    if media_type == "audio":
        language = LANGUAGES[v[9] % len(LANGUAGES)]
        product = entry["product"][0] if language == "English" else SPANISH_PRODUCTS[keys["product"]]
        line = SCRIPT_LINES[language].format(
            headline=headline,
            headline_es=HEADLINES_ES[keys["mood"]],
            product=product[0].upper() + product[1:],
            place=keys["setting"],
        )
        for name in ("cues", "light", "layout", "headline", "size", "delivery_size", "palette", "format"):
            scene.pop(name)  # nothing is seen in an audio spot
        scene.update(
            voice=VOICES[v[8] % len(VOICES)],
            ambience=SETTING_SOUNDS[keys["setting"]],
            language=language,
            script=line,
        )
        return scene
    cues = SETTING_CUES[keys["setting"]]
    scene["motion"] = MOTION[keys["style"]]
    scene["shots"] = [
        f"wide, {keys['setting']} with {', '.join(cues)}",
        f"close-up, {keys['product']}",
        "end card with the headline",
    ]
    scene["captions"] = [headline, f"{keys['product'][0].upper()}{keys['product'][1:]}"]
    return scene

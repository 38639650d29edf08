"""Write an asset's title and description from its scene (:mod:`promptsales.content.scene`), stating only
what the scene contains: for an image the product, the setting and the cues its backdrop draws, the
layout, the headline and where it stands, palette, style treatment, light, audience and format size;
for a video its shots, motion, music and captions; for an audio spot its voice, music, tempo, ambience,
language and a script excerpt — never a visual term for audio.

Variety: each sentence has several templates picked by the asset's seeded variants, and attribute
combinations are unique (the generator draws them without replacement), so two descriptions cannot be
equal; the generator still checks it.
"""

from __future__ import annotations

from math import gcd

import numpy as np

from promptsales.content.scene import LAYOUT_PHRASES, MOOD_LIGHT, headline_beside
from promptsales.content.vocabulary import ATTRIBUTE_LISTS

OPENERS = [
    "This {style} {format} shows {product} {setting}.",
    "A {style} {format} featuring {product} {setting}.",
    "Here we see {product} {setting}, presented as a {style} {format}.",
    "The {format} is a {style} piece that places {product} {setting}.",
    "In this {style} {format}, {product} takes centre stage {setting}.",
]
CUE_LINES = [
    "Backdrop: {cues}.",
    "Behind it: {cues}.",
]
LAYOUT_LINES = [
    "{layout}, the headline “{headline}” {where}.",
    "{layout}; headline “{headline}” {where}.",
]
STYLE_LINES = [
    "Colours: {palette}, with {treatment}.",
    "In {palette}, with {treatment}.",
]
MOOD_LINES = [
    "The mood is {mood}: {light}.",
    "{light_cap}; {mood}.",
]
AUDIENCE_LINES = [
    "For {audience}; {size} for {channel}.",
    "Made for {audience}, {size}, {channel}.",
]
VIDEO_LINES = [
    "This {duration}-second {style} video shows {product} {setting}.",
    "A {duration}-second {style} video featuring {product} {setting}.",
]
AUDIO_LINES = [
    "A {duration}-second audio spot in {language} for the {product}: {voice} over {music} at {tempo} BPM.",
    "This {duration}-second {language} audio spot promotes the {product} with {voice} over {music} at {tempo} BPM.",
]
MEDIA_NOUNS = {"video": "video", "audio": "audio spot"}


def _phrase(name: str, key: str, column: int = 1) -> str:
    """The description phrase of an attribute value (its vocabulary entry's ``column``)."""
    for entry in ATTRIBUTE_LISTS[name]:
        if entry[0] == key:
            return str(entry[column])
    raise KeyError(f"{name} {key!r} is not in the vocabulary")


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _ratio(size: list[int]) -> str:
    width, height = size
    if width == height:
        return "square 1:1"
    divisor = gcd(width, height)
    w, h = width // divisor, height // divisor
    return f"{w}:{h}" if max(w, h) <= 32 else f"{width / height:.2f}:1" if width > height else f"1:{height / width:.2f}"


def _capital(text: str) -> str:
    return text[0].upper() + text[1:]


def compose(scene: dict, variants: np.ndarray) -> tuple[str, str]:
    """``(title, description)`` of one asset, written from its scene only; ``variants`` picks templates."""
    v = [int(x) for x in variants]
    kind = scene["media_type"]
    mood = _phrase("mood", scene["mood"])
    audience = _phrase("audience", scene["audience"])
    product = _phrase("product", scene["product"])
    setting = _phrase("setting", scene["setting"])
    style = _phrase("style", scene["style"])
    if kind == "audio":
        sentences = [
            AUDIO_LINES[v[0] % 2].format(
                duration=round(scene["duration_seconds"]),
                language=scene["language"],
                product=scene["product"],
                voice=scene["voice"],
                music=scene["music"],
                tempo=scene["tempo_bpm"],
            ),
            f"In the background we hear {scene['ambience']}, the sound of the {scene['setting']}.",
            f"The tone is {mood}, for {audience}.",
            f"Script excerpt: “{scene['script']}”",
        ]
        title = f"{_capital(scene['mood'])} audio spot: {scene['product']} ({scene['language']}) — {scene['setting']}"
        return title, " ".join(sentences)
    values = {
        "style": style,
        "format": _phrase("format", scene["format"]),
        "product": product,
        "setting": setting,
        "cues": _listing(list(scene["cues"])),
        "place": scene["setting"],
        "layout": LAYOUT_PHRASES[scene["layout"]],
        "headline": scene["headline"],
        "where": "beside it" if headline_beside(scene) else "on top",
        "palette": _phrase("palette", scene["palette"]),
        "treatment": _phrase("style", scene["style"], 2),
        "mood": mood,
        "light": MOOD_LIGHT[scene["mood"]][1],
        "light_cap": _capital(MOOD_LIGHT[scene["mood"]][1]),
        "audience": audience,
        "channel": _phrase("format", scene["format"], 2),
        "size": "{}×{} pixels".format(*scene["delivery_size"]),
        "ratio": _ratio(scene["delivery_size"]),
    }
    if kind == "video":
        shots = "; ".join(scene["shots"])
        sentences = [
            VIDEO_LINES[v[0] % 2].format(duration=round(scene["duration_seconds"]), **values),
            f"Shots: {shots}.",
            f"Motion: {scene['motion']}; music: {scene['music']} at {scene['tempo_bpm']} BPM.",
            "Captions: “{}”, “{}”.".format(*scene["captions"]),
            MOOD_LINES[v[2] % len(MOOD_LINES)].format(**values),
            f"For {audience} on {values['channel']}, {values['ratio']}.",
        ]
        title = f"{_capital(scene['mood'])} {scene['style']} video: {scene['product']} — {scene['setting']}"
        return title, " ".join(sentences)
    sentences = [
        OPENERS[v[0] % len(OPENERS)],
        CUE_LINES[v[1] % len(CUE_LINES)],
        LAYOUT_LINES[v[3] % len(LAYOUT_LINES)],
        STYLE_LINES[v[4] % len(STYLE_LINES)],
        MOOD_LINES[v[2] % len(MOOD_LINES)],
        AUDIENCE_LINES[v[5] % len(AUDIENCE_LINES)],
    ]
    text = _capital(" ".join(sentence.format(**values) for sentence in sentences))
    title = f"{_capital(scene['mood'])} {scene['style']} {scene['product']} — {scene['setting']}"
    return title, text


def paraphrase(attributes: dict[str, str]) -> str:
    """A query built only from attribute keys (not description sentences), as a user would type it."""
    return (
        f"{attributes['mood']} {attributes['style']} {attributes['format']} of {attributes['product']} "
        f"at a {attributes['setting']}, {attributes['palette']} colours, for {attributes['audience']}"
    )

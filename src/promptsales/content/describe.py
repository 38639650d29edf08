"""Compose long, coherent, distinct descriptions and titles from an asset's attributes.

Variety: each of the seven sentences has several templates, picked by the seeded generator, and the
attribute combination of every asset is unique (the generator draws combinations without
replacement), so two descriptions can never be identical; the generator still checks it.
"""

from __future__ import annotations

import numpy as np

from promptsales.content.vocabulary import attribute_entries

OPENERS = [
    "This {style} {format} shows {product} {setting}.",
    "A {style} {format} featuring {product} {setting}.",
    "Here we see {product} {setting}, presented as a {style} {format}.",
    "The {format} is a {style} piece that places {product} {setting}.",
    "In this {style} {format}, {product} takes centre stage {setting}.",
]
PALETTE_LINES = [
    "The colour palette relies on {palette}, which ties the product to its surroundings.",
    "Colours are drawn from {palette}, giving the whole frame a consistent look.",
    "A palette of {palette} runs through the background, the shapes and the lettering.",
    "It is painted in {palette}, chosen so the product stands out without clashing.",
]
MOOD_LINES = [
    "The overall mood is {mood}, inviting the viewer to imagine using the product right now.",
    "Everything about the scene feels {mood}, from the light to the framing.",
    "The atmosphere is {mood}, and the composition guides the eye straight to the product.",
    "Its tone is {mood}, matching the emotion the campaign wants to leave behind.",
]
COMPOSITION_LINES = [
    "Visually it uses {composition}, keeping the message readable at a glance.",
    "The composition is built from {composition}, so the layout feels deliberate.",
    "Designers used {composition} to give the piece its character.",
]
AUDIENCE_LINES = [
    "It is aimed at {audience}, who will recognise the setting as part of their everyday life.",
    "The intended audience is {audience}, and the visual language speaks directly to them.",
    "It was created for {audience}, reflecting what they value when they choose a brand.",
    "Its target viewers are {audience}, who respond to honest, well-crafted imagery.",
]
CHANNEL_LINES = [
    "The format suits {channel}, with room left for a short headline and a call to action.",
    "It is sized for {channel} and leaves clear space for the logo and the offer.",
    "Media planners can place it in {channel} without cropping the key elements.",
]
CLOSING_LINES = [
    "A subtle {accent} highlight in the {corner} corner adds depth without distracting from the product.",
    "Small details, like the {accent} accent in the {corner} corner, reward a second look.",
    "The {corner} corner carries a {accent} touch that balances the frame.",
    "Fine {accent} lines near the {corner} corner lead the eye back to the product.",
]
ACCENTS = ["metallic", "soft glow", "grain", "shadow", "sparkle", "gradient", "paper", "chalk"]
CORNERS = ["upper left", "upper right", "lower left", "lower right"]
MEDIA_NOUNS = {"image": None, "video": "short video", "audio": "audio spot"}


def compose(attrs: np.ndarray, media_type: str, variants: np.ndarray) -> tuple[str, str]:
    """``(title, description)`` for one asset; ``attrs`` are indexes into the vocabulary lists
    (product, setting, style, palette, mood, audience, format) and ``variants`` picks templates."""
    entry = attribute_entries(attrs)
    v = [int(x) for x in variants]
    format_noun = entry["format"][1] if media_type == "image" else MEDIA_NOUNS[media_type]
    values = {
        "style": entry["style"][1],
        "format": format_noun,
        "product": entry["product"][1],
        "setting": entry["setting"][1],
        "palette": entry["palette"][1],
        "mood": entry["mood"][1],
        "composition": entry["style"][2],
        "audience": entry["audience"][1],
        "channel": entry["format"][2],
        "accent": ACCENTS[v[7] % len(ACCENTS)],
        "corner": CORNERS[v[8] % len(CORNERS)],
    }
    # Five sentences (~65-90 words): every attribute is named once; the fifth sentence is one of three
    # kinds (composition, channel or closing detail) so descriptions also differ in structure.
    extra = [
        COMPOSITION_LINES[v[3] % len(COMPOSITION_LINES)],
        CHANNEL_LINES[v[5] % len(CHANNEL_LINES)],
        CLOSING_LINES[v[6] % len(CLOSING_LINES)],
    ][v[9] % 3]
    sentences = [
        OPENERS[v[0] % len(OPENERS)],
        PALETTE_LINES[v[1] % len(PALETTE_LINES)],
        MOOD_LINES[v[2] % len(MOOD_LINES)],
        AUDIENCE_LINES[v[4] % len(AUDIENCE_LINES)],
        extra,
    ]
    text = " ".join(sentence.format(**values) for sentence in sentences)
    text = text[0].upper() + text[1:]
    title = f"{entry['mood'][0].title()} {entry['style'][0]} {entry['product'][0]} — {entry['setting'][0]}"
    return title, text


def paraphrase(attributes: dict[str, str]) -> str:
    """A query built only from attribute keys (not description sentences), as a user would type it."""
    return (
        f"{attributes['mood']} {attributes['style']} {attributes['format']} of {attributes['product']} "
        f"at a {attributes['setting']}, {attributes['palette']} colours, for {attributes['audience']}"
    )

"""Render an image from its attributes with Pillow: the palette, the style's shapes, the product and
setting as text, the format's aspect ratio — what the description talks about."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from promptsales.content.vocabulary import FORMATS, MOODS, PALETTES, PRODUCTS, SETTINGS, STYLES

THUMBNAIL_SIZE = (96, 96)


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def render(attrs: np.ndarray, seed: int) -> Image.Image:
    """The picture of one asset (deterministic for ``attrs`` and ``seed``)."""
    product, setting, style, palette, mood, _audience, fmt = (int(a) for a in attrs)
    rng = np.random.default_rng(seed)
    width, height = FORMATS[fmt][3]
    colours = PALETTES[palette][2]
    # Background: vertical gradient between the palette's first two colours (numpy, no pixel loops).
    t = np.linspace(0.0, 1.0, height)[:, None, None]
    top, bottom = np.array(colours[0], float), np.array(colours[1], float)
    gradient = (top * (1 - t) + bottom * t).repeat(width, axis=1).astype(np.uint8)
    image = Image.fromarray(gradient, "RGB")
    draw = ImageDraw.Draw(image)
    accent = tuple(colours[2])
    key = STYLES[style][0]
    count = 1 if key in ("minimalist", "cinematic") else int(rng.integers(4, 10))
    for _ in range(count):
        x0, y0 = int(rng.integers(0, width)), int(rng.integers(0, height))
        size = int(rng.integers(min(width, height) // 8, min(width, height) // 2))
        box = [x0 - size // 2, y0 - size // 2, x0 + size // 2, y0 + size // 2]
        if key in ("geometric", "isometric", "brutalist"):
            draw.polygon([(box[0], box[3]), ((box[0] + box[2]) // 2, box[1]), (box[2], box[3])], fill=accent)
        elif key in ("neon", "hand drawn"):
            draw.ellipse(box, outline=accent, width=3)
        elif key == "retro":
            for r in range(size // 2, 0, -max(4, size // 10)):
                draw.arc([x0 - r, y0 - r, x0 + r, y0 + r], 180, 360, fill=accent, width=2)
        elif key == "pop art":
            for dx in range(box[0], box[2], 10):
                for dy in range(box[1], box[3], 10):
                    draw.ellipse([dx, dy, dx + 4, dy + 4], fill=accent)
        else:
            draw.ellipse(box, fill=accent)
    if key == "vintage poster":
        draw.rectangle([4, 4, width - 5, height - 5], outline=accent, width=4)
    text_colour = (255, 255, 255) if sum(colours[0]) < 380 else (20, 20, 20)
    draw.text((10, 10), PRODUCTS[product][0].upper(), fill=text_colour, font=_font(max(12, width // 18)))
    draw.text((10, height - 40), SETTINGS[setting][0], fill=text_colour, font=_font(max(10, width // 26)))
    draw.text((10, height - 22), MOODS[mood][0], fill=accent, font=_font(max(10, width // 28)))
    return image


def png_bytes(image: Image.Image) -> bytes:
    """The image encoded as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def thumbnail_png(image: Image.Image) -> bytes:
    """A small PNG thumbnail (for MCP image content)."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    return png_bytes(small)

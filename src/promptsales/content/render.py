"""Render a scene (issue 24): the setting with its cues, the product pictogram placed by the layout, the
palette as a tint, the style as a treatment, the mood as light, the headline inside the format's safe area,
at the format's aspect ratio.

:func:`render` returns the picture and what it drew (:class:`Rendered`): the test compares those elements
with the scene and with the description written from the same scene. Deterministic for a scene and a
seed; numpy and Pillow only (≈10 ms a picture).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from promptsales.content.backdrops import draw_backdrop, gradient
from promptsales.content.pictograms import PICTOGRAMS, Colour, Pen
from promptsales.content.scene import headline_beside, safe_area
from promptsales.content.vocabulary import PALETTES

THUMBNAIL_SIZE = (160, 160)
PALETTE_COLOURS: dict[str, list[Colour]] = {key: colours for key, _phrase, colours in PALETTES}
BLACK = (15, 15, 15)
#: Outline of the product per style: (colour or None, weight as a fraction of the product box).
OUTLINES: dict[str, tuple[tuple[int, int, int] | None, float]] = {
    "flat illustration": (None, 0.0),
    "photorealistic": (None, 0.0),
    "pop art": (BLACK, 0.03),
    "brutalist": (BLACK, 0.025),
    "hand drawn": ((60, 60, 60), 0.012),
    "neon": (None, 0.0),
}
DEFAULT_OUTLINE = ((40, 40, 45), 0.008)


@dataclass
class Rendered:
    """A rendered picture and what was drawn on it."""

    image: Image.Image
    elements: set[str] = field(default_factory=set)
    product_box: tuple[int, int, int, int] = (0, 0, 0, 0)
    text_box: tuple[int, int, int, int] = (0, 0, 0, 0)


@lru_cache(maxsize=32)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _blend(image: Image.Image, colour_image: Image.Image, alpha: float) -> Image.Image:
    return Image.blend(image, colour_image, alpha)


def _array(image: Image.Image) -> np.ndarray:
    return np.asarray(image, dtype=np.float32)


def _image(array: np.ndarray) -> Image.Image:
    return Image.fromarray(np.clip(array, 0, 255).astype(np.uint8), "RGB")


def _vignette(size: tuple[int, int], strength: float) -> np.ndarray:
    width, height = size
    y = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
    x = np.linspace(-1, 1, width, dtype=np.float32)[None, :]
    return (1 - strength * np.clip(x * x + y * y - 0.3, 0, 1.7) / 1.7)[:, :, None]


def _light(image: Image.Image, light: str, rng: np.random.Generator, accent: tuple[int, int, int]) -> Image.Image:
    """The mood's light on the scene (numpy) and its small cues (sparkles, confetti, streaks, grid, scratches)."""
    a = _array(image)
    mean = a[::8, ::8].mean(axis=(0, 1), keepdims=True)  # a sample is enough for the average colour
    if light == "bright":
        a = (a - mean) * 1.15 + mean * 1.1
    elif light == "soft":
        a = a * 0.75 + mean * 0.25 + 10
    elif light == "faded":
        a = a * 0.8 + mean * 0.1 + np.array([35, 22, 0], np.float32)
    elif light == "dark":
        a = a * 0.8 * _vignette(image.size, 0.85)
    elif light == "rosy":
        a = a * 0.82 + np.array([255, 170, 190], np.float32) * 0.18
    elif light == "contrast":
        a = (a - 128) * 1.35 + 128
    elif light == "warm":
        a = a * np.array([1.08, 0.98, 0.8], np.float32) + np.array([18, 8, 0], np.float32)
    elif light == "cool":
        a = a * np.array([0.88, 0.98, 1.1], np.float32)
    elif light == "airy":
        a = a * 0.85 + np.array([225, 240, 250], np.float32) * 0.15
    elif light == "gold":
        a = a * _vignette(image.size, 0.6)
    elif light == "grunge":
        a = (a - 128) * 1.2 + 128
    image = _image(a)
    draw = ImageDraw.Draw(image)
    width, height = image.size
    if light in ("bright", "confetti"):
        colours = [(255, 90, 90), (255, 210, 60), (80, 200, 255), (140, 230, 120), accent]
        for k in range(26 if light == "confetti" else 12):
            x, y = float(rng.uniform(0, width)), float(rng.uniform(0, height))
            if light == "confetti":
                draw.rectangle([x, y, x + 5, y + 3], fill=colours[k % len(colours)])
            else:
                draw.line([(x - 5, y), (x + 5, y)], fill=(255, 255, 240), width=1)
                draw.line([(x, y - 5), (x, y + 5)], fill=(255, 255, 240), width=1)
    elif light == "streaks":
        for _ in range(7):
            x, y = float(rng.uniform(-width * 0.2, width)), float(rng.uniform(0, height))
            draw.line([(x, y), (x + width * 0.25, y - height * 0.12)], fill=(255, 255, 255), width=2)
    elif light == "cool":
        step = max(12, width // 12)
        for x in range(0, width, step):
            draw.line([(x, 0), (x, height)], fill=(120, 220, 255), width=1)
        for y in range(0, height, step):
            draw.line([(0, y), (width, y)], fill=(120, 220, 255), width=1)
    elif light == "grunge":
        for _ in range(14):
            x, y = float(rng.uniform(0, width)), float(rng.uniform(0, height))
            draw.line(
                [(x, y), (x + float(rng.uniform(-30, 30)), y + float(rng.uniform(10, 40)))], fill=(30, 30, 30), width=1
            )
    return image


def _background_style(
    image: Image.Image, style: str, colours: list, rng: np.random.Generator, centre: tuple[float, float]
) -> Image.Image:
    """Treatments of the backdrop before the product is placed."""
    width, height = image.size
    accent = colours[2]
    if style == "minimalist":
        image = _blend(image, Image.new("RGB", image.size, colours[1]), 0.78)
    elif style == "photorealistic":
        image = image.filter(ImageFilter.GaussianBlur(3))
    elif style == "neon":
        image = _image(_array(image) * 0.55)
    elif style == "pastel":
        image = _blend(image, Image.new("RGB", image.size, (250, 248, 245)), 0.45)
    elif style == "retro":
        draw = ImageDraw.Draw(image)
        cx, cy = centre
        reach = 2 * max(width, height)
        for k in range(0, 24, 2):
            a0, a1 = np.deg2rad(k * 15), np.deg2rad((k + 1) * 15)
            draw.polygon(
                [
                    (cx, cy),
                    (cx + reach * np.cos(a0), cy + reach * np.sin(a0)),
                    (cx + reach * np.cos(a1), cy + reach * np.sin(a1)),
                ],
                fill=accent,
            )
        image = _blend(image, Image.new("RGB", image.size, (240, 200, 140)), 0.2)
    elif style == "geometric":
        overlay = image.copy()
        draw = ImageDraw.Draw(overlay)
        step = max(24, min(width, height) // 5)
        for i, x in enumerate(range(0, width, step)):
            for j, y in enumerate(range(0, height, step)):
                if (i + j) % 2:
                    draw.polygon(
                        [(x + 3, y + step - 3), (x + step // 2, y + 3), (x + step - 3, y + step - 3)], fill=accent
                    )
                else:
                    draw.ellipse([x + 5, y + 5, x + step - 5, y + step - 5], fill=colours[0])
        image = _blend(image, overlay, 0.4)
    elif style == "collage":
        draw = ImageDraw.Draw(image)
        for k in range(5):
            px, py = float(rng.uniform(0, width * 0.8)), float(rng.uniform(0, height * 0.8))
            w, h = width * float(rng.uniform(0.15, 0.3)), height * float(rng.uniform(0.1, 0.25))
            edge = [(px + t * w, py + float(rng.uniform(-4, 4))) for t in np.linspace(0, 1, 7)]
            edge += [(px + w + float(rng.uniform(-4, 4)), py + h)] + [(px + float(rng.uniform(-4, 4)), py + h)]
            draw.polygon(edge, fill=[(240, 235, 220), colours[1], accent, (220, 215, 200), colours[0]][k])
    elif style == "pop art":
        a = _array(image)
        yy, xx = np.mgrid[0:height, 0:width]
        dots = ((xx % 8 - 3.5) ** 2 + (yy % 8 - 3.5) ** 2) < 5.0
        a[dots] = a[dots] * 0.3 + np.array(accent, np.float32) * 0.7
        image = _image(a)
    elif style in ("hand drawn", "watercolor", "vintage poster"):
        image = _blend(image, Image.new("RGB", image.size, (244, 238, 222)), 0.35)
    return image


def _texture(rng: np.random.Generator, size: tuple[int, int], amplitude: float) -> np.ndarray:
    """Paper grain: seeded noise at a quarter of the resolution, smoothly enlarged (compresses well)."""
    width, height = size
    small = rng.normal(128, amplitude, size=(max(1, height // 4), max(1, width // 4))).clip(0, 255).astype(np.uint8)
    grain = Image.fromarray(small, "L").resize((width, height), Image.Resampling.BILINEAR)
    return (np.asarray(grain, dtype=np.float32) - 128)[:, :, None]


def _post_style(image: Image.Image, style: str, rng: np.random.Generator, colours: list, bars: int) -> Image.Image:
    """Treatments of the whole picture after the product is placed."""
    width, height = image.size
    if style == "watercolor":
        soft = image.filter(ImageFilter.GaussianBlur(2.5))
        a = _array(Image.blend(image, soft, 0.7))
        a += _texture(rng, image.size, 10)
        image = _image(a)
    elif style == "vintage poster":
        a = _array(image)
        grey = a.mean(axis=2, keepdims=True)
        a = a * 0.45 + grey * np.array([1.05, 0.92, 0.72], np.float32) * 0.55
        a += _texture(rng, image.size, 16)
        image = _image(a)
        ImageDraw.Draw(image).rectangle([3, 3, width - 4, height - 4], outline=(70, 50, 35), width=4)
    elif style == "hand drawn":
        a = _array(image)
        a = a * 0.7 + a.mean(axis=2, keepdims=True) * 0.3 + _texture(rng, image.size, 8)
        image = _image(a)
    elif style == "cinematic":
        a = _array(image) * _vignette(image.size, 0.7)
        image = _image(a)
        draw = ImageDraw.Draw(image)
        draw.rectangle([0, 0, width, bars], fill=(0, 0, 0))
        draw.rectangle([0, height - bars, width, height], fill=(0, 0, 0))
    elif style == "pastel":
        image = _blend(image, Image.new("RGB", image.size, (250, 245, 250)), 0.2)
    return image


def _product_box(scene: dict, safe: tuple[int, int, int, int], text_h: int) -> tuple[int, int, int]:
    """(x, y, size) of the product's square box for the scene's layout, inside the safe area below the text."""
    x0, y0, x1, y1 = safe
    width, height = scene["size"]
    wide = width / height >= 1.6
    layout = scene["layout"]
    top = y0 if headline_beside(scene) else y0 + text_h + 4
    room = y1 - top
    scale = 0.72 if layout == "lower corner" else 1.0
    size = (
        int(min(room, (x1 - x0) * (0.5 if not wide else 0.45)) * scale)
        if layout != "centre"
        else int(min(room, (x1 - x0) * 0.8))
    )
    centre_x = {
        "centre": width / 2,
        "left third": width / 3,
        "right third": 2 * width / 3,
        "lower corner": x1 - size / 2,
    }[layout]
    x = int(min(max(centre_x - size / 2, x0), x1 - size))
    y = int(y1 - size) if layout == "lower corner" else int(top + (room - size) / 2)
    return x, y, size


def _headline(
    scene: dict, image: Image.Image, safe: tuple[int, int, int, int], product: tuple[int, int, int], style: str
) -> tuple[int, int, int, int]:
    """Draw the headline inside the safe area, away from the product; returns its box."""
    x0, y0, x1, y1 = safe
    width, height = image.size
    beside = headline_beside(scene)
    text = scene["headline"]
    px, _py, psize = product
    if beside:
        region = (px + psize + 6, x1) if px - x0 < x1 - (px + psize) else (x0, px - 6)
    else:
        region = (x0, x1)
    size = max(10, min(height // 9, width // 10))
    font = _font(size)
    while size > 9 and font.getlength(text) > region[1] - region[0] - 8:
        size -= 1
        font = _font(size)
    text_w, text_h = int(font.getlength(text)), size
    tx = int(region[0] + (region[1] - region[0] - text_w) / 2)
    ty = int(y0 + (y1 - y0 - text_h) / 2) if beside else y0
    box = (tx - 4, ty - 2, tx + text_w + 4, ty + text_h + 4)
    draw = ImageDraw.Draw(image)
    if style == "brutalist":
        draw.rectangle(box, fill=BLACK)
        colour = (255, 255, 255)
    else:
        region_mean = np.asarray(image.crop(box), dtype=np.float32).mean()
        colour = (20, 20, 20) if region_mean > 140 else (250, 250, 250)
    draw.text((tx, ty), text, font=font, fill=colour)
    return box


def render(scene: dict, seed: int) -> Rendered:
    """The picture of a scene (deterministic for ``scene`` and ``seed``) and the elements it drew."""
    rng = np.random.default_rng(seed)
    size = tuple(scene["size"])
    colours = PALETTE_COLOURS[scene["palette"]]
    style = scene["style"]
    out = Rendered(image=Image.new("RGB", size))
    image = draw_backdrop(scene["setting"], size, rng)
    out.elements |= {f"setting:{scene['setting']}", *(f"cue:{cue}" for cue in scene["cues"])}
    image = _blend(image, gradient(size, colours[0], colours[1]), 0.35)
    out.elements.add(f"palette:{scene['palette']}")
    safe = safe_area(scene["format"], size)
    text_h = max(10, min(size[1] // 9, size[0] // 10)) + 6
    x, y, box = _product_box(scene, safe, text_h)
    image = _background_style(image, style, colours, rng, (x + box / 2, y + box / 2))
    image = _light(image, scene["light"], rng, colours[2])
    out.elements.add(f"light:{scene['light']}")
    draw = ImageDraw.Draw(image)
    if style == "isometric":
        lift = box * 0.12
        top = [
            (x + box * 0.5, y + box * 0.82),
            (x + box * 1.02, y + box * 0.92),
            (x + box * 0.5, y + box * 1.02),
            (x - box * 0.02, y + box * 0.92),
        ]
        draw.polygon(top, fill=colours[2])
        draw.polygon(
            [top[3], top[2], (top[2][0], top[2][1] + lift), (top[3][0], top[3][1] + lift)],
            fill=tuple(int(c * 0.7) for c in colours[2]),
        )
        draw.polygon(
            [top[2], top[1], (top[1][0], top[1][1] + lift), (top[2][0], top[2][1] + lift)],
            fill=tuple(int(c * 0.5) for c in colours[2]),
        )
    else:
        shadow = 0.35 if style == "photorealistic" else 0.2
        left, shadow_top = int(x), int(y + box * 0.8)
        layer = Image.new("L", (box + 2, max(4, int(box * 0.28))), 0)  # only the shadow's neighbourhood is blurred
        ImageDraw.Draw(layer).ellipse([box * 0.1, box * 0.08, box * 0.9, box * 0.2], fill=int(255 * shadow))
        image.paste((0, 0, 0), (left, shadow_top), mask=layer.filter(ImageFilter.GaussianBlur(3)))
    outline, weight = OUTLINES.get(style, DEFAULT_OUTLINE)
    accent: Colour = colours[2] if sum(colours[2]) < 600 else colours[0]
    if style == "neon":
        glow = Image.new("RGB", size, (0, 0, 0))
        PICTOGRAMS[scene["product"]](Pen(ImageDraw.Draw(glow), (x, y, box), colours[2], 0.03), colours[2])
        image = Image.fromarray(
            np.maximum(np.asarray(image), np.asarray(glow.filter(ImageFilter.GaussianBlur(4)))), "RGB"
        )
        outline, weight = colours[2], 0.012
    PICTOGRAMS[scene["product"]](Pen(ImageDraw.Draw(image), (x, y, box), outline, weight), accent)
    out.elements |= {f"product:{scene['product']}", f"layout:{scene['layout']}", f"style:{style}"}
    out.product_box = (x, y, x + box, y + box)
    bars = safe[1] if style == "cinematic" else 0
    image = _post_style(image, style, rng, colours, min(bars, int(size[1] * 0.08)))
    if scene["light"] == "gold":
        ImageDraw.Draw(image).rectangle([6, 6, size[0] - 7, size[1] - 7], outline=(212, 175, 55), width=2)
    out.text_box = _headline(scene, image, safe, (x, y, box), style)
    out.elements.add(f"headline:{scene['headline']}")
    out.elements.add(f"format:{scene['format']}")
    out.image = image
    return out


def png_bytes(image: Image.Image) -> bytes:
    """The image encoded as PNG."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=3)
    return buffer.getvalue()


def thumbnail_png(image: Image.Image) -> bytes:
    """A small PNG thumbnail (for MCP image content)."""
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    return png_bytes(small)

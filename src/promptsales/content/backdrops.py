"""Setting backdrops (issue 24): each setting drawn with the cues its scene names
(:data:`promptsales.content.scene.SETTING_CUES`): beach = sky, sun, sea, sand; space = stars, the Earth …

A backdrop draws in natural colours onto a canvas whose top and bottom gradient it chooses; the renderer
then tints it with the palette and applies the style. Random details (windows, stars, flowers) come from
the asset's seeded generator, so a picture is the same for the same seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw

Colour = tuple[int, int, int]
SKY, DUSK, NIGHT = ((120, 180, 235), (200, 225, 245)), ((60, 60, 110), (230, 140, 110)), ((8, 10, 35), (30, 35, 80))


def gradient(size: tuple[int, int], top: Colour, bottom: Colour) -> Image.Image:
    """A vertical gradient image (one computed column, stretched sideways by Pillow)."""
    width, height = size
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    column = (np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t).astype(np.uint8)
    return Image.fromarray(column, "RGB").resize((width, height), Image.Resampling.NEAREST)


class Canvas:
    """An image, its drawing context and size, and the seeded generator of its details."""

    def __init__(self, image: Image.Image, rng: np.random.Generator) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.w, self.h = image.size
        self.rng = rng

    def band(self, v0: float, v1: float, colour: Colour) -> None:
        """A full-width horizontal band between two heights (fractions)."""
        self.draw.rectangle([0, round(v0 * self.h), self.w, round(v1 * self.h)], fill=colour)

    def box(self, u0: float, v0: float, u1: float, v1: float, colour: Colour, outline: Colour | None = None) -> None:
        """A rectangle in fractions of the canvas."""
        self.draw.rectangle([u0 * self.w, v0 * self.h, u1 * self.w, v1 * self.h], fill=colour, outline=outline, width=2)

    def disc(self, u: float, v: float, r: float, colour: Colour) -> None:
        """A circle of radius ``r`` (fraction of the shorter side)."""
        radius = r * min(self.w, self.h)
        self.draw.ellipse(
            [u * self.w - radius, v * self.h - radius, u * self.w + radius, v * self.h + radius], fill=colour
        )

    def poly(self, points: list[tuple[float, float]], colour: Colour) -> None:
        """A polygon in fractions of the canvas."""
        self.draw.polygon([(u * self.w, v * self.h) for u, v in points], fill=colour)

    def line(self, points: list[tuple[float, float]], colour: Colour, width: int = 2) -> None:
        """A polyline in fractions of the canvas."""
        self.draw.line([(u * self.w, v * self.h) for u, v in points], fill=colour, width=width)

    def dots(self, n: int, v0: float, v1: float, r: float, colours: list[Colour]) -> None:
        """``n`` seeded small discs between two heights."""
        us, vs = self.rng.uniform(0, 1, n), self.rng.uniform(v0, v1, n)
        for k in range(n):
            self.disc(float(us[k]), float(vs[k]), r, colours[k % len(colours)])


def city_street(c: Canvas) -> None:
    for k in range(6):
        top = 0.15 + 0.25 * float(c.rng.uniform())
        c.box(k / 6, top, (k + 1) / 6 - 0.01, 0.62, (40, 40, 60))
        for row in range(int((0.58 - top) / 0.06)):
            for col in range(2):
                lit = c.rng.uniform() < 0.6
                c.box(
                    k / 6 + 0.03 + col * 0.07,
                    top + 0.04 + row * 0.06,
                    k / 6 + 0.07 + col * 0.07,
                    top + 0.07 + row * 0.06,
                    (250, 210, 110) if lit else (60, 60, 80),
                )
    c.band(0.62, 1.0, (50, 55, 70))
    for k in range(8):
        c.line([(k / 8 + 0.02, 0.7 + k % 3 * 0.08), (k / 8 + 0.08, 0.7 + k % 3 * 0.08)], (250, 200, 120), 2)
    c.line([(0.92, 0.62), (0.92, 0.2), (0.86, 0.2)], (30, 30, 35), 3)
    c.disc(0.86, 0.22, 0.025, (255, 230, 150))


def beach(c: Canvas) -> None:
    c.disc(0.8, 0.18, 0.07, (255, 225, 120))
    c.band(0.45, 0.66, (40, 130, 190))
    for k in range(5):
        c.line([(k / 5, 0.5 + k % 2 * 0.06), (k / 5 + 0.12, 0.5 + k % 2 * 0.06)], (220, 240, 250), 2)
    c.band(0.66, 1.0, (235, 210, 160))
    c.line([(0, 0.66), (1, 0.66)], (250, 250, 250), 3)


def mountain_trail(c: Canvas) -> None:
    for u, top, shade in ((0.2, 0.2, (110, 115, 130)), (0.62, 0.12, (95, 100, 120)), (0.95, 0.3, (120, 125, 140))):
        c.poly([(u - 0.4, 0.75), (u, top), (u + 0.4, 0.75)], shade)
        c.poly([(u - 0.08, top + 0.1), (u, top), (u + 0.08, top + 0.1)], (250, 250, 252))
    for u, v in ((0.15, 0.3), (0.45, 0.42), (0.8, 0.36)):
        c.disc(u, v, 0.05, (250, 250, 250))
        c.disc(u + 0.05, v, 0.04, (250, 250, 250))
    c.band(0.75, 1.0, (120, 105, 80))
    c.poly([(0.4, 1.0), (0.48, 0.75), (0.54, 0.75), (0.7, 1.0)], (175, 155, 120))


def kitchen(c: Canvas) -> None:
    for k in range(0, 12):
        c.line([(k / 12, 0.3), (k / 12, 0.6)], (210, 215, 220), 1)
        c.line([(0, 0.3 + k / 40), (1, 0.3 + k / 40)], (210, 215, 220), 1)
    for k in range(4):
        c.box(k / 4 + 0.01, 0.02, (k + 1) / 4 - 0.01, 0.26, (230, 230, 225), (150, 150, 150))
        c.box(k / 4 + 0.1, 0.2, k / 4 + 0.15, 0.22, (120, 120, 120))
    c.band(0.6, 0.66, (90, 90, 95))
    c.band(0.66, 1.0, (200, 195, 185))


def office(c: Canvas) -> None:
    for k in range(4):
        c.box(0.04 + k * 0.24, 0.06, 0.24 + k * 0.24, 0.62, (175, 210, 240), (90, 95, 105))
        c.line([(0.14 + k * 0.24, 0.06), (0.14 + k * 0.24, 0.62)], (90, 95, 105), 2)
    c.band(0.62, 1.0, (170, 165, 160))
    c.box(0.05, 0.7, 0.95, 0.76, (140, 100, 70))
    c.box(0.1, 0.76, 0.13, 1.0, (90, 90, 95))
    c.box(0.87, 0.76, 0.9, 1.0, (90, 90, 95))


def _pine(c: Canvas, u: float, base: float, height: float, colour: Colour) -> None:
    c.poly([(u - height * 0.3, base), (u, base - height), (u + height * 0.3, base)], colour)
    c.box(u - 0.01, base, u + 0.01, base + 0.04, (80, 55, 35))


def forest(c: Canvas) -> None:
    for k in range(9):
        _pine(c, 0.05 + k * 0.12, 0.6, 0.35 + 0.1 * float(c.rng.uniform()), (50, 90, 60))
    c.band(0.64, 1.0, (70, 85, 55))
    for k in range(6):
        _pine(c, k * 0.2 + 0.1, 0.85, 0.5, (25, 60, 40))
    c.band(0.3, 0.36, (225, 230, 230))


def desert(c: Canvas) -> None:
    c.disc(0.3, 0.42, 0.09, (255, 200, 100))
    c.poly([(0, 0.6), (0.3, 0.5), (0.7, 0.62), (1, 0.52), (1, 1), (0, 1)], (215, 160, 90))
    c.poly([(0, 0.8), (0.4, 0.68), (0.8, 0.8), (1, 0.74), (1, 1), (0, 1)], (190, 130, 70))


def living_room(c: Canvas) -> None:
    c.band(0.0, 0.7, (225, 205, 180))
    c.band(0.7, 1.0, (150, 110, 80))
    c.poly([(0.15, 0.78), (0.85, 0.78), (0.95, 0.98), (0.05, 0.98)], (170, 60, 60))
    c.box(0.1, 0.42, 0.9, 0.58, (90, 110, 150))
    c.box(0.06, 0.5, 0.94, 0.72, (70, 90, 130))
    c.line([(0.08, 0.72), (0.08, 0.78)], (60, 40, 30), 3)
    c.line([(0.92, 0.72), (0.92, 0.78)], (60, 40, 30), 3)
    c.line([(0.96, 0.72), (0.96, 0.2)], (50, 50, 50), 2)
    c.poly([(0.92, 0.2), (1.0, 0.2), (0.99, 0.1), (0.93, 0.1)], (250, 220, 150))


def gym(c: Canvas) -> None:
    c.band(0.0, 0.66, (200, 210, 220))
    for k in range(1, 4):
        c.line([(k / 4, 0.0), (k / 4, 0.66)], (160, 170, 180), 2)
    c.box(0.04, 0.5, 0.96, 0.54, (60, 60, 65))
    for k in range(7):
        u = 0.08 + k * 0.13
        c.box(u, 0.46, u + 0.08, 0.5, (40, 40, 45))
        c.disc(u, 0.48, 0.025, (30, 30, 30))
        c.disc(u + 0.08, 0.48, 0.025, (30, 30, 30))
    c.band(0.66, 1.0, (50, 50, 55))


def _skyline(c: Canvas, base: float, colour: Colour) -> None:
    u = 0.0
    while u < 1.0:
        width = 0.05 + 0.07 * float(c.rng.uniform())
        c.box(u, base - 0.1 - 0.3 * float(c.rng.uniform()), u + width, base, colour)
        u += width + 0.01


def rooftop(c: Canvas) -> None:
    _skyline(c, 0.66, (70, 75, 100))
    c.band(0.66, 1.0, (150, 140, 130))
    c.line([(0, 0.62), (1, 0.62)], (60, 60, 60), 3)
    for k in range(11):
        c.line([(k / 10, 0.62), (k / 10, 0.72)], (60, 60, 60), 2)


def cafe(c: Canvas) -> None:
    c.band(0.0, 0.6, (200, 160, 120))
    for u in (0.2, 0.5, 0.8):
        c.line([(u, 0.0), (u, 0.12)], (40, 40, 40), 2)
        c.poly([(u - 0.06, 0.18), (u, 0.12), (u + 0.06, 0.18)], (40, 40, 40))
        c.disc(u, 0.19, 0.02, (255, 220, 140))
    c.box(0.0, 0.42, 1.0, 0.6, (110, 70, 45))
    c.band(0.6, 1.0, (160, 120, 90))
    c.poly([(0.2, 0.8), (0.8, 0.8), (0.86, 0.86), (0.14, 0.86)], (90, 60, 40))
    c.box(0.48, 0.86, 0.52, 1.0, (50, 50, 50))


def snowy_village(c: Canvas) -> None:
    c.poly([(0, 0.5), (0.5, 0.35), (1, 0.48), (1, 0.6), (0, 0.6)], (225, 232, 245))
    for k in range(5):
        u = 0.02 + k * 0.2
        c.box(u, 0.5, u + 0.15, 0.72, (150, 90, 60))
        c.poly([(u - 0.03, 0.52), (u + 0.075, 0.38), (u + 0.18, 0.52)], (245, 248, 255))
        c.box(u + 0.05, 0.58, u + 0.09, 0.64, (255, 210, 120))
    c.band(0.72, 1.0, (240, 244, 252))
    c.dots(40, 0.0, 1.0, 0.008, [(255, 255, 255)])


def studio(c: Canvas) -> None:
    c.poly([(0.1, 0.05), (0.24, 0.05), (0.2, 0.22), (0.14, 0.22)], (250, 250, 245))
    c.line([(0.17, 0.22), (0.17, 0.5)], (60, 60, 60), 2)
    arr = np.asarray(c.image).astype(np.float32)
    arr[int(c.h * 0.65) :, :] *= 0.92  # the floor curve of the sweep, slightly darker
    c.image.paste(Image.fromarray(arr.astype(np.uint8), "RGB"))


def subway(c: Canvas) -> None:
    c.band(0.0, 1.0, (190, 195, 200))
    for k in range(3):
        c.box(0.05 + k * 0.32, 0.12, 0.3 + k * 0.32, 0.42, (40, 50, 70), (120, 125, 130))
    for u in (0.33, 0.67):
        c.line([(u, 0.0), (u, 1.0)], (210, 210, 215), 5)
    c.box(0.0, 0.58, 1.0, 0.7, (60, 100, 170))
    c.band(0.85, 1.0, (110, 110, 115))


def park(c: Canvas) -> None:
    c.band(0.6, 1.0, (110, 170, 80))
    for k in range(4):
        u = 0.1 + k * 0.27
        c.box(u - 0.015, 0.45, u + 0.015, 0.62, (100, 70, 45))
        c.disc(u, 0.38, 0.12, (60, 130, 60))
    c.box(0.6, 0.7, 0.9, 0.73, (130, 90, 60))
    c.box(0.6, 0.64, 0.9, 0.67, (130, 90, 60))
    c.line([(0.62, 0.73), (0.62, 0.8)], (50, 50, 50), 3)
    c.line([(0.88, 0.73), (0.88, 0.8)], (50, 50, 50), 3)


def lake(c: Canvas) -> None:
    c.poly([(0, 0.5), (0.3, 0.36), (0.6, 0.48), (0.85, 0.38), (1, 0.46), (1, 0.52), (0, 0.52)], (90, 130, 100))
    c.band(0.52, 1.0, (100, 150, 190))
    for k in range(4):
        c.line([(0.1 + k * 0.2, 0.6 + k * 0.05), (0.2 + k * 0.2, 0.6 + k * 0.05)], (170, 200, 225), 2)
    c.poly([(0.45, 1.0), (0.52, 0.66), (0.6, 0.66), (0.7, 1.0)], (150, 110, 75))
    for k in range(4):
        c.line([(0.47 + k * 0.05, 0.68 + k * 0.1), (0.62 + k * 0.02, 0.68 + k * 0.1)], (100, 70, 45), 2)


def night_market(c: Canvas) -> None:
    c.line([(0, 0.12), (0.5, 0.2), (1, 0.12)], (40, 40, 40), 1)
    for k in range(7):
        u = 0.06 + k * 0.145
        c.disc(u, 0.16 + 0.04 * (1 - abs(u - 0.5) * 2), 0.035, (235, 60, 40) if k % 2 else (250, 170, 50))
    for k in range(4):
        u = k * 0.25
        c.box(u + 0.01, 0.5, u + 0.24, 0.8, (90, 60, 45))
        c.poly([(u, 0.5), (u + 0.125, 0.38), (u + 0.25, 0.5)], (200, 60, 60) if k % 2 else (230, 200, 90))
        c.box(u + 0.04, 0.56, u + 0.21, 0.62, (255, 220, 130))
    c.band(0.8, 1.0, (50, 40, 40))


def stadium(c: Canvas) -> None:
    for u in (0.1, 0.9):
        c.line([(u, 0.05), (u, 0.45)], (60, 60, 70), 3)
        c.box(u - 0.06, 0.02, u + 0.06, 0.08, (255, 255, 230))
    c.poly([(0, 0.3), (1, 0.3), (1, 0.6), (0, 0.6)], (70, 70, 90))
    c.dots(120, 0.32, 0.58, 0.006, [(230, 80, 80), (240, 240, 240), (90, 130, 220)])
    c.band(0.6, 1.0, (60, 150, 70))
    c.line([(0.5, 0.6), (0.5, 1.0)], (240, 240, 240), 2)
    c.line([(0, 0.8), (1, 0.8)], (240, 240, 240), 2)


def library(c: Canvas) -> None:
    c.band(0.0, 0.85, (90, 60, 40))
    colours = [(150, 40, 40), (40, 80, 140), (50, 110, 60), (180, 140, 60), (110, 60, 120)]
    for row in range(5):
        v = 0.04 + row * 0.16
        c.box(0.0, v + 0.13, 1.0, v + 0.15, (60, 40, 25))
        u = 0.01
        while u < 0.98:
            width = 0.02 + 0.02 * float(c.rng.uniform())
            c.box(u, v + 0.02 + 0.02 * float(c.rng.uniform()), u + width, v + 0.13, colours[int(c.rng.integers(5))])
            u += width + 0.004
    c.band(0.85, 1.0, (140, 100, 65))


def garden(c: Canvas) -> None:
    c.band(0.4, 0.65, (200, 170, 120))
    for k in range(15):
        c.box(k / 15 + 0.005, 0.38, (k + 1) / 15 - 0.01, 0.65, (190, 160, 110), (140, 110, 70))
    c.band(0.65, 1.0, (90, 160, 70))
    c.dots(36, 0.62, 0.98, 0.018, [(240, 80, 120), (250, 210, 60), (250, 250, 250), (180, 90, 220)])


def airport(c: Canvas) -> None:
    c.box(0.0, 0.08, 0.7, 0.6, (160, 200, 235), (80, 85, 95))
    c.line([(0.35, 0.08), (0.35, 0.6)], (80, 85, 95), 3)
    c.poly([(0.1, 0.3), (0.5, 0.26), (0.56, 0.28), (0.5, 0.31), (0.12, 0.33)], (245, 245, 250))
    c.poly([(0.28, 0.29), (0.36, 0.2), (0.4, 0.2), (0.36, 0.3)], (245, 245, 250))
    c.poly([(0.1, 0.3), (0.08, 0.22), (0.12, 0.22), (0.15, 0.3)], (245, 245, 250))
    c.box(0.74, 0.08, 0.98, 0.4, (25, 25, 30))
    for k in range(6):
        c.line([(0.76, 0.12 + k * 0.045), (0.96, 0.12 + k * 0.045)], (250, 200, 60), 2)
    c.band(0.6, 1.0, (200, 200, 205))


def farm(c: Canvas) -> None:
    c.disc(0.25, 0.42, 0.08, (255, 190, 90))
    c.band(0.45, 1.0, (150, 130, 70))
    for k in range(9):
        c.line([(0.5, 0.45), (-0.6 + k * 0.28, 1.0)], (100, 140, 50), 4)
    c.box(0.66, 0.28, 0.86, 0.48, (170, 40, 35))
    c.poly([(0.64, 0.3), (0.76, 0.18), (0.88, 0.3)], (120, 30, 30))
    c.box(0.73, 0.36, 0.79, 0.48, (240, 240, 235))


def bathroom(c: Canvas) -> None:
    c.band(0.0, 0.66, (225, 235, 240))
    for k in range(10):
        c.line([(k / 10, 0), (k / 10, 0.66)], (190, 205, 215), 1)
        c.line([(0, k / 15), (1, k / 15)], (190, 205, 215), 1)
    c.box(0.25, 0.06, 0.75, 0.5, (190, 215, 230), (170, 170, 175))
    c.band(0.66, 1.0, (235, 235, 232))
    for k in range(5):
        c.line([(k * 0.22, 0.7), (k * 0.22 + 0.15, 0.95)], (180, 180, 185), 1)


def campsite(c: Canvas) -> None:
    c.dots(45, 0.0, 0.45, 0.006, [(255, 255, 240)])
    for k in range(8):
        _pine(c, 0.06 + k * 0.13, 0.7, 0.3, (15, 35, 25))
    c.band(0.7, 1.0, (45, 40, 30))
    c.line([(0.8, 0.92), (0.92, 0.86)], (100, 70, 40), 4)
    c.line([(0.8, 0.86), (0.92, 0.92)], (100, 70, 40), 4)
    c.poly([(0.8, 0.88), (0.86, 0.7), (0.92, 0.88)], (255, 140, 30))
    c.poly([(0.83, 0.88), (0.86, 0.77), (0.89, 0.88)], (255, 230, 120))


def classroom(c: Canvas) -> None:
    c.band(0.0, 0.7, (230, 220, 190))
    c.box(0.08, 0.08, 0.92, 0.44, (40, 80, 60), (140, 100, 60))
    c.line([(0.14, 0.16), (0.4, 0.16)], (240, 240, 240), 2)
    c.line([(0.14, 0.24), (0.32, 0.24)], (240, 240, 240), 2)
    c.line([(0.6, 0.3), (0.74, 0.18), (0.82, 0.34)], (240, 240, 240), 2)
    c.band(0.7, 1.0, (170, 130, 90))
    for k in range(3):
        c.box(0.05 + k * 0.33, 0.64, 0.28 + k * 0.33, 0.7, (190, 150, 100))
        c.box(0.07 + k * 0.33, 0.7, 0.09 + k * 0.33, 0.84, (80, 80, 80))
        c.box(0.24 + k * 0.33, 0.7, 0.26 + k * 0.33, 0.84, (80, 80, 80))


def harbour(c: Canvas) -> None:
    c.band(0.5, 1.0, (50, 100, 140))
    for k in range(3):
        u = 0.08 + k * 0.3
        c.poly(
            [(u, 0.56), (u + 0.2, 0.56), (u + 0.17, 0.64), (u + 0.03, 0.64)],
            (220, 220, 215) if k % 2 else (180, 50, 40),
        )
        c.line([(u + 0.1, 0.56), (u + 0.1, 0.28)], (80, 60, 40), 2)
        c.poly([(u + 0.1, 0.3), (u + 0.1, 0.52), (u + 0.18, 0.52)], (240, 240, 235))
    c.box(0.0, 0.8, 1.0, 0.86, (120, 90, 60))
    for k in range(6):
        c.box(k / 6 + 0.06, 0.86, k / 6 + 0.08, 1.0, (90, 65, 45))


def concert(c: Canvas) -> None:
    for u in (0.2, 0.5, 0.8):
        c.poly([(u - 0.03, 0.0), (u + 0.03, 0.0), (u + 0.18, 0.6), (u - 0.18, 0.6)], (120, 100, 160))
    c.box(0.0, 0.55, 1.0, 0.66, (60, 40, 50))
    c.band(0.66, 1.0, (15, 12, 20))
    for k in range(14):
        c.disc(k / 13, 0.76 + 0.04 * (k % 2), 0.05, (10, 8, 12))


def highway(c: Canvas) -> None:
    c.band(0.42, 0.55, (50, 120, 170))
    c.poly([(0.44, 0.55), (0.56, 0.55), (1.1, 1.0), (-0.1, 1.0)], (70, 70, 75))
    c.poly([(0, 0.55), (0.44, 0.55), (-0.1, 1.0), (0, 1.0)], (190, 170, 120))
    c.poly([(0.56, 0.55), (1, 0.55), (1, 1.0), (1.1, 1.0)], (190, 170, 120))
    for k in range(5):
        v0 = 0.58 + k * 0.09
        c.poly(
            [(0.497, v0), (0.503, v0), (0.505 + k * 0.003, v0 + 0.05), (0.495 - k * 0.003, v0 + 0.05)], (250, 250, 240)
        )


def bakery(c: Canvas) -> None:
    c.band(0.0, 0.64, (130, 90, 60))
    for row in range(3):
        v = 0.06 + row * 0.19
        c.box(0.02, v + 0.13, 0.98, v + 0.15, (80, 55, 35))
        for k in range(6):
            c.draw.ellipse(
                [(0.04 + k * 0.16) * c.w, (v + 0.04) * c.h, (0.16 + k * 0.16) * c.w, (v + 0.13) * c.h],
                fill=(210, 150, 80),
                outline=(150, 95, 45),
            )
    c.box(0.0, 0.64, 1.0, 1.0, (175, 130, 90))
    c.band(0.64, 0.68, (110, 75, 50))


def space(c: Canvas) -> None:
    c.dots(90, 0.0, 1.0, 0.004, [(255, 255, 255), (200, 210, 255)])
    r = 0.55 * max(c.w, c.h)
    cx, cy = 0.5 * c.w, c.h + r * 0.55
    c.draw.ellipse([cx - r - 6, cy - r - 6, cx + r + 6, cy + r + 6], fill=(120, 170, 255))
    c.draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=(40, 90, 170))
    for u, v, s in ((0.3, 0.88, 0.12), (0.62, 0.82, 0.09), (0.8, 0.95, 0.1)):
        c.disc(u, v, s * 0.6, (70, 140, 70))


#: Setting key → (top, bottom) of its base gradient and the function drawing its cues.
BACKDROPS: dict[str, tuple[tuple[Colour, Colour], Callable[[Canvas], None]]] = {
    "city street": (DUSK, city_street),
    "beach": (SKY, beach),
    "mountain trail": (SKY, mountain_trail),
    "kitchen": (((240, 240, 235), (220, 220, 215)), kitchen),
    "office": (((225, 228, 232), (200, 205, 210)), office),
    "forest": (((190, 205, 200), (150, 170, 160)), forest),
    "desert": (((250, 170, 90), (255, 220, 150)), desert),
    "living room": (((225, 205, 180), (210, 190, 165)), living_room),
    "gym": (((200, 210, 220), (180, 190, 200)), gym),
    "rooftop": (DUSK, rooftop),
    "cafe": (((200, 160, 120), (180, 140, 100)), cafe),
    "snowy village": (NIGHT, snowy_village),
    "studio": (((235, 235, 238), (205, 205, 210)), studio),
    "subway": (((190, 195, 200), (170, 175, 180)), subway),
    "park": (SKY, park),
    "lake": (SKY, lake),
    "night market": (NIGHT, night_market),
    "stadium": (((15, 20, 45), (40, 45, 80)), stadium),
    "library": (((90, 60, 40), (70, 45, 30)), library),
    "garden": (SKY, garden),
    "airport": (((230, 232, 236), (210, 212, 216)), airport),
    "farm": (((250, 180, 120), (250, 225, 170)), farm),
    "bathroom": (((225, 235, 240), (210, 220, 228)), bathroom),
    "campsite": (NIGHT, campsite),
    "classroom": (((230, 220, 190), (215, 205, 175)), classroom),
    "harbour": (SKY, harbour),
    "concert": (((20, 10, 35), (60, 30, 70)), concert),
    "highway": (SKY, highway),
    "bakery": (((130, 90, 60), (110, 75, 50)), bakery),
    "space": (((2, 2, 12), (10, 10, 35)), space),
}


def draw_backdrop(setting: str, size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """The backdrop of a setting with every cue of its scene, in natural colours."""
    (top, bottom), draw = BACKDROPS[setting]
    canvas = Canvas(gradient(size, top, bottom), rng)
    draw(canvas)
    return canvas.image

"""Product pictograms (issue 24): one recognisable drawing per product of the catalogue.

Each function draws its product into a square box with a :class:`Pen` (coordinates 0..1 inside the box)
in the product's own colours plus the palette's accent; the style decides the outline (none, pencil,
thick black) through the pen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PIL import ImageDraw

Colour = tuple[int, int, int]
Point = tuple[float, float]


class Pen:
    """Draws in unit coordinates of a box with the style's outline."""

    def __init__(
        self, draw: ImageDraw.ImageDraw, box: tuple[int, int, int], outline: Colour | None, weight: float
    ) -> None:
        self.draw = draw
        self.x, self.y, self.size = box
        self.outline = outline
        self.weight = max(1, round(weight * self.size)) if outline else 0

    def xy(self, u: float, v: float) -> tuple[float, float]:
        """Pixel coordinates of the unit point (u, v)."""
        return self.x + u * self.size, self.y + v * self.size

    def _box(self, u0: float, v0: float, u1: float, v1: float) -> list[float]:
        return [*self.xy(u0, v0), *self.xy(u1, v1)]

    def rect(self, u0: float, v0: float, u1: float, v1: float, fill: Colour, radius: float = 0.0) -> None:
        """A (rounded) rectangle."""
        self.draw.rounded_rectangle(
            self._box(u0, v0, u1, v1), radius * self.size, fill=fill, outline=self.outline, width=self.weight
        )

    def ellipse(self, u0: float, v0: float, u1: float, v1: float, fill: Colour | None) -> None:
        """An ellipse in its bounding box."""
        self.draw.ellipse(self._box(u0, v0, u1, v1), fill=fill, outline=self.outline, width=self.weight)

    def ring(self, u0: float, v0: float, u1: float, v1: float, colour: Colour, width: float) -> None:
        """An ellipse outline of a given width."""
        self.draw.ellipse(self._box(u0, v0, u1, v1), outline=colour, width=max(1, round(width * self.size)))

    def poly(self, points: Sequence[Point], fill: Colour) -> None:
        """A filled polygon."""
        self.draw.polygon([self.xy(u, v) for u, v in points], fill=fill, outline=self.outline, width=self.weight)

    def line(self, points: Sequence[Point], colour: Colour, width: float = 0.02) -> None:
        """A polyline."""
        self.draw.line([self.xy(u, v) for u, v in points], fill=colour, width=max(1, round(width * self.size)))

    def arc(self, u0: float, v0: float, u1: float, v1: float, start: float, end: float, colour: Colour, width: float):
        """An arc of an ellipse (degrees, clockwise from three o'clock)."""
        self.draw.arc(self._box(u0, v0, u1, v1), start, end, fill=colour, width=max(1, round(width * self.size)))


WHITE, BLACK, DARK, GREY, SILVER = (245, 245, 245), (20, 20, 20), (45, 45, 50), (130, 130, 135), (200, 202, 208)
BROWN, TAN, KRAFT, RED, GREEN = (110, 70, 40), (205, 160, 110), (190, 150, 100), (200, 30, 45), (60, 140, 70)


def running_shoes(p: Pen, a: Colour) -> None:
    p.rect(0.08, 0.62, 0.94, 0.74, WHITE, 0.05)
    p.poly([(0.1, 0.64), (0.16, 0.38), (0.36, 0.34), (0.52, 0.5), (0.8, 0.54), (0.92, 0.64)], a)
    p.line([(0.3, 0.42), (0.38, 0.38)], WHITE, 0.025)
    p.line([(0.35, 0.47), (0.43, 0.43)], WHITE, 0.025)
    p.line([(0.22, 0.6), (0.6, 0.56), (0.84, 0.6)], WHITE, 0.03)


def espresso_machine(p: Pen, a: Colour) -> None:
    p.rect(0.18, 0.14, 0.82, 0.3, SILVER, 0.03)
    p.rect(0.2, 0.28, 0.8, 0.82, SILVER, 0.02)
    p.rect(0.2, 0.82, 0.8, 0.9, DARK)
    p.rect(0.4, 0.36, 0.6, 0.44, DARK)
    p.line([(0.55, 0.42), (0.78, 0.42)], BLACK, 0.05)
    p.rect(0.42, 0.58, 0.58, 0.74, WHITE, 0.02)
    p.ellipse(0.62, 0.2, 0.72, 0.26, a)


def smartwatch(p: Pen, a: Colour) -> None:
    p.rect(0.38, 0.05, 0.62, 0.95, DARK, 0.08)
    p.ellipse(0.24, 0.26, 0.76, 0.74, BLACK)
    p.ring(0.3, 0.32, 0.7, 0.68, a, 0.05)
    p.rect(0.74, 0.44, 0.8, 0.56, GREY)


def electric_bicycle(p: Pen, a: Colour) -> None:
    p.ring(0.04, 0.46, 0.4, 0.82, DARK, 0.045)
    p.ring(0.6, 0.46, 0.96, 0.82, DARK, 0.045)
    p.line([(0.22, 0.64), (0.42, 0.4), (0.74, 0.4), (0.78, 0.64)], a, 0.04)
    p.line([(0.22, 0.64), (0.5, 0.64), (0.42, 0.4)], a, 0.04)
    p.line([(0.74, 0.4), (0.7, 0.26), (0.8, 0.26)], DARK, 0.035)
    p.rect(0.34, 0.3, 0.46, 0.34, DARK)
    p.rect(0.46, 0.44, 0.64, 0.52, BLACK, 0.02)


def skincare_serum(p: Pen, a: Colour) -> None:
    p.ellipse(0.42, 0.06, 0.58, 0.22, BLACK)
    p.rect(0.38, 0.2, 0.62, 0.3, DARK)
    p.rect(0.3, 0.3, 0.7, 0.92, (215, 170, 110), 0.06)
    p.rect(0.34, 0.52, 0.66, 0.76, WHITE)
    p.rect(0.34, 0.6, 0.66, 0.64, a)


def wireless_headphones(p: Pen, a: Colour) -> None:
    p.arc(0.16, 0.1, 0.84, 0.9, 180, 360, DARK, 0.08)
    p.rect(0.1, 0.44, 0.3, 0.8, DARK, 0.08)
    p.rect(0.7, 0.44, 0.9, 0.8, DARK, 0.08)
    p.rect(0.26, 0.48, 0.32, 0.76, a, 0.02)
    p.rect(0.68, 0.48, 0.74, 0.76, a, 0.02)


def craft_beer(p: Pen, a: Colour) -> None:
    p.rect(0.43, 0.06, 0.57, 0.1, (200, 170, 40))
    p.rect(0.44, 0.1, 0.56, 0.3, BROWN)
    p.poly([(0.44, 0.3), (0.56, 0.3), (0.66, 0.42), (0.34, 0.42)], BROWN)
    p.rect(0.34, 0.4, 0.66, 0.94, BROWN, 0.04)
    p.rect(0.34, 0.56, 0.66, 0.76, a)
    p.line([(0.4, 0.66), (0.6, 0.66)], WHITE, 0.02)


def yoga_mat(p: Pen, a: Colour) -> None:
    p.rect(0.24, 0.3, 0.9, 0.7, a)
    p.ellipse(0.1, 0.3, 0.38, 0.7, a)
    p.ring(0.15, 0.37, 0.33, 0.63, DARK, 0.02)
    p.ring(0.2, 0.44, 0.28, 0.56, DARK, 0.02)
    p.line([(0.4, 0.28), (0.4, 0.72)], DARK, 0.025)
    p.line([(0.74, 0.28), (0.74, 0.72)], DARK, 0.025)


def laptop(p: Pen, a: Colour) -> None:
    p.rect(0.18, 0.18, 0.82, 0.64, SILVER, 0.03)
    p.rect(0.22, 0.22, 0.78, 0.6, DARK)
    p.rect(0.28, 0.3, 0.6, 0.36, a)
    p.rect(0.28, 0.42, 0.72, 0.46, GREY)
    p.poly([(0.12, 0.7), (0.88, 0.7), (0.8, 0.64), (0.2, 0.64)], SILVER)
    p.rect(0.06, 0.7, 0.94, 0.76, GREY, 0.02)


def sneakers(p: Pen, a: Colour) -> None:
    p.rect(0.06, 0.7, 0.92, 0.8, WHITE, 0.03)
    p.poly([(0.1, 0.72), (0.18, 0.22), (0.42, 0.2), (0.46, 0.5), (0.78, 0.56), (0.9, 0.72)], a)
    p.ellipse(0.2, 0.38, 0.32, 0.5, WHITE)
    for i in range(4):
        p.line([(0.36, 0.3 + i * 0.07), (0.46, 0.3 + i * 0.07)], WHITE, 0.025)
    p.poly([(0.7, 0.56), (0.9, 0.72), (0.7, 0.72)], WHITE)


def perfume(p: Pen, a: Colour) -> None:
    p.rect(0.4, 0.1, 0.6, 0.28, (210, 170, 60), 0.02)
    p.rect(0.46, 0.28, 0.54, 0.34, SILVER)
    p.poly(
        [(0.3, 0.34), (0.7, 0.34), (0.84, 0.5), (0.84, 0.78), (0.7, 0.92), (0.3, 0.92), (0.16, 0.78), (0.16, 0.5)], a
    )
    p.poly(
        [
            (0.36, 0.42),
            (0.64, 0.42),
            (0.74, 0.54),
            (0.74, 0.74),
            (0.64, 0.84),
            (0.36, 0.84),
            (0.26, 0.74),
            (0.26, 0.54),
        ],
        WHITE,
    )
    p.rect(0.36, 0.58, 0.64, 0.66, a)


def backpack(p: Pen, a: Colour) -> None:
    p.arc(0.38, 0.04, 0.62, 0.24, 180, 360, DARK, 0.04)
    p.rect(0.22, 0.14, 0.78, 0.92, a, 0.14)
    p.rect(0.32, 0.54, 0.68, 0.86, DARK, 0.06)
    p.line([(0.32, 0.62), (0.68, 0.62)], GREY, 0.02)
    p.line([(0.3, 0.3), (0.7, 0.3)], DARK, 0.025)


def sunglasses(p: Pen, a: Colour) -> None:
    p.line([(0.04, 0.34), (0.12, 0.42)], BLACK, 0.03)
    p.line([(0.96, 0.34), (0.88, 0.42)], BLACK, 0.03)
    p.rect(0.1, 0.38, 0.46, 0.66, BLACK, 0.12)
    p.rect(0.54, 0.38, 0.9, 0.66, BLACK, 0.12)
    p.arc(0.42, 0.36, 0.58, 0.52, 200, 340, BLACK, 0.03)
    p.line([(0.16, 0.46), (0.26, 0.42)], a, 0.03)
    p.line([(0.6, 0.46), (0.7, 0.42)], a, 0.03)


def _bean(p: Pen, u: float, v: float) -> None:
    p.ellipse(u, v, u + 0.12, v + 0.16, BROWN)
    p.line([(u + 0.06, v + 0.02), (u + 0.05, v + 0.14)], (60, 35, 20), 0.015)


def coffee_beans(p: Pen, a: Colour) -> None:
    p.poly([(0.26, 0.12), (0.74, 0.12), (0.8, 0.86), (0.2, 0.86)], KRAFT)
    p.rect(0.26, 0.1, 0.74, 0.18, (150, 115, 75))
    p.rect(0.3, 0.36, 0.7, 0.62, a, 0.03)
    _bean(p, 0.44, 0.42)
    for u, v in ((0.06, 0.74), (0.16, 0.82), (0.82, 0.78)):
        _bean(p, u, v)


def electric_car(p: Pen, a: Colour) -> None:
    p.poly(
        [(0.06, 0.64), (0.08, 0.5), (0.28, 0.44), (0.4, 0.3), (0.7, 0.3), (0.84, 0.46), (0.94, 0.5), (0.94, 0.64)], a
    )
    p.poly([(0.43, 0.34), (0.6, 0.34), (0.6, 0.44), (0.34, 0.44)], (170, 210, 235))
    p.poly([(0.64, 0.34), (0.7, 0.34), (0.79, 0.44), (0.64, 0.44)], (170, 210, 235))
    p.ellipse(0.16, 0.56, 0.34, 0.74, BLACK)
    p.ellipse(0.68, 0.56, 0.86, 0.74, BLACK)
    p.poly([(0.5, 0.48), (0.44, 0.58), (0.5, 0.58), (0.46, 0.66), (0.56, 0.54), (0.5, 0.54), (0.54, 0.48)], WHITE)


def smartphone(p: Pen, a: Colour) -> None:
    p.rect(0.3, 0.06, 0.7, 0.94, BLACK, 0.07)
    p.rect(0.33, 0.12, 0.67, 0.88, a, 0.03)
    p.rect(0.44, 0.09, 0.56, 0.11, DARK, 0.01)
    for i in range(3):
        for j in range(3):
            p.rect(0.37 + j * 0.1, 0.2 + i * 0.1, 0.43 + j * 0.1, 0.26 + i * 0.1, WHITE, 0.01)


def vegan_burger(p: Pen, a: Colour) -> None:
    p.rect(0.16, 0.7, 0.84, 0.82, TAN, 0.05)
    p.rect(0.14, 0.56, 0.86, 0.68, (90, 120, 50), 0.05)
    p.rect(0.18, 0.5, 0.82, 0.56, RED, 0.02)
    p.line(
        [(0.14, 0.48), (0.24, 0.52), (0.34, 0.47), (0.44, 0.52), (0.56, 0.47), (0.68, 0.52), (0.86, 0.48)], GREEN, 0.05
    )
    p.poly([(0.16, 0.44), (0.24, 0.26), (0.5, 0.18), (0.76, 0.26), (0.84, 0.44)], TAN)
    for u, v in ((0.36, 0.3), (0.5, 0.26), (0.62, 0.32)):
        p.ellipse(u, v, u + 0.03, v + 0.02, WHITE)


def mountain_tent(p: Pen, a: Colour) -> None:
    p.poly([(0.08, 0.82), (0.5, 0.16), (0.92, 0.82)], a)
    p.poly([(0.38, 0.82), (0.5, 0.48), (0.62, 0.82)], DARK)
    p.line([(0.5, 0.16), (0.5, 0.1)], DARK, 0.02)
    p.line([(0.08, 0.82), (0.02, 0.9)], GREY, 0.01)
    p.line([(0.92, 0.82), (0.98, 0.9)], GREY, 0.01)


def _controller(p: Pen, u: float, v: float, colour: Colour) -> None:
    p.rect(u, v, u + 0.34, v + 0.18, colour, 0.08)
    p.line([(u + 0.06, v + 0.09), (u + 0.12, v + 0.09)], WHITE, 0.02)
    p.line([(u + 0.09, v + 0.06), (u + 0.09, v + 0.12)], WHITE, 0.02)
    p.ellipse(u + 0.22, v + 0.05, u + 0.26, v + 0.09, WHITE)
    p.ellipse(u + 0.26, v + 0.09, u + 0.3, v + 0.13, WHITE)


def gaming_console(p: Pen, a: Colour) -> None:
    p.rect(0.22, 0.14, 0.78, 0.54, DARK, 0.03)
    p.line([(0.26, 0.34), (0.74, 0.34)], a, 0.02)
    p.ellipse(0.66, 0.2, 0.72, 0.26, a)
    _controller(p, 0.06, 0.66, BLACK)
    _controller(p, 0.6, 0.66, BLACK)


def winter_jacket(p: Pen, a: Colour) -> None:
    p.poly(
        [
            (0.3, 0.14),
            (0.1, 0.3),
            (0.06, 0.84),
            (0.22, 0.84),
            (0.26, 0.44),
            (0.26, 0.9),
            (0.74, 0.9),
            (0.74, 0.44),
            (0.78, 0.84),
            (0.94, 0.84),
            (0.9, 0.3),
            (0.7, 0.14),
        ],
        a,
    )
    p.ellipse(0.36, 0.06, 0.64, 0.24, a)
    p.ellipse(0.42, 0.1, 0.58, 0.22, DARK)
    for v in (0.34, 0.48, 0.62, 0.76):
        p.line([(0.26, v), (0.74, v)], DARK, 0.012)
    p.line([(0.5, 0.22), (0.5, 0.9)], SILVER, 0.015)


def sparkling_water(p: Pen, a: Colour) -> None:
    p.rect(0.3, 0.14, 0.7, 0.9, SILVER, 0.05)
    p.ellipse(0.3, 0.08, 0.7, 0.2, GREY)
    p.rect(0.3, 0.36, 0.7, 0.66, a)
    for u, v, r in ((0.42, 0.44, 0.05), (0.55, 0.52, 0.035), (0.47, 0.58, 0.03), (0.6, 0.4, 0.025)):
        p.ring(u, v, u + r, v + r, WHITE, 0.01)


def office_chair(p: Pen, a: Colour) -> None:
    p.rect(0.3, 0.06, 0.7, 0.46, a, 0.08)
    p.rect(0.24, 0.5, 0.76, 0.6, a, 0.04)
    p.line([(0.22, 0.42), (0.22, 0.52), (0.3, 0.52)], DARK, 0.025)
    p.line([(0.78, 0.42), (0.78, 0.52), (0.7, 0.52)], DARK, 0.025)
    p.rect(0.47, 0.6, 0.53, 0.78, SILVER)
    p.line([(0.2, 0.84), (0.5, 0.78), (0.8, 0.84)], DARK, 0.04)
    p.line([(0.5, 0.78), (0.5, 0.86)], DARK, 0.04)
    for u in (0.16, 0.46, 0.76):
        p.ellipse(u, 0.84, u + 0.08, 0.92, BLACK)


def wristwatch(p: Pen, a: Colour) -> None:
    p.rect(0.4, 0.04, 0.6, 0.96, BROWN, 0.04)
    p.ellipse(0.24, 0.26, 0.76, 0.74, (210, 175, 90))
    p.ellipse(0.28, 0.3, 0.72, 0.7, WHITE)
    for u, v in ((0.5, 0.33), (0.5, 0.67), (0.32, 0.5), (0.68, 0.5)):
        p.ellipse(u - 0.015, v - 0.015, u + 0.015, v + 0.015, DARK)
    p.line([(0.5, 0.5), (0.5, 0.37)], BLACK, 0.02)
    p.line([(0.5, 0.5), (0.6, 0.56)], BLACK, 0.02)
    p.ellipse(0.485, 0.485, 0.515, 0.515, a)


def dog_food(p: Pen, a: Colour) -> None:
    p.poly([(0.2, 0.1), (0.8, 0.1), (0.86, 0.92), (0.14, 0.92)], a)
    p.rect(0.2, 0.08, 0.8, 0.16, DARK)
    p.ellipse(0.28, 0.3, 0.72, 0.74, WHITE)
    p.line([(0.38, 0.46), (0.62, 0.46)], TAN, 0.05)
    for u, v in ((0.34, 0.4), (0.34, 0.48), (0.62, 0.4), (0.62, 0.48)):
        p.ellipse(u - 0.035, v - 0.035, u + 0.035, v + 0.035, TAN)
    p.ellipse(0.44, 0.56, 0.56, 0.66, BROWN)
    for u in (0.42, 0.48, 0.54):
        p.ellipse(u, 0.52, u + 0.04, 0.55, BROWN)


def travel_suitcase(p: Pen, a: Colour) -> None:
    p.line([(0.4, 0.22), (0.4, 0.04), (0.6, 0.04), (0.6, 0.22)], GREY, 0.03)
    p.rect(0.22, 0.2, 0.78, 0.88, a, 0.06)
    for u in (0.36, 0.5, 0.64):
        p.line([(u, 0.26), (u, 0.82)], DARK, 0.015)
    p.ellipse(0.26, 0.88, 0.34, 0.96, BLACK)
    p.ellipse(0.66, 0.88, 0.74, 0.96, BLACK)


def protein_bar(p: Pen, a: Colour) -> None:
    p.poly([(0.08, 0.56), (0.82, 0.24), (0.92, 0.44), (0.18, 0.76)], a)
    p.poly([(0.04, 0.52), (0.1, 0.5), (0.2, 0.74), (0.14, 0.78)], SILVER)
    p.poly([(0.8, 0.22), (0.86, 0.2), (0.96, 0.42), (0.9, 0.46)], SILVER)
    p.poly([(0.3, 0.56), (0.6, 0.44), (0.64, 0.52), (0.34, 0.64)], BROWN)
    p.line([(0.3, 0.5), (0.7, 0.33)], WHITE, 0.02)


def lipstick(p: Pen, a: Colour) -> None:
    p.rect(0.36, 0.56, 0.64, 0.94, (210, 175, 90), 0.02)
    p.rect(0.39, 0.42, 0.61, 0.58, SILVER)
    p.poly([(0.41, 0.44), (0.41, 0.2), (0.59, 0.08), (0.59, 0.44)], (200, 20, 60))
    p.line([(0.36, 0.7), (0.64, 0.7)], a, 0.02)


def drone(p: Pen, a: Colour) -> None:
    p.line([(0.2, 0.26), (0.8, 0.7)], DARK, 0.04)
    p.line([(0.8, 0.26), (0.2, 0.7)], DARK, 0.04)
    for u, v in ((0.2, 0.26), (0.8, 0.26), (0.2, 0.7), (0.8, 0.7)):
        p.ellipse(u - 0.16, v - 0.05, u + 0.16, v + 0.05, GREY)
        p.ellipse(u - 0.03, v - 0.03, u + 0.03, v + 0.03, BLACK)
    p.rect(0.38, 0.38, 0.62, 0.58, a, 0.05)
    p.ellipse(0.45, 0.58, 0.55, 0.68, BLACK)


def kitchen_blender(p: Pen, a: Colour) -> None:
    p.rect(0.34, 0.08, 0.66, 0.14, DARK, 0.02)
    p.poly([(0.32, 0.14), (0.68, 0.14), (0.62, 0.64), (0.38, 0.64)], (215, 230, 235))
    p.poly([(0.35, 0.36), (0.65, 0.36), (0.62, 0.64), (0.38, 0.64)], a)
    p.line([(0.68, 0.22), (0.76, 0.24), (0.74, 0.5), (0.65, 0.52)], GREY, 0.025)
    p.rect(0.3, 0.64, 0.7, 0.9, DARK, 0.04)
    p.ellipse(0.46, 0.72, 0.54, 0.8, a)


def banking_app(p: Pen, a: Colour) -> None:
    p.rect(0.3, 0.06, 0.7, 0.94, BLACK, 0.07)
    p.rect(0.33, 0.12, 0.67, 0.88, WHITE, 0.03)
    p.rect(0.37, 0.18, 0.63, 0.34, a, 0.02)
    p.rect(0.4, 0.22, 0.46, 0.26, (220, 190, 80))
    for i, h in enumerate((0.08, 0.14, 0.1, 0.2)):
        p.rect(0.39 + i * 0.06, 0.62 - h, 0.43 + i * 0.06, 0.62, a)
    p.ellipse(0.62, 0.66, 0.84, 0.88, (220, 190, 80))
    p.line([(0.73, 0.7), (0.73, 0.84)], BROWN, 0.02)


def surfboard(p: Pen, a: Colour) -> None:
    p.poly(
        [(0.2, 0.92), (0.12, 0.7), (0.2, 0.4), (0.42, 0.14), (0.62, 0.06), (0.66, 0.16), (0.56, 0.44), (0.36, 0.8)], a
    )
    p.line([(0.24, 0.86), (0.58, 0.14)], WHITE, 0.02)
    p.poly([(0.26, 0.78), (0.18, 0.84), (0.22, 0.74)], DARK)


def scented_candle(p: Pen, a: Colour) -> None:
    p.rect(0.26, 0.4, 0.74, 0.9, (215, 230, 235), 0.04)
    p.rect(0.29, 0.46, 0.71, 0.86, (245, 235, 215), 0.02)
    p.rect(0.29, 0.6, 0.71, 0.72, a)
    p.line([(0.5, 0.46), (0.5, 0.38)], BLACK, 0.015)
    p.poly([(0.5, 0.16), (0.56, 0.3), (0.5, 0.38), (0.44, 0.3)], (255, 170, 40))
    p.poly([(0.5, 0.24), (0.53, 0.31), (0.5, 0.36), (0.47, 0.31)], (255, 240, 150))


def tennis_racket(p: Pen, a: Colour) -> None:
    p.line([(0.46, 0.56), (0.26, 0.94)], DARK, 0.06)
    p.line([(0.52, 0.56), (0.46, 0.56), (0.5, 0.5)], a, 0.03)
    p.ring(0.36, 0.04, 0.8, 0.58, a, 0.04)
    for k in range(1, 6):
        p.line([(0.36 + k * 0.073, 0.08), (0.36 + k * 0.073, 0.54)], SILVER, 0.008)
        p.line([(0.4, 0.04 + k * 0.09), (0.76, 0.04 + k * 0.09)], SILVER, 0.008)
    p.ellipse(0.66, 0.72, 0.82, 0.88, (210, 230, 60))


def baby_stroller(p: Pen, a: Colour) -> None:
    p.poly([(0.18, 0.42), (0.74, 0.42), (0.7, 0.62), (0.24, 0.62)], a)
    p.poly([(0.18, 0.42), (0.22, 0.22), (0.36, 0.14), (0.5, 0.16), (0.5, 0.42)], DARK)
    p.line([(0.74, 0.42), (0.86, 0.18), (0.94, 0.18)], DARK, 0.03)
    p.line([(0.3, 0.62), (0.24, 0.78)], DARK, 0.025)
    p.line([(0.62, 0.62), (0.7, 0.78)], DARK, 0.025)
    p.ring(0.14, 0.74, 0.32, 0.92, BLACK, 0.035)
    p.ring(0.62, 0.74, 0.8, 0.92, BLACK, 0.035)


def green_tea(p: Pen, a: Colour) -> None:
    p.rect(0.28, 0.14, 0.72, 0.26, SILVER, 0.02)
    p.rect(0.28, 0.24, 0.72, 0.9, (70, 130, 70), 0.02)
    p.rect(0.28, 0.44, 0.72, 0.72, a)
    p.poly([(0.4, 0.66), (0.46, 0.5), (0.6, 0.46), (0.56, 0.6)], (140, 200, 90))
    p.line([(0.4, 0.66), (0.58, 0.48)], (50, 100, 50), 0.012)


def electric_guitar(p: Pen, a: Colour) -> None:
    p.line([(0.44, 0.5), (0.86, 0.08)], BROWN, 0.05)
    p.rect(0.82, 0.02, 0.94, 0.12, BROWN, 0.03)
    p.ellipse(0.06, 0.46, 0.46, 0.94, (190, 60, 30))
    p.ellipse(0.2, 0.36, 0.52, 0.72, (190, 60, 30))
    p.ellipse(0.16, 0.56, 0.36, 0.84, a)
    p.rect(0.28, 0.6, 0.36, 0.64, BLACK)
    p.rect(0.22, 0.68, 0.3, 0.72, BLACK)


def smart_speaker(p: Pen, a: Colour) -> None:
    p.rect(0.3, 0.16, 0.7, 0.9, (90, 90, 100), 0.12)
    p.ellipse(0.3, 0.1, 0.7, 0.24, DARK)
    p.ring(0.34, 0.12, 0.66, 0.22, a, 0.025)
    for v in (0.36, 0.46, 0.56, 0.66, 0.76):
        p.line([(0.32, v), (0.68, v)], (110, 110, 120), 0.01)


def ice_cream(p: Pen, a: Colour) -> None:
    p.poly([(0.3, 0.44), (0.7, 0.44), (0.5, 0.94)], TAN)
    p.line([(0.36, 0.5), (0.6, 0.76)], BROWN, 0.012)
    p.line([(0.64, 0.5), (0.42, 0.76)], BROWN, 0.012)
    p.ellipse(0.26, 0.14, 0.74, 0.52, a)
    p.ellipse(0.44, 0.06, 0.56, 0.16, RED)
    p.ellipse(0.3, 0.42, 0.38, 0.52, a)


def hotel_stay(p: Pen, a: Colour) -> None:
    p.rect(0.12, 0.26, 0.88, 0.56, BROWN, 0.03)
    p.rect(0.08, 0.54, 0.92, 0.74, WHITE, 0.02)
    p.rect(0.08, 0.6, 0.92, 0.76, a, 0.02)
    p.rect(0.18, 0.44, 0.44, 0.56, WHITE, 0.04)
    p.rect(0.56, 0.44, 0.82, 0.56, WHITE, 0.04)
    p.line([(0.1, 0.76), (0.1, 0.86)], BROWN, 0.03)
    p.line([(0.9, 0.76), (0.9, 0.86)], BROWN, 0.03)


def insurance_plan(p: Pen, a: Colour) -> None:
    p.poly([(0.14, 0.12), (0.5, 0.18), (0.5, 0.9), (0.14, 0.84)], WHITE)
    p.poly([(0.5, 0.18), (0.86, 0.12), (0.86, 0.84), (0.5, 0.9)], (225, 225, 230))
    p.poly([(0.22, 0.3), (0.42, 0.3), (0.42, 0.5), (0.32, 0.6), (0.22, 0.5)], a)
    p.poly([(0.56, 0.42), (0.68, 0.3), (0.8, 0.42)], a)
    p.rect(0.59, 0.42, 0.77, 0.56, a)
    for v in (0.66, 0.72, 0.78):
        p.line([(0.2, v), (0.44, v + 0.01)], GREY, 0.012)
        p.line([(0.56, v + 0.01), (0.8, v)], GREY, 0.012)


#: Product key → pictogram.
PICTOGRAMS: dict[str, Callable[[Pen, Colour], None]] = {
    "running shoes": running_shoes,
    "espresso machine": espresso_machine,
    "smartwatch": smartwatch,
    "electric bicycle": electric_bicycle,
    "skincare serum": skincare_serum,
    "wireless headphones": wireless_headphones,
    "craft beer": craft_beer,
    "yoga mat": yoga_mat,
    "laptop": laptop,
    "sneakers": sneakers,
    "perfume": perfume,
    "backpack": backpack,
    "sunglasses": sunglasses,
    "coffee beans": coffee_beans,
    "electric car": electric_car,
    "smartphone": smartphone,
    "vegan burger": vegan_burger,
    "mountain tent": mountain_tent,
    "gaming console": gaming_console,
    "winter jacket": winter_jacket,
    "sparkling water": sparkling_water,
    "office chair": office_chair,
    "wristwatch": wristwatch,
    "dog food": dog_food,
    "travel suitcase": travel_suitcase,
    "protein bar": protein_bar,
    "lipstick": lipstick,
    "drone": drone,
    "kitchen blender": kitchen_blender,
    "banking app": banking_app,
    "surfboard": surfboard,
    "scented candle": scented_candle,
    "tennis racket": tennis_racket,
    "baby stroller": baby_stroller,
    "green tea": green_tea,
    "electric guitar": electric_guitar,
    "smart speaker": smart_speaker,
    "ice cream": ice_cream,
    "hotel stay": hotel_stay,
    "insurance plan": insurance_plan,
}

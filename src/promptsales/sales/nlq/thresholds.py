"""Thresholds on a figure in a question: "more than 8 campaigns", "más de 50.000 dólares en ventas",
"CTR above 2.5%", "at least 5", "10 o más".

:func:`find_threshold` finds the comparison words and the number in a normalised question; which figure the
number is about and which groups it keeps are decided by the parser (a counted noun right after the number,
else the metric named next to it). Numbers are read with either decimal mark: a separator followed by exactly
three digits groups thousands ("1.500", "50,000"), any other is the decimal mark ("1,5", "2.5").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from promptsales.sales.nlq.periods import NUMBER_WORDS

Op = Literal["gt", "ge", "lt", "le"]

_OPS: dict[Op, str] = {
    "gt": r"(?:more|greater|higher|larger|bigger)\s+than|over|above|exceeding|mas\s+(?:de|que)"
    r"|mayor(?:es)?\s+(?:a|que|de)|superior(?:es)?\s+a|por\s+encima\s+de|arriba\s+de",
    "lt": r"(?:less|fewer|lower|smaller)\s+than|under|below|menos\s+(?:de|que)|menor(?:es)?\s+(?:a|que|de)"
    r"|inferior(?:es)?\s+a|por\s+debajo\s+de|debajo\s+de",
    "ge": r"at\s+least|al\s+menos|por\s+lo\s+menos|como\s+minimo|minimo",
    "le": r"at\s+most|no\s+more\s+than|como\s+maximo|a\s+lo\s+sumo|no\s+mas\s+de|maximo",
}
#: The currency written after an amount (every amount here is in US dollars): "50 mil dólares", "50.000 usd".
_CURRENCY_WORDS = r"usd|dolares|dollars|dls|dlls"
_NUMBER = (
    r"\$?\s*(?:\d+(?:[.,]\d+)*|[a-z]+)(?:\s*(?:k|mil|million|millones|millon|m)(?![a-z0-9]))?"
    rf"(?:\s+(?:{_CURRENCY_WORDS}|us\$)(?![a-z0-9]))?"
)
_PERCENT = r"\s*(?:%|percent|por\s*ciento|porciento)"
_PHRASE = re.compile(
    r"(?<![a-z0-9])(?:(?P<op>" + "|".join(f"(?P<{op}>{words})" for op, words in _OPS.items()) + r")\s+"
    rf"(?P<number>{_NUMBER})(?P<percent>{_PERCENT})?(?![a-z0-9%])"
    rf"|(?P<number_first>\d+(?:[.,]\d+)*)(?P<percent_first>{_PERCENT})?\s+(?P<between>(?:\S+\s+){{1,2}})?(?P<more>or\s+more|o\s+mas|plus)"
    r"(?![a-z0-9]))"
)
_CURRENCY = re.compile(rf"\s+(?:{_CURRENCY_WORDS}|us)$")  # "us$" once the "$" is gone
#: A unit of time right after the number: "over 3 months" is a duration, not a threshold on a figure.
_TIME_UNIT = re.compile(r"\s+(?:days?|dias?|weeks?|semanas?|months?|mes(?:es)?|years?|anos?|quarters?|trimestres?)\b")
_SCALE = {"k": 1e3, "mil": 1e3, "m": 1e6, "million": 1e6, "millones": 1e6, "millon": 1e6}
SYMBOL: dict[Op, str] = {"gt": ">", "ge": "≥", "lt": "<", "le": "≤"}


@dataclass(frozen=True)
class FoundThreshold:
    """Comparison words and a number, where they are in the text."""

    op: Op
    value: float
    percent: bool
    start: int
    end: int
    number_end: int  # where a counted noun may follow ("more than 8 campaigns", "10 or more campaigns")
    #: Where "or more" starts when words stand between it and the number ("5 active campaigns or more"): those
    #: words are the counted noun's and a status reader's, not the threshold's; else ``end``.
    more_start: int | None = None


def read_number(text: str) -> float | None:
    """``"50,000"`` → 50000, ``"1,5"`` → 1.5, ``"2.5"`` → 2.5, ``"10k"`` → 10000, ``"ocho"`` → 8, ``"50 mil
    dolares"`` → 50000, else None."""
    text = _CURRENCY.sub("", text.replace("$", "")).strip()
    scale = 1.0
    suffix = re.search(r"\s*(k|mil|million|millones|millon|m)$", text)
    if suffix and not text.isalpha():
        scale, text = _SCALE[suffix[1]], text[: suffix.start()].strip()
    if text.isalpha():
        word = NUMBER_WORDS.get(text) if text not in ("un", "uno") else 1
        return float(word) * scale if word is not None else None
    groups = re.split(r"[.,]", text)
    if not all(group.isdigit() for group in groups):
        return None
    if len(groups) > 1 and len(groups[-1]) != 3:
        whole, decimals = "".join(groups[:-1]), groups[-1]
        return float(f"{whole}.{decimals}") * scale
    return float("".join(groups)) * scale


def find_threshold(text: str) -> FoundThreshold | None:
    """The first threshold in normalised ``text``: comparison words followed by a number ("more than 8"),
    or a number followed by "or more" ("10 o más"); None when the words are followed by something else
    ("more than the previous month") or by a duration ("over 3 months")."""
    for match in _PHRASE.finditer(text):
        if match["more"]:
            value = read_number(match["number_first"])
            op: Op = "ge"
            percent = bool(match["percent_first"])
            number_end = match.end("percent_first" if percent else "number_first") if match["between"] else match.end()
            more_start = match.start("more") if match["between"] else None
        else:
            value = read_number(match["number"])
            op = next(name for name in _OPS if match[name])
            percent = bool(match["percent"])
            number_end = match.end("percent") if percent else match.end("number")
            more_start = None
        if value is None or _TIME_UNIT.match(text, number_end):
            continue
        return FoundThreshold(
            op, value / 100 if percent else value, percent, match.start(), match.end(), number_end, more_start
        )
    return None

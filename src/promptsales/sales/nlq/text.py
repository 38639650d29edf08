"""Text normalisation shared by the question parser: lower case, no accents, single spaces."""

from __future__ import annotations

import functools
import re
import unicodedata

_NON_WORD = re.compile(r"[^a-z0-9%$\-\.,\"'\s|]")
_BOUNDARY = re.compile(r"[?¿!¡;:()\[\]]|(?<!\d),|,(?!\d)")  # "50,000" keeps its comma
_SPACES = re.compile(r"\s+")
#: A date written with slashes ("11/28/2025", "28/11/2025"): kept whole by :func:`normalize`, read by the periods.
NUMERIC_DATE = r"\d{1,2}/\d{1,2}/20\d\d"
#: A month written with its year ("12/2025"), kept whole like a date.
NUMERIC_MONTH = r"(?:0?[1-9]|1[0-2])/20\d\d"
_DATE = re.compile(rf"\b({NUMERIC_DATE}|{NUMERIC_MONTH})\b")
_POSSESSIVE = re.compile(r"(?<=[a-z0-9])'s\b")


def strip_accents(text: str) -> str:
    """``"campaña diciembre"`` → ``"campana diciembre"`` (keeps the letters, drops the marks)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_NUMBER_PLUS = re.compile(r"(\d)\+(?![\d])")
#: "# of sales", "# de ventas", "#sales": the number of what follows.
_NUMBER_SIGN = re.compile(r"#\s*(?:(of|de)\s+|(?=[a-z]))")


def normalize(text: str) -> str:
    """Lower-case, accent-free text; clause punctuation becomes ``|``, other punctuation spaces."""
    text = _BOUNDARY.sub(" | ", text)
    text = strip_accents(text.lower()).replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    text = text.replace("\u2013", "-").replace("\u2014", "-")  # "Jan–Mar": an en or em dash joins like "-"
    text = _POSSESSIVE.sub("", text)  # "tiktok's reach" → "tiktok reach"
    text = _NUMBER_PLUS.sub(r"\1 plus ", text)  # "5+ campaigns": five or more
    text = _NUMBER_SIGN.sub(lambda m: "numero de " if m[1] == "de" else "number of ", text)
    # "11/28/2025" keeps its slashes; any other slash is a space
    text = "".join(part if index % 2 else _NON_WORD.sub(" ", part) for index, part in enumerate(_DATE.split(text)))
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points only
    return _SPACES.sub(" ", text).strip()


@functools.lru_cache(maxsize=16384)
def compiled(regex: str) -> re.Pattern[str]:
    """``regex`` compiled once for the life of the process. The parser reads a question with some 600 patterns
    (one per metric phrase, group marker, lifecycle word…), more than the ``re`` module's own cache keeps
    (512): through ``re.finditer(regex, …)`` every question compiled them all again, ≈ 100 ms of CPU."""
    return re.compile(regex)


@functools.lru_cache(maxsize=16384)
def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """The pattern of ``phrase`` as whole words of normalised text."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])")


def contains_phrase(text: str, phrase: str) -> re.Match[str] | None:
    """The first whole-word occurrence of ``phrase`` in normalised ``text``."""
    return phrase_pattern(phrase).search(text)


def blank_span(text: str, start: int, end: int) -> str:
    """``text`` with ``[start, end)`` replaced by spaces (keeps other offsets valid)."""
    return text[:start] + " " * (end - start) + text[end:]


def normalize_name(name: str) -> str:
    """A catalog name in the same form as a normalised question, without clause marks."""
    return _SPACES.sub(" ", normalize(name).replace("|", " ")).strip()

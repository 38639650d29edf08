"""Periods in Spanish and English questions, resolved to whole-month ranges relative to an as-of date.

Understood forms (after :func:`.text.normalize`): ``diciembre 2025`` / ``December of 2025`` / ``dec 2025`` /
``2025-12``; a month alone (``en diciembre`` = the latest December that has started by the as-of date);
``entre julio y septiembre [de 2025]`` / ``from July to September 2025`` / ``between July and September``;
``Q4 2025`` / ``4T 2025`` / ``cuarto trimestre de 2025`` / ``fourth quarter of 2025``; ``in 2025`` / ``en 2025``;
relative: ``last quarter`` / ``el trimestre pasado``, ``this quarter``, ``last month`` / ``el mes pasado``,
``this year`` / ``este año``, ``last year`` / ``el año pasado``, ``last 3 months`` / ``últimos 3 meses``,
``year to date`` / ``en lo que va del año``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from promptsales.sales.nlq.model import Period
from promptsales.sales.nlq.text import NUMERIC_DATE, blank_span, compiled

MONTHS: dict[str, int] = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "enero": 1,
    "febrero": 2,
    "marzo": 3,
    "abril": 4,
    "mayo": 5,
    "junio": 6,
    "julio": 7,
    "agosto": 8,
    "septiembre": 9,
    "setiembre": 9,
    "octubre": 10,
    "noviembre": 11,
    "diciembre": 12,
}
#: Abbreviations count only when a year follows ("dec 2025"), so "may" or "mar" in prose are not months.
MONTH_ABBREVIATIONS: dict[str, int] = {
    "jan": 1,
    "ene": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "abr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "ago": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
    "dic": 12,
}
MONTH_LABELS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}
ORDINAL_QUARTERS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": 4,
    "primer": 1,
    "primero": 1,
    "segundo": 2,
    "tercer": 3,
    "tercero": 3,
    "cuarto": 4,
    "ultimo": 4,
}
#: First or second half of a year: "second half", "segundo semestre", "primera mitad".
ORDINAL_HALVES = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "primer": 1,
    "primera": 1,
    "primero": 1,
    "1er": 1,
    "segundo": 2,
    "segunda": 2,
    "2do": 2,
    "2da": 2,
}
#: The six two-month periods of a year: "first bimester", "tercer bimestre".
ORDINAL_BIMESTERS = {
    **{word: number for word, number in ORDINAL_HALVES.items()},
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "last": 6,
    "tercer": 3,
    "tercero": 3,
    "tercera": 3,
    "cuarto": 4,
    "cuarta": 4,
    "quinto": 5,
    "quinta": 5,
    "sexto": 6,
    "sexta": 6,
    "ultimo": 6,
}


def _ordinal_abbreviations(top: int) -> dict[str, int]:
    """ "1st", "2nd", "3er", "4to", "1ro", "2do", "1ª" …: ordinals written as a digit and a suffix, up to ``top``."""
    suffixes = ("st", "nd", "rd", "th", "er", "ero", "ro", "ra", "do", "da", "to", "ta", "o", "a")
    return {f"{n}{suffix}": n for n in range(1, top + 1) for suffix in suffixes}


ORDINAL_QUARTERS.update(_ordinal_abbreviations(4))
ORDINAL_HALVES.update(_ordinal_abbreviations(2))
ORDINAL_BIMESTERS.update(_ordinal_abbreviations(6))
#: The three four-month periods of a year: "primer cuatrimestre", "el último cuatrimestre".
ORDINAL_FOUR_MONTHS = {word: number for word, number in ORDINAL_BIMESTERS.items() if number <= 3} | {
    "last": 3,
    "ultimo": 3,
}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "twelve": 12,
    "un": 1,
    "uno": 1,
    "una": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    "diez": 10,
    "doce": 12,
}


def how_many(token: str) -> int | None:
    """A count of things written in digits or words ("3", "three", "tres") between 1 and 100; the articles
    "un" / "una" / "uno" are not counts."""
    if token.isdigit():
        return int(token) if 0 < int(token) <= 100 else None
    return NUMBER_WORDS.get(token) if token not in ("un", "una", "uno") else None


_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ABBR = "|".join(sorted(MONTH_ABBREVIATIONS, key=len, reverse=True))
_YEAR = r"(20\d\d)"
_OF = r"(?:\s+(?:de|del|of|,))?"
#: "of 2025", "del año 2025", " 2025" or nothing, after a half, quarter or bimester.
_OPTIONAL_YEAR = rf"(?:\s*(?:of|de|del)?\s*(?:(?:the\s+)?year\s+|(?:el\s+)?ano\s+)?{_YEAR})?"
_NUM = r"(\d{1,2}|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + ")"


#: "the week of March 3, 2025", "week of the 3rd of March", "la semana del 3 de marzo de 2025" (not "la semana del
#: 15 al 21 de diciembre", a day range).
_WEEK_OF = (
    r"\b(?:(?:during\s+)?the\s+)?week\s+(?:of|starting|beginning|commencing)\s+(?:on\s+)?(?:the\s+)?"
    rf"(?:(?P<m1>{_MONTH}|{_ABBR})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\b"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH}|{_ABBR})\b)"
    rf"(?P<y>(?:\s*\|)?(?:\s*(?:of|de|del)?\s*{_YEAR})?)"
    r"|\b(?:la\s+)?semana\s+(?:del|de|que\s+empieza\s+el|que\s+comienza\s+el)\s+(?:el\s+)?(?:lunes\s+)?"
    rf"(?P<d3>\d{{1,2}})\b(?!\s+(?:al|a|hasta|y)\s+(?:el\s+)?\d)\s+de\s+(?P<m3>{_MONTH}|{_ABBR})\b"
    rf"(?P<y2>(?:\s*(?:de|del)?\s*{_YEAR})?)"
)
#: "11/28/2025", "28/11/2025" (the slashes kept between digits by the normaliser).
_NUMERIC_DATE = rf"\b{NUMERIC_DATE}\b"
#: Two numeric dates joined as a range: "from 12/01/2025 to 12/20/2025", "del 01/12/2025 al 20/12/2025".
_NUMERIC_RANGE = (
    rf"\b(?:(?:from|between|del|desde(?:\s+el)?|entre(?:\s+el)?)\s+)?(?P<first>{NUMERIC_DATE})\s*"
    rf"(?:to|and|until|through|thru|-|–|al|a|hasta(?:\s+el)?|y(?:\s+el)?)\s*(?P<last>{NUMERIC_DATE})\b"
)
#: The ordinal of a half month: "primera", "1ra", "second", "2nd" …
_SECOND_HALF = frozenset("segunda 2da 2a 2nd second".split())
#: A weekday written before a day's number ("del sábado 29 al domingo 30 de noviembre"): it names no other day.
_WEEKDAY_ES = r"(?:(?:el\s+)?(?:lunes|martes|miercoles|jueves|viernes|sabado|domingo)\s+)?"
#: The weeks of a month by ordinal: the n-th seven days from the 1st; 0 is the month's last seven days.
_WEEK_ORDINALS = {
    **dict.fromkeys(("first", "1st", "primera", "primer", "1ra", "1era", "1a"), 1),
    **dict.fromkeys(("second", "2nd", "segunda", "2da", "2a"), 2),
    **dict.fromkeys(("third", "3rd", "tercera", "tercer", "3ra", "3era", "3a"), 3),
    **dict.fromkeys(("fourth", "4th", "cuarta", "4ta", "4a"), 4),
    **dict.fromkeys(("last", "final", "ultima"), 0),
}
_WEEK_OF_MONTH = (
    r"\b(?:the\s+|la\s+)?(?P<ord>"
    + "|".join(sorted(_WEEK_ORDINALS, key=len, reverse=True))
    + rf")\s+(?:week|semana)\s+(?:of|de|del)\s+(?:(?:the\s+)?month\s+of\s+|(?:el\s+)?mes\s+de\s+)?(?P<m1>{_MONTH}|{_ABBR})"
)
_DAYS_OF_MONTH = (
    rf"\b(?:the\s+|los\s+)?(?P<which>first|primeros|last|ultimos)\s+(?P<n>{_NUM[1:-1]})\s+(?:days|dias)\s+(?:of|de|del)\s+"
    rf"(?:(?:the\s+)?month\s+of\s+|(?:el\s+)?mes\s+de\s+)?(?P<m1>{_MONTH}|{_ABBR})"
)
_ISO_DAY = r"(?P<y{n}>20\d\d)-(?P<m{n}>0[1-9]|1[0-2])-(?P<d{n}>[0-3]\d)"
_ISO_RANGE = (
    r"\b(?:(?:from|between|entre|del|desde)\s+)?(?:the\s+|el\s+)?"
    + _ISO_DAY.format(n=1)
    + r"\s*(?:to|and|until|through|thru|y|al|a|hasta|-|–)\s*(?:the\s+|el\s+)?"
    + _ISO_DAY.format(n=2)
    + r"\b"
)
_HALF_ORDINAL = r"primera|segunda|1ra|2da|1era|1a|2a|first|second|1st|2nd"
#: A month without its year; an abbreviation only before another month in a list or a comparison.
_LONE_MONTH = rf"\b({_MONTH})\b|\b({_ABBR})\b"
_LISTED_MONTH = (
    rf"\s*(?:\||,|&|y|and|or|o|vs|versus|contra|frente\s+a|compared\s+to)\s*(?:\|\s*)?(?:{_MONTH}|{_ABBR})\b"
)


def _month_number(word: str) -> int:
    """The number of a month written as a number, a name or an abbreviation."""
    return int(word) if word.isdigit() else MONTHS.get(word) or MONTH_ABBREVIATIONS[word]


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_start(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_label(start: date, language: str) -> str:
    """``December 2025`` / ``diciembre 2025``."""
    return f"{MONTH_LABELS[language][start.month - 1]} {start.year}"


def months_period(start: date, months: int, label: str) -> Period:
    """The period of ``months`` whole months from ``start``."""
    return Period(start=start, end=add_months(start, months), label=label)


def a_year_earlier(period: Period) -> Period:
    """``period`` a year earlier, its label with each year one less ("Q4 2025" → "Q4 2024", "2026 YTD" → "2025
    YTD")."""
    return Period(
        start=add_months(period.start, -12),
        end=add_months(period.end, -12),
        label=re.sub(r"20\d\d", lambda year: str(int(year.group()) - 1), period.label),
    )


def latest_month(month: int, as_of: date) -> date:
    """The latest first-of-``month`` that is not after the as-of date's month."""
    year = as_of.year if month <= as_of.month else as_of.year - 1
    return date(year, month, 1)


@dataclass
class FoundPeriod:
    """A period expression found in a question, with where it was; a range keeps its two ends (a change
    "from November to December" compares them), a period named without its year how to give it one."""

    period: Period
    start: int
    end: int
    endpoints: tuple[Period, Period] | None = None
    with_year: Callable[[int], Period | None] | None = None
    #: Days that are not whole months ("15–31 December 2025", "week 50 of 2025"): ``period`` is then the
    #: months that hold them, ``days`` their label and ``day_period`` the days themselves — answered from the
    #: daily table when every figure asked adds up over days (D163), else refused.
    days: str | None = None
    day_period: Period | None = None
    #: "spend by month in H2 2025 *vs the previous month*": a month compared with a longer period named before
    #: it is each month's change from the one before (a change from row to row), not a third period.
    previous_row: bool = False


class PeriodParser:
    """Finds every period expression in a normalised question, most specific forms first."""

    def __init__(self, as_of: date, language: str = "en") -> None:
        self.as_of = as_of
        self.language = language
        self._unblanked = ""  # the question being read, before handlers blanked what they read

    def _month(self, start: date) -> Period:
        """The month that starts on ``start``, labelled in the question's language."""
        return months_period(start, 1, month_label(start, self.language))

    def quarter_at(self, day: date) -> Period:
        """The calendar quarter that holds ``day``, labelled in the question's language."""
        return self._quarter_period((day.month - 1) // 3 + 1, day.year)

    def _label_months(self, start: date, months: int) -> str:
        if months == 1:
            return month_label(start, self.language)
        last = add_months(start, months - 1)
        joiner = " – "
        return f"{month_label(start, self.language)}{joiner}{month_label(last, self.language)}"

    def find_all(self, text: str) -> tuple[list[FoundPeriod], str]:
        """Every period in ``text`` (in order of appearance) and the text with them blanked out."""
        found: list[FoundPeriod] = []
        text = self._relative_years(text)
        original = self._unblanked = text
        for handler in (
            self._day_ranges,
            self._short_years,
            self._months_of_year,
            self._weeks_and_days,
            self._ranges,
            self._halves,
            self._bimesters,
            self._four_months,
            self._quarters,
            self._since,
            self._month_years,
            self._iso_months,
            self._relative,
            self._lone_months,
            self._years,
        ):
            for period, start, end, *extra in handler(text):
                found.append(FoundPeriod(period, start, end, **(extra[0] if extra else {})))
                text = blank_span(text, start, end)
        found.sort(key=lambda item: item.start)
        found = self._relative_to_named(found, original)
        found = _give_years(_month_word_before(_year_before(found, original), original))
        found = _joined_ranges(found, original)
        for item in found:  # spans a rule above widened
            text = blank_span(text, item.start, item.end)
        return found, text

    def _relative_to_named(self, found: list[FoundPeriod], text: str) -> list[FoundPeriod]:
        """ "Q4 2025 *vs the previous quarter*", "diciembre 2025 *frente al mismo mes del año anterior*": a period
        compared with a named one is the one before *that* period, not before the as-of date (which would be the
        named period itself, and the comparison would silently disappear)."""
        for match in _AFTER_NAMED.finditer(text):
            inside = [item for item in found if match.start("phrase") <= item.start < match.end("phrase")]
            named = [item for item in found if item.end <= match.start() and item not in inside]
            if len(inside) != 1 or not named:
                continue
            base = named[-1].period
            if base.start.day != 1 or base.end.day != 1:
                continue  # days: not shifted by whole months
            at = found.index(inside[0])
            length = (base.end.year - base.start.year) * 12 + base.end.month - base.start.month
            back = _UNIT_MONTHS.get(match.group("unit") or match.group("unidad") or "", length)
            if match.group("same"):
                period = a_year_earlier(base)
            elif back == 1 < length:
                found[at] = FoundPeriod(inside[0].period, match.start("phrase"), match.end("phrase"), previous_row=True)
                continue
            else:
                start = add_months(base.start, -back)
                period = months_period(start, back, self._months_label(start, back))
            found[at] = FoundPeriod(period, match.start("phrase"), match.end("phrase"))
        return found

    def _months_label(self, start: date, months: int) -> str:
        """The label of ``months`` months from ``start``: a year, a quarter, a half or the months."""
        if months == 12 and start.month == 1:
            return str(start.year)
        if months == 3 and start.month % 3 == 1:
            return self.quarter_at(start).label
        if months == 6 and start.month in (1, 7):
            return self._half_period(1 if start.month == 1 else 2, start.year).label
        return self._label_months(start, months)

    def _relative_years(self, text: str) -> str:
        """ "diciembre del año pasado", "Q4 of last year", "entre octubre y diciembre de este año": the year
        named relatively after a month or a part of a year is written as its number (same length, so every
        offset stays valid), for the handlers that take a year."""

        def year(match: re.Match[str]) -> str:
            relative = match.group(3)
            value = self.as_of.year - (1 if re.search(r"pasado|anterior|last|previous", relative) else 0)
            written = f"{match.group(1)}{match.group(2)}{value}"
            return written + " " * (len(match.group()) - len(written))

        return _RELATIVE_YEAR.sub(year, text)

    def _short_years(self, text: str):
        """A year written with two digits after a month, quarter or half, as in reports and spreadsheets:
        "Dec '25", "dic-25", "Q4'25", "H2'25", "1H25", "2H 2025". A month followed by a bare number ("dic 25")
        is left alone: it may be a day."""
        short = r"(?:\s*'\s*|-|\s+del\s+)(2\d)(?![0-9])"  # "dic-25", "Dec '25", "enero del 26"
        month = compiled(rf"\b(?:({_MONTH})|({_ABBR})){short}")
        for match in list(month.finditer(text)):
            number = MONTHS.get(match.group(1) or "") or MONTH_ABBREVIATIONS[match.group(2)]
            start = date(2000 + int(match.group(3)), number, 1)
            yield self._month(start), match.start(), match.end()
            text = blank_span(text, match.start(), match.end())
        quarter = compiled(rf"\b[qt]([1-4]){short}|\b([1-4])q(?:\s*'\s*)?(2\d)(?![0-9])")
        for match in list(quarter.finditer(text)):
            written, year = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
            yield self._quarter_period(int(written), 2000 + int(year)), match.start(), match.end()
            text = blank_span(text, match.start(), match.end())
        half = compiled(rf"\b[hs]([12]){short}|\b([12])h(?:(?:\s*'\s*)?(2\d)(?![0-9])|\s+(20\d\d)\b)")
        for match in list(half.finditer(text)):
            if match.group(1):
                number, year = int(match.group(1)), 2000 + int(match.group(2))
            else:
                number = int(match.group(3))
                year = int(match.group(5)) if match.group(5) else 2000 + int(match.group(4))
            yield self._half_period(number, year), match.start(), match.end()

    def _months_of_year(self, text: str):
        """ "the first two months of 2025", "los últimos 3 meses del 2025", "the first three quarters of 2025":
        months (or quarters, or halves) at the start or end of a year."""
        pattern = re.compile(
            rf"\b(?:the\s+|los\s+)?(first|primeros|last|ultimos)\s+{_NUM}\s+(months|meses|quarters|trimestres|bimesters"
            rf"|bimestres)\s+(?:of|de|del)\s+(?:(?:the\s+)?year\s+|(?:el\s+)?ano\s+)?{_YEAR}\b"
        )
        for match in list(pattern.finditer(text)):
            unit = {"quarters": 3, "trimestres": 3, "bimesters": 2, "bimestres": 2}.get(match.group(3), 1)
            months, year = _number(match.group(2)) * unit, int(match.group(4))
            if not 1 <= months <= 12:
                continue
            first = match.group(1) in ("first", "primeros")
            start = date(year, 1, 1) if first else date(year, 13 - months, 1)
            yield months_period(start, months, self._label_months(start, months)), match.start(), match.end()

    # -- handlers: each yields (period, start, end) over the current text -----------------------------
    def _days_period(self, first: date, last: date, match: re.Match[str] | tuple[int, int]):
        """``(period, start, end, extra)`` of the days ``first``..``last`` (inclusive) found at ``match`` (or a
        ``(start, end)`` span): whole months are a period; other days are marked (``days``) with the months that
        hold them."""
        start_at, end_at = match if isinstance(match, tuple) else match.span()
        months = (last.year * 12 + last.month) - (first.year * 12 + first.month) + 1
        start = month_start(first)
        period = months_period(start, months, self._label_months(start, months))
        if first.day == 1 and add_months(last, 1).replace(day=1) - last == timedelta(days=1):
            return period, start_at, end_at, {}
        label = self._days_label(first, last)
        days = Period(start=first, end=last + timedelta(days=1), label=label)
        return period, start_at, end_at, {"days": label, "day_period": days}

    def _days_label(self, first: date, last: date) -> str:
        def day(value: date, year: bool) -> str:
            name = month_label(value, self.language).rsplit(" ", 1)[0]
            text = f"{value.day} de {name}" if self.language == "es" else f"{value.day} {name}"
            return f"{text} {value.year}" if year else text

        if first == last:
            return day(first, True)
        return f"{day(first, first.year != last.year)} – {day(last, True)}"

    def _day_ranges(self, text: str):
        """ "from July 1 to September 30, 2025", "del 1 de julio al 30 de septiembre de 2025", "entre el 15 y
        el 31 de diciembre", "December 15, 2025", "2025-12-15", "la primera quincena de enero": days (whole months
        are a period of months)."""
        day, th, year = r"\d{1,2}", r"(?:st|nd|rd|th)?", rf"(?:\s*\|)?(?:\s*(?:of|de|del)?\s*{_YEAR})?"
        first_year = r"(?:(?:\s*\|)?\s*(?:de\s+|del\s+)?(?P<y1>20\d\d))?"  # "Dec 20, 2025 to Jan 5, 2026"
        patterns = [  # groups: first day, first month, (first year,) last day, last month, year (named)
            rf"\b(?:from|between)\s+(?P<m1>{_MONTH}|{_ABBR})\s+(?P<d1>{day}){th}{first_year}\s+"
            rf"(?:to|and|until|through|thru)\s+(?:(?P<m2>{_MONTH}|{_ABBR})\s+)?(?P<d2>{day}){th}(?P<y>{year})",
            rf"\b(?:from|between)\s+(?:the\s+)?(?P<d1>{day}){th}(?:\s+(?:of\s+)?(?P<m1>{_MONTH}))?\s+"
            rf"(?:to|and|until|through|thru)\s+(?:the\s+)?(?P<d2>{day}){th}\s+(?:of\s+)?(?P<m2>{_MONTH})(?P<y>{year})",
            rf"\b(?:del|desde\s+el|entre\s+el|de|desde)\s+{_WEEKDAY_ES}(?P<d1>{day})(?:ro|ero|o)?"
            rf"(?:\s+de\s+(?P<m1>{_MONTH}|{_ABBR}){first_year})?\s+(?:al|a|hasta\s+el|y\s+el|hasta|y)\s+{_WEEKDAY_ES}"
            rf"(?P<d2>{day})\s+de\s+"
            rf"(?P<m2>{_MONTH}|{_ABBR})(?P<y>{year})",
            # "dec 24 to dec 31 2025", "nov 1 - nov 15": a day range written with abbreviated months
            rf"\b(?P<m1>{_MONTH}|{_ABBR})\s+(?P<d1>{day}){th}{first_year}\s*(?:to|until|through|thru|-|–|al|a|hasta)\s*"
            rf"(?:(?P<m2>{_MONTH}|{_ABBR})\s+)?(?P<d2>{day}){th}(?P<y>{year})",
            rf"\b(?:on\s+)?(?P<m1>{_MONTH})\s+(?P<d1>{day}){th}(?:\s*\|)?\s*(?P<y>20\d\d)",
            rf"\b(?:el|on\s+the)\s+(?P<d1>{day}){th}\s+(?:de|of)\s+(?P<m1>{_MONTH})(?P<y>{year})",
            r"\b(?P<y>20\d\d)-(?P<m1>0[1-9]|1[0-2])-(?P<d1>[0-3]\d)\b",
        ]
        for match in list(compiled(_ISO_RANGE).finditer(text)):  # "between 2025-10-01 and 2025-12-31"
            try:
                iso_ends = [date(int(match[f"y{n}"]), int(match[f"m{n}"]), int(match[f"d{n}"])) for n in (1, 2)]
            except ValueError:
                continue
            if iso_ends[0] <= iso_ends[1]:
                yield self._days_period(iso_ends[0], iso_ends[1], match)
                text = blank_span(text, match.start(), match.end())
        for match in list(compiled(_WEEK_OF).finditer(text)):
            # "the week of March 3, 2025", "la semana del 3 de marzo": Monday to Sunday of the week holding the day
            named_day = self._week_of_day(match)
            if named_day is not None:
                monday = self._monday(named_day)
                yield self._days_period(monday, monday + timedelta(days=6), match)
                text = blank_span(text, match.start(), match.end())
        for pattern in patterns:
            # "la semana del 15 al 21 de diciembre": the word "week" before days that name it says nothing more
            # … and "the weekend of November 29-30", "el fin de semana del 29 y 30 de noviembre": the days it names
            prefix = r"(?:\b(?:the\s+|la\s+|el\s+)?(?:week|semana|weekend|fin\s+de\s+semana)\s+(?:of\s+)?)?"
            for match in list(compiled(prefix + pattern).finditer(text)):
                found = self._day_range_dates(match)
                if found is not None:
                    yield self._days_period(*found, match)
                    text = blank_span(text, match.start(), match.end())
        # "the second week of January 2026", "la última semana de diciembre": days 8–14, the month's last seven days
        for match in list(compiled(rf"{_WEEK_OF_MONTH}(?P<y>{year})").finditer(text)):
            month = self._named_month(match)
            last_day = _month_end(month)
            ordinal = _WEEK_ORDINALS[match.group("ord")]
            first = last_day - timedelta(days=6) if ordinal == 0 else month + timedelta(days=7 * (ordinal - 1))
            yield self._days_period(first, first + timedelta(days=6), match)
            text = blank_span(text, match.start(), match.end())
        # "the first 10 days of January 2026", "los últimos 7 días de diciembre"
        for match in list(compiled(rf"{_DAYS_OF_MONTH}(?P<y>{year})").finditer(text)):
            month = self._named_month(match)
            last_day = _month_end(month)
            days = _number(match.group("n"))
            if not 1 <= days <= last_day.day:
                continue
            if match.group("which") in ("first", "primeros"):
                yield self._days_period(month, month + timedelta(days=days - 1), match)
            else:
                yield self._days_period(last_day - timedelta(days=days - 1), last_day, match)
            text = blank_span(text, match.start(), match.end())
        for match in list(compiled(_NUMERIC_RANGE).finditer(text)):
            ends = self._numeric_dates(match.group("first"), match.group("last"))
            if ends is not None and ends[0] <= ends[1]:
                yield self._days_period(ends[0], ends[1], match)
                text = blank_span(text, match.start(), match.end())
        for match in list(compiled(_NUMERIC_DATE).finditer(text)):
            written = self._numeric_dates(match.group())
            if written is not None:
                yield self._days_period(written[0], written[0], match)
                text = blank_span(text, match.start(), match.end())
        # "la primera quincena de enero 2026", "the second half of December 2025", "2da quincena de nov": days 1–15
        # or 16 to the end; "from the first to the second half of December", "1ra vs 2da quincena de dic": both
        first_half = rf"(?P<first>(?:(?:la|the)\s+)?(?P<h1>{_HALF_ORDINAL})(?:\s+(?:quincena|half|fortnight))?)"
        paired = (
            rf"\b(?:(?:from|de)\s+)?{first_half}\s+(?:to|vs|versus|and|a|al|y|contra|frente\s+a)\s+"
            rf"(?P<second>(?:(?:la|the)\s+)?(?P<h2>{_HALF_ORDINAL})\s+(?:quincena|half|fortnight)\s+(?:de|del|of)\s+"
            rf"(?P<m1>{_MONTH}|{_ABBR})(?P<y>{year}))"
        )
        for match in list(compiled(paired).finditer(text)):
            month = self._named_month(match)
            halves = [self._half_of_month(month, match.group(name)) for name in ("h1", "h2")]
            yield self._days_period(*halves[0], (match.start(), match.end("first")))
            yield self._days_period(*halves[1], match.span("second"))
            text = blank_span(text, match.start(), match.end())
        fortnight = (
            rf"\b(?:(?:la|the)\s+)?(?P<h1>{_HALF_ORDINAL})\s+(?:quincena|fortnight|half)\s+"
            rf"(?:de|del|of)\s+(?P<m1>{_MONTH}|{_ABBR})(?P<y>{year})"
        )
        for match in list(compiled(fortnight).finditer(text)):
            yield self._days_period(*self._half_of_month(self._named_month(match), match.group("h1")), match)
            text = blank_span(text, match.start(), match.end())

    def _day_range_dates(self, match: re.Match[str]) -> tuple[date, date] | None:
        """The first and last day a day-range match names (None when they are not dates, or out of order)."""
        groups = match.groupdict()
        month1 = groups.get("m1") or groups.get("m2") or ""
        month2 = groups.get("m2") or month1
        number1, number2 = (_month_number(month) for month in (month1, month2))
        year_text = re.search(r"20\d\d", groups.get("y") or "")
        if year_text:
            end_year = int(year_text.group())
        else:
            end_year = latest_month(number2, self.as_of).year
        start_year = end_year - 1 if number1 > number2 else end_year
        if groups.get("y1"):
            start_year = int(groups["y1"])
        try:
            first = date(start_year, number1, int(groups["d1"]))
            last = date(end_year, number2, int(groups.get("d2") or groups["d1"]))
        except ValueError:
            return None
        return (first, last) if first <= last else None

    def _named_month(self, match: re.Match[str]) -> date:
        """The first day of the month a match names in ``m1`` (its year in ``y``, else the latest such month)."""
        return self._month_in_year(match.group("m1"), match.group("y") or "")

    def _month_in_year(self, month: str, year: str) -> date:
        """The first day of ``month`` (a name, abbreviation or number) in the year written in ``year``, else the
        latest such month up to the as-of date."""
        number = _month_number(month)
        year_text = re.search(r"20\d\d", year)
        return date(int(year_text.group()), number, 1) if year_text else latest_month(number, self.as_of)

    @staticmethod
    def _half_of_month(month: date, ordinal: str) -> tuple[date, date]:
        """Days 1–15 of ``month`` for a first half, 16 to the month's end for a second."""
        if ordinal in _SECOND_HALF:
            return month.replace(day=16), _month_end(month)
        return month, month.replace(day=15)

    def _week_of_day(self, match: re.Match[str]) -> date | None:
        """The day a "week of …" match names (the latest such day up to the as-of date when no year is named)."""
        month = self._month_in_year(
            match.group("m1") or match.group("m2") or match.group("m3"),
            (match.group("y") or "") + (match.group("y2") or ""),
        )
        try:
            return month.replace(day=int(match.group("d1") or match.group("d2") or match.group("d3")))
        except ValueError:
            return None

    def _numeric_dates(self, *written: str) -> list[date] | None:
        """The dates written "11/28/2025" (month first in English) or "28/11/2025" (day first in Spanish); a number
        over 12 in any of them settles the order for all. None when one is not a date."""
        parts = [[int(number) for number in text.split("/")] for text in written]
        if any(first > 12 for first, _, _ in parts):
            month_first = False
        elif any(second > 12 for _, second, _ in parts):
            month_first = True
        else:
            month_first = self.language != "es"
        try:
            return [date(year, a, b) if month_first else date(year, b, a) for a, b, year in parts]
        except ValueError:
            return None

    def _weeks_and_days(self, text: str):
        """ "week 50 of 2025", "semana 50", "last 2 weeks", "la semana pasada", "últimos 30 días", "yesterday":
        days the monthly warehouse cannot tell apart (marked, with the months that hold them)."""
        week = r"(?:week|semana)"
        rules: list[tuple[str, Callable[[re.Match[str]], tuple[date, date] | None]]] = [
            (
                rf"\b(?:the\s+|la\s+)?{week}\s+(?:number\s+|numero\s+|n\s+)?(\d{{1,2}})(?:\s+(?:of|de|del))?(?:\s+{_YEAR})?\b",
                lambda m: self._iso_week(int(m.group(1)), int(m.group(2)) if m.group(2) else None),
            ),
            (
                rf"\b(?:last|past|previous|(?:las\s+)?ultimas)\s+{_NUM}\s+(?:weeks|semanas)\b",
                lambda m: (self.as_of - timedelta(days=7 * _number(m.group(1)) - 1), self.as_of),
            ),
            (
                rf"\b(?:last|past|previous|(?:los\s+)?ultimos)\s+{_NUM}\s+(?:days|dias)\b",
                lambda m: (self.as_of - timedelta(days=_number(m.group(1)) - 1), self.as_of),
            ),
            (
                r"\b(?:last|previous|past)\s+week\b|\b(?:la\s+)?(?:semana\s+(?:pasada|anterior)|ultima\s+semana)\b",
                lambda m: (self._monday(self.as_of) - timedelta(days=7), self._monday(self.as_of) - timedelta(days=1)),
            ),
            (
                r"\b(?:this|current)\s+week\b|\besta\s+semana\b",
                lambda m: (self._monday(self.as_of), self.as_of),
            ),
            (r"\b(?:yesterday|ayer)\b", lambda m: (self.as_of - timedelta(days=1),) * 2),
            (r"\b(?:today|hoy)\b", lambda m: (self.as_of,) * 2),
        ]
        # "week 50 to week 51 of 2025", "la semana 50 vs la 51 de 2025": the first week takes the second's year
        paired = (
            rf"\b(?:the\s+|la\s+)?{week}\s+(?:number\s+|numero\s+)?(?P<w1>\d{{1,2}})\s+"
            rf"(?:to|and|vs|versus|against|compared\s+(?:to|with)|y|a|al|contra|frente\s+a)\s+(?P<second>(?:the\s+|la\s+)?"
            rf"(?:{week}\s+)?(?:number\s+|numero\s+)?(?P<w2>\d{{1,2}})(?:\s+(?:of|de|del))?\s+(?P<y>20\d\d))\b"
        )
        for match in list(compiled(paired).finditer(text)):
            year = int(match.group("y"))
            weeks = [self._iso_week(int(match.group(name)), year) for name in ("w1", "w2")]
            if None in weeks:
                continue
            for found, span in zip(weeks, ((match.start(), match.end("w1")), match.span("second"))):
                assert found is not None
                yield self._days_period(*found, span)
            text = blank_span(text, match.start(), match.end())
        for pattern, dates in rules:
            for match in list(compiled(pattern).finditer(text)):
                found = dates(match)
                if found is None:
                    continue
                yield self._days_period(*found, match)
                text = blank_span(text, match.start(), match.end())

    def _iso_week(self, number: int, year: int | None) -> tuple[date, date] | None:
        """Monday to Sunday of ISO week ``number`` (of the as-of date's year when none is named)."""
        try:
            monday = date.fromisocalendar(year or self.as_of.year, number, 1)
        except ValueError:
            return None
        return monday, monday + timedelta(days=6)

    @staticmethod
    def _monday(day: date) -> date:
        return day - timedelta(days=day.weekday())

    def _ranges(self, text: str):
        pattern = re.compile(
            rf"\b(?:(?:(?:between|from|entre|de|desde)\s+({_MONTH}){_OF}(?:\s+{_YEAR})?"
            # "from Oct 2024 through Feb 2025": an abbreviation only after a word that opens a range ("de mar …")
            rf"|(?:between|from|entre|desde)\s+({_ABBR}){_OF}(?:\s+{_YEAR})?)\s+"
            rf"(?:and|to|until|through|thru|y|a|al|hasta)\s+"
            # "oct a dic 2025", "July to December": months joined by a word that only a range uses
            rf"|({_MONTH}|{_ABBR})(?:\s+{_YEAR})?\s+(?:to|until|through|thru|a|al|hasta)\s+(?=(?:{_ABBR}|{_MONTH})\b)"
            # "enero-junio 2025", "January – June 2025": two months joined by a dash are a range too
            rf"|({_MONTH}|{_ABBR})(?:\s+{_YEAR})?\s*[-–—]\s*)({_MONTH}|{_ABBR}){_OF}(?:\s+{_YEAR})?\b"
        )
        for match in list(pattern.finditer(text)):
            first = match.group(1) or match.group(3) or match.group(5) or match.group(7)
            first_year = match.group(2) or match.group(4) or match.group(6) or match.group(8)
            last, last_year = match.group(9), match.group(10)
            m1, m2 = (MONTHS.get(word) or MONTH_ABBREVIATIONS[word] for word in (first, last))
            if last_year:
                end_year = int(last_year)
            elif first_year:
                end_year = int(first_year) + (1 if m2 < m1 else 0)
            else:
                end_year = latest_month(m2, self.as_of).year
            start_year = int(first_year) if first_year else (end_year - 1 if m1 > m2 else end_year)
            start = date(start_year, m1, 1)
            months = (end_year * 12 + m2) - (start_year * 12 + m1) + 1
            if months < 1:
                continue
            last = add_months(start, months - 1)
            ends = (
                self._month(start),
                self._month(last),
            )
            yield (
                months_period(start, months, self._label_months(start, months)),
                match.start(),
                match.end(),
                {"endpoints": ends},
            )

    def _quarter_period(self, quarter: int, year: int | None) -> Period:
        if year is None:
            year = self.as_of.year if (quarter - 1) * 3 + 1 <= self.as_of.month else self.as_of.year - 1
        start = date(year, (quarter - 1) * 3 + 1, 1)
        return months_period(start, 3, f"Q{quarter} {year}" if self.language == "en" else f"T{quarter} {year}")

    def _half_period(self, half: int, year: int | None) -> Period:
        if year is None:  # the latest such half that has started by the as-of date
            year = self.as_of.year if (half - 1) * 6 + 1 <= self.as_of.month else self.as_of.year - 1
        return months_period(
            date(year, (half - 1) * 6 + 1, 1), 6, f"H{half} {year}" if self.language == "en" else f"S{half} {year}"
        )

    def _halves(self, text: str):
        """``H2 2025``, ``second half of 2025``, ``segundo semestre de 2025``, ``primera mitad del año 2025``."""
        ordinals = "|".join(sorted(ORDINAL_HALVES, key=len, reverse=True))
        year = _OPTIONAL_YEAR
        patterns = [
            re.compile(rf"\b[hs]([12]){year}\b"),
            re.compile(rf"\b([12])\s?s{year}\b"),
            re.compile(rf"\b({ordinals})\s+(?:half|semester|semestre|mitad){year}\b"),
            re.compile(rf"\b(?:half|semester|semestre)\s+([12]){year}\b"),
        ]
        pairs, text = _paired_periods(text, "half|semester|semestre|mitad", ORDINAL_HALVES, year, self._half_period)
        yield from pairs
        yield from _numbered_periods(
            text, patterns, ORDINAL_HALVES, lambda half, token, year: self._half_period(half, year)
        )

    def _bimesters(self, text: str):
        """``first bimester of 2025``, ``tercer bimestre de 2025``, ``bimestre 2``: two months of a year."""
        yield from self._parts_of_year(text, 2, "bimester|bimestre|two-month period", ORDINAL_BIMESTERS, "B")

    def _four_months(self, text: str):
        """``el tercer cuatrimestre de 2025``, ``el último cuatrimestre``, ``cuatrimestre 1``: four months of a
        year (Latin American reports)."""
        yield from self._parts_of_year(text, 4, "cuatrimestre|four-month period", ORDINAL_FOUR_MONTHS, None)

    def _parts_of_year(self, text: str, months: int, units: str, ordinals: dict[str, int], prefix: str | None):
        """Periods of ``months`` months that divide a year, named by their ordinal or number (``prefix`` labels
        them, e.g. "B3 2025"; without one the label names their months)."""
        parts = 12 // months
        words = "|".join(sorted(ordinals, key=len, reverse=True))
        year = _OPTIONAL_YEAR
        patterns = [
            re.compile(rf"\b({words})\s+(?:{units}){year}\b"),
            re.compile(rf"\b(?:{units})\s+([1-{parts}]){year}\b"),
        ]

        def part_period(number: int, year: int | None) -> Period:
            first_month = (number - 1) * months + 1
            if year is None:  # the latest such part that has started by the as-of date
                year = self.as_of.year if first_month <= self.as_of.month else self.as_of.year - 1
            start = date(year, first_month, 1)
            label = f"{prefix}{number} {year}" if prefix else self._label_months(start, months)
            return months_period(start, months, label)

        def part(number: int, token: str, year: int | None) -> Period | None:
            if token in ("last", "ultimo") and year is None:
                return None  # "the last bimester" is relative
            return part_period(number, year)

        pairs, text = _paired_periods(text, units, ordinals, year, part_period)
        yield from pairs
        yield from _numbered_periods(text, patterns, ordinals, part)

    def _quarters(self, text: str):
        ordinals = "|".join(sorted(ORDINAL_QUARTERS, key=len, reverse=True))
        patterns = [
            re.compile(rf"\bq([1-4])(?:\s*(?:de|del|of)?\s*{_YEAR})?\b"),
            re.compile(rf"\bt([1-4])(?:\s*(?:de|del)?\s*{_YEAR})?\b"),  # "T3 2024", the Spanish label
            re.compile(rf"\b([1-4])\s?t(?:\s*(?:de|del)?\s*{_YEAR})?\b"),
            re.compile(rf"\b({ordinals})\s+(?:quarter|trimestre)(?:\s+(?:of|de|del))?(?:\s+(?:ano\s+)?{_YEAR})?\b"),
            re.compile(rf"\b(?:quarter|trimestre)\s+([1-4])(?:\s+(?:of|de|del))?(?:\s+{_YEAR})?\b"),
        ]

        def quarter_period(quarter: int, token: str, year: int | None) -> Period | None:
            if token in ("last", "ultimo") and year is None:
                return None  # "last quarter" is relative, handled below
            return self._quarter_period(quarter, year)

        year = _OPTIONAL_YEAR
        pairs, text = _paired_periods(text, "quarter|trimestre", ORDINAL_QUARTERS, year, self._quarter_period)
        yield from pairs
        yield from _numbered_periods(text, patterns, ORDINAL_QUARTERS, quarter_period)

    def _month_years(self, text: str):
        pattern = re.compile(rf"\b(?:({_MONTH})|({_ABBR})){_OF}\s+{_YEAR}\b")
        for match in list(pattern.finditer(text)):
            month = MONTHS.get(match.group(1) or "") or MONTH_ABBREVIATIONS[match.group(2)]
            start = date(int(match.group(3)), month, 1)
            yield self._month(start), match.start(), match.end()

    def _iso_months(self, text: str):
        """``2025-12`` and ``12/2025``: one month."""
        for match in list(compiled(rf"\b{_YEAR}-(0[1-9]|1[0-2])\b|\b(0?[1-9]|1[0-2])/{_YEAR}\b").finditer(text)):
            year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            start = date(int(year), int(month), 1)
            yield self._month(start), match.start(), match.end()

    def _relative(self, text: str):
        this_month = month_start(self.as_of)
        # "the last N months" end with the as-of month when the data holds all of it (as of its last day)
        complete = add_months(this_month, 1) if (self.as_of + timedelta(days=1)).day == 1 else this_month
        this_quarter = date(self.as_of.year, (self.as_of.month - 1) // 3 * 3 + 1, 1)
        # likewise "the last N quarters" end with the as-of quarter when the as-of date is its last day
        quarters_end = add_months(
            this_quarter, 3 if self.as_of + timedelta(days=1) == add_months(this_quarter, 3) else 0
        )
        this_half = date(self.as_of.year, 1 if self.as_of.month <= 6 else 7, 1)
        es = self.language == "es"
        rules: list[tuple[str, Callable[[re.Match[str]], Period]]] = [
            (
                # the as-of month so far: "month to date", "so far this month", "en lo que va del mes" (days when the
                # as-of date is not the month's last)
                r"\b(?:month\s+to\s+date|mtd|so\s+far\s+this\s+month|this\s+month\s+so\s+far)\b"
                r"|\b(?:en\s+)?lo\s+que\s+(?:va|llevamos)\s+(?:del|de|este)\s+mes\b",
                lambda m: self._days_so_far(this_month),
            ),
            (
                rf"\b(?:last|past|previous|trailing|(?:los\s+)?ultimos|(?:las\s+)?ultimas)\s+{_NUM}\s+(?:months|meses)\b",
                lambda m: months_period(
                    add_months(complete, -_number(m.group(1))),
                    _number(m.group(1)),
                    f"últimos {_number(m.group(1))} meses" if es else f"last {_number(m.group(1))} months",
                ),
            ),
            (
                rf"\b(?:last|previous|past|(?:los\s+)?ultimos)\s+{_NUM}\s+(?:quarters|trimestres)\b",
                lambda m: months_period(
                    add_months(quarters_end, -3 * _number(m.group(1))),
                    3 * _number(m.group(1)),
                    f"últimos {_number(m.group(1))} trimestres" if es else f"last {_number(m.group(1))} quarters",
                ),
            ),
            (
                rf"\b(?:last|previous|past|(?:los\s+)?ultimos)\s+{_NUM}\s+(?:years|anos)\b",
                lambda m: months_period(
                    date(self.as_of.year - _number(m.group(1)), 1, 1),
                    12 * _number(m.group(1)),
                    f"últimos {_number(m.group(1))} años" if es else f"last {_number(m.group(1))} years",
                ),
            ),
            (
                r"\b(?:last|previous|past)\s+(?:half(?:[-\s]year)?|semester)\b|\b(?:el\s+)?(?:ultimo\s+semestre|semestre\s+(?:pasado|anterior))\b",
                lambda m: self._half_period(
                    2 if this_half.month == 1 else 1, this_half.year - 1 if this_half.month == 1 else this_half.year
                ),
            ),
            (
                r"\b(?:this|current)\s+(?:half|semester)\b|\beste\s+semestre\b|\bsemestre\s+actual\b",
                lambda m: self._half_period(1 if this_half.month == 1 else 2, this_half.year),
            ),
            (
                r"\b(?:last|previous|past)\s+quarter\b|\b(?:el\s+)?(?:ultimo\s+trimestre|trimestre\s+(?:pasado|anterior))\b",
                lambda m: self.quarter_at(add_months(this_quarter, -3)),
            ),
            (
                r"\b(?:this|current)\s+quarter\b|\beste\s+trimestre\b|\btrimestre\s+actual\b",
                lambda m: self.quarter_at(this_quarter),
            ),
            (
                r"\b(?:last|previous|past)\s+month\b|\b(?:el\s+)?(?:mes\s+(?:pasado|anterior)|ultimo\s+mes)\b",
                lambda m: self._month(add_months(this_month, -1)),
            ),
            (
                r"\b(?:this|current)\s+month\b|\beste\s+mes\b|\bmes\s+(?:actual|en\s+curso)\b",
                lambda m: self._month(this_month),
            ),
            (
                r"\b(?:year\s+to\s+date|ytd|so\s+far\s+this\s+year|(?:this\s+)?year\s+so\s+far)\b"
                r"|\bsince\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year\b"
                r"|\bdesde\s+(?:el\s+)?(?:inicios?|principios?|comienzo)\s+(?:del|de)\s+(?:este\s+)?ano\b"
                r"|\ben\s+lo\s+que\s+va\s+(?:del|de)\s+ano\b"
                r"|\ben\s+lo\s+que\s+llevamos\s+(?:del|de)\s+ano\b|\b(?:en\s+el\s+|del\s+)?ano\s+a\s+la\s+fecha\b",
                lambda m: self._year_so_far(self.as_of.year, this_month),
            ),
            (
                # a named year so far: "en lo que va del 2025", "so far in 2025", "2025 to date" (up to the as-of month)
                r"\b(?:en\s+)?lo\s+que\s+(?:va|llevamos)\s+(?:del|de)\s+(?:ano\s+)?(?P<y1>20\d\d)\b"
                r"|\bso\s+far\s+in\s+(?P<y2>20\d\d)\b|\b(?P<y3>20\d\d)\s+(?:year\s+)?to\s+date\b",
                lambda m: self._year_so_far(int(m.group("y1") or m.group("y2") or m.group("y3")), this_month),
            ),
            (
                # the as-of quarter so far: "quarter to date", "QTD", "en lo que va del trimestre"
                r"\b(?:quarter\s+to\s+date|qtd|so\s+far\s+this\s+quarter|this\s+quarter\s+so\s+far)\b"
                r"|\b(?:en\s+)?lo\s+que\s+(?:va|llevamos)\s+(?:del|de|este)\s+trimestre\b|\btrimestre\s+a\s+la\s+fecha\b",
                lambda m: self._quarter_so_far(this_quarter),
            ),
            (
                # "two months ago", "hace 3 meses", "the month before last", "el mes antepasado": one earlier month
                rf"\b{_NUM}\s+months?\s+ago\b|\bhace\s+{_NUM}\s+mes(?:es)?\b"
                r"|\b(?P<before_last>the\s+month\s+before\s+last|(?:el\s+)?mes\s+antepasado)\b",
                lambda m: self._month(
                    add_months(this_month, -(2 if m.group("before_last") else _number(m.group(1) or m.group(2))))
                ),
            ),
            (
                # "two quarters ago", "hace 2 trimestres": the quarter that many before the as-of one
                rf"\b{_NUM}\s+quarters?\s+ago\b|\bhace\s+{_NUM}\s+trimestres?\b",
                lambda m: self.quarter_at(add_months(this_quarter, -3 * _number(m.group(1) or m.group(2)))),
            ),
            (
                # "two years ago", "hace 2 años": that calendar year
                rf"\b{_NUM}\s+years?\s+ago\b|\bhace\s+{_NUM}\s+anos?\b",
                lambda m: months_period(
                    date(self.as_of.year - _number(m.group(1) or m.group(2)), 1, 1),
                    12,
                    str(self.as_of.year - _number(m.group(1) or m.group(2))),
                ),
            ),
            (
                r"\b(?:the\s+)?quarter\s+before\s+last\b|\b(?:el\s+)?trimestre\s+antepasado\b",
                lambda m: self.quarter_at(add_months(this_quarter, -6)),
            ),
            (
                r"\b(?:the\s+)?year\s+before\s+last\b|\b(?:el\s+)?ano\s+antepasado\b",
                lambda m: months_period(date(self.as_of.year - 2, 1, 1), 12, str(self.as_of.year - 2)),
            ),
            (
                r"\b(?:last|previous|past)\s+year\b|\b(?:el\s+)?ano\s+(?:pasado|anterior)\b",
                lambda m: months_period(date(self.as_of.year - 1, 1, 1), 12, str(self.as_of.year - 1)),
            ),
            (
                r"\b(?:this|current)\s+year\b|\beste\s+ano\b|\bano\s+(?:actual|en\s+curso)\b",
                lambda m: months_period(date(self.as_of.year, 1, 1), 12, str(self.as_of.year)),
            ),
        ]
        for pattern, build in rules:
            for match in list(compiled(pattern).finditer(text)):
                yield build(match), match.start(), match.end()
                text = blank_span(text, match.start(), match.end())

    def _days_so_far(self, this_month: date) -> Period:
        """The as-of month up to the as-of date (the whole month when that is its last day)."""
        end = self.as_of + timedelta(days=1)
        if end.day == 1:
            return self._month(this_month)
        label = self._days_label(this_month, self.as_of)
        return Period(start=this_month, end=end, label=label)

    def _quarter_so_far(self, this_quarter: date) -> Period:
        """The as-of quarter up to the as-of date, that day included."""
        quarter = self.quarter_at(this_quarter)
        end = min(quarter.end, self.as_of + timedelta(days=1))
        return Period(
            start=quarter.start, end=end, label=f"{quarter.label} {'QTD' if self.language == 'en' else 'a la fecha'}"
        )

    def _year_so_far(self, year: int, this_month: date) -> Period:
        """``year`` up to the as-of date, that day included (days after it are not "to date", even where the data
        holds them); the whole year once it is over. Days that are not whole months are read from the daily
        table."""
        end = min(date(year + 1, 1, 1), self.as_of + timedelta(days=1))
        if end <= date(year, 1, 1):
            end = date(year + 1, 1, 1)  # a year after the as-of date: the forecast rule refuses it
        whole_year = end == date(year + 1, 1, 1)
        return Period(start=date(year, 1, 1), end=end, label=str(year) if whole_year else f"{year} YTD")

    def _since(self, text: str):
        """``since March 2025`` / ``desde marzo de 2025``: from that month to the as-of date's month."""
        pattern = re.compile(rf"\b(?:since|desde)\s+({_MONTH}){_OF}(?:\s+{_YEAR})?\b")
        for match in list(pattern.finditer(text)):
            month = MONTHS[match.group(1)]
            start = date(int(match.group(2)), month, 1) if match.group(2) else latest_month(month, self.as_of)
            months = (self.as_of.year - start.year) * 12 + self.as_of.month - start.month + 1
            if months >= 1:
                yield months_period(start, months, self._label_months(start, months)), match.start(), match.end()

    def _lone_months(self, text: str):
        """A month named without its year (the latest one up to the as-of date); an abbreviation only in a list
        of months ("oct vs nov 2025", "oct, nov y dic"), where it cannot be another word ("may", "mar")."""
        for match in list(compiled(_LONE_MONTH).finditer(text)):
            # the month after an abbreviation may be blanked already ("nov 2025" was read): look in the question
            if match.group(2) and not compiled(_LISTED_MONTH).match(self._unblanked, match.end()):
                continue
            start = latest_month(_month_number(match.group(1) or match.group(2)), self.as_of)
            yield self._month(start), match.start(), match.end()

    def _years(self, text: str):
        # "year over year 2025": "year" belongs to the change, not to the year that follows
        for match in list(re.finditer(rf"\b(?:(?<!over )(?<!on )(?:the\s+)?year\s+|(?:el\s+)?ano\s+)?{_YEAR}\b", text)):
            year = int(match.group(1))
            yield months_period(date(year, 1, 1), 12, str(year)), match.start(), match.end()


#: Months in one unit of a period ("the previous *quarter*").
_UNIT_MONTHS = {"month": 1, "mes": 1, "quarter": 3, "trimestre": 3, "half": 6, "semester": 6, "semestre": 6,
                "year": 12, "ano": 12}  # fmt: skip
#: A period compared with the one named before it: "vs the previous quarter", "frente al mes anterior", "compared
#: with the same month last year", "respecto al mismo trimestre del año pasado".
_AFTER_NAMED = re.compile(
    r"\b(?:vs|versus|compared\s+(?:to|with)|against|contra|frente\s+al?|respecto\s+(?:a|al|del)|con\s+respecto\s+al?"
    r"|comparad[oa]s?\s+con|and|y|to|with|con)\s+(?P<phrase>(?:the\s+|el\s+|la\s+)?(?:(?:previous|prior|preceding)\s+"
    r"(?P<unit>month|quarter|half|semester|year)|(?P<unidad>mes|trimestre|semestre|ano)\s+(?:anterior|previo|precedente)"
    r"|(?P<same>same\s+(?:month|quarter|half|period)\s+(?:of\s+)?(?:last|the\s+previous|previous|the\s+prior|prior)\s+year"
    r"|mism[oa]\s+(?:mes|trimestre|semestre|periodo)\s+(?:del|de)\s+(?:ano\s+(?:pasado|anterior)|\d{4})))"
    r")\b"
)
#: A year named relatively right after a month or a part of a year: "(diciembre) del año pasado", "(Q4) of
#: last year", "(semestre) de este año".
_RELATIVE_YEAR = re.compile(
    rf"\b({_MONTH}|quarter|trimestre|half|semestre|mitad|bimester|bimestre|q[1-4]|[1-4]t|h[12]|s[12])"
    r"(\s+(?:of|de|del)\s+)((?:the\s+|el\s+)?(?:(?:last|previous|this|current)\s+year|ano\s+(?:pasado|anterior|actual)"
    r"|este\s+ano))\b"
)


def _month_end(month: date) -> date:
    """The last day of the month that starts on ``month``."""
    return add_months(month, 1) - timedelta(days=1)


def _paired_periods(
    text: str, units: str, ordinals: dict[str, int], year: str, period_of: Callable[[int, int | None], Period]
) -> tuple[list[tuple[Period, int, int]], str]:
    """ "from the first to the second half of 2025", "del segundo al tercer trimestre de 2025": two periods
    of one unit and year, named by two ordinals; and the text with them blanked."""
    words = "|".join(sorted(ordinals, key=len, reverse=True))
    pattern = compiled(rf"\b({words})\s+(?:al|a|to|and|y|vs|versus)\s+(?:the\s+|el\s+)?({words})\s+(?:{units}){year}\b")
    found: list[tuple[Period, int, int]] = []
    for match in list(pattern.finditer(text)):
        given = int(match.group(3)) if match.group(3) else None
        found.append((period_of(ordinals[match.group(1)], given), match.start(1), match.end(1)))
        found.append((period_of(ordinals[match.group(2)], given), match.start(2), match.end()))
        text = blank_span(text, match.start(), match.end())
    # "desde el tercer trimestre de 2024 hasta el cuarto de 2025": the second names its year, not its unit
    elided = compiled(
        rf"\b({words})\s+(?:{units}){year}\s+(?:al|a|to|through|thru|until|hasta|and|y)\s+(?:the\s+|el\s+)?"
        rf"({words})(?:\s+(?:of|de|del))?\s+{_YEAR}\b"
    )
    # "del cuarto trimestre de 2024 al de 2025": the same part of another year
    same_part = compiled(
        rf"\b({words})\s+(?:{units})(?:\s+(?:of|de|del))?\s+{_YEAR}\s+(?:al|a|y\s+el|vs\s+el|versus\s+el|contra\s+el"
        rf"|frente\s+al|con\s+el|and\s+that|to\s+that|vs\s+that)\s+(?:de|del|of)\s+{_YEAR}\b"
    )
    for match in list(same_part.finditer(text)):
        number = ordinals[match.group(1)]
        found.append((period_of(number, int(match.group(2))), match.start(1), match.end(2)))
        found.append((period_of(number, int(match.group(3))), match.end(2), match.end()))
        text = blank_span(text, match.start(), match.end())
    for match in list(elided.finditer(text)):
        if not match.group(2):
            continue  # the first names no year of its own: not two periods of two years
        found.append((period_of(ordinals[match.group(1)], int(match.group(2))), match.start(1), match.end(2)))
        found.append((period_of(ordinals[match.group(3)], int(match.group(4))), match.start(3), match.end()))
        text = blank_span(text, match.start(), match.end())
    return found, text


def _year_before(found: list[FoundPeriod], text: str) -> list[FoundPeriod]:
    """ "2025 H1", "2025 Q4": a half, quarter or bimester named without its year right after a year is of
    that year (one period, read from the year's first letter)."""
    kept: list[FoundPeriod] = []
    for item in found:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and item.with_year is not None
            and re.fullmatch(r"\s{0,3}", text[previous.end : item.start])
            and re.fullmatch(_YEAR, text[previous.start : previous.end].strip())
        ):
            period = item.with_year(int(text[previous.start : previous.end].strip()))
            if period is not None:
                kept[-1] = FoundPeriod(period, previous.start, item.end)
                continue
        kept.append(item)
    return kept


def _month_word_before(found: list[FoundPeriod], text: str) -> list[FoundPeriod]:
    """ "the month of December 2025", "el mes de diciembre": the word "month" before one month is part of it."""
    for item in found:
        if item.period.start == add_months(item.period.end, -1) and item.endpoints is None:
            match = re.search(r"(?:\b(?:the\s+)?month\s+of|\b(?:el\s+)?mes\s+de)\s+$", text[: item.start])
            if match is not None:
                item.start = match.start()
    return found


#: What joins two periods into one range: "Q3 2024 *through* Q1 2025", "desde el T3 2024 *hasta el* T1 2025",
#: "q3 2024 *-* q1 2025"; "and"/"y" only after "between"/"entre" ("Q3 y Q4" alone are two periods).
_RANGE_JOINER = re.compile(
    r"\s*(?:to|through|thru|until|till|hasta(?:\s+el|\s+la)?|al|a|-|–|—)\s*(?:the\s+|el\s+|la\s+)?"
)
_BETWEEN_JOINER = re.compile(r"\s*(?:and|y)\s*(?:the\s+|el\s+|la\s+)?")
_NAMED_YEAR = re.compile(r"\b20\d\d\b")
_BETWEEN = re.compile(r"(?:between|entre)(?:\s+(?:the|el|la))?\s*$")


#: Two parts of a year written together with a dash are a range, even when only the second names its year
#: ("q1-q3 2025", "S1-S2 2025").
_DASH_JOINED = re.compile(r"[-–—]")


def _joined_ranges(found: list[FoundPeriod], text: str) -> list[FoundPeriod]:
    """Two periods of whole months joined by a range word are one range from the first's start to the second's end
    ("from Q3 2024 through Q1 2025"), keeping both as endpoints (a change "from Q3 to Q4" compares them); months
    joined this way were read as a range already (``_ranges``)."""
    joined: list[FoundPeriod] = []
    for item in found:
        previous = joined[-1] if joined else None
        between = text[previous.end : item.start] if previous is not None else ""
        if (
            previous is not None
            and not previous.days
            and not item.days
            and previous.endpoints is None
            and item.endpoints is None
            and previous.period.start < item.period.start
            and previous.period.end <= item.period.end
            and (
                # each names its own year: "del primer al segundo semestre de 2025" compares two halves of one year
                all(_NAMED_YEAR.search(text[part.start : part.end]) for part in (previous, item))
                and (
                    _RANGE_JOINER.fullmatch(between)
                    or (_BETWEEN_JOINER.fullmatch(between) and _BETWEEN.search(text[: previous.start]))
                )
                or _DASH_JOINED.fullmatch(between) is not None
            )
        ):
            span = Period(
                start=previous.period.start,
                end=item.period.end,
                label=f"{previous.period.label} – {item.period.label}",
            )
            joined[-1] = FoundPeriod(span, previous.start, item.end, endpoints=(previous.period, item.period))
            continue
        joined.append(item)
    return joined


def _give_years(found: list[FoundPeriod]) -> list[FoundPeriod]:
    """A half, quarter or bimester named without its year takes the year of the next period named with one
    ("from the first half to the second half of 2025")."""
    for index, item in enumerate(found):
        if item.with_year is None:
            continue
        later = [other for other in found[index + 1 :] if other.with_year is None]
        if later:
            item.period = item.with_year(later[0].period.start.year) or item.period
    return found


def _numbered_periods(
    text: str,
    patterns: list[re.Pattern[str]],
    ordinals: dict[str, int],
    period_of: Callable[[int, str, int | None], Period | None],
):
    """``(period, start, end)`` for each match of ``patterns`` (tried in order) whose group 1 is a number or an
    ordinal word and group 2 an optional year; ``period_of(number, token, year)`` may pass a match over with None.
    A found span is blanked so a later pattern does not find it again."""
    for pattern in patterns:
        for match in list(pattern.finditer(text)):
            token = match.group(1)
            number = ordinals.get(token) or int(token)
            given = int(match.group(2)) if match.group(2) else None
            period = period_of(number, token, given)
            if period is None:
                continue
            extra = {} if given else {"with_year": lambda year, n=number, t=token: period_of(n, t, year)}
            yield period, match.start(), match.end(), extra
            text = blank_span(text, match.start(), match.end())


def _number(token: str) -> int:
    return int(token) if token.isdigit() else NUMBER_WORDS[token]

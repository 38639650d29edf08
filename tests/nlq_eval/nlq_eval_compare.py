"""Does an answer's table hold the expected rows? (column names do not matter, values do)

Every expected column must be found in the answer: a key column (id or name) by its values, a value column
by numbers within tolerance. The answer may carry extra columns (other metrics, names next to ids) but not
extra or missing rows. Superlatives are written with ``rank() = 1``, so every tied winner is expected.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace

from nlq_eval_cases import Rule
from nlq_eval_expected import Table
from nlq_eval_text import fold

MONTH = re.compile(r"^\d{4}-\d{2}$")
SIGNED_PERCENT = re.compile(r"([+\-−])\s?(\d[\d.,]*)\s?%")


def number(value) -> float | None:
    """A cell as a number, or None when it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


_SPANISH_PERIOD = re.compile(r"^([ts])([1-4] \d{4})$")


def key_text(value, month_like: bool) -> str:
    """A key cell as comparable text: integral numbers without decimals, text folded, months as YYYY-MM."""
    numeric = number(value)
    if numeric is not None:
        return str(int(numeric)) if numeric == int(numeric) else repr(numeric)
    text = fold(str(value))
    if month_like and re.match(r"^\d{4}-\d{2}-01", text):
        return text[:7]
    # the Spanish labels of quarters and halves name the same periods: "T3 2024" is Q3 2024, "S2 2025" H2 2025
    return _SPANISH_PERIOD.sub(lambda m: {"t": "q", "s": "h"}[m.group(1)] + m.group(2), text)


def close(actual: float | None, expected, rule: Rule, percent: bool) -> bool:
    """``actual`` equals ``expected`` within tolerance (also ×100 for a percentage column)."""
    if expected is None:
        return actual is None or actual == 0
    if actual is None or (isinstance(actual, float) and math.isnan(actual)):
        return False
    scales = (1.0, 100.0) if percent else (1.0,)
    return any(abs(actual - expected * s) <= max(rule.abs * s, rule.rel * abs(expected * s)) for s in scales)


def _key_column(expected: list, answer_rows: list[tuple], width: int) -> tuple[int, list[str]] | None:
    """The answer column holding exactly the expected key values (as a multiset), with its key texts."""
    month_like = all(isinstance(v, str) and MONTH.match(v) for v in expected)
    wanted = Counter(key_text(v, False) for v in expected)
    for index in range(width):
        texts = [key_text(row[index], month_like) for row in answer_rows]
        if Counter(texts) == wanted:
            return index, texts
    return None


def compare_rows(expected: Table, columns: list[str], rows: list[list], rule: Rule) -> str | None:
    """None when the answer matches, else why not (one line). Without an order, rows whose figures are all
    zero count as absent on both sides (a series may list a month without results, or leave it out)."""
    answer_rows = [tuple(row) for row in rows]
    # an accepted alternative reading may lack the main reading's key columns (one total instead of one per key)
    rule = replace(rule, keys=tuple(g for g in rule.keys if all(name in expected.columns for name in g)))
    if rule.keys and not rule.order:
        key_names = {name for group in rule.keys for name in group}
        figures = [i for i, name in enumerate(columns) if name != "id" and not name.endswith("_id")]
        answer_rows = [row for row in answer_rows if not _all_zero(row, figures)]
        values = [i for i, name in enumerate(expected.columns) if name not in key_names]
        expected = Table(expected.columns, tuple(row for row in expected.rows if not _all_zero(row, values)))
    if len(answer_rows) != len(expected.rows):
        return f"expected {len(expected.rows)} row(s), got {len(answer_rows)}"
    if not expected.rows:
        return None
    width = len(columns)
    position = {name: i for i, name in enumerate(expected.columns)}
    key_names = [name for group in rule.keys for name in group]
    expected_keys: list[tuple[str, ...]] = [() for _ in expected.rows]
    answer_keys: list[tuple[str, ...]] = [() for _ in answer_rows]
    for group in rule.keys:
        found = None
        for name in group:
            found = _key_column([row[position[name]] for row in expected.rows], answer_rows, width)
            if found:
                values = [key_text(row[position[name]], False) for row in expected.rows]
                break
        if not found:
            return f"no answer column holds the expected {'/'.join(group)} values"
        expected_keys = [k + (v,) for k, v in zip(expected_keys, values, strict=True)]
        answer_keys = [k + (v,) for k, v in zip(answer_keys, found[1], strict=True)]
    value_names = [name for name in expected.columns if name not in key_names]
    if rule.keys:
        by_key = {key: row for key, row in zip(answer_keys, answer_rows, strict=True)}
        if len(by_key) != len(answer_rows):
            return "the answer repeats a key"
        aligned = [by_key[key] for key in expected_keys]
    elif rule.order or len(answer_rows) == 1:
        aligned = answer_rows
    else:
        aligned = None  # no key and no order: each column is compared as a sorted list of values
    for name in value_names:
        want = [row[position[name]] for row in expected.rows]
        percent = name in rule.percent
        candidates = range(width)
        if not any(_column_matches(aligned, answer_rows, c, want, rule, percent) for c in candidates):
            shown = want[0] if len(want) == 1 else f"{want[:3]}…"
            return f"no answer column matches {name} = {shown}"
    if rule.order and rule.keys and answer_keys != expected_keys:
        ties = {k for k, row in zip(expected_keys, expected.rows, strict=True) if _tied(row, expected, position)}
        if any(a != e and not (a in ties and e in ties) for a, e in zip(answer_keys, expected_keys, strict=True)):
            return "rows in another order"
    return None


def _all_zero(row: tuple, positions: list[int]) -> bool:
    """Every figure among ``positions`` of a row is zero or empty (text cells are not figures)."""
    figures = [number(row[i]) for i in positions if not isinstance(row[i], str)]
    return bool(figures) and all(not value for value in figures)


def _tied(row: tuple, expected: Table, position: dict[str, int]) -> bool:
    values = [name for name in expected.columns if number(row[position[name]]) is not None]
    return sum(1 for other in expected.rows if all(other[position[v]] == row[position[v]] for v in values)) > 1


def _column_matches(aligned, answer_rows, column: int, want: list, rule: Rule, percent: bool) -> bool:
    if aligned is not None:
        return all(close(number(row[column]), w, rule, percent) for row, w in zip(aligned, want, strict=True))
    got = sorted((number(row[column]) for row in answer_rows), key=lambda v: (v is None, v or 0))
    want = sorted(want, key=lambda v: (v is None, v or 0))
    return all(close(g, w, rule, percent) for g, w in zip(got, want, strict=True))


def stated_changes(text: str) -> list[float]:
    """Signed percentages written in an answer's text ("+138.6%", "−12,5 %"), as numbers."""
    found = []
    for sign, digits in SIGNED_PERCENT.findall(text or ""):
        if "," in digits and "." in digits:
            decimal = "," if digits.rfind(",") > digits.rfind(".") else "."
        else:
            decimal = "," if re.search(r",\d{1,2}$", digits) else "."
        thousands = "." if decimal == "," else ","
        try:
            value = float(digits.replace(thousands, "").replace(decimal, "."))
        except ValueError:
            continue
        found.append(-value if sign in "-−" else value)
    return found


def compare_change(expected: Table, rows: list[list], text: str, rule: Rule) -> str | None:
    """A change between two periods: both values present, the earlier period's first, and the relative
    change stated with its sign (as a cell, a fraction or a percentage, or in the text)."""
    if len(expected.rows) != 2:
        return f"the expected change needs two periods, the sources have {len(expected.rows)}"
    earlier, later = (float(row[-1]) for row in expected.rows)
    cells = [(r, c, number(v)) for r, row in enumerate(rows) for c, v in enumerate(row) if number(v) is not None]
    first = [(r, c) for r, c, v in cells if close(v, earlier, rule, False)]
    second = [(r, c) for r, c, v in cells if close(v, later, rule, False)]
    if not first or not second:
        return f"the answer lacks the period values {earlier} and {later}"
    if not any(r1 < r2 or (r1 == r2 and c1 < c2) for r1, c1 in first for r2, c2 in second):
        return "the later period comes first (change direction)"
    relative = (later - earlier) / earlier if earlier else None
    if relative is None:
        return None
    loose = Rule(rel=1e-3, abs=1e-3)
    if any(close(v, relative, loose, True) or close(v, later - earlier, rule, False) for _, _, v in cells):
        return None
    if any(abs(value - relative * 100) <= 0.051 for value in stated_changes(text)):
        return None
    return f"the change {relative * 100:+.1f}% is not stated (text: {stated_changes(text)})"

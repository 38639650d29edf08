"""The evaluation's own machinery, without databases: the split rule holds for every file, the set has the
size and language mix the issue asks for, and the comparison accepts exactly the right answers."""

from __future__ import annotations

import re
from collections import Counter

from nlq_eval_cases import Rule, load_cases, split_of
from nlq_eval_compare import compare_change, compare_rows, stated_changes
from nlq_eval_expected import Table
from nlq_eval_words import content_words, unaccounted_words


def test_the_set_is_split_by_its_rule_and_large_enough() -> None:
    cases = load_cases()  # raises on an intent filed in the wrong part, or a repeated id
    assert len(cases) >= 300
    assert all(split_of(c.intent.id) == c.intent.split for c in cases)
    langs = Counter(c.lang for c in cases)
    assert langs["es"] >= len(cases) / 2
    parts = Counter(c.intent.split for c in cases)
    # the held-out part: the 129 questions measured since the first run and those added by people who had not
    # read the parser (never by whoever tunes it) — a third of the set, as the issue asks
    assert parts["heldout"] >= 129
    assert 0.3 <= parts["heldout"] / len(cases) <= 0.4
    intents = Counter(c.intent.id for c in cases)
    assert min(intents.values()) >= 2  # several paraphrases per intent


CHANNELS = Table(("channel_id", "channel", "cpc"), ((2, "Instagram", 1.25), (3, "TikTok", 0.5)))


def test_rows_match_by_value_whatever_the_column_names_and_order() -> None:
    rule = Rule(keys=(("channel_id", "channel"),), abs=0.006)
    assert compare_rows(CHANNELS, ["channel", "cost_per_click"], [["tiktok", 0.504], ["Instagram", 1.25]], rule) is None
    assert compare_rows(CHANNELS, ["channel_id", "x", "cpc"], [[3, "a", 0.5], [2, "b", 1.25]], rule) is None
    assert compare_rows(CHANNELS, ["channel_id", "cpc"], [[3, 0.5]], rule) == "expected 2 row(s), got 1"
    assert "cpc" in compare_rows(CHANNELS, ["channel_id", "spend"], [[3, 50.0], [2, 125.0]], rule)
    assert "channel" in compare_rows(CHANNELS, ["channel_id", "cpc"], [[4, 0.5], [2, 1.25]], rule)


def test_percentages_months_ties_and_order() -> None:
    ctr = Table(("ctr",), ((0.0106,),))
    assert compare_rows(ctr, ["ctr"], [[1.06]], Rule(percent=("ctr",))) is None
    assert compare_rows(ctr, ["ctr"], [[1.06]], Rule()) is not None
    months = Table(("month", "v"), (("2025-11", 1.0), ("2025-12", 2.0)))
    assert (
        compare_rows(months, ["month", "v"], [["2025-12-01", 2.0], ["2025-11-01", 1.0]], Rule(keys=(("month",),)))
        is None
    )
    top = Table(("b", "n"), (("A", 12), ("B", 12), ("C", 9)))
    ordered = Rule(keys=(("b",),), order=True)
    assert compare_rows(top, ["b", "n"], [["B", 12], ["A", 12], ["C", 9]], ordered) is None  # a tie may swap
    assert compare_rows(top, ["b", "n"], [["C", 9], ["A", 12], ["B", 12]], ordered) == "rows in another order"


def test_spanish_labels_of_quarters_and_halves_name_the_same_periods() -> None:
    quarters = Table(("quarter", "v"), (("Q3 2024", 1.0), ("Q4 2024", 2.0)))
    rule = Rule(keys=(("quarter",),))
    assert compare_rows(quarters, ["period", "v"], [["T3 2024", 1.0], ["T4 2024", 2.0]], rule) is None
    assert compare_rows(quarters, ["period", "v"], [["T4 2024", 1.0], ["T3 2024", 2.0]], rule) is not None
    halves = Table(("half", "v"), (("H2 2025", 5.0),))
    assert compare_rows(halves, ["half", "v"], [["S2 2025", 5.0]], Rule(keys=(("half",),))) is None
    assert compare_rows(halves, ["half", "v"], [["S1 2025", 5.0]], Rule(keys=(("half",),))) is not None


def test_a_change_needs_both_values_the_earlier_first_and_the_signed_change() -> None:
    expected = Table(("period", "v"), (("2025-11", 100.0), ("2025-12", 250.0)))
    rule = Rule()
    rows = [["Nov", 100.0], ["Dec", 250.0]]
    assert compare_change(expected, rows, "Revenue: $100 vs $250 (+150.0% from Nov to Dec)", rule) is None
    assert compare_change(expected, rows, "+150,0 % de noviembre a diciembre", rule) is None
    assert compare_change(expected, rows + [["change", 1.5]], "", rule) is None
    assert "not stated" in compare_change(expected, rows, "(−60.0% from Dec to Nov)", rule)
    assert "later period comes first" in compare_change(expected, rows[::-1], "+150.0%", rule)
    assert stated_changes("−1.234,5 % y +12.5%") == [-1234.5, 12.5]


def test_words_are_accounted_from_the_answer_fields() -> None:
    assert content_words("¿Cuál fue el CPC de TikTok en diciembre?") == ["cpc", "tiktok", "diciembre"]
    answer = {
        "answerable": True,
        "understood": {"words": {"metrics": ["CPC"], "channel": ["tiktok"]}, "filters": []},
        "ignored": [],
    }
    assert unaccounted_words("¿Cuál fue el CPC de TikTok en diciembre?", answer) == ["diciembre"]
    assert unaccounted_words("¿Cuál fue el CPC de TikTok en diciembre?", {**answer, "ignored": ["diciembre"]}) == []
    assert unaccounted_words("anything at all", {"answerable": False}) == []


def test_rows_without_figures_count_as_absent_in_a_series() -> None:
    series = Table(("month", "clicks"), (("2025-01", 5.0), ("2025-03", 7.0)))
    rule = Rule(keys=(("month",),))
    assert compare_rows(series, ["month", "clicks"], [["2025-01", 5], ["2025-02", 0], ["2025-03", 7]], rule) is None
    assert compare_rows(series, ["month", "clicks"], [["2025-01", 5], ["2025-02", 1], ["2025-03", 7]], rule) is not None


def test_every_placeholder_is_a_column_of_the_bind_query() -> None:
    for case in load_cases():
        names = set(re.findall(r"{(\w+)}", case.question))
        if not case.intent.bind:
            assert not names, case.id
            continue
        columns = set(re.findall(r"(?:as\s+|select\s+)(\w+)", case.intent.bind.sql))
        assert {name.removesuffix("_plain") for name in names} <= columns, case.id


def test_an_alternative_reading_without_the_key_columns_is_compared_on_its_own_columns() -> None:
    total = Table(("campaigns",), ((42,),))
    rule = Rule(keys=(("status",),))
    assert compare_rows(total, ["campaigns"], [[42]], rule) is None
    assert compare_rows(total, ["campaigns"], [[41]], rule) == "no answer column matches campaigns = 42"

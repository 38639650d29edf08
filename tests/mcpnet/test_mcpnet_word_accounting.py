"""Property test of issue 16's first rule: an answer that drops a word is impossible without an "ignored" note.

Over every question of the question sets (the parser's cases, the 48 warehouse questions, the exposure-hours
questions, the unseen set of ``test_mcpnet_unseen_questions``): each word of the question is either read by a
part of the query (``understood["words"]``), a stop word, or listed in ``ignored`` and stated in the answer's
text — or the question is refused. Words a part claims to have read must be words of the question.
"""

from __future__ import annotations

from collections import Counter

import pytest
import test_mcpnet_exposure_hours as exposure
import test_mcpnet_parser as parser_cases
import test_mcpnet_questions as warehouse_set
import test_mcpnet_unseen_questions as unseen

from promptsales.db.connect import connect
from promptsales.sales.nlq.dbcatalog import catalog_for
from promptsales.sales.nlq.model import NotAnswerable
from promptsales.sales.nlq.parser import QuestionParser
from promptsales.sales.nlq.service import Answer, ask
from promptsales.sales.nlq.text import normalize
from promptsales.sales.nlq.words import STOP_WORDS, WORD

SAMPLE_NAMES = {"B": "Nova Foods", "C": "Nova Foods Navidad Feliz", "F": "Navidad Feliz"}


def unaccounted(question: str, read: dict[str, list[str]], ignored: list[str]) -> list[str]:
    """The content words of ``question`` that no part read and the answer does not say it ignored."""
    tokens = Counter(WORD.findall(normalize(question)))
    claimed = Counter(word for words in read.values() for word in words)
    assert not claimed - tokens, f"parts claim words the question does not have: {claimed - tokens}"
    left = tokens - claimed
    return [word for word in left if word not in STOP_WORDS and word not in ignored]


def offline_questions() -> list[str]:
    """Every question of the sets that needs no warehouse names (the unseen set with sample names)."""
    return [
        *(case[0] for case in parser_cases.CASES),
        *(question for question, _ in parser_cases.UNANSWERABLE),
        *(template.format(**SAMPLE_NAMES) for _, _, template, _ in unseen.QUESTIONS),
    ]


@pytest.mark.parametrize("question", offline_questions())
def test_mcpnet_every_word_is_read_stated_or_refused(question):
    """Parser level (in-memory catalog): read, a stop word, ignored — or refused."""
    result = QuestionParser(parser_cases.sample_catalog(), parser_cases.AS_OF).parse(question)
    if isinstance(result, NotAnswerable):
        assert result.reason and result.refusal
        return
    assert unaccounted(question, result.words, result.ignored) == []


def _check(question: str, answer: Answer) -> None:
    if not answer.answerable:
        assert answer.answer and answer.refusal and answer.rows == [] and answer.sql is None
        return
    assert unaccounted(question, answer.understood.get("words", {}), answer.ignored) == [], answer.understood
    if answer.ignored:
        marker = "ignoré:" if answer.language == "es" else "ignored:"
        assert marker in answer.answer and all(word in answer.answer for word in answer.ignored), answer.answer


@pytest.fixture(scope="module")
def conn(warehouse):
    with connect("sales", "analyst", settings=warehouse) as connection:
        yield connection


def test_mcpnet_every_word_is_accounted_for_over_the_warehouse(conn):
    """Over the real warehouse and its names: the 48-question set, the exposure-hours questions, the unseen
    set and the parser's cases, each answer used every content word, stated what it ignored, or refused."""
    names = warehouse_set._names(conn)
    campaign = conn.execute("SELECT campaign_name FROM wh.campaigns ORDER BY reach DESC LIMIT 1").fetchone()[0]
    brand = names["B"]
    questions = [
        *(template.format(**names) for _, template, _ in warehouse_set.QUESTIONS),
        *(question for _, question in warehouse_set.UNANSWERABLE),
        *(template.format(C=campaign) for _, template, _, _ in exposure.QUESTIONS),
        *(template.format(B=brand, C=campaign) for _, _, template, _ in unseen.QUESTIONS),
        *(case[0] for case in parser_cases.CASES),
    ]
    ignored = 0
    for question in questions:
        answer = ask(question, conn, as_of=warehouse_set.AS_OF)
        _check(question, answer)
        ignored += bool(answer.ignored)
    print(f"\n{len(questions)} questions: every word read, stated as ignored ({ignored}) or refused")


def test_mcpnet_catalog_parse_accounts_words(conn):
    """The parser over the warehouse catalog records what each part read (the part names are the query's)."""
    parser = QuestionParser(catalog_for(conn), warehouse_set.AS_OF)
    result = parser.parse("Sales amount by channel between July and September 2025")
    assert not isinstance(result, NotAnswerable)
    assert result.words == {
        "period": ["between", "july", "and", "september", "2025"],
        "metrics": ["sales", "amount"],
        "group_by": ["by", "channel"],
    }
    assert result.ignored == []

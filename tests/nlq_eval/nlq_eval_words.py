"""Word accounting over the tool's own fields: every content word of a question is read by a part of the
query (``understood.words``, a matched name), stated in ``ignored`` — or the question is refused."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from nlq_eval_text import fold

STOP_WORDS_FILE = Path(__file__).resolve().parent / "stopwords.txt"
TOKEN = re.compile(r"[a-z0-9]+")


@cache
def stop_words() -> frozenset[str]:
    """The evaluation's stop words (folded)."""
    lines = STOP_WORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(line) for line in lines if line.strip() and not line.startswith("#"))


def tokens(text: str) -> list[str]:
    """Folded word tokens (letters and digits; punctuation splits)."""
    return TOKEN.findall(fold(text))


def content_words(question: str) -> list[str]:
    """The words of a question that carry meaning: not stop words."""
    stop = stop_words()
    return [word for word in tokens(question) if word not in stop]


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _strings(value)]
    if isinstance(node, list | tuple):
        return [text for value in node for text in _strings(value)]
    return []


def _read_texts(node, found: list[str]) -> list[str]:
    """Every ``words`` list and ``matched_text`` anywhere in ``understood`` (nested subjects carry their own)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "words":
                found += _strings(value)
            elif key == "matched_text" and isinstance(value, str):
                found.append(value)
            else:
                _read_texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _read_texts(value, found)
    return found


def accounted_words(answer: dict) -> set[str]:
    """Words the answer says it read (``understood``'s word lists, matched names) or ignored."""
    read = _read_texts(answer.get("understood") or {}, []) + _strings(answer.get("ignored") or [])
    return {word for text in read for word in tokens(text)}


def unaccounted_words(question: str, answer: dict | None) -> list[str]:
    """Content words an answered question neither read nor stated as ignored ([] when refused)."""
    if answer is None or not answer.get("answerable"):
        return []
    accounted = accounted_words(answer)
    return [word for word in content_words(question) if word not in accounted]

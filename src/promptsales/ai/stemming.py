"""Snowball stems (Spanish and English) for every module that compares words by their stem: the question parser,
the sentiment model's features and the content checks of generated messages.

A Snowball stemmer keeps the word it is stemming in the instance, so one instance shared by the threads of an MCP
server (tools run in a thread pool) could hand one thread another's stem. Each thread gets its own stemmers; the
stems themselves are kept for the process (texts repeat their words: re-stemming them was half of a
``createCampaignMessages`` call's CPU).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import snowballstemmer

_local = threading.local()


def stemmer(language: str):
    """This thread's Snowball stemmer of ``language`` ("spanish" or "english")."""
    found = getattr(_local, language, None)
    if found is None:
        found = snowballstemmer.stemmer(language)
        setattr(_local, language, found)
    return found


@lru_cache(maxsize=1 << 17)
def stem(word: str, language: str) -> str:
    """The Snowball stem of ``word`` in ``language`` ("spanish" or "english")."""
    return stemmer(language).stemWord(word)

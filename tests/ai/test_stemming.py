"""Snowball stems shared by the parser, the sentiment features and the content checks (``ai/stemming.py``): the
same stems as the Snowball stemmer gives, and a stemmer of its own for each thread (a Snowball stemmer holds the
word it is stemming, so threads sharing one could get each other's stems)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from promptsales.ai.stemming import stem, stemmer

WORDS = {
    "spanish": ["campañas", "vendieron", "lanzamiento", "encantó", "encantada", "clientes", "invirtió", "mercados"],
    "english": ["campaigns", "launched", "running", "customers", "happily", "reached", "spending", "markets"],
}


def test_stems_are_the_snowball_stems():
    for language, words in WORDS.items():
        reference = snowballstemmer.stemmer(language)
        assert [stem(word, language) for word in words] == [reference.stemWord(word) for word in words]


def test_each_thread_has_its_own_stemmer_and_gets_the_same_stems():
    def in_thread(_: int) -> tuple[int, object, dict[str, list[str]]]:
        mine = stemmer("spanish")
        assert stemmer("spanish") is mine  # kept for the thread
        stems = {language: [stemmer(language).stemWord(w) for w in words] for language, words in WORDS.items()}
        return threading.get_ident(), mine, stems

    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(in_thread, range(8)))
    main = {language: [stemmer(language).stemWord(w) for w in words] for language, words in WORDS.items()}
    by_thread: dict[int, list[object]] = {}
    for ident, instance, _ in seen:  # the instances are held here, so no id is reused
        by_thread.setdefault(ident, []).append(instance)
    assert all(all(i is instances[0] for i in instances) for instances in by_thread.values())  # kept per thread
    firsts = [instances[0] for instances in by_thread.values()]
    assert len({id(i) for i in firsts}) == len(firsts) and all(i is not stemmer("spanish") for i in firsts)
    assert all(stems == main for _, _, stems in seen)

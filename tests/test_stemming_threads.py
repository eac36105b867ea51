"""Stemming from several threads at once gives the same stems as from one.

Feeds are parsed and matched in worker threads when no parse processes run; a stemmer
shared between threads once returned pieces of other threads' words and raised IndexError,
which failed whole feeds ("unexpected IndexError: string index out of range").
"""

from __future__ import annotations

import threading

from bot.matching.morphology import root
from bot.text import stemmer

WORDS = [
    f"{word}{n}"
    for n in range(1500)
    for word in ("sanctioning", "recognitions", "санкциями", "признания", "packages")
]


def test_roots_computed_in_eight_threads_equal_the_roots_from_one():
    expected = [root(word) for word in WORDS]
    results: list[list[str] | BaseException] = []

    def work() -> None:
        try:
            results.append([root(word) for word in WORDS])
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    for got in results:
        assert got == expected


def test_each_thread_has_its_own_stemmer():
    seen: list[object] = []
    thread = threading.Thread(target=lambda: seen.append(stemmer("english")))
    thread.start()
    thread.join()
    assert seen[0] is not stemmer("english")
    assert stemmer("english") is stemmer("english")

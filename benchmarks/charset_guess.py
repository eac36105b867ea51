"""How well does the last decoding step guess an undeclared legacy encoding?

    python benchmarks/charset_guess.py

Feeds are built from our own labelled texts: Russian items (tests/data/eval/*-ru.jsonl) in
windows-1251, KOI8-R and ISO-8859-5, and accented-Latin items (tests/data/charset/latin.jsonl)
in windows-1252/1250/1254. Each feed is an RSS document of N items of one language with no
charset anywhere, served as `application/rss+xml` — the case where only a guess can help.
A guess is right when the decoded document equals the original text exactly.

Compared on the same bytes, same run:
- geoalert: `bot.sources.charset.repair_encoding` (BOM, UTF-8, declarations, then its guess);
- charset-normalizer: `from_bytes(body).best()`;
- feedparser alone: `feedparser.parse(body)` titles against the originals.

Inside the timer: the guess (or the parse, for feedparser) per feed; building feeds is outside.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import charset_normalizer
import feedparser

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.sources.charset import repair_encoding  # noqa: E402

RUSSIAN_ENCODINGS = ("cp1251", "koi8-r", "iso8859-5")
SIZES = (1, 5)


def _items() -> Iterator[tuple[str, str, str, str]]:
    """(language, encoding, title, text) for every text and encoding it is tried in."""
    for path in sorted((REPO / "tests/data/eval").glob("*-ru.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            for encoding in RUSSIAN_ENCODINGS:
                try:
                    (row["title"] + row["text"]).encode(encoding)
                except UnicodeEncodeError:
                    continue
                yield "ru", encoding, row["title"], row["text"]
    latin = REPO / "tests/data/charset/latin.jsonl"
    for line in latin.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        yield row["lang"], row["encoding"], row["title"], row["text"]


def _cell(right: int, count: int) -> str:
    """ "  12/40   (30%)": right guesses out of `count`, and the share."""
    return f"{right:>9}/{count:<4} ({right / count:4.0%})"


def _feed(items: list[tuple[str, str]]) -> str:
    entries = "".join(
        f"<item><title>{escape(t)}</title><link>https://example.org/{n}</link>"
        f"<description>{escape(x)}</description></item>"
        for n, (t, x) in enumerate(items)
    )
    head = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
    return f"{head}{entries}</channel></rss>"


def feeds(size: int) -> Iterator[tuple[str, str, str, list[str]]]:
    """(encoding, language, document, titles) — feeds of `size` items of one language."""
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for language, encoding, title, text in _items():
        groups[(encoding, language)].append((title, text))
    for (encoding, language), rows in sorted(groups.items()):
        for start in range(0, len(rows) - size + 1, size):
            chunk = rows[start : start + size]
            yield encoding, language, _feed(chunk), [t for t, _ in chunk]


def geoalert(body: bytes) -> str:
    repaired, _, _ = repair_encoding(body, "application/rss+xml")
    return repaired.decode("utf-8", errors="replace")


def normalizer(body: bytes) -> str:
    best = charset_normalizer.from_bytes(body).best()  # its defaults, all code pages
    return str(best) if best is not None else body.decode("utf-8", errors="replace")


def feedparser_titles(body: bytes) -> list[str]:
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    return [e.get("title", "") for e in parsed.entries]


def main() -> None:
    guessers: dict[str, Callable[[bytes], object]] = {
        "geoalert": geoalert,
        "charset-normalizer": normalizer,
        "feedparser alone": feedparser_titles,
    }
    print("items/feed  encoding    feeds  " + "  ".join(f"{g:>20}" for g in guessers))
    for size in SIZES:
        right: dict[tuple[str, str], int] = defaultdict(int)
        seconds: dict[str, float] = defaultdict(float)
        count: dict[str, int] = defaultdict(int)
        for encoding, _language, document, titles in feeds(size):
            body = document.encode(encoding)
            count[encoding] += 1
            for name, guess in guessers.items():
                start = time.perf_counter()
                result = guess(body)
                seconds[name] += time.perf_counter() - start
                ok = result == titles if isinstance(result, list) else result == document
                right[(name, encoding)] += ok
        for encoding in sorted(count):
            cells = "  ".join(_cell(right[(g, encoding)], count[encoding]) for g in guessers)
            print(f"{size:>10}  {encoding:<10} {count[encoding]:>5}  {cells}")
        total = sum(count.values())
        totals = "  ".join(_cell(sum(right[(g, e)] for e in count), total) for g in guessers)
        print(f"{size:>10}  {'all':<10} {total:>5}  {totals}")
        print(
            f"{'':>10}  ms/feed          "
            + "  ".join(f"{1000 * seconds[g] / total:>20.2f}" for g in guessers)
        )


if __name__ == "__main__":
    main()

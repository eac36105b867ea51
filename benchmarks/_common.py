"""Shared pieces of the benchmarks: a realistic feed corpus, a loopback feed host, result lines.

Every benchmark prints human-readable lines plus one or more machine-readable lines::

    RESULT {"benchmark": ..., "geoalert": ..., "baseline": ..., "ratio": ..., "target": ...,
            "met": true|false|null}

which `benchmarks/run_all.py` collects into one table. The loopback feed host is in
`benchmarks/_feedhost.py` (re-exported here).
"""

from __future__ import annotations

import contextlib
import functools
import html
import json
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import formatdate
from pathlib import Path

# The loopback feed host lives in benchmarks/_feedhost.py; its names are importable from here.
from benchmarks._feedhost import FeedHost, Hit, feed_host_process, host_stats  # noqa: F401

# Process measurements (whole-tree CPU and PSS) live in benchmarks/_measure.py.
from benchmarks._measure import Span, rss_mb  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:  # `python benchmarks/bench_x.py` puts benchmarks/ first, not the repo
    sys.path.insert(0, str(REPO))

RULES_DIR = REPO / "rules"
LABELED = REPO / "tests" / "data" / "eval" / "dev-legacy.jsonl"
_VOCAB_WORD = re.compile(r"[^\W\d_]+")
SEEDS_DIR = REPO / "seeds"


# --------------------------------------------------------------------------- results
def newcomer_env(feeds: Path, **extra: str) -> dict[str, str]:
    """This process's environment as a newcomer's `geoalert` sees it: no GEOALERT_, TELEGRAM_
    or DATABASE_URL settings of ours, the bundled rules and seeds, `feeds` as the feed list,
    this checkout importable; then `extra`."""
    environ = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GEOALERT_", "TELEGRAM_", "DATABASE_URL"))
    }
    environ.update(
        GEOALERT_RULES_DIR=str(RULES_DIR),
        GEOALERT_SEEDS_DIR=str(SEEDS_DIR),
        GEOALERT_FEEDS=str(feeds),
        PYTHONPATH=str(REPO),
    )
    environ.update(extra)
    return environ


def emit(
    benchmark: str,
    geoalert: str,
    baseline: str,
    ratio: str,
    target: str,
    met: bool | None,
) -> None:
    """Print one machine-readable result line for run_all.py (and humans)."""
    row = {
        "benchmark": benchmark,
        "geoalert": geoalert,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
    }
    print("RESULT " + json.dumps(row, ensure_ascii=False), flush=True)


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank-with-interpolation percentile (p in 0..100) of a non-empty sequence."""
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    k = (len(data) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(data) - 1)
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """`N cores, CPU model` for the report header."""
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} cores, {model}, Python {sys.version.split()[0]}, "
        f"load average {load:.1f} (other processes skew figures)"
    )


def build_pipeline(**kwargs: object):  # type: ignore[no-untyped-def]
    """`bot.pipeline.Pipeline(**kwargs)` with loopback feeds allowed (`allow_private=True`),
    passing only the fields this version of Pipeline has."""
    import dataclasses

    from bot.pipeline import Pipeline

    kwargs.setdefault("allow_private", True)
    kwargs.setdefault("parse_workers", 2)  # as in production (GEOALERT_PARSE_WORKERS)
    # The one loopback server stands in for as many far-away servers as there are feeds (reader
    # has no per-server cap either): lift geoalert's politeness cap of 4 at once per server.
    kwargs.setdefault("per_host", 10_000)
    names = {f.name for f in dataclasses.fields(Pipeline)}
    return Pipeline(**{k: v for k, v in kwargs.items() if k in names})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- corpus
_CITIES_EN = ["Astana", "Yerevan", "Minsk", "Bishkek", "Dushanbe", "Tbilisi", "Baku", "Almaty",
              "Chisinau", "Tashkent", "Vilnius", "Warsaw", "Brussels", "Geneva"]  # fmt: skip
_CITIES_RU = ["Астане", "Ереване", "Минске", "Бишкеке", "Душанбе", "Тбилиси", "Баку",
              "Алма-Ате", "Кишинёве", "Ташкенте"]  # fmt: skip
_DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_DAYS_RU = ["в понедельник", "во вторник", "в среду", "в четверг", "в пятницу", "в субботу"]
_SUBJECTS_EN = ["the regional budget", "a new water pipeline", "grain export quotas",
                "a rail link to the port", "teacher salaries", "the winter heating season",
                "hydropower tariffs", "a border crossing upgrade", "local election turnout",
                "a cotton harvest forecast", "airport reconstruction", "a migrant labour deal",
                "road safety rules", "a hospital building programme",
                "mobile roaming fees"]  # fmt: skip
_SUBJECTS_RU = ["региональный бюджет", "новый водопровод", "квоты на экспорт зерна",
                "железнодорожную ветку к порту", "зарплаты учителей", "отопительный сезон",
                "тарифы на электроэнергию", "реконструкцию пункта пропуска",
                "явку на местных выборах", "прогноз урожая хлопка", "ремонт аэропорта",
                "соглашение о трудовой миграции", "правила дорожного движения"]  # fmt: skip
_TOPICAL_EN = [
    ("Armenia freezes its participation in the CSTO",
     "Prime Minister Nikol Pashinyan said Armenia has frozen its participation in the "
     "Collective Security Treaty Organization, the Russia-led military alliance."),
    ("CSTO leaders meet in {city}",
     "Leaders of the Collective Security Treaty Organization met in {city} on {day} to "
     "discuss joint exercises of the Collective Rapid Reaction Force."),
    ("EU adopts new sanctions package against Russia",
     "The European Union adopted its {n}th package of sanctions against Russia, targeting "
     "banks and oil traders that help Moscow evade earlier restrictions."),
    ("Traders accused of helping Moscow evade Western sanctions",
     "Prosecutors in {city} said several companies helped Moscow evade Western sanctions "
     "on Russian oil and dual-use goods."),
    ("Kazakhstan will not recognize the LPR and DPR",
     "Kazakhstan will not recognize the LPR and DPR, its foreign ministry said on {day}, "
     "repeating the position of President Tokayev."),
    ("Moscow recognized the independence of the breakaway republics",
     "Moscow recognized the independence of the Donetsk and Luhansk people's republics, "
     "a step the United Nations General Assembly condemned."),
]  # fmt: skip
_TOPICAL_RU = [
    ("Армения заморозила участие в ОДКБ",
     "Премьер-министр Никол Пашинян заявил, что Армения заморозила участие в ОДКБ."),
    ("Саммит ОДКБ пройдёт в {city}",
     "Саммит Организации Договора о коллективной безопасности пройдёт в {city}."),
    ("ЕС ввёл новые санкции против России",
     "Евросоюз ввёл новые санкции против России: под ограничения попали банки и трейдеры."),
    ("Компании помогают обходить антироссийские санкции",
     "Компании из Казахстана помогают обходить антироссийские санкции, считают в Брюсселе."),
    ("Казахстан не признает ЛНР и ДНР",
     "Казахстан не признает ЛНР и ДНР, заявили {day} в министерстве иностранных дел."),
    ("Белоруссия не признала независимость Абхазии",
     "Белоруссия так и не признала независимость Абхазии и Южной Осетии."),
]  # fmt: skip


def _fill(rng: random.Random, template: str, lang: str) -> str:
    if lang == "ru":
        return template.format(
            city=rng.choice(_CITIES_RU), day=rng.choice(_DAYS_RU),
            subject=rng.choice(_SUBJECTS_RU), n=rng.randint(2, 40),
        )  # fmt: skip
    return template.format(
        city=rng.choice(_CITIES_EN), day=rng.choice(_DAYS_EN),
        subject=rng.choice(_SUBJECTS_EN), n=rng.randint(2, 40),
    )  # fmt: skip


@dataclass
class GenItem:
    guid: str
    title: str
    html: str  # the description, as HTML (goes into CDATA)
    link: str
    published: float  # epoch seconds
    topical: bool


FILLER = REPO / "benchmarks" / "filler.json"


@functools.cache
def _vocabulary(lang: str) -> tuple[str, ...]:
    """The filler words of `lang` (benchmarks/filler.json): fixed, so a change to the rules
    does not change what a benchmark feeds (the words were chosen from the rules of their
    day; deriving them anew on every run made a rules commit change every generated item,
    and an A/B of two commits compared different inputs)."""
    return tuple(json.loads(FILLER.read_text(encoding="utf-8"))[lang])


def derive_filler(lang: str, rules_dir: Path = RULES_DIR) -> tuple[str, ...]:
    """Words of real EN/RU news prose for filler text: those of the labelled set's off-topic
    items that no on-topic item uses and that share no 5-letter start with a word of the rule
    files (their `unless` contexts included), so filler neither makes an item topical nor
    vetoes a topical one. `python -m benchmarks._common filler` writes them to filler.json (only
    when a rule comes to share a start with a filler word: tests check that it does not)."""
    off: set[str] = set()
    on: set[str] = set()
    for line in LABELED.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["lang"] == lang:
            words = _VOCAB_WORD.findall(f"{row['title']} {row['text']}".lower())
            (on if row["topics"] else off).update(words)
    starts = rule_starts(rules_dir)
    return tuple(sorted(w for w in off - on if w[:5] not in starts))


def rule_starts(rules_dir: Path = RULES_DIR) -> frozenset[str]:
    """The first five letters of every word of the rule files."""
    return frozenset(
        w[:5]
        for path in rules_dir.glob("*.yaml")
        for w in _VOCAB_WORD.findall(path.read_text(encoding="utf-8").lower())
    )


def sentence(rng: random.Random, lang: str, low: int = 8, high: int = 18) -> str:
    """Words drawn from real prose at their natural frequency: reads like news to a parser, a
    stemmer and a matcher, yet two items share no phrases (templated sentences made every item
    look like a re-write of every other: 2,000 items collapsed into 49 stories)."""
    chosen = rng.choices(_vocabulary(lang), k=rng.randint(low, high))
    return " ".join(chosen).capitalize() + "."


def make_item(
    rng: random.Random, lang: str, guid: str, *, topical: bool, marker: str = "", size: int = 1000
) -> GenItem:
    """One item with a ~`size`-character HTML description; topical items carry a sentence
    (and title) about the CSTO, sanctions on Russia or LPR/DPR recognition."""
    sentences: list[str] = []
    if topical:
        title_t, sentence_t = rng.choice(_TOPICAL_RU if lang == "ru" else _TOPICAL_EN)
        title = _fill(rng, title_t, lang)
        sentences.append(_fill(rng, sentence_t, lang))
    else:
        title = sentence(rng, lang, 5, 10).rstrip(".")
    if marker:
        title = f"{title} ({marker})"
    while sum(len(s) + 1 for s in sentences) < size:
        sentences.insert(rng.randrange(len(sentences) + 1), sentence(rng, lang))
    mid = len(sentences) // 2
    more = "Подробнее" if lang == "ru" else "Read more"
    body = (
        "<p>" + html.escape(" ".join(sentences[:mid])) + "</p>"
        f"<p>{html.escape(' '.join(sentences[mid:]))} "
        f'<a href="https://news.example/{guid}">{more}</a></p>'
    )
    published = 1_700_000_000 + rng.randint(0, 30 * 86400)
    return GenItem(guid, title, body, f"https://news.example/{lang}/{guid}", published, topical)


def make_items(
    rng: random.Random, lang: str, prefix: str, count: int, topical_share: float = 0.1
) -> list[GenItem]:
    return [
        make_item(rng, lang, f"{prefix}-{i}", topical=rng.random() < topical_share)
        for i in range(count)
    ]


def render_feed(name: str, lang: str, items: Sequence[GenItem], *, atom: bool = False) -> bytes:
    """RSS 2.0 (or Atom 1.0) bytes, newest first."""
    items = sorted(items, key=lambda i: i.published, reverse=True)
    if atom:
        entries = "".join(
            f"<entry><id>urn:bench:{i.guid}</id><title>{html.escape(i.title)}</title>"
            f'<link rel="alternate" href="{i.link}"/>'
            f"<updated>{time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime(i.published))}</updated>"
            f'<summary type="html"><![CDATA[{i.html}]]></summary></entry>'
            for i in items
        )
        doc = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{lang}">'
            f"<title>{html.escape(name)}</title><id>urn:bench:{html.escape(name)}</id>"
            f"<updated>2023-12-01T00:00:00Z</updated>{entries}</feed>"
        )
        return doc.encode()
    entries = "".join(
        f'<item><guid isPermaLink="false">{i.guid}</guid><title>{html.escape(i.title)}</title>'
        f"<link>{i.link}</link><pubDate>{formatdate(i.published, usegmt=True)}</pubDate>"
        f"<category>{'Политика' if lang == 'ru' else 'Politics'}</category>"
        f"<description><![CDATA[{i.html}]]></description></item>"
        for i in items
    )
    doc = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{html.escape(name)}</title><link>https://news.example/</link>"
        f"<description>{html.escape(name)} news</description><language>{lang}</language>"
        f"{entries}</channel></rss>"
    )
    return doc.encode()


def make_corpus(
    n_feeds: int, n_items: int, *, seed: int = 1, topical_share: float = 0.1
) -> dict[str, bytes]:
    """`/feeds/<n>.xml` → feed bytes: half English, half Russian, every 5th one Atom."""
    rng = random.Random(seed)
    out = {}
    for n in range(n_feeds):
        lang = "ru" if n % 2 else "en"
        items = make_items(rng, lang, f"f{n}", n_items, topical_share)
        out[f"/feeds/{n}.xml"] = render_feed(f"Bench {lang} {n}", lang, items, atom=n % 5 == 4)
    return out


def write_corpus(directory: Path, n_feeds: int, n_items: int, seed: int = 1) -> None:
    """`make_corpus` into `directory/<n>.xml`, in a child process (keeps a measured process's
    peak RSS free of the generator's garbage)."""
    subprocess.run(
        [sys.executable, "-m", "benchmarks._common", "corpus", str(directory),
         str(n_feeds), str(n_items), str(seed)],
        cwd=REPO, check=True,
    )  # fmt: skip


def _write_corpus(directory: str, n_feeds: str, n_items: str, seed: str) -> None:
    for path, body in make_corpus(int(n_feeds), int(n_items), seed=int(seed)).items():
        (Path(directory) / Path(path).name).write_bytes(body)


if __name__ == "__main__" and len(sys.argv) == 6 and sys.argv[1] == "corpus":
    _write_corpus(*sys.argv[2:])


if __name__ == "__main__" and sys.argv[1:] == ["filler"]:  # filler.json from today's rules
    filler = {lang: list(derive_filler(lang)) for lang in ("en", "ru")}
    FILLER.write_text(json.dumps(filler, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")

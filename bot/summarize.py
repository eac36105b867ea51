"""Extractive summaries: pick the 1–3 sentences of an item that best carry its topic.

Pure text work (no I/O). `split_sentences` is a small rule-based splitter for English and Russian
that knows abbreviations, initials, decimals, closing quotes and ellipses; `summarize` scores the
sentences by word weight within the item, boosts title words and evidence terms, and returns the
best ones in their original order within `max_chars`, never cutting a word.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Sequence

from bot.dateline import strip_dateline
from bot.text import has_cyrillic, html_to_text, language_of, light_stem

ELLIPSIS = "…"


def _wordset(words: str) -> frozenset[str]:
    """A frozenset from a whitespace-separated word list (keeps long lists readable)."""
    return frozenset(words.split())


# Abbreviations (lower-case, with their dots) after which a period never ends a sentence.
_NEVER_FINAL = _wordset(
    """mr. mrs. ms. dr. prof. st. sr. gen. col. lt. maj. sgt. capt. cmdr. adm. gov. sen. rep. rev.
    pres. hon. amb. messrs. mt. ft. vs. v. no. nos. vol. pp. p. fig. approx. ca. cf. e.g. i.e.
    jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec. est. dept. univ.
    т.е. т.к. т.н. т.ч. им. ул. просп. пер. наб. пл. д. кв. корп. стр. см. ср. рис. табл.
    напр. проф. акад. доц. ген. полк. подп. ст. гос. обл. р-н. пос. с. ок. прим. тов. г-н. г-жа.
    """
)
# Abbreviations that often end a sentence: a boundary only if a sentence-like word follows.
_MAYBE_FINAL = _wordset(
    """etc. u.s. u.k. u.n. u.s.a. u.s.s.r. e.u. inc. ltd. co. corp. jr. a.m. p.m.
    т.д. т.п. др. пр. г. гг. вв. в. тыс. млн. млрд. руб. долл. коп. мин. сек. чел."""
)

_TERMINATOR_RE = re.compile(r"(?:\.{3}|…|[.!?]+)[\"'”’»)\]]*(?=\s)")
_LIST_END = _wordset("etc. т.д. т.п. др. пр.")
_PARAGRAPH_RE = re.compile(r"\n\s*\n")
_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_INITIAL_RE = re.compile(r"^[A-ZА-ЯЁ]\.$")
_DOTTED_RE = re.compile(r"^(?:[^\W\d_]{1,2}\.){2,}$")
_OPENERS = "\"'“‘«„([—–-"

_STOPWORDS_EN = _wordset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them themselves then there
    these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself said says say told tell one two
    many much may might must new like even still also well us mr ms mrs according since however
    though although yet ever never another every via per s t don didn doesn isn wasn won"""
)
_STOPWORDS_RU = _wordset(
    """и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
    было вот от меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него
    до вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для
    мы тебя их чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того
    потому этого какой совсем ним здесь этом один почти мой тем чтобы нее сейчас были куда зачем
    всех никогда можно при наконец два об другой хоть после над больше тот через эти нас про
    всего них какая много разве три эту моя впрочем хорошо свою этой перед иногда лучше чуть том
    нельзя такой им более всегда конечно всю между это также который которые которая которое
    заявил заявила сказал сказала году года лет"""
)
_STOPWORDS = _STOPWORDS_EN | _STOPWORDS_RU

# Capitalised words that, after "U.S." or "т.д.", open a new sentence: stopwords plus these.
_STARTERS = {
    "en": _STOPWORDS_EN
    | _wordset(
        """instead meanwhile moreover furthermore nevertheless nonetheless therefore thus indeed
        today yesterday tomorrow earlier later separately still yet now then last next"""
    ),
    "ru": _STOPWORDS_RU
    | _wordset("однако кроме поэтому сегодня вчера завтра позже ранее впрочем кстати затем"),
}
_ANY_STARTER = _STARTERS["en"] | _STARTERS["ru"]

_CREDIT_RE = re.compile(
    r"\bphoto(?:graph)?\s*(?::|by\b|via\b|credit)|\bpool photo\b|^фото:|фото:\s", re.IGNORECASE
)
_BOILERPLATE_RE = re.compile(
    r"join the conversation|^leave a (?:reply|comment)|^no comments?\b|^post a comment"
    r"|your email address will not be published|trending on \w+|^related\b:?"
    r"|\bphoto(?:graph)?\s*(?::|by\b|via\b|credit)|\bpool photo\b|^(?:image|credit|source):"
    r"|\bdownload\s*•|\b\d+(?:[.,]\d+)?\s*[km]b\b|\b\d+\s*views?\s*\d*\s*comments?\b"
    r"|for the full article|click here|^share (?:this|on)\b|sign up for|subscribe to"
    r"|^advertisement$|all rights reserved|^copyright\b|^©"
    r"|^фото:|фото:\s|^читайте также|^подпишитесь|^поделиться|^реклама$|все права защищены",
    re.IGNORECASE,
)


def split_sentences(text: str, language: str | None = None) -> list[str]:
    """Split plain text into sentences; paragraph breaks always end a sentence.

    `language` ("en", "ru"; None = guess from the script) picks the words that, after an
    abbreviation that may end a sentence ("U.S.", "etc.", "т.д.", "2022 г."), open a new one.
    """
    lang = language or language_of(text)
    return [sentence for paragraph in _paragraphs(text, lang) for sentence in paragraph]


def _paragraphs(text: str, lang: str) -> list[list[str]]:
    """The sentences of each non-empty paragraph (paragraphs are separated by blank lines)."""
    paragraphs = (re.sub(r"\s+", " ", p).strip() for p in _PARAGRAPH_RE.split(text))
    return [_split_paragraph(paragraph, lang) for paragraph in paragraphs if paragraph]


def _split_paragraph(paragraph: str, lang: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _TERMINATOR_RE.finditer(paragraph):
        if _is_boundary(paragraph, match, lang):
            sentence = paragraph[start : match.end()].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _is_boundary(text: str, match: re.Match[str], lang: str) -> bool:
    """Does the terminator `match` end a sentence? Looks at the word before and the text after."""
    rest = text[match.end() :].lstrip()
    if not _starts_sentence(rest):
        return False
    mark = match.group().rstrip("\"'”’»)]")
    if mark != ".":
        return True  # "!", "?", "?!", "...", "…" followed by a sentence start
    token = text[: match.start() + 1].rsplit(" ", 1)[-1].lstrip(_OPENERS)
    lower = token.lower()
    if _INITIAL_RE.match(token):
        return False  # "V. Putin", "В. В. Путин"
    if lower in _NEVER_FINAL:
        return False
    if lower in _MAYBE_FINAL or _DOTTED_RE.match(lower):
        return _maybe_final_boundary(text[: match.start()], lower, rest, lang)
    return True


def _maybe_final_boundary(before: str, abbreviation: str, rest: str, lang: str) -> bool:
    """After "U.S.", "etc.", "т.д.", "2022 г." …: a boundary when a sentence-like word follows."""
    next_word = _WORD_RE.match(rest.lstrip(_OPENERS))
    if abbreviation in {"г.", "гг.", "вв.", "в."} and not re.search(r"[\dIVXLC]\s*\w+$", before):
        return False  # "г. Москва" (city), not "в 2022 г. Он …" (year)
    if abbreviation in _LIST_END:
        return True  # "… and so on etc. Then", "… и т.д. Потом": a capital opens a new sentence
    if next_word is None:
        return rest[:1].isdigit()
    return next_word.group().lower().replace("ё", "е") in _STARTERS.get(lang, _ANY_STARTER)


def _starts_sentence(rest: str) -> bool:
    if not rest:
        return True
    stripped = rest.lstrip(_OPENERS + " ")
    return not stripped or stripped[0].isupper() or stripped[0].isdigit()


def summarize(
    title: str,
    text: str,
    *,
    language: str | None = None,
    evidence_terms: Sequence[str] = (),
    max_chars: int = 400,
    max_sentences: int = 3,
) -> str:
    """An extractive summary of `text`: 1–`max_sentences` sentences, original order, ≤ `max_chars`.

    Sentences with evidence terms win; title words weigh more; boilerplate is skipped. A short
    lede is returned as is (cleaned); an over-long best sentence is cut on a word boundary + "…".
    """
    if max_chars < 2 or max_sentences < 1:
        raise ValueError("max_chars must be >= 2 and max_sentences >= 1")
    plain = clean_text(text)
    lang = language or language_of(f"{title}\n{plain}")
    candidates = _candidates(plain, lang) or _candidates(plain, lang, strict=False)
    if not candidates:
        return _truncate(_clean_sentence(clean_text(title)), max_chars)
    lede = " ".join(candidates)
    if len(candidates) <= max_sentences and len(lede) <= max_chars:
        return lede
    scores = _score(candidates, clean_text(title), evidence_terms)
    ranked = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    best = candidates[ranked[0]]
    if len(best) > max_chars:
        return _truncate(best, max_chars)
    chosen: list[int] = []
    used = -1  # joined length so far (the first sentence needs no separating space)
    for index in ranked:
        length = len(candidates[index]) + 1
        if (used + length <= max_chars and scores[index] > 0) or not chosen:
            chosen.append(index)
            used += length
        if len(chosen) == max_sentences:
            break
    return " ".join(candidates[i] for i in sorted(chosen))


def _candidates(plain: str, lang: str, *, strict: bool = True) -> list[str]:
    """Cleaned sentences worth summarising: no boilerplate, no photo-caption paragraphs.

    `strict` also drops headings and fragments (no final stop, < 3 words); the non-strict pass
    is the fallback for a text made only of those (a one-line lede without a full stop).
    """
    candidates: list[str] = []
    for paragraph in _paragraphs(plain, lang):
        sentences = [c for c in map(_clean_sentence, paragraph) if c]
        if len(sentences) <= 2 and any(_CREDIT_RE.search(s) for s in sentences):
            continue  # "Peacekeepers returning … in January. Photo: Vladimir Smirnov/…"
        keep = _is_summary_sentence if strict else _is_not_boilerplate
        candidates.extend(s for s in sentences if keep(s))
    return candidates


def clean_text(text: str) -> str:
    """Plain text with stray HTML tags and entities removed; paragraphs kept as blank lines."""
    if re.search(r"<[a-zA-Z/!]", text):
        # One line per block element; a block is a paragraph here (sentences never cross it).
        text = "\n\n".join(html_to_text(text).split("\n"))
    for _ in range(2):  # double-escaped feeds: "&amp;amp;"
        if "&" not in text:
            break
        text = html.unescape(text)
    text = re.sub(r"<[^<>]{0,200}>", " ", text)  # any tag debris the parser left as data
    text = re.sub(r"[ \t\u00a0\u200b\u202f]+", " ", text)
    return re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()


def _clean_sentence(sentence: str) -> str:
    """Tidy one sentence: dangling link brackets, elision marks and colons at its end."""
    sentence = re.sub(r"\s+", " ", sentence).strip()
    if re.search(r"\s[(\[]$", sentence):  # "… there (" where a link was removed
        sentence = sentence[:-1].rstrip(" ,;:") + "."
    sentence = _BYLINE_RE.sub("", sentence)
    sentence = strip_dateline(sentence)
    sentence = re.sub(r"([.!?])\s+(?:…|\.\.\.)$", r"\1", sentence)  # quoted excerpt cut off
    if sentence.endswith(":"):
        sentence = sentence[:-1].rstrip() + "."
    return "" if not any(ch.isalnum() for ch in sentence) else sentence


def _is_not_boilerplate(sentence: str) -> bool:
    return not _BOILERPLATE_RE.search(sentence)


def _is_summary_sentence(sentence: str) -> bool:
    """Not site furniture, and a real sentence: ≥ 3 words and a final stop (so no subheadings,
    captions or link names)."""
    return (
        _is_not_boilerplate(sentence)
        and len(_WORD_RE.findall(sentence)) >= 3
        and bool(_FINAL_PUNCT_RE.search(sentence))
    )


# A trailing credit line glued to a sentence: "… to the U.S. Article by Evan Gershkovich."
_BYLINE_RE = re.compile(r"\s+(?:Article|Story|Report|Reporting) by [A-Z][\w.'’ -]{2,40}\.?$")
_FINAL_PUNCT_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")

_EVIDENCE_BONUS = 5.0  # per matched evidence term: evidence beats word weight
_TITLE_BOOST = 2.0
_LEAD_BONUS = 0.15


def _score(sentences: list[str], title: str, evidence_terms: Sequence[str]) -> list[float]:
    """Per sentence: length-normalised word weight (title words count double) + evidence bonus."""
    stems_per = [_content_stems(sentence) for sentence in sentences]
    freq = Counter(stem for stems in stems_per for stem in stems)
    top = max(freq.values(), default=1)
    title_stems = set(_content_stems(title))
    patterns = [
        (_evidence_pattern(term), _term_weight(term)) for term in evidence_terms if term.strip()
    ]
    scores: list[float] = []
    for index, (sentence, stems) in enumerate(zip(sentences, stems_per, strict=True)):
        if not stems:
            scores.append(0.0)
            continue
        weight = sum(
            freq[stem] / top * (_TITLE_BOOST if stem in title_stems else 1.0) for stem in set(stems)
        )
        score = weight / math.sqrt(len(stems))
        score += _EVIDENCE_BONUS * sum(w for pattern, w in patterns if pattern.search(sentence))
        scores.append(score + (_LEAD_BONUS if index == 0 else 0.0))
    return scores


def _content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning (no stopwords, no 1–2 letter words)."""
    stems = []
    for match in _WORD_RE.finditer(text):
        word = match.group().lower().replace("ё", "е")
        if len(word) > 2 and word not in _STOPWORDS:
            stems.append(light_stem(word))
    return stems


def _evidence_pattern(term: str) -> re.Pattern[str]:
    """Case-insensitive match of an evidence term: Russian terms match as stems (prefixes),
    English ones as whole words with a plain inflection ("recognize" → "recognized")."""
    words = [re.escape(word) for word in term.split()]
    if has_cyrillic(term):
        last = words[-1] + r"\w*"
    elif term.split()[-1].lower().endswith("e") and len(term.split()[-1]) > 3:
        last = words[-1][:-1] + r"(?:e|es|ed|ing)"
    else:
        last = words[-1] + r"(?:s|es|ed|ing)?"
    body = r"[\s-]+".join([*words[:-1], last])
    return re.compile(rf"(?<!\w){body}(?:['’]s)?(?!\w)", re.IGNORECASE)


def _term_weight(term: str) -> float:
    """A multi-word phrase is more specific evidence than a single word or acronym."""
    return 1.0 + 0.25 * (len(term.split()) - 1)


def _truncate(sentence: str, max_chars: int) -> str:
    """`sentence` if it fits, else cut at the last word boundary and end with "…"."""
    if len(sentence) <= max_chars:
        return sentence
    cut = sentence[: max_chars - 1]
    if not sentence[max_chars - 1].isspace():
        space = cut.rfind(" ")
        cut = cut[:space] if space > 0 else cut
    cut = cut.rstrip(" ,;:.—–-([{\"'“‘«„")
    return (cut or sentence[: max_chars - 1]) + ELLIPSIS

"""Event terms: the words of a report reduced to keys that name the same thing in English and
Russian (pure).

A report's terms are of eight kinds, and the kind decides how much a shared term says about two
reports telling the same event (see `bot.stories`):

* `ENTITY` — a country, region, organisation or person from the bilingual lexicon
  (bot/data/event_lexicon.yaml: "Yerevan", "Armenian", "Ереван" → `armenia`), or a name not in
  it, keyed by its consonant skeleton after transliteration ("Токаева" and "Tokayev" → `tkv`);
* `CITY` — a venue ("Minsk", "в Минске"): events in different cities are different events; a
  capital that also stands for its government ("Ереван отказался") counts as its country too;
* `ACTION` — what happened ("recognises", "признала" → `recognise`); the lexicon also lists
  opposite actions ("recognises" against "cuts ties");
* `ORDINAL` — "12th", "12-й", "twelfth", "двенадцатый" → 12 (the EU's 11th and 12th packages);
* `NUMBER` — other numbers ("143 nations", "143 страны");
* `DATE` — a day and month in the text ("December 18", "18 декабря");
* `CONCEPT` — another word of the domain the lexicon knows in both languages (`package`);
* `WORD` — any other word: its Snowball stem, meaningful within one language only.

A term is a 32-bit value: the kind in the top three bits, a hash of its key below, so a
fingerprint stays an array of integers and the kind is read back from the value itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from bot import compiled_lexicon
from bot import lexicon_relations as relations
from bot.event_names import skeleton_of
from bot.sanctions_verb import BLACKLIST, SANCTIONS, sanctions_as_verb
from bot.term_values import ACTION as ACTION  # re-exported: the kinds and values of terms
from bot.term_values import CITY as CITY
from bot.term_values import CONCEPT as CONCEPT
from bot.term_values import DATE as DATE
from bot.term_values import ENTITY as ENTITY
from bot.term_values import KEY_MASK as KEY_MASK
from bot.term_values import KIND_NAMES as KIND_NAMES
from bot.term_values import KIND_SHIFT as KIND_SHIFT
from bot.term_values import NEUTRAL_KINDS as NEUTRAL_KINDS
from bot.term_values import NUMBER as NUMBER
from bot.term_values import ORDINAL as ORDINAL
from bot.term_values import WORD as WORD
from bot.term_values import kind_of as kind_of
from bot.term_values import term as term
from bot.text import has_cyrillic, stem, tokens


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _words(
    """a about after again against all also an and any are as at be been before being between both
    but by can could did do does during each for from further had has have having he her here his
    how i if in into is it its itself just more most no nor not now of off on once only or other our
    out over own same she should so some such than that the their them then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your said says say saying told tells according added reported report reports
    news update updated live video photo photos watch read more via per amid new week day today
    yesterday tomorrow year years month months time monday tuesday wednesday thursday friday
    saturday sunday
    и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне
    было вот от меня еще нет о об из ему теперь когда даже ли если уже или ни быть был него до вас
    нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
    сам без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой ним здесь
    этом один почти мой тем чтобы нее сейчас были куда зачем всех можно при два другой после над
    больше тот через эти нас про всего них какая много три эту моя этой перед том такой им более
    всю между это также который которая которые которых году года лет г заявил заявила заявили
    сообщил сообщила сообщили сообщает говорится отметил отметила фото видео читайте новости чем
    была понедельник вторник среду четверг пятницу субботу воскресенье сегодня вчера"""
)


def _numbered(words: str) -> dict[str, int]:
    """word → its position from 1 ("january february" → january 1, february 2)."""
    return {word: n for n, word in enumerate(words.split(), start=1)}


_MONTHS = {
    **_numbered("january february march april may june july august september october november"
                " december"),
    **_numbered("jan feb mar apr may jun jul aug sep oct nov dec"),
    "sept": 9,
    **_numbered("января февраля марта апреля мая июня июля августа сентября октября ноября"
                " декабря"),
    **_numbered("январь февраль март апрель май июнь июль август сентябрь октябрь ноябрь"
                " декабрь"),
}  # fmt: skip
_ORDINAL_WORDS = {
    **_numbered("first second third fourth fifth sixth seventh eighth ninth tenth eleventh"
                " twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth"
                " nineteenth twentieth"),
    **_numbered("перв втор трет четверт пят шест седьм восьм девят десят одиннадцат двенадцат"
                " тринадцат четырнадцат пятнадцат шестнадцат семнадцат восемнадцат девятнадцат"
                " двадцат"),
}  # fmt: skip
# Russian ordinal stems are also cardinal stems ("пять", "пятый" → "пят"): only the adjective
# endings make them ordinals.
_RU_ORDINAL_ENDINGS = ("ый", "ой", "ий", "ого", "ому", "ым", "ом", "ая", "ую", "ее", "ые")
_ORDINAL_SUFFIX = re.compile(r"^(\d{1,3})(st|nd|rd|th)$")
_RU_ORDINAL_TAILS = _words("й го му м я ю е х ми ой ый ая ое ые ого ому ом")
_TIMES = _words("time times week weeks month months year years раз года год")  # "first time"


@dataclass(frozen=True, slots=True)
class Lexicon:
    """The bilingual lexicon, compiled: stem sequences → (kind, key)."""

    singles: dict[str, tuple[int, str]]
    particled: dict[str, tuple[str, int, str]]  # stem → (particle, kind, key): "calls for"
    phrases: dict[tuple[str, ...], tuple[int, str]]
    starts: frozenset[str]  # the first stem of every phrase, and every phrasal verb's stem
    prefixes: frozenset[tuple[str, ...]]  # every proper prefix of a phrase, two stems or more
    longest: int
    opposites: frozenset[tuple[int, int]]  # pairs of ACTION term values, both directions
    capitals: dict[str, str]  # city key → the country key it also stands for
    countries: frozenset[int]  # ENTITY term values of sovereign states
    polities: dict[int, int]  # ENTITY term → the polity it acts for (`polity_of`)
    negations: dict[str, str]  # action key → the action key it means negated ("not attend")
    refusals: frozenset[str]  # the actions negations lead to: they negate the next action too
    bodies: dict[int, int]  # ENTITY term of a body → its group (the chambers of one parliament)
    heads: frozenset[int]  # the bodies that are people: they act only as a headline's subject
    members: frozenset[tuple[int, int]]  # (bloc, member state) polity terms


_SECTIONS = {"entities": ENTITY, "cities": CITY, "actions": ACTION, "concepts": CONCEPT}


def _form_stems(form: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in tokens(form) if w not in STOPWORDS)


def _particle(form: str) -> str | None:
    """The particle a one-word phrasal form needs after its verb ("for" of "calls for", "out"
    of "rules out"): the stopword after its only other word, or None."""
    words = tokens(form)
    kept = [i for i, w in enumerate(words) if w not in STOPWORDS]
    if len(kept) != 1 or kept[0] + 1 >= len(words):
        return None
    return words[kept[0] + 1]


def compile_lexicon(data: dict[str, object]) -> Lexicon:
    """Compile the lexicon's YAML data (sections entities, cities, actions, concepts,
    opposites). Raises ValueError naming the section and key of a malformed entry."""
    singles: dict[str, tuple[int, str]] = {}
    particled: dict[str, tuple[str, int, str]] = {}
    phrases: dict[tuple[str, ...], tuple[int, str]] = {}
    for section, kind in _SECTIONS.items():
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise ValueError(f"{section}: must be a mapping of key → list of forms")
        for key, forms in entries.items():
            if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
                raise ValueError(f"{section}.{key}: must be a list of forms")
            for form in [str(key).replace("_", " "), *forms] if kind == CONCEPT else forms:
                stems = _form_stems(form)
                if not stems:
                    continue
                if len(stems) == 1 and (particle := _particle(form)) is not None:
                    particled.setdefault(stems[0], (particle, kind, str(key)))
                elif len(stems) == 1:
                    singles.setdefault(stems[0], (kind, str(key)))
                else:
                    phrases.setdefault(stems, (kind, str(key)))
    opposites: set[tuple[int, int]] = set()
    actions = relations.section(data, "actions")
    pairs = data.get("opposites") or []
    if not isinstance(pairs, list):
        raise ValueError("opposites: must be a list of pairs of action keys")
    for pair in pairs:
        if not (isinstance(pair, list) and len(pair) == 2 and all(p in actions for p in pair)):
            raise ValueError(f"opposites: {pair!r} is not a pair of action keys")
        a, b = (term(ACTION, p) for p in pair)
        opposites.update({(a, b), (b, a)})
    capitals = data.get("capitals") or {}
    if not isinstance(capitals, dict):
        raise ValueError("capitals: must be a mapping of city key → country key")
    cities, entities = relations.section(data, "cities"), relations.section(data, "entities")
    for city, country in capitals.items():
        if city not in cities or country not in entities:
            raise ValueError(f"capitals: {city} → {country} is not a city and an entity key")
    countries = data.get("countries") or []
    if not isinstance(countries, list):
        raise ValueError("countries: must list entity keys")
    unknown = [c for c in countries if c not in entities]
    if unknown:
        raise ValueError(f"countries: must list entity keys; not entities: {unknown}")
    negations = {str(k): str(v) for k, v in relations.section(data, "negations").items()}
    if not all(k in actions and v in actions for k, v in negations.items()):
        raise ValueError("negations: must map action keys to action keys")
    bodies = relations.bodies(data)
    return Lexicon(
        negations=negations,
        refusals=frozenset(negations.values()),
        bodies=bodies,
        heads=relations.heads(data, bodies),
        members=relations.members(data, countries),
        capitals={str(k): str(v) for k, v in capitals.items()},
        polities=relations.polities(data, countries),
        countries=frozenset(term(ENTITY, str(c)) for c in countries),
        singles=singles,
        particled=particled,
        phrases=phrases,
        starts=frozenset([*(p[0] for p in phrases), *particled]),
        prefixes=frozenset(p[:n] for p in phrases for n in range(2, len(p))),
        longest=max((len(p) for p in phrases), default=1),
        opposites=frozenset(opposites),
    )


@cache
def lexicon() -> Lexicon:
    """The bundled lexicon (bot/data/event_lexicon.yaml), once per process: read compiled
    (`bot.compiled_lexicon`) when that was compiled from this YAML, else compiled here."""
    source = resources.files("bot").joinpath(compiled_lexicon.SOURCE).read_bytes()
    parts = compiled_lexicon.bundled(source)
    return Lexicon(**parts) if parts is not None else compile_yaml(source)


def compile_yaml(source: bytes) -> Lexicon:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: 10x faster to parse
    return compile_lexicon(yaml.load(source.decode("utf-8"), Loader=loader))


def _number(token: str, following: str) -> tuple[int, str] | None:
    match = _ORDINAL_SUFFIX.match(token)
    if match and following not in _TIMES:
        return ORDINAL, match.group(1).lstrip("0") or "0"
    if token.isdigit():
        if following in _RU_ORDINAL_TAILS:
            return ORDINAL, token.lstrip("0") or "0"
        return NUMBER, token.lstrip("0") or "0"
    return None


# Dotted and capitalised abbreviations that words alone cannot tell: "U.S." splits into one-letter
# words (skipped) and "US" lower-cases to the pronoun.
_ABBREVIATIONS = re.compile(r"\b(?:U\.S\.(?:A\.)?|US|U\.N\.|U\.K\.|G-7|G-20)(?![\w])")
_SPELLED = {"U.S.": "USA", "U.S.A.": "USA", "US": "USA", "U.N.": "UN", "U.K.": "UK"}  # G-7: G7
# Words that negate an action up to `_NEGATION_REACH` words on ("will not attend", "won't
# attend" (the "t"), "не примет участия", "без подписи"), as a refusal does ("refused to sign").
_NEGATORS = _words("not never t without fail fails failed не без")
_NEGATION_REACH = 3
_PARTICLE_REACH = 3  # words from a phrasal verb to its particle, at most ("rules it out")


def _action(key: str, negated: bool, lex: Lexicon) -> int:
    """An action's term; negated, its negation ("not attend": skip), else a refusal."""
    return term(ACTION, lex.negations.get(key, "refuse") if negated else key)


def event_terms(text: str, names: frozenset[str] = frozenset()) -> Iterator[int]:
    """The terms of `text`, in order (see the module docstring); `names` are the words to key
    as names when the lexicon does not know them (`names_in`)."""
    return (t for _, t in located_terms(text_words(text), names))


def text_words(text: str) -> list[str]:
    """The words `event_terms` reads (abbreviations spelled out)."""
    return tokens(_ABBREVIATIONS.sub(lambda m: _SPELLED.get(m[0]) or m[0].replace("-", ""), text))


def located_terms(
    words: list[str], names: frozenset[str] = frozenset()
) -> Iterator[tuple[int, int]]:
    """`event_terms` of `text_words`, each with the number of the word it starts at."""
    lex = lexicon()
    i, negated = 0, -1  # negated: the last word a negation reaches
    acting = -1  # the last word a polity was named at
    while i < len(words):
        word = words[i]
        if word in _NEGATORS:
            negated = i + _NEGATION_REACH
        following = words[i + 1] if i + 1 < len(words) else ""
        if word[0].isdigit():
            number = _number(word, following)
            if number is not None:
                kind, key = number
                month = _MONTHS.get(following)
                if kind == NUMBER and month and len(key) <= 2 and 1 <= int(key) <= 31:
                    yield i, term(DATE, f"{month}-{key}")
                    i += 2
                    continue
                yield i, term(kind, key)
                i += 2 if kind == ORDINAL and following in _RU_ORDINAL_TAILS else 1
                continue
        month = _MONTHS.get(word)
        if month and following.isdigit() and len(following) <= 2 and 1 <= int(following) <= 31:
            yield i, term(DATE, f"{month}-{following.lstrip('0')}")
            i += 2
            continue
        if word in STOPWORDS or len(word) <= 1:
            i += 1
            continue
        stemmed = stem(word)
        if stemmed in lex.starts:
            phrase = _phrase_at(words, i, lex)
            if phrase is not None:
                span, (kind, key) = phrase
                if kind == ACTION:
                    yield i, _action(key, i <= negated, lex)
                    negated = i + span - 1 + _NEGATION_REACH if key in lex.refusals else -1
                else:
                    value = term(kind, key)
                    yield i, value
                    if value in lex.polities:
                        acting = i + span - 1
                if kind == CITY and key in lex.capitals:
                    yield i, term(ENTITY, lex.capitals[key])
                    acting = i + span - 1
                i += span
                continue
            bound = lex.particled.get(stemmed)  # a phrasal verb's stem is in `starts` too
            if bound is not None and bound[0] in words[i + 1 : i + 1 + _PARTICLE_REACH]:
                found: tuple[int, str] | None = (bound[1], bound[2])  # "calls for", not "calls it"
            else:
                found = lex.singles.get(stemmed)
        else:
            found = lex.singles.get(stemmed)
        if found is not None and found[0] == ACTION:
            # "отказаться от" + a thing ("gives up Russian oil") rejects it, refuses no act
            key = "reject" if found[1] == "refuse" and following == "от" else found[1]
            yield i, _action(key, i <= negated, lex)
            negated = i + _NEGATION_REACH if key in lex.refusals else -1
        elif found is not None:
            value = term(*found)
            yield i, value
            if value in lex.polities:
                acting = i
            elif found == SANCTIONS and sanctions_as_verb(words, i, acting, lex.singles):
                yield i, BLACKLIST  # "EU sanctions Russian intelligence chiefs": it lists them
            if found[0] == CITY and found[1] in lex.capitals:
                yield i, term(ENTITY, lex.capitals[found[1]])
                acting = i
        elif following not in _TIMES and (ordinal := _ordinal_word(word, stemmed)) is not None:
            yield i, term(ORDINAL, ordinal)
        elif word in names and (skeleton := skeleton_of(word, stemmed)) is not None:
            known = _entity_skeletons().get(skeleton)  # "Ghukasian" for the lexicon's Ghukasyan
            yield i, known or term(CONCEPT, f"name:{skeleton}")  # weighed as a word
        elif not stemmed.isdigit():
            yield i, term(WORD, stemmed)
        i += 1


@cache
def _entity_skeletons() -> dict[str, int]:
    """The skeleton of each one-word Latin name form of the lexicon's entities → that entity,
    for the skeletons of four letters or more that only one entity has: a name spelled another
    way ("Ghukasian", "Sahakian") is still that entity."""
    found: dict[str, set[int]] = {}
    for stemmed, (kind, key) in lexicon().singles.items():
        if kind == ENTITY and stemmed.isascii() and stemmed.isalpha():
            skeleton = skeleton_of(stemmed, stemmed)
            if skeleton is not None and len(skeleton) >= 4:
                found.setdefault(skeleton, set()).add(term(ENTITY, key))
    return {k: next(iter(v)) for k, v in found.items() if len(v) == 1}


def _ordinal_word(word: str, stemmed: str) -> str | None:
    number = _ORDINAL_WORDS.get(word if not has_cyrillic(word) else stemmed)
    if number is None:
        return None
    if has_cyrillic(word) and not word.endswith(_RU_ORDINAL_ENDINGS):
        return None
    return str(number)


def _phrase_at(words: list[str], start: int, lex: Lexicon) -> tuple[int, tuple[int, str]] | None:
    """The longest lexicon phrase starting at `start`: how many words it spans (stopwords
    included) and its (kind, key); None if none starts there."""
    stems: list[str] = []
    found: tuple[int, tuple[int, str]] | None = None
    for offset, word in enumerate(words[start : start + 2 * lex.longest]):
        if word in STOPWORDS or len(word) <= 1:
            continue
        stems.append(stem(word))
        if len(stems) < 2:
            continue
        key = tuple(stems)
        hit = lex.phrases.get(key)
        if hit is not None:
            found = (offset + 1, hit)  # the longest so far
        if key not in lex.prefixes:
            break
    return found


if __name__ == "__main__":  # python -m bot.event_terms: rebuild the compiled lexicon
    _source = resources.files("bot").joinpath(compiled_lexicon.SOURCE).read_bytes()
    print("wrote", compiled_lexicon.write(compile_yaml(_source), _source))

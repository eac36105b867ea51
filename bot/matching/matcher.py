"""`RuleSet`: compiled topics; match, explain and self-test against the rule files' examples.

Pure: no files, network or clock here; `load_rules` (in `rulefiles`) builds a `RuleSet`,
and `rebuild_rules` rebuilds a pickled one in a parse process.
"""

from __future__ import annotations

import hashlib
import pickle
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.matching.build import compile_specs
from bot.matching.document import Document, normalise
from bot.matching.evaluate import HitCache, block_fires, evaluate_block, evaluate_topic
from bot.matching.evidence import build_evidence
from bot.matching.explain import TopicExplanation, explain_block
from bot.matching.lexicon import Lexicon
from bot.matching.prefilter import Prefilter
from bot.matching.spec import ExampleKind, TopicSpec
from bot.matching.terms import CompiledTopic
from bot.models import Topic, TopicMatch


@dataclass(frozen=True, slots=True)
class Example:
    """One example of a rule file, runnable as a test."""

    topic: str
    kind: ExampleKind  # "match": the topic must fire; "no_match": it must not
    index: int
    title: str
    text: str
    language: str | None
    source_file: str
    line: int

    @property
    def id(self) -> str:
        """Stable test id, e.g. `csto:match:0`."""
        return f"{self.topic}:{self.kind}:{self.index}"


def _shorten(text: str, limit: int = 80) -> str:
    text = normalise(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class _Built:
    """What matching uses: the compiled topics, their shared lexicon and the prefilter."""

    topics: tuple[CompiledTopic, ...]
    lexicon: Lexicon
    prefilter: Prefilter

    @classmethod
    def of(cls, topics: Iterable[CompiledTopic], lexicon: Lexicon | None) -> _Built:
        ordered = tuple(sorted(topics, key=lambda t: t.topic.id))
        return cls(ordered, lexicon or Lexicon(), Prefilter(ordered))


class RuleSet:
    """Compiled topics, ordered by id. Build it with `load_rules`."""

    def __init__(
        self,
        topics: Iterable[CompiledTopic],
        lexicon: Lexicon | None = None,
        *,
        source: tuple[tuple[TopicSpec, ...], str] | None = None,
    ) -> None:
        self._built: _Built | None = _Built.of(topics, lexicon)
        self._topics = [t.topic for t in self._built.topics]  # kept when the rest is dropped
        # The validated specs it was compiled from (and where they came from), pickled and
        # compressed once, so the set can be sent to a parse process cheaply and rebuilt there
        # (compiled RE2 sets do not pickle); None: built by hand, it stays in this process.
        # Compressed (118 → 26 KB for the bundled rules) because a spawned process receives
        # its start-up arguments through a 64 KB pipe: a larger write kept the caller waiting
        # until the new process had imported and compiled everything (0.4-1.3 s).
        self._blob = zlib.compress(pickle.dumps(source), 6) if source is not None else None
        self._digest = hashlib.sha256(self._blob).digest() if self._blob is not None else b""

    def forget_compiled(self) -> None:
        """Drop the compiled patterns (about 10 MB for the bundled rules); the next match
        compiles them again from the specs (about 0.2 s of CPU). Between polls far apart the
        bot's main process does not match (its parsing processes do), so it holds none. A set
        built by hand (not from specs) keeps them."""
        if self._blob is not None:
            self._built = None

    def _compiled(self) -> _Built:
        built = self._built
        if built is None:
            assert self._blob is not None  # only sets built from specs forget theirs
            topics, lexicon, _, _ = _compile_blob(self._blob)
            built = self._built = _Built.of(topics, lexicon)
        return built

    @property
    def portable(self) -> bool:
        """Whether the set can be pickled (into a parse process)."""
        return self._blob is not None

    def __reduce__(self) -> tuple[Any, ...]:
        if self._blob is None:
            raise TypeError("this RuleSet was not compiled from specs and cannot be pickled")
        return (rebuild_rules, (self._digest, self._blob))

    def document(self, title: str, text: str, language: str | None = None) -> Document:
        """The normalised, tokenised form of an item that every topic is matched against."""
        return Document.of(title, text, language, self._compiled().lexicon)

    def __len__(self) -> int:
        return len(self._topics)

    def __repr__(self) -> str:
        return f"RuleSet({[t.id for t in self._topics]})"

    @property
    def topics(self) -> list[Topic]:
        """The topics, ordered by id."""
        return list(self._topics)

    def match(self, title: str, text: str, language: str | None = None) -> list[TopicMatch]:
        """Every topic whose rules fire on this title and body, with evidence, by topic id."""
        built = self._compiled()
        doc = Document.of(title, text, language, built.lexicon)
        matches = []
        for position in built.prefilter.candidates(doc.present):
            compiled = built.topics[position]
            cache: HitCache = {}
            fired = [
                evaluate_block(b, doc, complete=False, cache=cache)
                for b in compiled.blocks
                if block_fires(b, doc, cache)
            ]
            if fired:
                matches.append(TopicMatch(compiled.topic.id, build_evidence(doc, fired)))
        return matches

    def explain(self, title: str, text: str, language: str | None = None) -> list[TopicExplanation]:
        """For every topic: did it match, and clause by clause why (not)."""
        doc = self.document(title, text, language)
        out = []
        for compiled in self._compiled().topics:
            results = evaluate_topic(compiled, doc)
            blocks = tuple(explain_block(r, doc) for r in results)
            matched = any(r.fired for r in results)
            out.append(
                TopicExplanation(compiled.topic.id, compiled.topic.source_file, matched, blocks)
            )
        return out

    def examples(self) -> list[Example]:
        """Every example of every topic, in topic order then file order."""
        return [
            Example(
                c.topic.id,
                e.kind,
                e.index,
                e.title,
                e.text,
                e.language,
                c.topic.source_file,
                e.line,
            )
            for c in self._compiled().topics
            for e in c.examples
        ]

    def check_example(self, example: Example) -> str | None:
        """None when the example behaves as declared, else a one-line failure description."""
        topics = self._compiled().topics
        compiled = next((c for c in topics if c.topic.id == example.topic), None)
        if compiled is None:
            return f"{example.source_file}:{example.line}: unknown topic {example.topic!r}"
        doc = self.document(example.title, example.text, example.language)
        results = evaluate_topic(compiled, doc)
        fired = [r for r in results if r.fired]
        if bool(fired) == (example.kind == "match"):
            return None
        where = f"{example.source_file}:{example.line}: {example.id}"
        shown = _shorten(f"{example.title} {example.text}")
        if fired:
            terms = ", ".join(build_evidence(doc, fired).terms)
            return f"{where} matched but should not (terms: {terms}): {shown!r}"
        best = max(results, key=lambda r: r.score / r.threshold)
        return f"{where} did not match (score {best.score:g} < {best.threshold:g}): {shown!r}"

    def run_examples(self) -> list[str]:
        """Run every example; the failures, each naming rule file, line, topic and example."""
        failures = (self.check_example(e) for e in self.examples())
        return [f for f in failures if f is not None]


def _compile_blob(
    blob: bytes,
) -> tuple[list[CompiledTopic], Lexicon, tuple[TopicSpec, ...], str]:
    """Compile the specs a `RuleSet` pickled (`_blob`): topics, lexicon, specs kept, where."""
    specs, where = pickle.loads(zlib.decompress(blob))
    topics, lexicon, kept = compile_specs(specs, where)
    return topics, lexicon, kept, where


_compiled: dict[bytes, RuleSet] = {}  # per process: rule sets rebuilt from their specs


def rebuild_rules(digest: bytes, blob: bytes) -> RuleSet:
    """The rule set compiled from pickled `(specs, where)`, once per process and rules version
    (`digest`): how a `RuleSet` crosses into a parse process."""
    rules = _compiled.get(digest)
    if rules is None:
        topics, lexicon, kept, where = _compile_blob(blob)
        rules = RuleSet(topics, lexicon, source=(kept, where))
        _compiled.clear()  # one version at a time: reloaded rules replace the old ones
        _compiled[digest] = rules
    return rules


def explain_text(rules: RuleSet, text: str, *, title: str = "", language: str | None = None) -> str:
    """The printable report of `geoalert rules explain`: language, verdicts, every clause.

    Matching topics come first, then the others, each with its blocks and every term (✓ with
    what it matched in the text, ✗ otherwise).
    """
    detected = rules.document(title, text, language).language
    how = "given" if language else "detected from Cyrillic vs Latin letters"
    explanations = rules.explain(title, text, language)
    matched = [e.topic for e in explanations if e.matched]
    lines = [
        f"language: {detected} ({how})",
        f"matched: {', '.join(matched) if matched else 'no topic'}",
    ]
    for explanation in sorted(explanations, key=lambda e: not e.matched):
        lines.extend(("", explanation.render()))
    return "\n".join(lines)
